package mpscq

import (
	"sync"
	"sync/atomic"
)

// List is an unbounded MPSC queue: a linked list of segments, each an array
// of slots that producers claim in order with a CAS on the segment's claim
// word. Producers never wait for each other or for the consumer.
//
// The layout is the one of the FAA array queues (Correia and Ramalhete's
// FAAArrayQueue, xsync's UMPSCQueue): producers work in the last segment and
// link a new one when it is full; the consumer reads one segment after the
// other. Three differences:
//
//   - Claims are a CAS, not a fetch-and-add, so that the claim word can carry
//     the closed bit: a segment whose claim count stops short of its size
//     and whose bit is set is frozen, and the queue with it.
//   - The consumer can poll (TryDequeue): a slot is published with the
//     number of its segment, so an unwritten slot is told apart from a
//     written one without blocking; xsync's queue parks on a WaitGroup.
//   - Slot arrays are recycled through a sync.Pool once the consumer has
//     read them; segment headers are not, because a producer may still hold
//     a pointer to a full segment. A stale producer only ever reads a full
//     segment's claim word and next pointer, never its slots, so reusing the
//     slot array is safe, and the only allocation in steady state is one
//     small header per segment.
//
// State words:
//
//	segment.enq:  bit 63 closed | bits 0-62 slots claimed (0..len(slots))
//	segment.next: the following segment; nil while none is linked; the
//	              closed sentinel (one slot, frozen empty) after a close
//	              that found the last segment full
//	slots[i].seq == segment.no once slot i of this segment is written
//
// Invariants:
//   - A producer claims in a segment only while its claim count is below
//     len(slots) and the closed bit is clear; it moves to next only when the
//     count is len(slots), so all segments before the last one holding
//     claims are full.
//   - Close is linearized at the step that freezes the last segment: the Or
//     that finds it not full, or the CAS that links the sentinel after a
//     full one. The closed bit on a full segment means nothing.
//   - Segment numbers increase along the list, so a recycled array's stale
//     seq values never equal the new segment's number.
//   - head, pos and the pool's arrays belong to the consumer; tail is a hint
//     that lags the last segment by at most the segments linked since.
type List[T any] struct {
	tail   atomic.Pointer[segment[T]] // producers' entry point: the last segment or an earlier one
	_      pad
	head   *segment[T] // consumer: the segment being read
	pos    uint64      // consumer: the next slot of head to read
	size   int         // slots per segment; read-only
	closed atomic.Bool // set by the first Close
	arrays sync.Pool   // *[]slot[T] read out by the consumer
}

type segment[T any] struct {
	enq   atomic.Uint64
	next  atomic.Pointer[segment[T]]
	no    uint64 // number of this segment, from 1; read-only
	slots []slot[T]
}

// DefaultSegmentSize is the number of slots per segment of NewList.
const DefaultSegmentSize = 1024

// NewList returns an empty List with segments of DefaultSegmentSize slots.
func NewList[T any]() *List[T] { return NewListSize[T](DefaultSegmentSize) }

// NewListSize returns an empty List with segments of size slots.
func NewListSize[T any](size int) *List[T] {
	if size < 1 {
		panic("mpscq: segment size must be at least 1")
	}
	q := &List[T]{size: size}
	q.head = q.newSegment(1)
	q.tail.Store(q.head)
	return q
}

func (q *List[T]) newSegment(no uint64) *segment[T] {
	s := &segment[T]{no: no}
	if a, ok := q.arrays.Get().(*[]slot[T]); ok {
		s.slots = *a
	} else {
		s.slots = make([]slot[T], q.size)
	}
	return s
}

// TryEnqueue appends v unless the queue is closed. It never blocks: a failed
// CAS means another producer claimed a slot, and a full segment is followed
// by one this producer links if nobody has yet.
func (q *List[T]) TryEnqueue(v T) Status {
	seg := q.tail.Load()
	for {
		e := seg.enq.Load()
		if e < uint64(len(seg.slots)) { // closed bit clear, room left
			// Succeeds only if no claim and no close came in between.
			if seg.enq.CompareAndSwap(e, e+1) {
				s := &seg.slots[e]
				s.val = v
				// Publishes val: synchronizes before the consumer's
				// seq.Load that sees seg.no, and so before its read.
				s.seq.Store(seg.no)
				return OK
			}
			continue
		}
		if e&^closedBit < uint64(len(seg.slots)) {
			return Closed // frozen short of full (or the sentinel): the queue is closed
		}
		seg = q.advance(seg)
	}
}

// advance returns the segment after the full segment seg, linking a new one
// if there is none, and moves the tail hint past seg.
func (q *List[T]) advance(seg *segment[T]) *segment[T] {
	next := seg.next.Load()
	if next == nil {
		n := q.newSegment(seg.no + 1)
		// The CAS publishes n's fields to whoever loads seg.next.
		if seg.next.CompareAndSwap(nil, n) {
			next = n
		} else {
			q.arrays.Put(&n.slots) // unused: another producer, or Close, linked first
			next = seg.next.Load()
		}
	}
	q.tail.CompareAndSwap(seg, next)
	return next
}

// TryDequeue removes the oldest value. It reports Empty when nothing is
// claimed beyond the consumer's position, Busy when the next slot is claimed
// but not yet written, and Closed when the queue is closed and drained.
// Consumer only.
func (q *List[T]) TryDequeue() (v T, st Status) {
	for {
		seg, p := q.head, q.pos
		if p < uint64(len(seg.slots)) {
			s := &seg.slots[p]
			// Acquire: seeing seg.no means the producer's write of val
			// happened before.
			if s.seq.Load() != seg.no {
				return v, segStatus(seg, p)
			}
			v = s.val
			var zero T
			s.val = zero // drop the reference; the array is reused clean
			q.pos = p + 1
			return v, OK
		}
		if !q.nextSegment() {
			return v, Empty
		}
	}
}

// DequeueBatch moves up to len(buf) of the oldest values into buf. It
// returns how many it moved and, when that is 0, why (Empty, Busy or
// Closed). Consumer only.
func (q *List[T]) DequeueBatch(buf []T) (int, Status) {
	n := 0
	for n < len(buf) {
		seg, p := q.head, q.pos
		if p == uint64(len(seg.slots)) {
			if q.nextSegment() {
				continue
			}
			break
		}
		var zero T
		m := min(len(buf)-n, len(seg.slots)-int(p))
		i := 0
		for ; i < m; i++ {
			s := &seg.slots[int(p)+i]
			if s.seq.Load() != seg.no { // acquire, as in TryDequeue
				break
			}
			buf[n+i] = s.val
			s.val = zero
		}
		n += i
		q.pos = p + uint64(i)
		if i < m {
			if n == 0 {
				return 0, segStatus(seg, p)
			}
			break
		}
	}
	if n == 0 {
		return 0, Empty
	}
	return n, OK
}

// segStatus says why slot p of seg, the consumer's next, is not readable.
func segStatus[T any](seg *segment[T], p uint64) Status {
	e := seg.enq.Load()
	switch {
	case e&^closedBit != p:
		return Busy // claimed; the producer is between its CAS and its seq.Store
	case e&closedBit != 0:
		return Closed // frozen here: nothing more will be claimed
	default:
		return Empty
	}
}

// nextSegment moves the consumer to the segment after the one it has read
// out, recycling the read-out slot array, and reports whether there was one.
// The closed sentinel is moved to like any other segment; its slot reads as
// frozen.
func (q *List[T]) nextSegment() bool {
	seg := q.head
	// Acquire: the linking CAS published the new segment's fields.
	next := seg.next.Load()
	if next == nil {
		return false
	}
	q.head, q.pos = next, 0
	// Every slot is read and zeroed; producers never touch a full
	// segment's slots again, so the array can be reused at once.
	q.arrays.Put(&seg.slots)
	return true
}

// Close closes the queue: every later TryEnqueue reports Closed, and once
// the values already claimed are dequeued, so does TryDequeue. It reports
// whether this call closed it. Any goroutine may call it.
func (q *List[T]) Close() bool {
	if !q.closed.CompareAndSwap(false, true) {
		return false
	}
	var sentinel *segment[T]
	for seg := q.tail.Load(); ; {
		if seg.enq.Or(closedBit)&^closedBit < uint64(len(seg.slots)) {
			return true // frozen short of full: no producer moves past it
		}
		// Full: producers move on to next; make sure the next one they
		// find is closed, by linking the sentinel or walking to it.
		next := seg.next.Load()
		if next == nil {
			if sentinel == nil {
				// One slot, claimed by nobody, frozen: to producers and
				// the consumer it is a closed segment like any other.
				sentinel = &segment[T]{no: seg.no + 1, slots: make([]slot[T], 1)}
				sentinel.enq.Store(closedBit)
			}
			if seg.next.CompareAndSwap(nil, sentinel) {
				return true
			}
			next = seg.next.Load()
		}
		seg = next
	}
}

// Closed reports whether Close has been called.
func (q *List[T]) Closed() bool { return q.closed.Load() }

// Len returns the number of values in the queue, counting slots claimed but
// not yet written. Consumer only.
func (q *List[T]) Len() int {
	n := -int(q.pos)
	for seg := q.head; seg != nil; seg = seg.next.Load() {
		n += int(seg.enq.Load() &^ closedBit)
	}
	return n
}
