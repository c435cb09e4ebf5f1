// Package spin is the waiting policy of the channels above what the waker
// layer does: whether a goroutine that found nothing to do yields its
// processor, and how often, before it parks. A blocking receive waits in
// waker.WakeSink.Wait, which owns its yield before parking (one yield
// before it registers, one in waker.Parker.Park); this package covers the
// waits that do not go through it: a sender blocked on a full ring (Idle)
// and a receiver arming a select (Streak).
//
// A yield (runtime.Gosched) pays only when the goroutine that will satisfy
// the wait is running on another processor right now: a sender streaming
// into a channel, a receiver draining a full one. Then the waiter finds the
// work done after the yield, and neither side pays for a park and a wake-up
// (a lock, a channel operation and a goroutine made ready). When nothing is
// running, a yield only delays the park; worse, it puts the waiter at the
// back of the run queue, behind every goroutine that is ready to run, while
// a parked goroutine that is woken runs next on the waker's processor. A
// channel's value sent during the yield then waits for all of them: with
// producers that wake together (timers, a broadcast), a receiver that
// yields receives late (the LatencyMPSC scenario of the bench module).
//
// So a waiter yields only on evidence that the other side is running, never
// by default, and its yields are bounded: by a count of yields, each of
// which gives every ready goroutine its turn, rather than by a loop of
// instructions whose duration depends on the processor. The evidence is
// what the waiter itself saw: a receiver that took several values since its
// last wait (Streak), a sender whose receiver released room between two of
// its yields (Idle). Nothing here reads a clock or takes a scheduler lock.
package spin

import "runtime"

// StreamMin is how many values a receiver must have taken since its last
// wait for Streak to call its senders streaming. One value per wait is a
// request, or a channel that is idle between values; more than one means a
// value arrived while the receiver was handling the one before, so a sender
// is running. BenchmarkRecvBatch and BenchmarkBounded in package mpsc, with
// one sender, measure the yields this enables; LatencyMPSC in the bench
// module measures that a channel idle between values never yields.
const StreamMin = 2

// StreamYields is how many times a receiver whose senders are streaming
// yields, looking again after each yield, before it parks.
// BenchmarkBounded in package mpsc, with one sender, measures it.
const StreamYields = 2

// IdleYields is how many yields in a row a waiter that sees no progress by
// the other side spends before it parks. With many senders on few
// processors a receiver that yielded waits its turn behind them, and a
// single yield often passes without it running (BenchmarkRecvBatch in
// package mpsc, with 64 senders, measures it).
const IdleYields = 3

// Streak counts the values a receiving end took since its last wait. The
// zero Streak is ready to use; it belongs to the receiving goroutine.
type Streak struct{ n int }

// Took records that the receiver took n values without waiting.
func (s *Streak) Took(n int) { s.n += n }

// Streaming reports whether the receiver took at least StreamMin values
// since the last call, and starts counting anew.
func (s *Streak) Streaming() bool {
	ok := s.n >= StreamMin
	s.n = 0
	return ok
}

// Yield gives up the processor once, so that goroutines ready to run on
// it, the other side of the wait among them, run first.
func Yield() { runtime.Gosched() }

// Idle bounds a wait by yields that the other side must keep making
// progress through: a sender waiting for room while its receiver releases
// slots. The zero Idle is ready to use after Start.
type Idle struct {
	last uint64
	n    int
}

// Start begins a wait, given the other side's progress counter (for a
// bounded channel, the positions its receiver has released).
func (y *Idle) Start(progress uint64) { y.last, y.n = progress, 0 }

// Yield yields once and reports whether the waiter may yield again:
// false after IdleYields yields in a row that saw progress unchanged,
// progress being read after the waiter's last look.
func (y *Idle) Yield(progress uint64) bool {
	if progress != y.last {
		y.last, y.n = progress, 0
	} else if y.n++; y.n > IdleYields {
		return false
	}
	Yield()
	return true
}
