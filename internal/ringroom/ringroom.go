// Package ringroom holds what the bounded rings of mpscq and mpmcq share on
// their producers' side, whatever their slot protocols: the head word that
// carries the closed bit, and the rule by which a batched enqueue counts
// free room.
//
// Both rings count positions in two words: head, claimed by producers with
// a CAS, and tail, claimed or released by the consumers; head - tail is the
// number of positions in use, at most the capacity. A producer reads tail
// only when its cached copy says the ring may be full, and then applies
// Room.Fits.
package ringroom

import "sync/atomic"

// ClosedBit is the top bit of a ring's head word: once set it stays set,
// and no claim can succeed, as every claim is a CAS from a value read with
// the bit clear. Positions (bits 0-62) stay far below it.
const ClosedBit = 1 << 63

// Close sets the closed bit of head, then closed, the consumers' copy of it
// (so that a consumer polling an empty ring need not read head), and
// reports whether this call set the bit. The Or is the linearization point
// of the ring's Close: claims are all before it or fail.
//
// A ring's Closed, one load of head, stays in the ring: it must inline
// wherever the ring is instantiated, which a call into this package does
// not (see Room); Close is called once per channel.
func Close(head *atomic.Uint64, closed *atomic.Bool) bool {
	first := head.Or(ClosedBit)&ClosedBit == 0
	closed.Store(true)
	return first
}

// Room is a ring's capacity and the room its batched enqueue waits for.
// Both are read-only after New. U is always uint64: Room is generic only so
// that its methods inline into a ring's enqueue wherever the ring is
// instantiated. The compiler instantiates a generic ring in the package
// that uses it (mpsc, mpmc, their users), and there it inlines generic
// code, whose body it instantiates too, but a call to a plain function of
// a package that the instantiating package does not import stays a call.
//
// TryEnqueueBatched, for producers that can wait (a blocking send), refuses
// room smaller than Batch slots once it has had to read tail. Producers
// kept out of a full ring then come back once the consumers have freed a
// run of slots, and fill it in a burst, in cache lines the consumers left
// well behind, instead of taking each slot as it is freed: writing the line
// a consumer has just released, and reading tail, the word the consumers
// write, once per value. Its Full is therefore not proof that the ring is
// full: a producer uses the exact TryEnqueue (room 1) before it decides to
// block.
type Room[U ~uint64] struct {
	Cap   U // the capacity: positions in use never exceed it
	Batch U // the room TryEnqueueBatched waits for, in [1, 64]
}

// New returns the Room of a ring of the given capacity (at least 1). Batch
// is an eighth of the capacity, at most 64 slots (16 cache lines of 16-byte
// slots; BenchmarkBounded in package mpsc measures the choice), and 1 for a
// ring of fewer than 16, the exact behaviour.
func New[U ~uint64](capacity U) Room[U] {
	return Room[U]{Cap: capacity, Batch: max(1, min(capacity/8, 64))}
}

// Fits reports whether n more positions fit beside used ones: used <=
// Cap-n, for n <= Cap. n is 1 for TryEnqueue and Batch for
// TryEnqueueBatched; used is head - tail at the producer's load of tail, so
// with n 1 a false is the linearization point of Full.
func (r Room[U]) Fits(used, n U) bool { return used <= r.Cap-n }
