// Package spin is the waiting policy of every waiting end of this module:
// whether a goroutine that found nothing to do yields its processor, and
// how often, before it parks; and how long a batch receiver that keeps
// finding its senders' latest values waits before it reads again. Six
// rules cover every wait:
//
//   - Bet: a goroutine about to park yields once first while such yields
//     pay (waker.Parker.Park; waker.WakeSink.Wait, eventcount.Wait and
//     notify's waits before they register; mpsc's receive before it
//     announces its wait).
//   - Streak: a receiver arming a select yields a few times when its
//     senders are streaming (mpsc's Ready).
//   - Idle: a sender blocked on a full ring yields while its receiver
//     releases room.
//   - Search: a receiver of a channel with several receivers that has
//     seen values stream in yields a few times, counted as searching,
//     before it parks (mpmc's Recv, SearchYields).
//   - Contended: a claim on a ring that lost its CAS to another goroutine
//     of the same side yields once before it retries (mpmcq's Ring).
//   - Pace: a batch receiver whose last read found values streaming in,
//     but fewer than it had room for, reads again no sooner than
//     PaceInterval after it, waiting on the clock without yielding (mpsc's
//     RecvBatch).
//
// A yield (runtime.Gosched) pays only when the goroutine that will satisfy
// the wait is running on another processor right now (a sender streaming
// into a channel, a receiver draining a full one) or ready to run on this
// one (the partner of a hand-off, which this goroutine just woke). Then the waiter finds the
// work done after the yield, and neither side pays for a park and a wake-up
// (a lock, a channel operation and a goroutine made ready). When nothing is
// running, a yield only delays the park; worse, it puts the waiter at the
// back of the run queue, behind every goroutine that is ready to run, while
// a parked goroutine that is woken runs next on the waker's processor. A
// channel's value sent during the yield then waits for all of them: with
// producers that wake together (timers, a broadcast), a receiver that
// yields receives late (the LatencyMPSC scenario of the bench module).
//
// So a waiter yields only on evidence that the other side is running (or,
// for Contended, that its own side is, doing its work), and its yields are
// bounded: by a count of yields, each of which gives every ready goroutine
// its turn, rather than by a loop of instructions whose duration depends
// on the processor. The evidence is what the waiter itself saw: its earlier
// yields before parking that found the wait over, and soon (Bet), a
// receiver that took several values since its last wait (Streak), a sender
// whose receiver released room between two of its yields (Idle), a claim
// that another goroutine of its side just beat (Contended), a batch
// receiver whose last read took several values at once, fewer than it had
// room for (Pace).
//
// Nothing here calls into the scheduler but to yield (runtime.Gosched,
// which queues the goroutine on the global run queue under the scheduler's
// lock, once per yield); nothing asks it for GOMAXPROCS. Only Bet and Pace
// read the clock, and Pace's is the one wait that does not yield: it is
// bounded by PaceInterval, and ends as soon as its caller's stop says
// waiting has nothing more to gain.
package spin

import (
	"runtime"
	"sync/atomic"
	"time"
)

// StreamMin is how many values a receiver must have taken since its last
// wait for Streak to call its senders streaming. One value per wait is a
// request, or a channel that is idle between values; more than one means a
// value arrived while the receiver was handling the one before, so a sender
// is running. BenchmarkSelect in package mpsc measures the yields this
// enables.
const StreamMin = 2

// StreamYields is how many times a receiver whose senders are streaming
// yields, looking again after each yield, before it arms a select.
// BenchmarkSelect in package mpsc measures it.
const StreamYields = 2

// SearchYields is how many times a receiver of a channel with several
// receivers (mpmc) searches before it parks, once receivers took values
// since its last wait: it yields, looking again after each yield, while it
// is counted as searching, and senders then wake nobody for the values the
// searchers can take (one each). A searching receiver costs a sender a
// load of the ring's length, a parked one a wake-up per value, but a
// receiver must stop using CPU once the values stop. BenchmarkThroughput
// in package mpmc and MPMCPool in the bench module measure it.
const SearchYields = 4

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

// Contended is what a claim that lost its CAS to another goroutine of the
// same side (two producers, or two consumers, of mpmcq's Ring) does before
// it retries: it yields once. The loss proves that another goroutine of
// this side is running right now and doing this side's work; a retry at
// once would only pull the word's cache line back from it, and the more
// goroutines of one side run at once, the more of their claims fail. A
// yield instead runs a goroutine that is ready on this processor,
// typically one of the other side, which the ring needs (values for the
// consumers, room for the producers), and the retry then finds the word
// settled. It is bounded by the scheduler, not by a count of spins: with
// nothing else ready, it returns at once. MPMCPool in the bench module, at
// GOMAXPROCS 2 and 4, measures it.
func Contended() { runtime.Gosched() }

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

// Bet decides whether a goroutine about to park yields its processor once
// first. The yield is a bet that the goroutine that will end the wait runs
// during it, and soon. In a hand-off it does: the waiter has just woken its
// partner, which the runtime made ready on this processor, and after the
// yield the waiter finds the wait over, so nobody parks, and the partner's
// wake of the waiter costs no goroutine wake-up either. On a channel that
// is idle between values it does not: the yield only delays the park, and
// puts the waiter behind every ready goroutine (see the package comment),
// so that a value sent meanwhile waits for all of them even though the
// wait is over when the yield returns.
//
// So a bet pays when the wait is over after the yield and the yield took
// at most YieldBudget. A Bet yields while its bets pay. After one that did
// not, it skips the next 1, then 3, 7, ... and at most MaxSkip waits before
// it bets again; a bet that pays starts over. A waiter whose wake-ups come
// from idle goroutines thus yields before at most one park in MaxSkip+1,
// and one whose partner comes back to a hand-off yields again within
// MaxSkip+1 waits. BenchmarkPingPong and LatencyMPSC in the bench module
// measure the two sides.
//
// Timing a yield takes two reads of the monotonic clock, which cost a
// good part of what a paying yield saves. So a Bet times its yields only
// while it is unsure: the first TrustAfter bets after a miss, and then one
// in TrustAfter; an untimed bet pays when the wait is over. A hand-off
// that turns into idle waiting is caught within TrustAfter bets.
//
// The zero Bet is ready to use, and bets. Its methods may be called
// concurrently (a Bet shared by the waiters of one structure); they then
// merely pool the outcomes.
type Bet struct {
	// paid<<16 | level<<8 | waits still to skip; paid counts the bets
	// that paid since the last miss, from TrustAfter on modulo TrustAfter.
	s atomic.Uint32
}

// YieldBudget is the longest a yield may take for its bet to pay: about
// what the yield saves, a park and a wake-up of each side of a hand-off
// (the runtime's park and ready of a goroutine, and a channel operation on
// each side). A yield that took longer had other goroutines ahead of the
// waiter, and that wait delayed the value more than a park would have.
// BenchmarkPingPong (what a paying yield saves) and LatencyMPSC (what an
// unpaid one costs) in the bench module measure it.
const YieldBudget = time.Microsecond

// MaxSkip is the most waits a Bet skips after its bets stopped paying.
const MaxSkip = 1<<maxLevel - 1

// TrustAfter is how many bets in a row must pay before a Bet times only one
// bet in TrustAfter.
const TrustAfter = 16

const (
	maxLevel  = 7
	skipMask  = 1<<8 - 1
	levelMask = 1<<16 - 1
)

// Yield yields the processor once, if the bet is on, and reports what
// ready reports after the yield; otherwise it only counts a skipped wait
// and reports false, without calling ready. ready is called only from the
// calling goroutine, at most once.
func (b *Bet) Yield(ready func() bool) bool {
	s, on := b.on()
	if !on {
		return false
	}
	if !timed(s) {
		runtime.Gosched()
		ok := ready()
		b.settle(s, ok)
		return ok
	}
	start := time.Now()
	runtime.Gosched()
	ok := ready()
	b.settle(s, ok && time.Since(start) <= YieldBudget)
	return ok
}

// on reports whether to bet on this wait, and the state to settle the bet
// in; otherwise it counts the wait as skipped.
func (b *Bet) on() (uint32, bool) {
	s := b.s.Load()
	if s&skipMask != 0 {
		b.s.Store(s - 1)
		return s, false
	}
	return s, true
}

// timed reports whether the bet made in state s times its yield.
func timed(s uint32) bool {
	paid := s >> 16
	return paid < TrustAfter || paid%TrustAfter == 0
}

// settle records the outcome of the bet made in state s.
func (b *Bet) settle(s uint32, paid bool) {
	if paid {
		n := s>>16 + 1
		if n == 2*TrustAfter {
			n = TrustAfter // counts on modulo TrustAfter
		}
		b.s.Store(n << 16)
		return
	}
	level := min(s&levelMask>>8+1, maxLevel)
	b.s.Store(level<<8 | (1<<level - 1))
}

// PaceInterval is the shortest time between two reads of a batch receiver
// at its senders' heels (Pace). BenchmarkRecvBatch in package mpsc
// measures it; a longer interval measured the same.
const PaceInterval = time.Microsecond

// Pace spaces the reads of a batch receiver that is at its senders' heels:
// one whose last read found at once StreamMin values or more (they streamed
// in while it handled the batch before), but fewer than it had room for.
// Such a receiver reads each slot as soon as a sender has written it, and
// the sender's next write to the same cache line has to take the line
// back: a line of slots crosses between the two cores once per value
// instead of once per line. Reading at most once per PaceInterval lets the
// senders fill lines before the receiver reads them. The wait is a loop on
// the clock, and on the caller's stop, which looks only where the senders
// have not written yet or rarely write; it does not yield, so as not to
// leave the receiver's processor to a sender (a sender moved there would
// contend with the others for their claim word). A receiver whose
// handling of a batch takes PaceInterval or more never waits; one that had
// to wait for a value, or that took a single value, is not paced.
//
// With one processor (GOMAXPROCS=1) no sender runs during the wait, which
// then only delays the read: by at most PaceInterval, once each time the
// receiver finds the senders' latest values, which with one processor is
// once per run of the senders.
//
// The zero Pace is ready to use; it belongs to the receiving goroutine.
type Pace struct {
	at time.Time // the read that armed the Pace
	on bool
}

// Arm records a read that found values streaming in and room for more.
func (p *Pace) Arm() { p.at, p.on = time.Now(), true }

// Armed reports whether the next Wait may wait.
func (p *Pace) Armed() bool { return p.on }

// Wait returns once PaceInterval has passed since the read Arm recorded,
// once stop reports true (it is called before each look at the clock), or
// once two looks in a row read the same time: a clock too coarse to time
// the pace, or one that stands still while goroutines run (a
// testing/synctest bubble's). It returns at once if the Pace is not
// armed, and disarms it. An unarmed Wait costs one load and a branch.
func (p *Pace) Wait(stop func() bool) {
	if p.on {
		p.wait(stop)
	}
}

// wait is the outlined slow path of Wait.
func (p *Pace) wait(stop func() bool) {
	p.on = false
	for last := p.at; !stop(); {
		now := time.Now()
		if now.Sub(p.at) >= PaceInterval || !now.After(last) {
			return
		}
		last = now
	}
}
