package waker

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// handBox is what a Hand gives in these tests: plain fields, written by
// give and read by the Wait's predicate, so that the race detector checks
// that Hand orders the two.
type handBox struct {
	v   int
	has bool
}

func (b *handBox) give(v int) func() bool {
	return func() bool { b.v, b.has = v, true; return true }
}

// take is the first look of a predicate, as Hand asks.
func (b *handBox) take() (int, bool) {
	if !b.has {
		return 0, false
	}
	b.has = false
	return b.v, true
}

// waitIn starts a WaitUntil of take on sink in a goroutine of its own, and
// returns the channel it sends the value it took on.
func waitIn(t *testing.T, sink *WakeSink, take func() (int, bool)) <-chan int {
	got := make(chan int, 1)
	go func() {
		v, err := WaitUntil(testutil.Context(t), sink, take)
		if err != nil {
			t.Errorf("WaitUntil: %v", err)
		}
		got <- v
	}()
	return got
}

// mustHand hands v to the Wait parked on src, whose result comes on got,
// and checks that the Wait took it; after says what came before.
func mustHand(t *testing.T, src WakeSource, box *handBox, got <-chan int, v int, after string) {
	t.Helper()
	if !src.Hand(box.give(v)) {
		t.Fatalf("Hand %s reported false: the Wait was not woken, or did not park again", after)
	}
	synctest.Wait()
	if w := <-got; w != v {
		t.Fatalf("the Wait took %d, want %d", w, v)
	}
}

func TestHandToParkedWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		src := sink.Source()
		var box handBox
		if src.Hand(func() bool { t.Error("give called with no Wait"); return true }) {
			t.Fatal("Hand with no Wait reported true")
		}
		got := waitIn(t, sink, box.take)
		synctest.Wait() // parked
		gives := 0
		if !src.Hand(func() bool { gives++; return box.give(7)() }) {
			t.Fatal("Hand to a parked Wait reported false")
		}
		if gives != 1 {
			t.Fatalf("give called %d times, want 1", gives)
		}
		synctest.Wait()
		select {
		case v := <-got:
			if v != 7 {
				t.Fatalf("the Wait took %d, want the 7 handed", v)
			}
		default:
			t.Fatal("a Wait handed a value is still blocked")
		}
		if sink.registered() {
			t.Fatal("a Wait woken by Hand left its registration")
		}
		if src.Hand(func() bool { t.Error("give called after the Wait returned"); return true }) {
			t.Fatal("Hand after the Wait returned reported true")
		}
	})
}

// TestHandBeforeParkDeclines: a Wait that has registered but not yet checked
// its predicate since is not parked, and Hand leaves it alone: its predicate
// may still be reading the structure. The predicate itself tries Hand at
// each call.
func TestHandBeforeParkDeclines(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		src := sink.Source()
		var flag atomic.Bool
		handed := 0
		calls := 0
		done := make(chan error, 1)
		go func() {
			done <- sink.Wait(testutil.Context(t), func() bool {
				calls++
				if src.Hand(func() bool { handed++; return true }) {
					t.Error("Hand from the Wait's own predicate reported true")
					return true // a Wait woken by its own Hand would never park
				}
				return flag.Load()
			})
		}()
		synctest.Wait()
		if handed != 0 {
			t.Fatalf("give called %d times while the Wait checked its predicate", handed)
		}
		if calls < 2 {
			t.Fatalf("predicate called %d times before the Wait parked, want at least 2", calls)
		}
		flag.Store(true)
		src.Wake()
		synctest.Wait()
		if err := <-done; err != nil {
			t.Fatalf("Wait: %v", err)
		}
	})
}

// TestHandDeclined: a give that reports false still wakes the Wait, which
// checks its predicate and parks again, ready for the next Hand.
func TestHandDeclined(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		src := sink.Source()
		var box handBox
		calls := 0
		got := waitIn(t, sink, func() (int, bool) { calls++; return box.take() })
		synctest.Wait()
		before := calls
		if src.Hand(func() bool { return false }) {
			t.Fatal("Hand reported true for a give that declined")
		}
		synctest.Wait()
		if calls <= before {
			t.Fatal("a declined Hand did not wake the Wait to check its predicate")
		}
		if len(got) != 0 {
			t.Fatal("the Wait returned after a declined Hand")
		}
		mustHand(t, src, &box, got, 3, "after a declined one")
	})
}

// TestHandGivePanics: the panic of give goes to Hand's caller, and the Wait
// is woken all the same: nothing is left registered or blocked.
func TestHandGivePanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		src := sink.Source()
		var box handBox
		got := waitIn(t, sink, box.take)
		synctest.Wait()
		func() {
			defer func() {
				if r := recover(); r != "give" {
					t.Fatalf("recovered %v, want give's panic", r)
				}
			}()
			src.Hand(func() bool { panic("give") })
		}()
		synctest.Wait() // woken, found nothing, parked again
		mustHand(t, src, &box, got, 5, "after a panicking give")
	})
}

// TestHandRacesWakeAndCancel: notifiers hand each item to the consumer when
// it is parked, and otherwise queue it and Wake; each waits for the
// consumer to take its item before it makes the next, so the consumer
// often parks. The consumer's waits end early at random (ctx deadlines of
// a few microseconds). Every item must be taken exactly once, and the race
// detector checks that give's plain writes happen before the predicate's
// reads.
func TestHandRacesWakeAndCancel(t *testing.T) {
	const notifiers = 4
	per := 4000
	if testing.Short() {
		per = 300
	}
	var handedAll atomic.Int64
	defer func() {
		if !t.Failed() && handedAll.Load() == 0 {
			t.Error("no item was handed: the test did not exercise Hand")
		}
	}()
	testutil.ForEachProcs(t, func(t *testing.T) {
		sink := NewWakeSink()
		var box handBox
		var mu sync.Mutex
		var queued []int
		var handed atomic.Int64
		var wg sync.WaitGroup
		acks := make([]chan struct{}, notifiers)
		stop := make(chan struct{})
		for n := range notifiers {
			src := sink.Source()
			acks[n] = make(chan struct{}, 1)
			wg.Go(func() {
				for i := range per {
					item := n*per + i
					if src.Hand(box.give(item)) {
						handed.Add(1)
					} else {
						mu.Lock()
						queued = append(queued, item)
						mu.Unlock()
						src.Wake()
					}
					select {
					case <-acks[n]: // taken
					case <-stop: // the consumer failed
						return
					}
				}
			})
		}
		defer func() { close(stop); wg.Wait() }()
		take := func() (int, bool) {
			if v, ok := box.take(); ok {
				return v, true
			}
			mu.Lock()
			defer mu.Unlock()
			if len(queued) == 0 {
				return 0, false
			}
			v := queued[0]
			queued = queued[1:]
			return v, true
		}
		seen := make([]bool, notifiers*per)
		base := testutil.Context(t) // bounds every wait: a lost wake-up fails
		deadline := time.Now().Add(testutil.Timeout)
		cancelled := 0
		for got := 0; got < len(seen); {
			if time.Now().After(deadline) {
				t.Fatalf("lost wake-up: %d of %d items taken after %v", got, len(seen), testutil.Timeout)
			}
			ctx, cancel := base, context.CancelFunc(func() {})
			if rand.IntN(4) == 0 {
				ctx, cancel = context.WithTimeout(ctx, time.Duration(rand.IntN(20))*time.Microsecond)
			}
			v, err := WaitUntil(ctx, sink, take)
			cancel()
			if err != nil {
				if base.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("WaitUntil: %v", err)
				}
				cancelled++
				continue
			}
			if seen[v] {
				t.Fatalf("item %d taken twice", v)
			}
			seen[v] = true
			got++
			acks[v/per] <- struct{}{}
		}
		if box.has || len(queued) != 0 {
			t.Fatalf("items left over: handed %v, queued %d", box.has, len(queued))
		}
		if sink.registered() {
			t.Fatal("a registration left after the last Wait")
		}
		handedAll.Add(handed.Load())
		t.Logf("%d items handed, %d waits cancelled", handed.Load(), cancelled)
	})
}
