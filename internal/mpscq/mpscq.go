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
// DequeueBatch, PollBatch). A consumer method that overlaps with another
// on a position reports Conflict; the consumer releases what it read with
// one CAS per call, as cheap as the store it replaces, so the check is free. Len and Cap read only atomic or read-only
// words: any goroutine may call them.
package mpscq

import (
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/diatomic-go/diatomic/internal/ringroom"
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
	// Conflict: another consumer dequeued concurrently, which is a misuse;
	// nothing was dequeued by this call. Only a consumer method called
	// while another one runs reports it, and it reports it whenever the two
	// overlap on a position (see Ring and List for what a T that holds
	// pointers may lose).
	Conflict
)

// closedBit is the top bit of a queue's claim word (Ring.head, segment.enq):
// once set, no claim can succeed. On Ring.head every claim is a CAS from a
// value read with the bit clear; on segment.enq a claim is a fetch-and-add
// that counts only if the value it returns has the bit clear.
const closedBit = ringroom.ClosedBit

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

// hasPointers reports whether a value of type t holds a pointer the garbage
// collector follows. The consumer zeroes a slot it has read only if so: for
// a pointer-free T the stale value holds nothing alive, and not writing it
// is what lets two consumers that race (a misuse) lose no value.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	default: // pointers, unsafe.Pointer, strings, slices, maps, channels, funcs, interfaces
		return true
	}
}
