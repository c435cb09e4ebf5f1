package waker

// hookPoint names a step of a protocol's slow path at which a test runs code
// of its own, to drive one interleaving deterministically.
type hookPoint int

const (
	hookAtomicWaking   hookPoint = iota // AtomicWaker: a Wake or Take holds the slot lock
	hookAtomicRefuse                    // AtomicWaker: a Register holding the lock refuses its waker
	hookSpmcPublish                     // SpmcWaker: Register wrote the other cell, before its CAS
	hookDiatomicLocked                  // DiatomicWaker: a Wake holds the lock, before it unlocks
	hookDiatomicWrite                   // DiatomicWaker: Register of a new waker, before it writes the idle slot
	hookParkCancelled                   // Parker: a blocked Park saw ctx done, before it withdraws
)

// testHook is nil except while a test of this package sets it. It is read
// only on slow paths, never on a fast path that must inline.
var testHook func(hookPoint)

// hook runs testHook at p, if a test set one.
func hook(p hookPoint) {
	if testHook != nil {
		testHook(p)
	}
}
