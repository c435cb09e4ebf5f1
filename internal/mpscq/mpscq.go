// Package mpscq holds the lock-free multi-producer single-consumer queues
// behind package mpsc: [Ring], bounded, and [List], unbounded and segmented.
//
// Both queues can be closed, and closing is part of the queue's own state
// word rather than a flag beside it: a producer claims a position with a CAS
// on a word that also carries the closed bit, so a claim and a close are
// totally ordered by that word. A producer whose claim succeeded has
// enqueued (the consumer waits for its write); a producer that sees the bit
// has not, and never will. That is what lets package mpsc promise that a send
// which reports an error did not enqueue, without counting senders in flight.
//
// Any number of goroutines may call TryEnqueue and Close concurrently; only
// one goroutine at a time may call the consumer methods (TryDequeue, Poll,
// DequeueBatch, PollBatch). Len and Cap read only atomic or read-only
// words: any goroutine may call them.
package mpscq

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Status is the outcome of a queue operation.
type Status uint8

const (
	// OK: the value was enqueued or dequeued.
	OK Status = iota
	// Full: a bounded queue holds its capacity of values (claimed positions
	// included); the value was not enqueued.
	Full
	// Empty: no producer has claimed a position the consumer has not read.
	Empty
	// Busy: a producer has claimed the next position but not yet written
	// it. The write is a few instructions away; the producer notifies after
	// it, as after any enqueue.
	Busy
	// Closed: the queue is closed. For a producer, the value was not
	// enqueued; for the consumer, every value enqueued has been dequeued.
	Closed
)

// closedBit is the top bit of a queue's claim word (Ring.head, segment.enq):
// once set, no claim can succeed. On Ring.head every claim is a CAS from a
// value read with the bit clear; on segment.enq a claim is a fetch-and-add
// that counts only if the value it returns has the bit clear.
const closedBit = 1 << 63

// cacheLine is the padding unit between fields written by different
// goroutines. 64 bytes is the line size of amd64 and most arm64 cores; the
// adjacent-line prefetcher of recent x86 parts pairs lines into 128 bytes,
// but doubling the padding measured no gain for these queues, whose hot words
// are few.
const cacheLine = 64

// slot holds one value. seq tells the consumer whether val holds the value it
// expects: the producer writes val, then publishes it with seq.Store.
type slot[T any] struct {
	seq atomic.Uint64
	val T
}

// pad fills the rest of a cache line after one 8-byte word.
type pad [cacheLine - unsafe.Sizeof(uint64(0))]byte

// backoffSpins is how many rounds of arithmetic a producer that collides
// with another spins for (see List and Ring): a round is a dependent
// multiply and add, and the spin is meant to last about as long as
// producers take to fill a segment of DefaultSegmentSize int slots when
// they contend (BenchmarkFill). A longer spin idles the backed-off
// producer's core while the others finish; BenchmarkFill is the one to
// run when changing it, and a clock-bounded spin was tried there too.
const backoffSpins = 15000

// Pause spins for spins rounds of arithmetic, keeping its P and touching no
// shared memory, and reports true; when this is the only P it returns false
// at once, since no other goroutine could run meanwhile. It is how a
// colliding producer backs off (see List and Ring), and how package mpsc's
// receiver paces its polls of a queue that senders are filling.
//
// Two producers claiming from one queue on two cores pass the claim word and
// the slot lines back and forth on every claim, and each claim then costs
// several times what it costs one producer alone (BenchmarkFill against
// BenchmarkSolo). A short pause by one of them lets the others run a burst
// of cheap claims, and the cores fall out of step. A goroutine yield does
// not do it: the P runs another producer at once.
func Pause(spins int) bool {
	if runtime.GOMAXPROCS(0) == 1 {
		return false
	}
	var x uint32
	spin(spins, &x)
	return true
}

// spin computes for n rounds without touching memory, and stores the result
// in *x so that the loop is not optimized away.
//
//go:noinline
func spin(n int, x *uint32) {
	v := uint32(n)
	for range n {
		v = v*1664525 + 1013904223
	}
	*x = v
}
