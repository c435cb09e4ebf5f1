package eventcount_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

func checkIdle(t *testing.T, ec *eventcount.EventCount) {
	t.Helper()
	if w, p := ec.Waiters(), ec.Parked(); w != 0 || p != 0 {
		t.Fatalf("Waiters() = %d, Parked() = %d; want an idle EventCount", w, p)
	}
	if err := ec.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestZeroValueNotifyWithoutWaiter(t *testing.T) {
	var ec eventcount.EventCount
	ec.NotifyOne()
	ec.NotifyAll()
	checkIdle(t, &ec)
}

// A notification made between Prepare and Commit makes Commit return at
// once, even with a done context: the notification wins. With nobody
// parked, NotifyOne releases every prepared ticket, as NotifyAll does.
func TestCommitAfterNotify(t *testing.T) {
	for _, notify := range []func(*eventcount.EventCount){
		(*eventcount.EventCount).NotifyOne,
		(*eventcount.EventCount).NotifyAll,
	} {
		for _, ctx := range []context.Context{bounded(t), cancelled()} {
			var ec eventcount.EventCount
			t1, t2 := ec.Prepare(), ec.Prepare()
			if w := ec.Waiters(); w != 2 {
				t.Fatalf("Waiters() = %d after two Prepare, want 2", w)
			}
			notify(&ec)
			for _, tk := range []eventcount.Ticket{t1, t2} {
				if err := ec.Commit(ctx, tk); err != nil {
					t.Fatalf("Commit after a notification = %v, want nil", err)
				}
			}
			checkIdle(t, &ec)
		}
	}
}

// No permits: a notification before Prepare is lost.
func TestNotifyBeforePrepareIsLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		ec.NotifyOne()
		ec.NotifyAll()
		var returned atomic.Bool
		go func() {
			commit(t, &ec, ec.Prepare())
			returned.Store(true)
		}()
		synctest.Wait()
		if returned.Load() {
			t.Fatal("Commit returned on a notification made before Prepare")
		}
		ec.NotifyOne()
		synctest.Wait()
		if !returned.Load() {
			t.Fatal("Commit still parked after NotifyOne")
		}
		checkIdle(t, &ec)
	})
}

func TestCommitCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- ec.Commit(ctx, ec.Prepare()) }()
		synctest.Wait()
		if p := ec.Parked(); p != 1 {
			t.Fatalf("Parked() = %d, want 1", p)
		}
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("Commit = %v, want context.Canceled", err)
		}
		checkIdle(t, &ec)
		// Nothing left behind: the next waiter is woken by the next
		// notification, and only by it.
		ctx = bounded(t)
		go func() { errc <- ec.Commit(ctx, ec.Prepare()) }()
		synctest.Wait()
		ec.NotifyOne()
		if err := <-errc; err != nil {
			t.Fatalf("Commit after a cancelled one = %v", err)
		}
		checkIdle(t, &ec)
	})
}

func TestWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		calls := 0
		err := ec.Wait(ctx, func() bool { calls++; return false })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Wait = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Wait returned after %v, want exactly the 1s timeout", d)
		}
		// Once on entry, once after the yield, once after Prepare.
		if calls != 3 {
			t.Fatalf("ready called %d times by a Wait nobody notified, want 3", calls)
		}
		checkIdle(t, &ec)
	})
}

func TestCommitDoneContextWithoutNotify(t *testing.T) {
	var ec eventcount.EventCount
	if err := ec.Commit(cancelled(), ec.Prepare()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit(done ctx) = %v, want context.Canceled", err)
	}
	checkIdle(t, &ec)
}

func TestCancelRestoresWaiters(t *testing.T) {
	var ec eventcount.EventCount
	t1 := ec.Prepare()
	t2 := ec.Prepare()
	ec.Cancel(t1)
	if w := ec.Waiters(); w != 1 {
		t.Fatalf("Waiters() = %d, want 1", w)
	}
	ec.NotifyOne() // releases t2
	ec.Cancel(t2)
	checkIdle(t, &ec)
}

func TestWaitReadyWinsOverDoneContext(t *testing.T) {
	var ec eventcount.EventCount
	ctx := cancelled()
	if err := ec.Wait(ctx, func() bool { return true }); err != nil {
		t.Fatalf("Wait with ready true and ctx done = %v, want nil", err)
	}
	calls := 0
	if err := ec.Wait(ctx, func() bool { calls++; return calls == 2 }); err != nil {
		t.Fatalf("Wait with ready true after Prepare = %v, want nil", err)
	}
	v, err := eventcount.WaitUntil(ctx, &ec, func() (int, bool) { return 7, true })
	if v != 7 || err != nil {
		t.Fatalf("WaitUntil = %d, %v; want 7, nil", v, err)
	}
	v, err = eventcount.WaitUntil(ctx, &ec, func() (int, bool) { return 3, false })
	if v != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitUntil on a done ctx = %d, %v; want 0, context.Canceled", v, err)
	}
	checkIdle(t, &ec)
}

func TestWaitUntilBlocksUntilValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		var box atomic.Int64
		got := make(chan int64, 1)
		ctx := bounded(t)
		go func() {
			v, err := eventcount.WaitUntil(ctx, &ec, func() (int64, bool) {
				v := box.Swap(0)
				return v, v != 0
			})
			if err != nil {
				t.Errorf("WaitUntil = %v", err)
			}
			got <- v
		}()
		synctest.Wait()
		ec.NotifyAll() // spurious: nothing in the box
		synctest.Wait()
		assertNone(t, got, "WaitUntil returned on a spurious notification")
		box.Store(42)
		ec.NotifyOne()
		if v := <-got; v != 42 {
			t.Fatalf("WaitUntil = %d, want 42", v)
		}
		checkIdle(t, &ec)
	})
}

// NotifyAll wakes every parked waiter and releases every prepared one, and
// nobody who prepares after it.
func TestNotifyAllReachesEveryPreparedWaiter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		const parked = 5
		done := make(chan int, parked+2)
		for i := range parked {
			go func() {
				commit(t, &ec, ec.Prepare())
				done <- i
			}()
		}
		synctest.Wait()
		prepared := ec.Prepare()
		ec.NotifyAll()
		late := ec.Prepare()
		for range parked {
			<-done
		}
		commit(t, &ec, prepared) // returns at once
		go func() {
			commit(t, &ec, late)
			done <- -1
		}()
		synctest.Wait()
		assertNone(t, done, "a waiter that prepared after NotifyAll was woken by it")
		ec.NotifyOne()
		if i := <-done; i != -1 {
			t.Fatalf("woke %d, want the late waiter", i)
		}
		checkIdle(t, &ec)
	})
}

func TestMisusePanics(t *testing.T) {
	var ec, other eventcount.EventCount
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"zero Ticket", func() { ec.Cancel(eventcount.Ticket{}) }, "not returned by this EventCount"},
		{"foreign Ticket", func() { ec.Cancel(other.Prepare()) }, "not returned by this EventCount"},
		{"foreign Commit", func() { _ = ec.Commit(cancelled(), other.Prepare()) }, "not returned by this EventCount"},
		{"Cancel twice", func() {
			tk := ec.Prepare()
			ec.Cancel(tk)
			ec.Cancel(tk)
		}, "without a matching Prepare"},
		{"Commit after Cancel", func() {
			tk := ec.Prepare()
			ec.Cancel(tk)
			_ = ec.Commit(cancelled(), tk)
		}, "without a matching Prepare"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				s, _ := r.(string)
				if !strings.HasPrefix(s, "eventcount: ") || !strings.Contains(s, tc.want) {
					t.Fatalf("panic = %v, want an \"eventcount: ...%s...\" panic", r, tc.want)
				}
			}()
			tc.f()
		})
	}
	checkIdle(t, &ec)
}

func TestAllocs(t *testing.T) {
	var ec eventcount.EventCount
	if n := testing.AllocsPerRun(100, ec.NotifyOne); n != 0 {
		t.Errorf("NotifyOne without waiter: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { ec.NotifyN(4) }); n != 0 {
		t.Errorf("NotifyN without waiter: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, ec.NotifyAll); n != 0 {
		t.Errorf("NotifyAll without waiter: %v allocs, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { ec.Cancel(ec.Prepare()) }); n != 0 {
		t.Errorf("Prepare+Cancel: %v allocs, want 0", n)
	}
	ctx := bounded(t)
	var items atomic.Int64
	take := func() bool { return takeOne(&items) }
	if n := testing.AllocsPerRun(100, func() { _ = ec.Wait(ctx, func() bool { return true }) }); n != 0 {
		t.Errorf("Wait on a true condition: %v allocs, want 0", n)
	}

	// Park and wake: a partner goroutine waits for an item on ec and
	// answers on back, so every round parks both sides once.
	var back eventcount.EventCount
	var answers atomic.Int64
	var stop atomic.Bool
	partner := testutil.Go(t, func() {
		for {
			if err := ec.Wait(ctx, func() bool { return take() || stop.Load() }); err != nil || stop.Load() {
				return
			}
			answers.Add(1)
			back.NotifyOne()
		}
	})
	round := func() {
		items.Add(1)
		ec.NotifyOne()
		if err := back.Wait(ctx, func() bool { return takeOne(&answers) }); err != nil {
			t.Fatalf("Wait for the answer: %v (the partner's notification was lost)", err)
		}
	}
	for range 100 { // warm up: the record pools fill
		round()
	}
	if n := testing.AllocsPerRun(1000, round); n != 0 {
		t.Errorf("park/wake round trip: %v allocs, want 0", n)
	}
	stop.Store(true)
	ec.NotifyAll()
	testutil.Recv(t, partner, "the partner to stop")
}

// takeOne decrements n if it is positive and reports whether it did.
func takeOne(n *atomic.Int64) bool {
	for v := n.Load(); v > 0; v = n.Load() {
		if n.CompareAndSwap(v, v-1) {
			return true
		}
	}
	return false
}
