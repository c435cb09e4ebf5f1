package mpscq

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// List is an unbounded MPSC queue: a linked list of segments, each an array
// of slots that producers claim in order with a fetch-and-add on the
// segment's claim word. Producers never wait for each other or for the
// consumer.
//
// The layout is the one of the FAA array queues (Correia and Ramalhete's
// FAAArrayQueue, xsync's UMPSCQueue): producers work in the last segment and
// move to the next one when it is full; the consumer reads one segment after
// the other. Like xsync's queue, the producer that makes the first claim in
// a segment links the next one, so that the producers filling the segment
// find their way on without waiting for an allocation (for segments of at
// most SegmentBytes; see NewListSize); a producer that finds no next segment
// links one itself. Five differences:
//
//   - Segments are sized by bytes, not by a count of slots (SegmentSize):
//     memory follows the backlog whatever the size of the values.
//   - The claim word carries the closed bit, and Close sets it with a CAS
//     that also records how many claims counted (the frozen count): a claim
//     whose fetch-and-add returns a word with the bit set does not count,
//     even though it bumped the claim count, and the consumer reads the
//     frozen count, not the claim count, to know where a closed segment
//     ends. A segment frozen short of full freezes the queue.
//   - The consumer can poll (TryDequeue): a slot is published with the
//     number of its segment, so an unwritten slot is told apart from a
//     written one without blocking; xsync's queue parks on a WaitGroup.
//   - Slot arrays are recycled through a sync.Pool once the consumer has
//     read them; segment headers are not, because a producer may still hold
//     a pointer to a full segment. A stale producer only ever reads and adds
//     to a full segment's claim word and reads its next pointer, never its
//     slots, so reusing the slot array is safe, and the only allocation in
//     steady state is one small header per segment.
//   - The consumer's position is derived from two atomic words, read (the
//     values dequeued in all) and head (the segment being read), and it
//     releases what it read with a CAS on read, so that a second consumer
//     (a misuse) is detected, as in a Ring (see Conflict and below).
//
// State words:
//
//	segment.enq:  bit 63 closed | bits 40-62 frozen count, set with the
//	              closed bit | bits 0-39 claims made (may exceed len(slots):
//	              claims past the end, and claims after the close, do not
//	              count)
//	segment.next: the following segment, linked by the segment's first
//	              claim or by a producer that finds it full; nil while none
//	              is linked; the closed sentinel (one slot, frozen empty)
//	              after a close that found the last segment full with none
//	slots[i].seq == segment.no once slot i of this segment is written
//
// Invariants:
//   - A claim counts if and only if its fetch-and-add returned c with the
//     closed bit clear and c < len(slots); it owns slot c. So the counted
//     claims of a segment are exactly slots 0..min(claims, len(slots))-1 if
//     it is open, and 0..frozen-1 once closed.
//   - A producer moves to next only when its add returned a claim count of
//     len(slots) or more (open, full), or a frozen count of len(slots)
//     (closed when full), so every segment before the last one holding
//     counted claims is full.
//   - Close is linearized at the step that freezes the last segment: the CAS
//     that freezes it short of full, or the CAS that links the sentinel
//     after a full one, made by whichever Close gets there first. Every
//     Close returns after that step (each walks to the frozen end), so a
//     TryEnqueue that starts after any Close returned reports Closed. A
//     full segment's closed bit only tells producers to move on.
//   - The claim count grows by one per producer visit to a segment, and
//     visits to a segment are bounded by the producers that find it as
//     tail before tail moves past it, far below 2^40.
//   - Segment numbers increase along the list, so a recycled array's stale
//     seq values never equal the new segment's number.
//   - tail is a hint that lags the last segment by at most the segments
//     linked since. head and read are written only by the consumer, each
//     with a CAS from the value it loaded in the same call; the pool's
//     arrays belong to it.
//   - Every segment but the sentinel has size slots, so the segments before
//     one numbered no hold first = (no-1)*size counted claims, all read
//     once the consumer is in it: first <= read, and the consumer's next
//     slot in head is pos = read - head.first, in [0, len(head.slots)].
//     The consumer moves head (CAS) to head.next only at pos ==
//     len(head.slots), and a batch that reads across segments moves it,
//     after its CAS on read, to the segment it stopped in.
//
// Two consumers at once (a misuse): each loads head, then read, and reads
// slot pos of head, the slot of position read (segment numbers, and so
// first, are unique along the list); a pair loaded apart may give a pos
// past the end of head, which no single consumer sees, and is reported as
// Conflict. A consumer returns values only after its CAS from read r
// succeeds: read only grows, so no other consumer released position r
// since this one loaded read, and head's array was not yet recycled (that
// happens only after read has passed the segment's end), so the slots it
// read held the values of positions r onwards. A consumer whose CAS on
// read or on head fails returns Conflict and nothing else; it wrote no
// shared word, except, for a T holding pointers, the zero it stores in
// each slot it read before its CAS: the winner may then read that zero
// instead of the value, or the zero may land on a slot of the array after
// it was recycled. For a pointer-free T nothing is zeroed and misuse loses
// nothing.
type List[T any] struct {
	tail     atomic.Pointer[segment[T]] // producers' entry point: the last segment or an earlier one
	_        pad
	head     atomic.Pointer[segment[T]] // the segment being read: moved by the consumer (CAS), read by Len
	read     atomic.Uint64              // values dequeued in all: the consumer's release (CAS), read by Len
	size     uint64                     // slots per segment; read-only
	eager    bool                       // read-only: the first claim of a segment links the next one (see NewListSize)
	pointers bool                       // read-only: T holds pointers, so a dequeued slot is zeroed (see hasPointers)
	closed   atomic.Bool                // set by the first Close, before it freezes; read by Poll
	arrays   sync.Pool                  // *[]slot[T] read out by the consumer
}

type segment[T any] struct {
	enq atomic.Uint64 // written by every claim
	// The consumer reads no and slots on every dequeue: apart from enq,
	// they stay in its cache instead of following enq from core to core
	// (BenchmarkUnbounded in package mpsc, one producer, shows the
	// padding's worth).
	_     pad
	next  atomic.Pointer[segment[T]]
	no    uint64 // number of this segment, from 1; read-only
	first uint64 // position of slot 0 in the queue, (no-1)*size; read-only
	slots []slot[T]
}

const (
	frozenShift = 40
	claimMask   = 1<<frozenShift - 1
	// MaxSegmentSize is the largest segment NewListSize accepts: the frozen
	// count must fit in its field of the claim word.
	MaxSegmentSize = 1<<(63-frozenShift) - 1
)

// claims returns the claim count of a claim word.
func claims(e uint64) uint64 { return e & claimMask }

// frozen returns the frozen count of a claim word whose closed bit is set.
func frozen(e uint64) uint64 { return e &^ closedBit >> frozenShift }

// counted returns how many claims of a segment of n slots with claim word e
// count (see the invariants): its slots 0 to counted-1 are owned by
// producers that will write them, or written already.
func counted(e, n uint64) uint64 {
	if e&closedBit != 0 {
		return frozen(e)
	}
	return min(claims(e), n)
}

// DefaultSegmentSize is the largest number of slots per segment of
// NewList: the number of slots of a word-sized value (16 bytes with their
// sequence number) in SegmentBytes.
const DefaultSegmentSize = 1024

// SegmentBytes is the size of the slot array NewList aims at, and the
// largest one that the first claim of a segment links ahead of need.
const SegmentBytes = DefaultSegmentSize * 16

// MinSegmentSize is the fewest slots per segment of NewList, which it
// gives to values too large for SegmentBytes to hold more.
const MinSegmentSize = 4

// SegmentSize returns the number of slots per segment NewList gives
// values whose slots take slotSize bytes: as many as SegmentBytes holds,
// at least MinSegmentSize and at most DefaultSegmentSize. So the memory
// of a list follows its backlog, in steps of about SegmentBytes, whatever
// the size of its values: a large value does not bring a thousand slots
// with it.
func SegmentSize(slotSize uintptr) int {
	return int(min(max(SegmentBytes/slotSize, MinSegmentSize), DefaultSegmentSize))
}

// NewList returns an empty List with segments sized by SegmentSize.
func NewList[T any]() *List[T] { return NewListSize[T](SegmentSize(unsafe.Sizeof(slot[T]{}))) }

// NewListSize returns an empty List with segments of size slots. It panics
// if size is not in [1, MaxSegmentSize].
//
// The first claim of a segment links the next one (see List) if a segment
// takes at most SegmentBytes; a larger segment is linked when a producer
// needs it, so that a list holding one large value does not hold the
// memory of two segments.
func NewListSize[T any](size int) *List[T] {
	if size < 1 || size > MaxSegmentSize {
		panic("mpscq: segment size out of range")
	}
	slotSize := unsafe.Sizeof(slot[T]{})
	q := &List[T]{size: uint64(size), eager: uint64(size)*uint64(slotSize) <= SegmentBytes,
		pointers: hasPointers(reflect.TypeFor[T]())}
	seg := q.newSegment(1)
	q.head.Store(seg)
	q.tail.Store(seg)
	return q
}

func (q *List[T]) newSegment(no uint64) *segment[T] {
	s := &segment[T]{no: no, first: (no - 1) * q.size}
	if a, ok := q.arrays.Get().(*[]slot[T]); ok {
		s.slots = *a
	} else {
		s.slots = make([]slot[T], q.size)
	}
	return s
}

// TryEnqueue appends v unless the queue is closed. It never blocks: a claim
// is a fetch-and-add, and a full segment is followed by one this producer
// links if nobody has yet.
func (q *List[T]) TryEnqueue(v T) Status {
	seg := q.tail.Load()
	for {
		e := seg.enq.Add(1) - 1
		n := uint64(len(seg.slots))
		switch {
		case e&closedBit == 0 && claims(e) < n:
			s := &seg.slots[claims(e)]
			s.val = v
			// Publishes val: synchronizes before the consumer's
			// seq.Load that sees seg.no, and so before its read.
			s.seq.Store(seg.no)
			if claims(e) == 0 && q.eager {
				// The first claim of a segment links the next one, so
				// that the producers that fill this one move on without
				// waiting for an allocation (see the type's comment).
				q.link(seg)
			}
			return OK
		case e&closedBit != 0 && frozen(e) < n:
			return Closed // frozen short of full (or the sentinel): the queue is closed
		}
		// Full, or closed when full: the close, if any, froze a later one.
		seg = q.advance(seg)
	}
}

// advance returns the segment after the full segment seg and moves the
// tail hint past seg.
func (q *List[T]) advance(seg *segment[T]) *segment[T] {
	next := q.link(seg)
	q.tail.CompareAndSwap(seg, next)
	return next
}

// link returns the segment after seg, linking a new one if there is none.
func (q *List[T]) link(seg *segment[T]) *segment[T] {
	if next := seg.next.Load(); next != nil {
		return next
	}
	n := q.newSegment(seg.no + 1)
	// The CAS publishes n's fields to whoever loads seg.next.
	if seg.next.CompareAndSwap(nil, n) {
		return n
	}
	q.arrays.Put(&n.slots) // unused: another producer, or Close, linked first
	return seg.next.Load()
}

// TryDequeue removes the oldest value. It reports Empty when nothing is
// claimed beyond the consumer's position, Busy when the next slot is claimed
// but not yet written, Closed when the queue is closed and drained, and
// Conflict when another consumer dequeued concurrently (see the type's
// comment). Consumer only.
func (q *List[T]) TryDequeue() (T, Status) { return q.dequeue(true) }

// Poll is TryDequeue for a consumer that waits for a notification when it
// gets nothing: when the next slot is not written, it reports Empty (Busy
// included) without loading the claim word that producers add to, unless
// the queue is closed (see Ring.Poll). Consumer only.
func (q *List[T]) Poll() (T, Status) { return q.dequeue(false) }

// dequeue is TryDequeue when exact, and Poll otherwise.
func (q *List[T]) dequeue(exact bool) (v T, st Status) {
	for {
		// head, then read: the order Len uses too; any order would do,
		// since the CAS on read validates the pair (see the type's
		// comment).
		seg := q.head.Load()
		r := q.read.Load()
		p := r - seg.first // wraps to a huge value if r < first: a stale pair
		if p < uint64(len(seg.slots)) {
			s := &seg.slots[p]
			// Acquire: seeing seg.no means the producer's write of val
			// happened before.
			if s.seq.Load() != seg.no {
				return v, q.status(seg, p, exact)
			}
			v = s.val
			if q.pointers {
				var zero T
				s.val = zero // drop the reference; the array is reused clean
			}
			if !q.read.CompareAndSwap(r, r+1) {
				var zero T
				return zero, Conflict
			}
			return v, OK
		}
		if p != uint64(len(seg.slots)) {
			return v, Conflict // past the end: head and read from two consumers
		}
		if st := q.nextSegment(seg); st != OK {
			return v, st
		}
	}
}

// DequeueBatch moves up to len(buf) of the oldest values into buf. It
// returns how many it moved and, when that is 0, why (Empty, Busy, Closed
// or Conflict). Consumer only.
func (q *List[T]) DequeueBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, true) }

// PollBatch is DequeueBatch as Poll is TryDequeue. Consumer only.
func (q *List[T]) PollBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, false) }

// dequeueBatch reads from head's segment on, across segments, and then
// releases what it read with one CAS on read; only after it does it move
// head, to the segment it stopped in, and recycle the arrays it read out.
// Between the two CASes the pair (head, read) gives a position past head's
// end, which another consumer takes for Conflict, and no consumer can move
// head past seg meanwhile: that takes a read equal to the end of a segment
// before seg, and the CAS on read jumped past them.
func (q *List[T]) dequeueBatch(buf []T, exact bool) (int, Status) {
	first := q.head.Load()
	r := q.read.Load()
	p := r - first.first
	if p > uint64(len(first.slots)) {
		return 0, Conflict // see dequeue
	}
	var zero T
	seg, n := first, 0
	for n < len(buf) {
		if p == uint64(len(seg.slots)) {
			// Acquire: the linking CAS published the next segment's fields.
			next := seg.next.Load()
			if next == nil {
				break
			}
			seg, p = next, 0
			continue
		}
		m := min(len(buf)-n, len(seg.slots)-int(p))
		i := 0
		for ; i < m; i++ {
			s := &seg.slots[int(p)+i]
			if s.seq.Load() != seg.no { // acquire, as in TryDequeue
				break
			}
			buf[n+i] = s.val
			if q.pointers {
				s.val = zero
			}
		}
		n += i
		p += uint64(i)
		if i < m {
			break
		}
	}
	if n == 0 {
		if p == uint64(len(seg.slots)) {
			return 0, Empty // at the end of the last linked segment
		}
		return 0, q.status(seg, p, exact)
	}
	if !q.read.CompareAndSwap(r, r+uint64(n)) {
		clear(buf[:n])
		return 0, Conflict
	}
	// Move head on to seg. The CAS fails only if another consumer moved it
	// from first to first.next by nextSegment, having seen read at first's
	// end: before this CAS on read, or after it if it stopped there (at
	// seg's start); that consumer recycled first. No consumer can move head
	// further, as read has passed the end of every segment between.
	for h := first; h.no < seg.no; h = q.head.Load() {
		if q.head.CompareAndSwap(h, seg) {
			// Every slot before seg is read and zeroed; recycle those
			// arrays (see nextSegment).
			for ; h != seg; h = h.next.Load() {
				q.arrays.Put(&h.slots)
			}
			break
		}
	}
	return n, OK
}

// status says why slot p of seg, the consumer's next, is not readable; when
// not exact, it reports Empty for Busy too, and reads the claim word only
// once closed is set (see Poll).
func (q *List[T]) status(seg *segment[T], p uint64, exact bool) Status {
	if !exact && !q.closed.Load() {
		return Empty
	}
	e := seg.enq.Load()
	switch {
	case counted(e, uint64(len(seg.slots))) > p:
		return Busy // claimed; the producer is between its add and its seq.Store
	case e&closedBit != 0:
		return Closed // frozen here: nothing more will be claimed
	default:
		return Empty
	}
}

// nextSegment moves the consumer from seg, the head it has read out, to
// the segment after it, recycling seg's slot array. It reports OK, Empty
// if no segment follows yet, or Conflict if another consumer moved head
// first. The closed sentinel is moved to like any other segment; its slot
// reads as frozen.
func (q *List[T]) nextSegment(seg *segment[T]) Status {
	// Acquire: the linking CAS published the new segment's fields.
	next := seg.next.Load()
	if next == nil {
		return Empty
	}
	if !q.head.CompareAndSwap(seg, next) {
		return Conflict
	}
	// Every slot is read and zeroed; producers never touch a full
	// segment's slots again, so the array can be reused at once.
	q.arrays.Put(&seg.slots)
	return OK
}

// Close closes the queue: every later TryEnqueue reports Closed, and once
// the values already claimed are dequeued, so does TryDequeue. It reports
// whether this call closed it. Any goroutine may call it.
//
// Every call freezes the last segment, not only the first: a Close that
// lost the race on the closed flag and returned before the winner had
// frozen it would let a TryEnqueue made after its return succeed. Freezing
// is idempotent (a frozen segment stays as it is), so concurrent Closes
// walk the same segments and agree on where the queue ends; each returns
// only once that end is frozen.
func (q *List[T]) Close() bool {
	first := q.closed.CompareAndSwap(false, true)
	q.freezeLast()
	return first
}

// freezeLast freezes the last segment, and returns once it is frozen short
// of full or followed by the closed sentinel (see Close).
func (q *List[T]) freezeLast() {
	var sentinel *segment[T]
	for seg := q.tail.Load(); ; {
		if seg.freeze() {
			return // frozen short of full: no producer moves past it
		}
		// Full: producers move on to next; make sure the next one they
		// find is closed, by linking the sentinel or walking to it.
		next := seg.next.Load()
		if next == nil {
			if sentinel == nil {
				// One slot, claimed by nobody, frozen: to producers and
				// the consumer it is a closed segment like any other.
				sentinel = &segment[T]{slots: make([]slot[T], 1)}
				sentinel.enq.Store(closedBit)
			}
			// Numbered after seg, whichever segment this is: a sentinel
			// whose CAS failed is tried again after a later segment. The
			// consumer derives its position from first (see List).
			sentinel.no, sentinel.first = seg.no+1, seg.no*q.size
			if seg.next.CompareAndSwap(nil, sentinel) {
				return
			}
			next = seg.next.Load()
		}
		seg = next
	}
}

// freeze sets seg's closed bit and records its counted claims as the frozen
// count, and reports whether it froze seg short of full. The CAS fails if a
// claim came in between, so the count it records is exactly the claims whose
// add returned the bit clear.
func (seg *segment[T]) freeze() bool {
	n := uint64(len(seg.slots))
	for {
		e := seg.enq.Load()
		if e&closedBit != 0 {
			return frozen(e) < n // frozen already, by this Close or another
		}
		f := counted(e, n)
		if seg.enq.CompareAndSwap(e, e|closedBit|f<<frozenShift) {
			return f < n
		}
	}
}

// Closed reports whether Close has been called.
func (q *List[T]) Closed() bool { return q.closed.Load() }

// TryEnqueueBatched is TryEnqueue: a List is never full, so a producer that
// could wait has no batch of room to wait for. With Cap, it gives List the
// method set of Ring, which package mpsc calls through one interface.
func (q *List[T]) TryEnqueueBatched(v T) Status { return q.TryEnqueue(v) }

// Cap returns -1: a List has no capacity.
func (q *List[T]) Cap() int { return -1 }

// Len returns the number of values in the queue, counting slots claimed but
// not yet written. It reads only atomic words, so any goroutine may call
// it; the answer may then be stale, but is never negative.
func (q *List[T]) Len() int {
	// The published head, then read: read is at least the position of the
	// first slot of that segment, (no-1)*size, and claims only grow.
	seg := q.head.Load()
	n := seg.first - q.read.Load() // wraps below 0 until the claims are added
	for ; seg != nil; seg = seg.next.Load() {
		n += counted(seg.enq.Load(), uint64(len(seg.slots)))
	}
	return int(n)
}
