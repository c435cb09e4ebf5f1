package waker

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

func TestWaitBlocksUntilNotify(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		var flag atomic.Bool
		var returned atomic.Bool
		go func() {
			if err := sink.Wait(timeoutContext(t), flag.Load); err != nil {
				t.Errorf("Wait: %v", err)
			}
			returned.Store(true)
		}()
		synctest.Wait() // the waiter is durably blocked
		if returned.Load() {
			t.Fatal("Wait returned before the condition was set")
		}
		if !sink.registered() {
			t.Fatal("a parked Wait is not registered")
		}
		sink.Source().Wake() // spurious: the condition is still false
		synctest.Wait()
		if returned.Load() {
			t.Fatal("Wait returned on a spurious notify")
		}
		flag.Store(true)
		sink.Source().Wake()
		synctest.Wait()
		if !returned.Load() {
			t.Fatal("Wait still blocked after the condition was set and notified")
		}
		if sink.registered() {
			t.Fatal("Wait returned and left its waker registered")
		}
	})
}

func TestWaitCancellation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		calls := 0
		err := sink.Wait(ctx, func() bool { calls++; return false })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Wait returned after %v, want exactly the 1s timeout", d)
		}
		if calls != 3 {
			t.Fatalf("ready called %d times by a Wait nobody notified, want 3 (check, yield, check, register, check)", calls)
		}
		if sink.registered() {
			t.Fatal("a cancelled Wait left its waker registered")
		}
		// Nothing consumed: the next Wait works as if the first never happened.
		var flag atomic.Bool
		go func() {
			flag.Store(true)
			sink.Source().Wake()
		}()
		if err := sink.Wait(timeoutContext(t), flag.Load); err != nil {
			t.Fatalf("Wait after a cancelled Wait: %v", err)
		}
	})
}

func TestWaitReadyWinsOverDoneContext(t *testing.T) {
	sink := NewWakeSink()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sink.Wait(ctx, func() bool { return true }); err != nil {
		t.Fatalf("Wait with ready true and ctx done = %v, want nil", err)
	}
	v, err := WaitUntil(ctx, sink, func() (int, bool) { return 7, true })
	if v != 7 || err != nil {
		t.Fatalf("WaitUntil = %d, %v; want 7, nil", v, err)
	}
	_, err = WaitUntil(ctx, sink, func() (int, bool) { return 0, false })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitUntil on a done ctx = %v, want context.Canceled", err)
	}
}

// TestPredicateTrueRightAfterRegister: the check made after registering
// (the third: check, yield and check, register and check) sees the condition:
// Wait returns without parking and leaves nothing registered.
func TestPredicateTrueRightAfterRegister(t *testing.T) {
	sink := NewWakeSink()
	calls := 0
	registeredAtCheck := false
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a park would return an error at once
	err := sink.Wait(ctx, func() bool {
		calls++
		if calls == 3 {
			registeredAtCheck = sink.registered()
		}
		return calls == 3
	})
	if err != nil {
		t.Fatalf("Wait = %v, want nil (ready on the check after registering)", err)
	}
	if calls != 3 {
		t.Fatalf("ready called %d times, want 3", calls)
	}
	if !registeredAtCheck {
		t.Fatal("the third check of ready ran with nothing registered: it is not the check after Register")
	}
	if sink.registered() {
		t.Fatal("left registered after the predicate turned true")
	}
	if len(sink.ch) != 0 {
		t.Fatal("a token was sent although nobody notified")
	}
}

// TestWaitReplacesRegisteredWaker: a Wait that has to park unregisters the
// waker given to Register, so a Wake made while it waits wakes the Wait and
// not that waker, and the Wait leaves nothing registered.
func TestWaitReplacesRegisteredWaker(t *testing.T) {
	for _, until := range []bool{false, true} {
		t.Run(map[bool]string{false: "Wait", true: "WaitUntil"}[until], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				sink := NewWakeSink()
				foreign := new(counter)
				sink.Register(foreign)
				sink.Source().Wake()
				if n := foreign.n.Load(); n != 1 {
					t.Fatalf("a Wake with a waker registered by Register woke it %d times, want 1", n)
				}
				sink.Register(foreign) // registered again: the Wait below must replace it
				var flag atomic.Bool
				done := make(chan error, 1)
				go func() {
					if until {
						_, err := WaitUntil(timeoutContext(t), sink, func() (struct{}, bool) { return struct{}{}, flag.Load() })
						done <- err
					} else {
						done <- sink.Wait(timeoutContext(t), flag.Load)
					}
				}()
				synctest.Wait() // the Wait is durably blocked
				if sink.waker.Registered() {
					t.Fatal("a parked Wait left the waker given to Register registered")
				}
				if !sink.registered() {
					t.Fatal("a parked Wait is not registered")
				}
				sink.Source().Wake() // spurious: the Wait checks and parks again
				synctest.Wait()
				flag.Store(true)
				sink.Source().Wake()
				if err := testutil.Recv(t, done, "the Wait woken by a Wake"); err != nil {
					t.Fatalf("Wait = %v, want nil (woken)", err)
				}
				if n := foreign.n.Load(); n != 1 {
					t.Fatalf("the waker given to Register was woken %d times in all, want 1 (before the Wait only)", n)
				}
				if sink.registered() {
					t.Fatal("the Wait returned and left a waker registered")
				}
				sink.Source().Wake() // nothing registered: wakes nobody
				if n := foreign.n.Load(); n != 1 {
					t.Fatalf("a Wake after the Wait woke the waker given to Register (%d wakes in all, want 1)", n)
				}
			})
		})
	}
}

// TestWaitWhileAWakeDeliversToRegisteredWaker: a Wake has taken the waker
// given to Register and still holds the slot lock when a Wait registers
// itself. The Wait finds nothing to unregister, the Wake's unlock
// keeps the Wait's registration, and the next Wake wakes the Wait.
func TestWaitWhileAWakeDeliversToRegisteredWaker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		foreign := new(counter)
		sink.Register(foreign)
		var flag atomic.Bool
		done := make(chan error, 1)
		ran := onceAt(t, hookDiatomicLocked, func() {
			go func() { done <- sink.Wait(timeoutContext(t), flag.Load) }()
			synctest.Wait() // the Wait is parked while the lock is held
			if st := sink.waker.state.Load(); st&(dwOwn|dwLocked|dwRegistered) != dwOwn|dwLocked {
				t.Errorf("state %06b while a Wake holds the lock and a Wait is parked, want OWN and LOCKED, not REGISTERED", st)
			}
		})
		sink.Source().Wake() // takes the registration in the slots, then the hook
		if !ran() {
			t.Fatal("the Wake never held the slot lock")
		}
		if n := foreign.n.Load(); n != 1 {
			t.Fatalf("the waker given to Register was woken %d times by the Wake that took it, want 1", n)
		}
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("the Wait returned (%v) before its condition was set", err)
		default:
		}
		if !sink.registered() {
			t.Fatal("the Wake's unlock dropped the registration of the parked Wait")
		}
		flag.Store(true)
		sink.Source().Wake()
		if err := testutil.Recv(t, done, "the Wait woken after a Wake delivered to the waker given to Register"); err != nil {
			t.Fatalf("Wait = %v, want nil (woken)", err)
		}
		if n := foreign.n.Load(); n != 1 || sink.registered() {
			t.Fatalf("after the Wait: the waker given to Register woken %d times (want 1), registered %v (want false)", n, sink.registered())
		}
	})
}

// TestWaitUntilCollectsTokens: N notifiers each deposit tokens, with
// spurious notifies mixed in; one consumer collects all with WaitUntil.
func TestWaitUntilCollectsTokens(t *testing.T) {
	const notifiers = 8
	per := 5000
	if testing.Short() {
		per = 200
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		sink := NewWakeSink()
		var tokens atomic.Int64
		var wg sync.WaitGroup
		for range notifiers {
			src := sink.Source()
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range per {
					tokens.Add(1)
					src.Wake()
					if i%2 == 0 {
						src.Wake()
					}
				}
			}()
		}
		ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
		defer cancel()
		take := func() (int64, bool) {
			n := tokens.Load()
			for n > 0 && !tokens.CompareAndSwap(n, 0) {
				n = tokens.Load()
			}
			return n, n > 0
		}
		var got int64
		for got < notifiers*int64(per) {
			n, err := WaitUntil(ctx, sink, take)
			if err != nil {
				t.Fatalf("lost wake-up: WaitUntil = %v after collecting %d of %d", err, got, notifiers*per)
			}
			got += n
		}
		wg.Wait()
		if got != notifiers*int64(per) || tokens.Load() != 0 {
			t.Fatalf("collected %d, %d left; want %d, 0", got, tokens.Load(), notifiers*per)
		}
	})
}

// TestPingPong bounces a ball between two goroutines through two sinks.
func TestPingPong(t *testing.T) {
	rounds := 20_000
	if testing.Short() {
		rounds = 1000
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		a, b := NewWakeSink(), NewWakeSink()
		var ball atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
		defer cancel()
		done := testutil.Go(t, func() {
			for i := int64(1); i <= int64(rounds); i++ {
				if err := b.Wait(ctx, func() bool { return ball.Load() == 2*i-1 }); err != nil {
					t.Errorf("pong %d: %v", i, err)
					return
				}
				ball.Add(1)
				a.Source().Wake()
			}
		})
		for i := int64(1); i <= int64(rounds); i++ {
			ball.Add(1)
			b.Source().Wake()
			if err := a.Wait(ctx, func() bool { return ball.Load() == 2*i }); err != nil {
				t.Fatalf("ping %d: %v", i, err)
			}
		}
		testutil.Recv(t, done, "the pong goroutine")
	})
}

func TestConcurrentRegisterDetected(t *testing.T) {
	defer runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0)))
	for _, tc := range []struct {
		name     string
		register func(w Waker)
	}{
		{"DiatomicWaker", new(DiatomicWaker).Register},
		{"SpmcWaker", func(w Waker) { new(SpmcWaker).Register(w) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d DiatomicWaker
			var s SpmcWaker
			register := map[string]func(Waker){"DiatomicWaker": d.Register, "SpmcWaker": func(w Waker) { s.Register(w) }}[tc.name]
			var stop atomic.Bool
			panics := make(chan any, 2)
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() {
						if r := recover(); r != nil {
							stop.Store(true)
							panics <- r
						}
					}()
					// Fresh wakers: every call takes the slot-writing path.
					ws := [2]*counter{new(counter), new(counter)}
					for i := 0; !stop.Load(); i++ {
						register(ws[i%2])
					}
				}()
			}
			r := testutil.Recv(t, panics, "a concurrent-Register panic")
			stop.Store(true)
			wg.Wait()
			if msg := fmt.Sprint(r); !strings.HasPrefix(msg, "waker: concurrent Register on "+tc.name) {
				t.Fatalf("panic %q does not name the misuse", msg)
			}
		})
	}
}

func TestConcurrentWaitDetected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
		go sink.Wait(ctx, func() bool { return false })
		synctest.Wait()
		defer func() {
			cancel()
			// Race builds check every Wait; others catch the second
			// goroutine when it parks.
			if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "waker: concurrent ") {
				t.Fatalf("second concurrent Wait: recovered %v, want a waker: concurrent Wait panic", r)
			}
		}()
		sink.Wait(ctx, func() bool { return false })
	})
}

func TestRegisterNilPanics(t *testing.T) {
	for name, register := range map[string]func(Waker){
		"AtomicWaker":   new(AtomicWaker).Register,
		"SpmcWaker":     func(w Waker) { new(SpmcWaker).Register(w) },
		"DiatomicWaker": new(DiatomicWaker).Register,
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); fmt.Sprint(r) != "waker: Register called with a nil Waker" {
					t.Fatalf("recovered %v", r)
				}
			}()
			register(nil)
		})
	}
}

func TestParker(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		p := NewParker()
		if p.TryPark() {
			t.Fatal("new Parker holds a token")
		}
		p.Wake()
		p.Wake() // coalesces
		if err := p.Park(timeoutContext(t)); err != nil {
			t.Fatal(err)
		}
		if p.TryPark() {
			t.Fatal("two wakes left two tokens")
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := p.Park(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Park = %v, want DeadlineExceeded", err)
		}
		p.Wake()
		if err := p.Park(ctx); err != nil {
			t.Fatalf("Park with a token and a done ctx = %v, want nil (the token wins)", err)
		}
		go p.Wake()
		testutil.Recv(t, p.C(), "the token of a Wake through C")
	})
}

func TestZeroAllocs(t *testing.T) {
	sink := NewWakeSink()
	src := sink.Source()
	var flag atomic.Bool
	ctx := timeoutContext(t)
	var waitErr error // the last error of a Wait below: a lost wake-up times out
	var aw AtomicWaker
	var sw SpmcWaker
	var dw DiatomicWaker
	var c counter
	for name, f := range map[string]func(){
		"Wake/nobody":               src.Wake,
		"AtomicWaker/register+wake": func() { aw.Register(&c); aw.Wake() },
		"SpmcWaker/register+wake":   func() { sw.Register(&c); sw.Wake() },
		"DiatomicWaker/register+notify": func() {
			dw.Register(&c)
			dw.Wake()
		},
		"Wait/ready": func() { waitErr = errors.Join(waitErr, sink.Wait(ctx, func() bool { return true })) },
		"WaitUntil/ready": func() {
			_, err := WaitUntil(ctx, sink, func() (int, bool) { return 1, true })
			waitErr = errors.Join(waitErr, err)
		},
		"Wait/register+notify+consume": func() {
			n := 0
			waitErr = errors.Join(waitErr, sink.Wait(ctx, func() bool {
				n++
				if n == 2 {
					flag.Store(true)
					src.Wake()
				}
				return n == 3
			}))
			flag.Store(false)
		},
	} {
		if a := testing.AllocsPerRun(1000, f); a != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, a)
		}
		if waitErr != nil {
			t.Fatalf("%s: Wait = %v: a wake-up was lost", name, waitErr)
		}
	}
}
