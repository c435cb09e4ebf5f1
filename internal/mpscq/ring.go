package mpscq

import (
	"fmt"
	"math/bits"
	"reflect"
	"sync/atomic"
	"unsafe"

	"github.com/diatomic-go/diatomic/internal/ringroom"
)

// Ring is a bounded MPSC queue: an array of slots indexed by two counters,
// head (positions claimed by producers) and tail (positions released by the
// consumer).
//
// The algorithm is Vyukov's bounded MPMC queue
// (https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue,
// the design xsync's MPMCQueue takes from rigtorp/MPMCQueue) with these
// changes for a single consumer:
//
//   - The consumer releases slots by publishing tail, once per dequeue or
//     once per batch, instead of writing every slot's sequence number.
//     Producers test for room against tail, through tailSeen, a copy that
//     they refresh only when it says "full". So a batch of n dequeues costs
//     one atomic store, and the exact requested capacity can be enforced on
//     a power-of-two array.
//
//   - head carries the closed bit (see package comment).
//
//   - TryEnqueueBatched, for producers that can wait (a blocking send),
//     refuses room smaller than a batch once it has had to read tail
//     (ringroom.Room, shared with mpmcq's Ring). This is for a ring kept
//     full by many producers; BenchmarkBounded in package mpsc measures it.
//
//   - The consumer's release of tail is a CAS from the position it read
//     (see Conflict), which costs what a store costs on the hardware that
//     matters (a store of an atomic word is a locked exchange on amd64),
//     and detects a second consumer that released the same positions
//     first.
//
// TryEnqueue distinguishes a full queue from a lost race, which xsync's
// MPMCQueue.TryEnqueue (false in both cases) cannot: it reports Full only
// when head - tail >= capacity at the moment it reads tail, and retries after
// a failed CAS, since a failed CAS means another producer made progress.
//
// State words:
//
//	head:     bit 63 closed | bits 0-62 number of positions claimed
//	tail:     number of positions released (read and cleared) by the consumer
//	tailSeen: some earlier value of tail
//	slots[p & mask].seq == p+1 once the value for position p is written
//
// Invariants:
//   - tailSeen <= tail <= head&^closedBit <= tail + capacity.
//   - Positions in [tail, head) are claimed and not yet released; the slot of
//     such a position p holds its value once seq == p+1.
//   - Only the consumer writes tail, with a CAS from the value it loaded
//     at the start of the call; only the producer that claimed p writes
//     slot p&mask until its seq is p+1, and then only the consumer touches
//     it until tail > p; the slot is free again for position p+len(slots).
//
// Two consumers at once (a misuse) cannot both return the value of a
// position: each reads tail, the slot's seq and its value, and only then
// releases with CompareAndSwap(t, t+n). tail only grows, so the CAS
// succeeds only if no other consumer released position t since this one
// loaded tail, and then the slot it read was not yet free for a producer:
// it held the value of position t. The loser returns Conflict and nothing
// else; it wrote no shared word, except, for a T holding pointers, the
// zero it stores in each slot it read before its CAS (the winner may then
// read that zero instead of the value, or, once the winner has released the
// slot, the zero may land on the value a producer has written there for
// the next lap). For a pointer-free T nothing is zeroed and misuse loses
// nothing.
//   - The closed bit, once set, stays set, and head's position part no
//     longer changes.
type Ring[T any] struct {
	head     atomic.Uint64 // written by producers (CAS) and Close (Or)
	tailSeen atomic.Uint64 // written by producers; on head's line, which they own anyway
	_        [cacheLine - 2*unsafe.Sizeof(uint64(0))]byte
	tail     atomic.Uint64 // written only by the consumer (CAS)
	closed   atomic.Bool   // set by Close after head's closed bit; read by Poll, on the consumer's line
	_        [cacheLine - 2*unsafe.Sizeof(uint64(0))]byte
	room     ringroom.Room[uint64] // read-only after NewRing: the capacity and the batch
	mask     uint64                // read-only: len(slots) - 1
	pointers bool                  // read-only: T holds pointers, so a dequeued slot is zeroed (see hasPointers)
	slots    []slot[T]
}

// MaxRingBytes is the largest slot array NewRing makes: half the address
// space of a 32-bit process, and 2^47 bytes (128 TiB, the user address
// space of amd64 and of arm64 with 48-bit addresses) on a 64-bit one. A
// ring needs its capacity rounded up to a power of two, times the size of
// a slot (the value and an 8-byte sequence number); a larger one could
// never be allocated. (The index arithmetic, on 63-bit positions, allows far
// more.)
const MaxRingBytes uint64 = 1 << 31 << (16 * (bits.UintSize / 64))

// ringSlots returns the length of the slot array of a ring of capacity
// values whose slots take slotSize bytes, and whether it is within
// MaxRingBytes.
func ringSlots(capacity, slotSize uint64) (uint64, bool) {
	n := uint64(1) << bits.Len64(capacity-1)
	return n, n <= MaxRingBytes/slotSize
}

// NewRing returns an empty Ring that holds up to capacity values. The slot
// array is rounded up to a power of two, but capacity is enforced exactly.
// It panics if capacity is below 1, or if the slot array would exceed
// MaxRingBytes; that message says "mpsc:", as package mpsc's New passes
// its capacity through unchecked.
func NewRing[T any](capacity int) *Ring[T] {
	if capacity < 1 {
		panic("mpscq: ring capacity must be at least 1")
	}
	size := uint64(unsafe.Sizeof(slot[T]{}))
	n, ok := ringSlots(uint64(capacity), size)
	if !ok {
		panic(fmt.Sprintf("mpsc: capacity %d too large: its ring of %d slots of %d bytes would exceed the limit of 2^%d bytes",
			capacity, n, size, bits.Len64(MaxRingBytes)-1))
	}
	return &Ring[T]{room: ringroom.New(uint64(capacity)), mask: n - 1,
		pointers: hasPointers(reflect.TypeFor[T]()), slots: make([]slot[T], n)}
}

// TryEnqueue appends v unless the queue is full or closed. It never fails
// because of contention with other producers: a failed CAS means another
// producer claimed a position, and it retries.
func (q *Ring[T]) TryEnqueue(v T) Status { return q.enqueue(v, 1) }

// TryEnqueueBatched is TryEnqueue for a producer that would rather wait than
// take the room the consumer frees one slot at a time: when it has to read
// tail to find room, it reports Full unless at least a batch of slots is
// free (see ringroom.Room). Its Full is therefore not proof that the queue
// is full; a producer must use TryEnqueue before it decides to block.
func (q *Ring[T]) TryEnqueueBatched(v T) Status { return q.enqueue(v, q.room.Batch) }

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
				if st == Busy {
					continue
				}
				return st
			}
		}
		// Succeeds only if head is still h, so the closed bit is clear and
		// no other producer claimed h.
		if q.head.CompareAndSwap(h, h+1) {
			s := &q.slots[h&q.mask]
			s.val = v
			// Publishes val: this store synchronizes before the consumer's
			// seq.Load that sees h+1, and so before its read of val.
			s.seq.Store(h + 1)
			return OK
		}
	}
}

// checkRoom is the outlined slow path of enqueue, taken when tailSeen says
// there may be no room for position h. It reads tail itself and reports OK
// (at least room slots are free; tailSeen is refreshed), Full, or Busy (h is
// stale: reload head).
func (q *Ring[T]) checkRoom(h, room uint64) Status {
	// Acquire: the consumer cleared every slot before t, then stored t; the
	// slot this producer will write was among them.
	t := q.tail.Load()
	if t > h {
		return Busy
	}
	if !q.room.Fits(h-t, room) {
		// head >= h now, tail == t: the queue held more than capacity-room
		// values at the moment of this load.
		return Full
	}
	q.tailSeen.Store(t)
	return OK
}

// TryDequeue removes the oldest value. It reports Empty when no position is
// claimed beyond the consumer's, Busy when the next one is claimed but not
// yet written, Closed when the queue is closed and drained, and Conflict
// when another consumer dequeued concurrently (see the type's comment).
// Consumer only.
func (q *Ring[T]) TryDequeue() (T, Status) { return q.dequeue(true) }

// Poll is TryDequeue for a consumer that waits for a notification when it
// gets nothing. When the next position is not written, it reports Empty
// (Busy included) without loading head, the word every producer writes, so
// that a consumer polling an empty queue does not pull that line away from
// the producers; it reads head, and can report Closed, only once Close has
// set closed. Every enqueue and Close notify after they publish, so a
// consumer that polls after registering for the notification misses
// neither. Consumer only.
func (q *Ring[T]) Poll() (T, Status) { return q.dequeue(false) }

// dequeue is TryDequeue when exact, and Poll otherwise.
func (q *Ring[T]) dequeue(exact bool) (v T, st Status) {
	t := q.tail.Load() // the position: the consumer's own counter
	s := &q.slots[t&q.mask]
	// Acquire: seeing t+1 means the producer's write of val happened before.
	if s.seq.Load() != t+1 {
		return v, q.status(t, exact)
	}
	v = s.val
	if q.pointers {
		var zero T
		s.val = zero // drop the reference for the garbage collector
	}
	// Release: the slot is cleared before a producer that reads t+1 reuses
	// it. Fails only if another consumer released t meanwhile.
	if !q.tail.CompareAndSwap(t, t+1) {
		var zero T
		return zero, Conflict
	}
	return v, OK
}

// DequeueBatch moves up to len(buf) of the oldest values into buf and
// releases their slots with a single CAS. It returns how many it moved and,
// when that is 0, why (Empty, Busy, Closed or Conflict). Consumer only.
func (q *Ring[T]) DequeueBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, true) }

// PollBatch is DequeueBatch as Poll is TryDequeue. Consumer only.
func (q *Ring[T]) PollBatch(buf []T) (int, Status) { return q.dequeueBatch(buf, false) }

func (q *Ring[T]) dequeueBatch(buf []T, exact bool) (int, Status) {
	t := q.tail.Load()
	var zero T
	n := 0
	for ; n < len(buf); n++ {
		p := t + uint64(n)
		s := &q.slots[p&q.mask]
		if s.seq.Load() != p+1 {
			break
		}
		buf[n] = s.val
		if q.pointers {
			s.val = zero
		}
	}
	if n == 0 {
		return 0, q.status(t, exact)
	}
	if !q.tail.CompareAndSwap(t, t+uint64(n)) { // release, as in TryDequeue
		clear(buf[:n])
		return 0, Conflict
	}
	return n, OK
}

// status says why position t, the consumer's next, is not readable; when
// not exact, it reports Empty for Busy too, and reads head only once closed
// is set (see Poll).
func (q *Ring[T]) status(t uint64, exact bool) Status {
	if !exact && !q.closed.Load() {
		return Empty
	}
	h := q.head.Load()
	switch {
	case h&^closedBit != t:
		return Busy // claimed; the producer is between its CAS and its seq.Store
	case h&closedBit != 0:
		return Closed
	default:
		return Empty
	}
}

// Close closes the queue: every later TryEnqueue reports Closed, and once
// the values already claimed are dequeued, so does TryDequeue. It reports
// whether this call closed it (false if it was already closed). Any
// goroutine may call it.
func (q *Ring[T]) Close() bool { return ringroom.Close(&q.head, &q.closed) }

// Closed reports whether Close has been called.
func (q *Ring[T]) Closed() bool { return q.head.Load()&closedBit != 0 }

// HasRoom reports whether a TryEnqueue could find room now. It may be
// called from any goroutine.
func (q *Ring[T]) HasRoom() bool {
	t := q.tail.Load()
	return q.head.Load()&^closedBit-t < q.room.Cap
}

// Holds reports whether the last of the k values after the consumer's
// position is written (k >= 1), k capped at half the capacity (rounded
// up), so that a consumer waiting for Holds leaves room for the producers.
// Producers write their positions in any order, so an earlier one may be
// unwritten yet, which only ends a wait early. It loads tail and the
// sequence number of that one slot, not the producers' claim word.
// Consumer only.
func (q *Ring[T]) Holds(k int) bool {
	t := q.tail.Load()
	p := t + min(uint64(k), (q.room.Cap+1)/2) - 1
	return q.slots[p&q.mask].seq.Load() == p+1
}

// Released returns the number of positions the consumer has released so
// far: it grows by one per dequeue (by n per batch), so a producer can tell
// whether the consumer made progress between two calls. Any goroutine may
// call it.
func (q *Ring[T]) Released() uint64 { return q.tail.Load() }

// Len returns the number of values in the queue, counting positions claimed
// but not yet written. Any goroutine may call it; the answer may be stale.
func (q *Ring[T]) Len() int {
	// tail first: then t <= head. If tail is the same after the load of
	// head, head - t is the length at that load, so within [0, capacity];
	// otherwise the consumer moved meanwhile, and the difference may
	// count values it has already released: look again, and after a few
	// tries report at most the capacity.
	for range 4 {
		t := q.tail.Load()
		h := q.head.Load() &^ closedBit
		if q.tail.Load() == t {
			return int(h - t)
		}
	}
	t := q.tail.Load()
	return int(min(q.head.Load()&^closedBit-t, q.room.Cap))
}

// Cap returns the capacity passed to NewRing. Any goroutine may call it.
func (q *Ring[T]) Cap() int { return int(q.room.Cap) }
