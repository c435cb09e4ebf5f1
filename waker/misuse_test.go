package waker

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// Wakers whose dynamic type cannot be compared: a func, a struct holding a
// slice, and a comparable struct type whose interface field holds a slice.
type funcWaker func()

func (f funcWaker) Wake() { f() }

type sliceWaker struct{ _ []int }

func (sliceWaker) Wake() {}

type boxWaker struct{ v any }

func (boxWaker) Wake() {}

var nonComparable = map[string]Waker{
	"func":           funcWaker(func() {}),
	"slice field":    sliceWaker{},
	"interface hold": boxWaker{v: []int{1}},
}

// mustPanic runs f and fails unless it panics with a message that starts
// with prefix.
func mustPanic(t *testing.T, prefix string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if msg := fmt.Sprint(r); r == nil || !strings.HasPrefix(msg, prefix) {
			t.Fatalf("recovered %v, want a panic starting with %q", r, prefix)
		}
	}()
	f()
}

// sinkTarget drives a WakeSink's Register / Unregister / Source().Wake.
type sinkTarget struct{ WakeSink }

func (s *sinkTarget) register(w Waker) bool { s.Register(w); return true }
func (s *sinkTarget) unregister()           { s.Unregister() }
func (s *sinkTarget) notify()               { s.Source().Wake() }
func (s *sinkTarget) registered() bool      { return s.WakeSink.registered() }

// TestNonComparableWakerRefused: the first Register of a non-comparable waker
// panics with a waker: message and leaves the primitive as it was: with
// nothing registered, or with the waker registered before still registered.
func TestNonComparableWakerRefused(t *testing.T) {
	all := append(targets, struct {
		name string
		new  func() target
	}{"WakeSink", func() target { return new(sinkTarget) }})
	const msg = "waker: Register called with a Waker of non-comparable type "
	for _, tg := range all {
		for kind, bad := range nonComparable {
			t.Run(tg.name+"/"+kind, func(t *testing.T) {
				// First registration ever.
				x := tg.new()
				mustPanic(t, msg, func() { x.register(bad) })
				if x.registered() {
					t.Fatal("registered after a refused Register")
				}
				var c counter
				if !x.register(&c) {
					t.Fatal("register refused after a refused Register")
				}
				x.notify()
				if n := wakes(&c); n != 1 {
					t.Fatalf("after a refused Register, register + notify woke %d times, want 1", n)
				}
				// With a waker registered: it stays registered.
				mustPanic(t, msg, func() { x.register(bad) })
				if !x.registered() {
					x.register(&c)
				}
				mustPanic(t, msg, func() { x.register(bad) })
				if !x.registered() {
					t.Fatal("a refused Register withdrew the waker registered before")
				}
				x.notify()
				if n := wakes(&c); n != 2 {
					t.Fatalf("the waker registered before the refused Register woken %d times in all, want 2", n)
				}
				// The same non-comparable waker again: refused again.
				mustPanic(t, msg, func() { x.register(bad) })
			})
		}
	}
}

// TestAtomicRefuseDuringWake: a Wake that comes in while a Register holds the
// lock and refuses its waker is delivered, to the waker registered before.
func TestAtomicRefuseDuringWake(t *testing.T) {
	var a AtomicWaker
	var c counter
	a.Register(&c)
	ran := onceAt(t, hookAtomicRefuse, a.Wake)
	mustPanic(t, "waker: Register called with a Waker of non-comparable type", func() { a.Register(funcWaker(func() {})) })
	if !ran() {
		t.Fatal("the refusing Register never ran its hook")
	}
	if n := wakes(&c); n != 1 || a.state.Load() != 0 {
		t.Fatalf("the Wake left to the refusing Register: %d wakes, state %03b; want 1, 0", n, a.state.Load())
	}
	a.Register(&c)
	a.Wake()
	if n := wakes(&c); n != 2 {
		t.Fatalf("register + wake after the refusal: %d wakes in all, want 2", n)
	}
}

// TestNilContextPanics: every blocking call panics on a nil ctx before it
// changes anything; the Parker and the sink work afterwards.
func TestNilContextPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeoutContext(t)
		var nilCtx context.Context
		for name, p := range map[string]*Parker{"NewParker": NewParker(), "zero": new(Parker)} {
			mustPanic(t, "waker: Parker.Park called with a nil Context", func() { _ = p.Park(nilCtx) })
			p.Wake()
			mustPanic(t, "waker: Parker.Park called with a nil Context", func() { _ = p.Park(nilCtx) })
			if !p.TryPark() {
				t.Fatalf("%s: Park(nil) took the token", name)
			}
			go p.Wake()
			if err := p.Park(ctx); err != nil {
				t.Fatalf("%s: Park after Park(nil) = %v, want nil", name, err)
			}
		}

		sink := NewWakeSink()
		calls := 0
		ready := func() bool { calls++; return false }
		mustPanic(t, "waker: WakeSink.Wait called with a nil Context", func() { _ = sink.Wait(nilCtx, ready) })
		mustPanic(t, "waker: WaitUntil called with a nil Context", func() {
			_, _ = WaitUntil(nilCtx, sink, func() (int, bool) { calls++; return 0, false })
		})
		if calls != 0 || sink.registered() {
			t.Fatalf("a Wait with a nil ctx called ready %d times, left registered %v; want 0, false", calls, sink.registered())
		}
		var flag atomic.Bool
		go func() {
			flag.Store(true)
			sink.Source().Wake()
		}()
		if err := sink.Wait(ctx, flag.Load); err != nil {
			t.Fatalf("Wait after the nil-ctx panics = %v", err)
		}
	})
}

// TestZeroParker: a zero Parker works for TryPark, Wake, Park (found token
// and blocked) and C.
func TestZeroParker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeoutContext(t)
		var p Parker
		if p.TryPark() {
			t.Fatal("zero Parker holds a token")
		}
		p.Wake()
		if !p.TryPark() {
			t.Fatal("zero Parker lost the token of a Wake")
		}
		p.Wake()
		if err := p.Park(ctx); err != nil {
			t.Fatalf("Park with a stored token = %v", err)
		}
		woke := make(chan struct{})
		go func() {
			synctest.Wait() // until the Park below is durably blocked
			p.Wake()
			close(woke)
		}()
		if err := p.Park(ctx); err != nil {
			t.Fatalf("blocked Park on a zero Parker = %v, want nil (woken)", err)
		}
		<-woke

		var q Parker
		c := q.C()
		go q.Wake()
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatal("C of a zero Parker: the Wake's token never arrived")
		}
	})
}

// TestZeroWakeSink: a zero WakeSink works for Wait and WaitUntil, blocking
// and woken by its Source.
func TestZeroWakeSink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeoutContext(t)
		var sink WakeSink
		var box atomic.Int64
		src := sink.Source()
		go func() {
			synctest.Wait()
			box.Store(7)
			src.Wake()
		}()
		v, err := WaitUntil(ctx, &sink, func() (int64, bool) { v := box.Swap(0); return v, v != 0 })
		if v != 7 || err != nil {
			t.Fatalf("WaitUntil on a zero WakeSink = %d, %v; want 7, nil", v, err)
		}
		go func() {
			synctest.Wait()
			box.Store(1)
			src.Wake()
		}()
		if err := sink.Wait(ctx, func() bool { return box.Load() == 1 }); err != nil {
			t.Fatalf("Wait on a zero WakeSink = %v", err)
		}
		if sink.registered() {
			t.Fatal("Wait returned and left its waker registered")
		}
	})
}

// TestPanickingPredicateLeavesNothingRegistered: a predicate that panics on
// the check after Register, on the check after a wake-up, or on the check
// after it registered again, leaves nothing registered and no token behind;
// the sink then parks and is woken normally.
func TestPanickingPredicateLeavesNothingRegistered(t *testing.T) {
	for _, tc := range []struct {
		name       string
		panicAt    int  // the call of ready that panics
		wake       bool // a Wake while the Wait is parked, before call 4
		registered bool // the Wait is registered at the panicking call
	}{
		{"after Register", 3, false, true},
		{"after a wake-up", 4, true, false},
		{"after a wake-up and Register", 5, true, true},
	} {
		for _, until := range []bool{false, true} {
			name := tc.name + map[bool]string{false: "/Wait", true: "/WaitUntil"}[until]
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := timeoutContext(t)
					sink := NewWakeSink()
					if tc.wake {
						go func() {
							synctest.Wait() // the Wait below is parked
							sink.Source().Wake()
						}()
					}
					calls := 0
					ready := func() bool {
						calls++
						if calls == tc.panicAt {
							if sink.registered() != tc.registered {
								t.Errorf("ready panics with registered() = %v, want %v: the test misses its window", sink.registered(), tc.registered)
							}
							panic("predicate failed")
						}
						return false
					}
					mustPanic(t, "predicate failed", func() {
						if until {
							_, _ = WaitUntil(ctx, sink, func() (int, bool) { return 0, ready() })
						} else {
							_ = sink.Wait(ctx, ready)
						}
					})
					if sink.registered() {
						t.Fatal("a panicking predicate left the sink's waker registered")
					}
					if n := len(sink.ch); n != 0 {
						t.Fatalf("a panicking predicate left %d token(s) in the sink's channel", n)
					}
					var flag atomic.Bool
					go func() {
						synctest.Wait() // the Wait below is parked
						flag.Store(true)
						sink.Source().Wake()
					}()
					if err := sink.Wait(ctx, flag.Load); err != nil {
						t.Fatalf("Wait after the panic = %v (not woken)", err)
					}
				})
			})
		}
	}
}

// TestWithdrawTakesTheTokenOfARacingWake: a Wake that takes the Wait's
// registration between its Or and its check of ready sends a token; the
// Wait's withdrawal, whichever way it returns (ready true, a panic, ctx
// done), takes that token, so that none is left for a later Wait to take
// as a wake-up it never had, and the next Wake's send does not block.
func TestWithdrawTakesTheTokenOfARacingWake(t *testing.T) {
	for _, end := range []string{"ready", "panic", "ctx"} {
		t.Run(end, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sink := NewWakeSink()
				ctx, cancel := context.WithCancel(timeoutContext(t))
				defer cancel()
				calls := 0
				ready := func() bool {
					calls++
					if calls < 3 {
						return false
					}
					if !sink.registered() {
						t.Error("the third check of ready ran with nothing registered: the test misses its window")
					}
					sink.Source().Wake() // takes the registration between Or and this check
					switch end {
					case "panic":
						panic("predicate failed")
					case "ctx":
						cancel() // the select sees done; the token is taken first or after
						calls = -100
						return false
					}
					return true
				}
				run := func() { _ = sink.Wait(ctx, ready) }
				if end == "panic" {
					mustPanic(t, "predicate failed", run)
				} else {
					run()
				}
				if sink.registered() {
					t.Fatal("Wait left its registration")
				}
				if n := len(sink.ch); n != 0 {
					t.Fatalf("Wait left %d token(s) in the sink's channel", n)
				}
			})
		})
	}
}

// TestConcurrentWaitLeavesFirstWaiting: the second of two concurrent Waits
// panics before it registers, so the first is still woken by a Notify.
func TestConcurrentWaitLeavesFirstWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeoutContext(t)
		sink := NewWakeSink()
		var flag atomic.Bool
		first := make(chan error, 1)
		go func() { first <- sink.Wait(ctx, flag.Load) }()
		synctest.Wait()
		mustPanic(t, "waker: concurrent Wait on WakeSink", func() { _ = sink.Wait(ctx, func() bool { return false }) })
		flag.Store(true)
		sink.Source().Wake()
		if err := <-first; err != nil {
			t.Fatalf("the first Wait = %v after the second one's panic, want nil (woken)", err)
		}
	})
}

// TestRegisterDuringWaitPanics: a Register or an Unregister of a WakeSink
// while a Wait is registered on it panics with a waker: message, in every
// build, before it changes anything: the Wait is still woken by a Wake,
// and the waker of the refused Register is never registered.
func TestRegisterDuringWaitPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		var flag atomic.Bool
		done := make(chan error, 1)
		go func() { done <- sink.Wait(timeoutContext(t), flag.Load) }()
		synctest.Wait() // the Wait is parked
		foreign := new(counter)
		mustPanic(t, "waker: Register on WakeSink during a Wait", func() { sink.Register(foreign) })
		mustPanic(t, "waker: Unregister on WakeSink during a Wait", func() { sink.Unregister() })
		if sink.waker.Registered() || !sink.registered() {
			t.Fatalf("state %06b after the refused calls, want the Wait's registration only", sink.waker.state.Load())
		}
		flag.Store(true)
		sink.Source().Wake()
		if err := testutil.Recv(t, done, "the Wait woken after the refused calls"); err != nil {
			t.Fatalf("Wait = %v, want nil (woken)", err)
		}
		sink.Source().Wake()
		if n := foreign.n.Load(); n != 0 || sink.registered() {
			t.Fatalf("the refused waker was woken %d times, registered %v; want 0, false", n, sink.registered())
		}
		// The sink works as before: Register and Wake.
		sink.Register(foreign)
		sink.Source().Wake()
		if n := foreign.n.Load(); n != 1 {
			t.Fatalf("a Register after the Wait: its waker woken %d times by a Wake, want 1", n)
		}
	})
}

// TestWakeWithCancellationWins: a Wait whose ctx ends as a Wake wakes it
// returns nil when ready then reports true, whichever of the two its select
// sees first (the runtime picks at random, so the case runs many times).
func TestWakeWithCancellationWins(t *testing.T) {
	for i := range 200 {
		sink := NewWakeSink()
		ctx, cancel := context.WithCancel(context.Background())
		var cond atomic.Bool
		calls := 0
		err := sink.Wait(ctx, func() bool {
			calls++
			if calls == 3 { // registered: the Wake below takes the registration
				cond.Store(true)
				sink.Source().Wake()
				cancel()
				return false // as if cond were read just before the store
			}
			return cond.Load()
		})
		cancel()
		if err != nil {
			t.Fatalf("round %d: Wait = %v with a Wake and ready true at the end of ctx, want nil", i, err)
		}
		if sink.registered() || len(sink.ch) != 0 {
			t.Fatalf("round %d: Wait left registered %v, %d token(s)", i, sink.registered(), len(sink.ch))
		}
	}
}
