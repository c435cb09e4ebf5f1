// Package waker provides the wake-up primitives that turn a lock-free data
// structure into a blocking one: a way for a goroutine to say "wake me when
// this changes" and for any other goroutine to say "it changed", for the
// price of one atomic load when nobody is waiting.
//
// The pattern is always the same. The waiting goroutine registers a [Waker],
// then checks its condition, and blocks only if the condition is still false.
// A notifier makes the condition true, then notifies. Either the notifier
// sees the registration and wakes the waiter, or the waiter's check after
// registering sees the condition: no wake-up is lost.
//
//	sink := waker.NewWakeSink()
//	src := sink.Source() // copy it to every notifier
//
//	// Notifier, in any goroutine:
//	ready.Store(true)
//	src.Wake()
//
//	// Waiter, in one goroutine:
//	err := sink.Wait(ctx, ready.Load)
//
// # Choosing a primitive
//
//   - [WakeSink] / [WakeSource] with [WakeSink.Wait] and [WaitUntil]: the
//     single-consumer eventcount. One goroutine waits (with a context), any
//     number notify. Start here.
//   - [DiatomicWaker]: the engine of WakeSink, to embed in a structure of your
//     own: one registrant, lock-free registration and notification, and a
//     registration of the same waker costs one atomic RMW.
//   - [SpmcWaker]: one registrant; registration of the same waker costs one
//     atomic load; Register reports false when a concurrent wake got in the
//     way.
//   - [AtomicWaker]: any number of registrants; the last one to register wins.
//     A Register that runs while another is in progress wakes its own waker
//     at once, so that its caller re-checks; a waker replaced by a later
//     Register is not woken.
//   - [Parker]: the Waker of one goroutine, usable in a select through C.
//   - [Set]: one goroutine waits on a changing set of [Source]s (receiving
//     ends of channels, notifications, a WakeSink paired with its predicate
//     by [SinkSource]) and learns which is ready, at the same cost per
//     wake-up whatever their number.
//
// The three wakers share one vocabulary, that of the [Waker] interface:
// Register, Unregister (but AtomicWaker, whose registrants compete), Wake,
// Take (unregister and return the waker, to wake it elsewhere) and
// Registered. Where a seed names the operation otherwise (diatomic-waker's
// notify), the file says so. BENCHMARKS.md in this package's directory
// compares their operations (BenchmarkPrimitives, BenchmarkNotifyNobody).
//
// For many waiters, see package eventcount.
//
// # Concurrency contract and memory ordering
//
// Go's sync/atomic operations are sequentially consistent, and every
// primitive here relies on it: a notification with nobody registered is a
// single atomic load, with no read-modify-write. For that to be sound, the
// wake condition must be written with a sync/atomic operation (or under a
// lock) before the notification and read with one after the registration;
// the race detector reports any other way of sharing it anyway.
//
// A registration synchronizes before the notification that wakes the waker it
// stored. A notification that finds nothing registered establishes no
// ordering at all.
//
// Wakers are always called after every internal lock bit has been released,
// so a Waker whose Wake panics leaves the primitive usable. A Waker's Wake
// should not block: it runs on the notifier's goroutine.
//
// Single-registrant types (DiatomicWaker, SpmcWaker, WakeSink) panic with a
// "waker: concurrent ..." message when two goroutines register at once on a
// path that writes a waker slot; under the race detector every path checks.
//
// Misuse panics with a "waker: " message before it changes any state, so a
// primitive is still usable after the panic is recovered: a nil or
// non-comparable Waker (refused at its first registration), a nil Context
// given to a blocking call.
//
// The zero value of every type but WakeSource (which WakeSink.Source makes)
// is ready to use. NewParker and NewWakeSink only make at once the channel
// that the zero value makes when it first blocks.
//
// # Protocols and their models
//
// Each protocol is written out (state legend, invariants) at the top of the
// file that implements it, and checked by a SPIN model in the module's models
// directory (models/waker.md says what each model proves):
//
//   - AtomicWaker: atomic_waker.go, models/atomic_waker.pml
//   - SpmcWaker: spmc_waker.go, models/spmc_waker.pml
//   - DiatomicWaker: diatomic_waker.go, models/diatomic_waker.pml
//   - Parker: parker.go, models/parker.pml
//   - WakeSink.Wait and WaitUntil: wake_sink.go, models/wake_sink.pml
//   - Set: set.go, models/set.pml
package waker
