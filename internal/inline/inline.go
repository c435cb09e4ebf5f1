// Package inline helps a program's instances of this module's generic code
// inline the small functions of other packages that they call.
//
// A program compiles its own instances of a package's generic code
// (mpsc.New[int] in its main package, say). Go's compiler inlines a small
// function of another package into them (an atomic's method,
// EventCount.NotifyN) only if that function's body is in the export data
// of a package the program imports, and a package's export data holds the
// bodies of the functions that its non-generic code calls, and of the
// functions those call. A function that only generic code calls is left
// out, and each call of it costs a real call in a program that does not
// import its package itself. This module's benchmarks, which import them
// all, do not show it; .ci/inlining looks for such calls in builds of the
// examples.
//
// So each package with generic code on a fast path has a non-generic
// function, never run, that calls what that code calls: Atomics for the
// atomics of the queues, and whatever else the package's own code calls.
package inline

import "sync/atomic"

// Atomics calls every method of atomic.Uint64 and atomic.Bool that the
// generic code of the queues (internal/mpscq, internal/mpmcq) and of the
// channels uses. It is for a function that is never run.
func Atomics(word *atomic.Uint64, flag *atomic.Bool) {
	if word.CompareAndSwap(word.Load(), word.Add(1)) && !flag.Load() {
		word.Store(word.Or(1))
		flag.Store(true)
	}
}
