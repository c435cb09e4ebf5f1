// Package mpmcq holds the lock-free bounded queue behind package mpmc: Ring,
// for any number of producers and any number of consumers, which can be
// closed.
package mpmcq

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/diatomic-go/diatomic/internal/ringroom"
	"github.com/diatomic-go/diatomic/internal/spin"
)

// Ring is Dmitry Vyukov's bounded MPMC queue
// (https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue,
// the design of xsync v4's MPMCQueue, after rigtorp/MPMCQueue): producers
// claim positions with a CAS on head, consumers with a CAS on tail, and each
// slot's sequence number says whose turn it is. It differs in four ways:
//
//   - Full is exact. xsync's TryEnqueue returns false both when the ring is
//     full and when the producer's CAS lost a race to another producer, or
//     the slot's consumer is still reading it. Here a lost CAS retries
//     after one yield (spin.Contended: the other producer made progress,
//     or Close set the closed bit), a slot still being read is waited out
//     (the consumer is a few instructions from releasing it), and Full is
//     reported only when head - tail >= capacity at the instant tail is
//     read. So is Empty: a consumer reports it only when head == tail at the
//     instant head is read, and waits out a producer between its claim and
//     its write (Busy) otherwise, unless it asked to poll.
//
//   - The capacity is exact: the slot array is rounded up to a power of two
//     (so an index is a mask), and room is counted against the requested
//     capacity. Producers read tail only when tailSeen, their cached copy on
//     head's line, says the ring may be full.
//
//   - TryEnqueueBatched, for producers that can wait (a blocking send),
//     refuses room smaller than a batch once it has had to read tail
//     (ringroom.Room, shared with mpscq's Ring), and tailSeen only records
//     tails that leave a batch of room, so that producers trusting it do
//     not take the last free slots one at a time either.
//
//   - head carries the closed bit: a claim is a CAS from a value read with
//     the bit clear, so a claim and Close are totally ordered by that word.
//     A producer whose claim succeeded has enqueued; one that sees the bit
//     has not, and never will.
//
// State words:
//
//	head:     bit 63 closed | bits 0-62 positions claimed by producers
//	tail:     positions claimed by consumers
//	tailSeen: some earlier value of tail
//	slots[p & mask].seq == p        the slot is free for the producer of p
//	slots[p & mask].seq == p+1      the value of position p is written
//	slots[p & mask].seq == p+len    the consumer of p has read it: free for p+len
//
// Invariants:
//   - tailSeen <= tail <= head&^closedBit <= tail + capacity.
//   - Only the producer whose CAS claimed p writes slot p&mask, and only
//     once its seq == p; only the consumer whose CAS claimed p (seen written
//     before the CAS) reads it, and then releases it for p+len(slots).
//   - The closed bit, once set, stays set, and head's position part no
//     longer changes.
//
// Linearization points: an enqueue at its head CAS, a dequeue (or batch) at
// its tail CAS, Close at its Or on head, Full at the load of tail, Empty and
// Closed at the load of head.
type Ring[T any] struct {
	head     atomic.Uint64 // producers (CAS) and Close (Or)
	tailSeen atomic.Uint64 // producers; on head's line, which they write anyway
	_        [cacheLine - 2*unsafe.Sizeof(uint64(0))]byte
	tail     atomic.Uint64 // consumers (CAS)
	closed   atomic.Bool   // set by Close after head's bit; read by Poll on the consumers' line
	_        [cacheLine - 2*unsafe.Sizeof(uint64(0))]byte
	room     ringroom.Room[uint64] // read-only after NewRing: the capacity and the batch
	mask     uint64                // read-only: len(slots) - 1
	slots    []slot[T]
}

// cacheLine is the padding unit between the producers' and the consumers'
// words (see mpscq.cacheLine for the choice of 64).
const cacheLine = 64

const closedBit = ringroom.ClosedBit

// maxCapacity is the largest capacity NewRing accepts: the slot array is a
// power of two of at most 2^40 slots, far beyond what a machine holds, and
// positions stay far below the closed bit.
const maxCapacity = 1 << 40

type slot[T any] struct {
	seq atomic.Uint64
	val T
}

// Status is the outcome of a queue operation.
type Status uint8

const (
	OK     Status = iota // the value was enqueued or dequeued
	Full                 // the ring held its capacity of values; nothing enqueued
	Empty                // no value was in the ring; nothing dequeued
	Closed               // closed: nothing enqueued / closed and drained
)

// NewRing returns an empty Ring that holds up to capacity values. It panics
// if capacity < 1 or capacity > 2^40.
func NewRing[T any](capacity int) *Ring[T] {
	if capacity < 1 || uint64(capacity) > maxCapacity {
		panic("mpmcq: ring capacity must be in [1, 2^40]")
	}
	// At least 2 slots: with one, "written for p" and "free for p+1" would
	// both be seq == p+1, and a producer could overwrite a value that its
	// consumer has claimed but not yet read.
	n := max(2, uint64(1)<<bits.Len64(uint64(capacity-1)))
	q := &Ring[T]{room: ringroom.New(uint64(capacity)), mask: n - 1, slots: make([]slot[T], n)}
	for i := range q.slots {
		q.slots[i].seq.Store(uint64(i))
	}
	return q
}

// TryEnqueue appends v unless the ring is full or closed. It never reports
// Full because of contention: a lost CAS yields once and retries, and a slot
// that a consumer has claimed but not yet released is waited for.
func (q *Ring[T]) TryEnqueue(v T) Status { return q.enqueue(v, 1) }

// TryEnqueueBatched is TryEnqueue for a producer that would rather wait than
// take the room consumers free one slot at a time: when it has to read tail
// to find room, it reports Full unless at least Batch slots are free (see
// ringroom.Room). Its Full is not proof that the ring is full: a producer
// uses TryEnqueue before it decides to block.
func (q *Ring[T]) TryEnqueueBatched(v T) Status { return q.enqueue(v, q.room.Batch) }

// Batch is the room TryEnqueueBatched waits for (see ringroom.New).
func (q *Ring[T]) Batch() int { return int(q.room.Batch) }

// enqueue is TryEnqueue when room is 1, and TryEnqueueBatched when room is
// batch: the free slots that checkRoom requires.
func (q *Ring[T]) enqueue(v T, room uint64) Status {
	for {
		h := q.head.Load()
		if h&closedBit != 0 {
			return Closed
		}
		if h-q.tailSeen.Load() >= q.room.Cap { // also catches tailSeen > h (stale h): the difference wraps
			if st := q.checkRoom(h, room); st != OK {
				if st == Empty { // stale h
					continue
				}
				return st
			}
		}
		s := &q.slots[h&q.mask]
		// Acquire: seq == h means the consumer of h-len(slots) released
		// the slot (its read of val happened before).
		if seq := s.seq.Load(); seq != h {
			if int64(seq-h) < 0 {
				// The consumer of h-len(slots) claimed it (tail > h-capacity)
				// and has not released it yet.
				spin.Yield()
			}
			continue // or h is stale: another producer wrote it
		}
		// Succeeds only if head is still h: the closed bit is clear and no
		// other producer claimed h.
		if q.head.CompareAndSwap(h, h+1) {
			s.val = v
			// Publishes val: synchronizes before the consumer's seq.Load
			// that sees h+1, and so before its read of val.
			s.seq.Store(h + 1)
			return OK
		}
		spin.Contended() // another producer claimed h (or Close set the bit)
	}
}

// checkRoom is the slow path of enqueue, taken when tailSeen says the ring
// may be full for position h: it reads tail and reports OK (at least room
// slots are free; tailSeen is refreshed), Full, or Empty when h is stale.
func (q *Ring[T]) checkRoom(h, room uint64) Status {
	t := q.tail.Load()
	if t > h {
		return Empty
	}
	if !q.room.Fits(h-t, room) {
		// head >= h and tail == t at this load: the ring held more than
		// capacity-room values at this instant.
		return Full
	}
	// Only a tail that leaves a batch of room is worth sharing: with less,
	// producers that trust tailSeen would take the last free slots one at
	// a time, right behind the consumers, which TryEnqueueBatched is there
	// to avoid; an exact try with less room reads tail again next time.
	if q.room.Fits(h-t, q.room.Batch) {
		q.tailSeen.Store(t) // may move tailSeen back, never past tail
	}
	return OK
}

// TryDequeue removes the oldest value. It reports Empty only when the ring
// held no value at some instant during the call, and Closed once the ring is
// closed and drained; a producer between its claim and its write of the
// next value is waited for.
func (q *Ring[T]) TryDequeue() (T, Status) { return q.dequeue(true) }

// Poll is TryDequeue for a consumer that waits for a notification when it
// gets nothing: it reports Empty, without waiting, when the next value is
// claimed but not written yet (its producer notifies after the write), and
// reads head only once Close has set closed, so that consumers polling an
// empty ring do not pull head's line away from the producers.
func (q *Ring[T]) Poll() (T, Status) { return q.dequeue(false) }

func (q *Ring[T]) dequeue(exact bool) (v T, _ Status) {
	for {
		t := q.tail.Load()
		s := &q.slots[t&q.mask]
		// Acquire: seeing t+1 means the producer's write of val happened before.
		seq := s.seq.Load()
		if seq != t+1 {
			if int64(seq-(t+1)) > 0 {
				continue // t is stale: another consumer took it
			}
			switch st := q.status(t, exact); st {
			case OK: // retry
				continue
			default:
				return v, st
			}
		}
		if q.tail.CompareAndSwap(t, t+1) {
			v = s.val
			var zero T
			s.val = zero // drop the reference for the garbage collector
			// Release: the read happened before the producer of
			// t+len(slots) sees the slot free.
			s.seq.Store(t + q.mask + 1)
			return v, OK
		}
		spin.Contended() // another consumer claimed t
	}
}

// DequeueBatch moves up to len(buf) of the oldest values into buf with one
// CAS on tail and returns how many; when none, it reports why, as
// TryDequeue.
func (q *Ring[T]) DequeueBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, true) }

// PollBatch is DequeueBatch as Poll is TryDequeue.
func (q *Ring[T]) PollBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, false) }

func (q *Ring[T]) dequeueBatch(buf []T, exact bool) (int, Status) {
	if len(buf) == 0 {
		return 0, OK
	}
	for {
		t := q.tail.Load()
		n := uint64(0)
		for ; n < uint64(len(buf)); n++ {
			p := t + n
			if q.slots[p&q.mask].seq.Load() != p+1 {
				break
			}
		}
		if n == 0 {
			if seq := q.slots[t&q.mask].seq.Load(); int64(seq-(t+1)) > 0 {
				continue // stale t
			}
			if st := q.status(t, exact); st != OK {
				return 0, st
			}
			continue
		}
		// The slots [t, t+n) were written; they stay so until tail passes
		// them, which only this CAS can do from t.
		if !q.tail.CompareAndSwap(t, t+n) {
			spin.Contended() // another consumer claimed t
			continue
		}
		var zero T
		for i := range n {
			s := &q.slots[(t+i)&q.mask]
			buf[i] = s.val
			s.val = zero
			s.seq.Store(t + i + q.mask + 1) // release, as in dequeue
		}
		return int(n), OK
	}
}

// status says why position t is not readable: Empty or Closed, or OK to tell
// the caller to look again (t is stale, or, when exact, its producer is
// between its claim and its write, waited out here by yielding).
func (q *Ring[T]) status(t uint64, exact bool) Status {
	if !exact && !q.closed.Load() {
		return Empty
	}
	h := q.head.Load()
	if h&^closedBit == t {
		// tail was t before this load, and tail <= head == t: the ring was
		// empty at this instant.
		if h&closedBit != 0 {
			return Closed
		}
		return Empty
	}
	if q.tail.Load() != t {
		return OK // stale t
	}
	// Claimed, not yet written: the producer is between its CAS and its
	// seq.Store.
	if !exact {
		return Empty
	}
	spin.Yield()
	return OK
}

// Close closes the ring: every later TryEnqueue reports Closed and, once the
// values already claimed are dequeued, so do TryDequeue and Poll. It reports
// whether this call closed it. Any goroutine may call it.
func (q *Ring[T]) Close() bool { return ringroom.Close(&q.head, &q.closed) }

// Closed reports whether Close has been called.
func (q *Ring[T]) Closed() bool { return q.head.Load()&closedBit != 0 }

// Len returns the number of values in the ring, counting positions claimed
// but not yet written or read. The answer may be stale.
func (q *Ring[T]) Len() int {
	t := q.tail.Load() // tail first: then t <= head
	return int(q.head.Load()&^closedBit - t)
}

// EmptyOpen reports whether the ring was empty and open at one instant
// during the call: no position claimed but not yet read, including
// positions claimed but not yet written. Two atomic loads.
func (q *Ring[T]) EmptyOpen() bool {
	t := q.tail.Load() // tail first: then tail == head at the load of head
	return q.head.Load() == t
}

// Released returns the number of positions consumers have claimed so far, so
// that a producer can tell whether consumers made progress between two
// calls.
func (q *Ring[T]) Released() uint64 { return q.tail.Load() }

// Cap returns the capacity passed to NewRing.
func (q *Ring[T]) Cap() int { return int(q.room.Cap) }
