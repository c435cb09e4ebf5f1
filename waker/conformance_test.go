package waker

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// The conformance suite runs every scenario against each primitive through
// this adapter: register reports whether the waker was registered (SpmcWaker
// may refuse because of a concurrent wake), unregister withdraws it.
type target interface {
	register(w Waker) bool
	unregister()
	notify()
	registered() bool
}

type atomicTarget struct{ AtomicWaker }

func (a *atomicTarget) register(w Waker) bool { a.Register(w); return true }
func (a *atomicTarget) unregister()           { a.Take() }
func (a *atomicTarget) notify()               { a.Wake() }
func (a *atomicTarget) registered() bool      { return a.Registered() }

type spmcTarget struct{ SpmcWaker }

func (s *spmcTarget) register(w Waker) bool { return s.Register(w) }
func (s *spmcTarget) unregister()           { s.Unregister() }
func (s *spmcTarget) notify()               { s.Wake() }
func (s *spmcTarget) registered() bool      { return s.Registered() }

type diatomicTarget struct{ DiatomicWaker }

func (d *diatomicTarget) register(w Waker) bool { d.Register(w); return true }
func (d *diatomicTarget) unregister()           { d.Unregister() }
func (d *diatomicTarget) notify()               { d.Wake() }
func (d *diatomicTarget) registered() bool      { return d.Registered() }

var targets = []struct {
	name string
	new  func() target
}{
	{"AtomicWaker", func() target { return new(atomicTarget) }},
	{"SpmcWaker", func() target { return new(spmcTarget) }},
	{"DiatomicWaker", func() target { return new(diatomicTarget) }},
}

func forEachTarget(t *testing.T, f func(t *testing.T, newTarget func() target)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) { f(t, tg.new) })
	}
}

// counter is a Waker that counts its wakes.
type counter struct{ n atomic.Int64 }

func (c *counter) Wake() { c.n.Add(1) }

// panicker is a Waker whose Wake panics.
type panicker struct{}

func (*panicker) Wake() { panic("panicker: Wake") }

// awaitCond is the register / check / park loop every user of a primitive
// writes: it returns when cond holds, and fails the test if it parks with a
// wake-up lost (no wake within the deadline).
func awaitCond(t testing.TB, tg target, p *Parker, cond func() bool, expired <-chan struct{}, what string) {
	for !cond() {
		if !tg.register(p) {
			continue // a concurrent wake got in the way: re-check
		}
		if cond() {
			tg.unregister()
			return
		}
		select {
		case <-p.C():
		case <-expired:
			t.Fatalf("lost wake-up: %s", what)
		}
	}
}

func TestNotifyBeforeRegisterIsNoop(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		tg := newTarget()
		var c counter
		tg.notify()
		tg.notify()
		if !tg.register(&c) {
			t.Fatal("register refused with no concurrent wake")
		}
		if got := c.n.Load(); got != 0 {
			t.Fatalf("notify before register was remembered: %d wakes after register", got)
		}
		tg.notify()
		tg.notify()
		if got := c.n.Load(); got != 1 {
			t.Fatalf("got %d wakes after two notifies, want exactly 1 (a registration is woken once)", got)
		}
		if tg.registered() {
			t.Fatal("still registered after notify")
		}
	})
}

func TestUnregisterThenNotifyDoesNotWake(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		tg := newTarget()
		var c counter
		tg.register(&c)
		tg.unregister()
		if tg.registered() {
			t.Fatal("registered after unregister")
		}
		tg.notify()
		if got := c.n.Load(); got != 0 {
			t.Fatalf("unregistered waker woken %d times", got)
		}
		// The cached waker is registered again for real.
		tg.register(&c)
		tg.notify()
		if got := c.n.Load(); got != 1 {
			t.Fatalf("re-registered waker woken %d times, want 1", got)
		}
	})
}

func TestSameWakerReRegistration(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		tg := newTarget()
		var c counter
		for range 3 {
			tg.register(&c)
		}
		tg.notify()
		tg.notify()
		if got := c.n.Load(); got != 1 {
			t.Fatalf("triple registration woken %d times, want 1", got)
		}
		for round := range 100 {
			tg.register(&c)
			tg.register(&c)
			tg.notify()
			if got, want := c.n.Load(), int64(round+2); got != want {
				t.Fatalf("round %d: %d wakes, want %d", round, got, want)
			}
		}
	})
}

func TestOnlyNewestWakerFires(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		tg := newTarget()
		var ws [3]counter
		for round := range 30 {
			// Register all three, rotating the order: only the last one
			// registered is woken.
			for k := range 3 {
				tg.register(&ws[(round+k)%3])
			}
			newest := (round + 2) % 3
			before := [3]int64{ws[0].n.Load(), ws[1].n.Load(), ws[2].n.Load()}
			tg.notify()
			for k := range 3 {
				want := before[k]
				if k == newest {
					want++
				}
				if got := ws[k].n.Load(); got != want {
					t.Fatalf("round %d: waker %d woken %d times, want %d (newest is %d)", round, k, got, want, newest)
				}
			}
		}
	})
}

func TestPanickingWakerLeavesPrimitiveUsable(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		tg := newTarget()
		tg.register(new(panicker))
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "panicker") {
					t.Fatalf("notify did not propagate the waker's panic: %v", r)
				}
			}()
			tg.notify()
		}()
		var c counter
		if !tg.register(&c) {
			t.Fatal("register refused after a panicking wake")
		}
		tg.notify()
		if got := c.n.Load(); got != 1 {
			t.Fatalf("after a panicking waker, register + notify woke %d times, want 1", got)
		}
	})
}

// TestRegisterNotifyRace races "store the flag, notify" against "register,
// load the flag, park" for many rounds: a single lost wake-up fails the test.
func TestRegisterNotifyRace(t *testing.T) {
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		testutil.ForEachProcs(t, func(t *testing.T) {
			// 10^6 rounds everywhere without the race detector; under it,
			// 10^6 at GOMAXPROCS 2 (both cores of the machines this runs
			// on truly in parallel) and 10^5 at the other settings.
			rounds := 1_000_000
			if raceEnabled && runtime.GOMAXPROCS(0) != 2 {
				rounds = 100_000
			}
			if testing.Short() {
				rounds = 10_000
			}
			tg := newTarget()
			p := NewParker()
			var flag, round atomic.Int64
			// Fails when a round stalls, not when the machine is slow.
			expired, stop := testutil.Stalled(round.Load)
			defer stop()
			done := testutil.Go(t, func() {
				for r := int64(1); r <= int64(rounds); r++ {
					for round.Load() < r {
						select {
						case <-expired:
							return
						default:
						}
						runtimeYield()
					}
					flag.Store(r)
					tg.notify()
				}
			})
			for r := int64(1); r <= int64(rounds); r++ {
				round.Store(r)
				awaitCond(t, tg, p, func() bool { return flag.Load() == r }, expired,
					fmt.Sprintf("round %d of %d", r, rounds))
			}
			testutil.Recv(t, done, "the notifier to finish")
		})
	})
}

// TestConcurrentNotifiersCollectTokens: N notifiers each hand the consumer one
// token and send spurious notifies too; the consumer collects exactly N.
func TestConcurrentNotifiersCollectTokens(t *testing.T) {
	const notifiers = 8
	perNotifier := 2000
	if testing.Short() {
		perNotifier = 200
	}
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		testutil.ForEachProcs(t, func(t *testing.T) {
			tg := newTarget()
			p := NewParker()
			var tokens atomic.Int64
			var wg sync.WaitGroup
			for range notifiers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range perNotifier {
						tokens.Add(1)
						tg.notify()
						if i%3 == 0 {
							tg.notify() // spurious
						}
					}
				}()
			}
			expired, stop := testutil.Deadline()
			defer stop()
			total := notifiers * perNotifier
			for got := 0; got < total; got++ {
				awaitCond(t, tg, p, func() bool {
					for {
						n := tokens.Load()
						if n == 0 {
							return false
						}
						if tokens.CompareAndSwap(n, n-1) {
							return true
						}
					}
				}, expired, fmt.Sprintf("token %d of %d", got+1, total))
			}
			wg.Wait()
			if n := tokens.Load(); n != 0 {
				t.Fatalf("%d tokens left over after collecting %d", n, total)
			}
		})
	})
}

// TestChangingWakers changes the waker on every round, rotating among three
// parkers, against two notifiers: the current waker is always woken.
func TestChangingWakers(t *testing.T) {
	rounds := 20_000
	if testing.Short() {
		rounds = 2_000
	}
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		testutil.ForEachProcs(t, func(t *testing.T) {
			tg := newTarget()
			parkers := [3]*Parker{NewParker(), NewParker(), NewParker()}
			var flag atomic.Int64
			var stopNotifiers atomic.Bool
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for !stopNotifiers.Load() {
						flag.Add(1)
						tg.notify()
						runtimeYield()
					}
				}()
			}
			expired, stop := testutil.Deadline()
			defer stop()
			for r := range rounds {
				seen := flag.Load()
				awaitCond(t, tg, parkers[r%3], func() bool { return flag.Load() > seen }, expired,
					fmt.Sprintf("round %d with waker %d", r, r%3))
			}
			stopNotifiers.Store(true)
			wg.Wait()
		})
	})
}

// TestContendedNotifySynchronizes: plain writes made by contending notifiers
// before their notify are visible to the consumer once it sees their count
// (the race detector checks the happens-before edges), and a notify that loses
// the lock to another still gets the consumer woken.
func TestContendedNotifySynchronizes(t *testing.T) {
	const notifiers = 4
	rounds := 500
	if testing.Short() {
		rounds = 50
	}
	forEachTarget(t, func(t *testing.T, newTarget func() target) {
		testutil.ForEachProcs(t, func(t *testing.T) {
			tg := newTarget()
			p := NewParker()
			data := make([]int, notifiers)
			var done atomic.Int64
			expired, stop := testutil.Deadline()
			defer stop()
			for r := 1; r <= rounds; r++ {
				done.Store(0)
				var wg sync.WaitGroup
				for i := range notifiers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						data[i] = r // plain write, published by the Add below
						done.Add(1)
						tg.notify()
					}()
				}
				awaitCond(t, tg, p, func() bool { return done.Load() == notifiers }, expired,
					fmt.Sprintf("round %d", r))
				for i, v := range data {
					if v != r {
						t.Fatalf("round %d: notifier %d's write not visible (got %d)", r, i, v)
					}
				}
				wg.Wait()
			}
		})
	})
}

// Take on each waker that has it: it returns the registered waker without
// waking it, and unregisters it.
func TestTakeReturnsWithoutWaking(t *testing.T) {
	for name, tk := range map[string]interface {
		Register(Waker)
		Take() Waker
		Wake()
	}{
		"DiatomicWaker": new(DiatomicWaker),
		"AtomicWaker":   new(AtomicWaker),
	} {
		var c counter
		tk.Register(&c)
		if w := tk.Take(); w != Waker(&c) {
			t.Fatalf("%s: Take = %v, want the registered waker", name, w)
		}
		if w := tk.Take(); w != nil {
			t.Fatalf("%s: a second Take = %v, want nil", name, w)
		}
		tk.Wake()
		if n := c.n.Load(); n != 0 {
			t.Fatalf("%s: the taken waker was woken %d times", name, n)
		}
	}
	var s SpmcWaker
	var c counter
	s.Register(&c)
	if w := s.Take(); w != Waker(&c) || s.Take() != nil || c.n.Load() != 0 {
		t.Fatalf("SpmcWaker: Take = %v, woken %d times", w, c.n.Load())
	}
}
