package eventcount_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// bounded returns a context that ends after testutil.Timeout (on the fake
// clock inside a synctest bubble) and with the test: a wait on it that
// returns context.DeadlineExceeded lost its wake-up.
func bounded(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	t.Cleanup(cancel)
	return ctx
}

// wantPanic runs f and fails the test unless it panics with an
// "eventcount: " message that contains want.
func wantPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, _ := r.(string)
		if !strings.HasPrefix(s, "eventcount: ") || !strings.Contains(s, want) {
			t.Fatalf("panic = %v, want an \"eventcount: ...%s...\" panic", r, want)
		}
	}()
	f()
}

// wantWorks checks that ec is idle and that a NotifyOne still reaches a
// waiter parked in Commit (inside a synctest bubble).
func wantWorks(t *testing.T, ec *eventcount.EventCount) {
	t.Helper()
	checkIdle(t, ec)
	synctest.Test(t, func(t *testing.T) {
		errc := make(chan error, 1)
		go func() { errc <- ec.Commit(bounded(t), ec.Prepare()) }()
		synctest.Wait()
		if p := ec.Parked(); p != 1 {
			t.Fatalf("Parked() = %d, want the new waiter", p)
		}
		ec.NotifyOne()
		if err := <-errc; err != nil {
			t.Fatalf("Commit = %v: NotifyOne did not reach the parked waiter", err)
		}
	})
	checkIdle(t, ec)
}

// A nil context panics before anything changes: Wait leaves no ticket, and
// the ticket given to Commit is still the caller's to end.
func TestNilContextPanics(t *testing.T) {
	var ec eventcount.EventCount
	var nilCtx context.Context
	calls := 0
	ready := func() bool { calls++; return false }
	wantPanic(t, "nil Context", func() { _ = ec.Wait(nilCtx, ready) })
	wantPanic(t, "nil Context", func() {
		_, _ = eventcount.WaitUntil(nilCtx, &ec, func() (int, bool) { calls++; return 0, false })
	})
	if calls != 0 {
		t.Fatalf("the predicate ran %d times before the nil Context panic", calls)
	}
	checkIdle(t, &ec)

	tk := ec.Prepare()
	wantPanic(t, "nil Context", func() { _ = ec.Commit(nilCtx, tk) })
	if w := ec.Waiters(); w != 1 {
		t.Fatalf("Waiters() = %d after Commit(nil), want the ticket still counted", w)
	}
	ec.Cancel(tk)
	wantWorks(t, &ec)
}

// A predicate that panics leaves no ticket behind, whichever of Wait's
// checks it panics in; WaitUntil's poll likewise.
func TestPanickingPredicateLeavesNothing(t *testing.T) {
	// Wait checks once on entry, once after its yield, once after Prepare.
	// A fresh EventCount yields before it joins (its Bet is on), so each
	// round has the three checks.
	for call := 1; call <= 3; call++ {
		var ec eventcount.EventCount
		calls := 0
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("Wait, panic on check %d: recovered %v, want the predicate's", call, r)
				}
			}()
			_ = ec.Wait(bounded(t), func() bool {
				calls++
				if calls == call {
					panic("boom")
				}
				return false
			})
		}()
		checkIdle(t, &ec)
		ec = eventcount.EventCount{}
		calls = 0
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Fatalf("WaitUntil, panic on check %d: recovered %v, want the poll's", call, r)
				}
			}()
			_, _ = eventcount.WaitUntil(bounded(t), &ec, func() (int, bool) {
				calls++
				if calls == call {
					panic("boom")
				}
				return 0, false
			})
		}()
		wantWorks(t, &ec)
	}
	// And after a wake: the ticket has been ended by the notification.
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		calls := 0
		recovered := make(chan any, 1)
		go func() {
			defer func() { recovered <- recover() }()
			_ = ec.Wait(bounded(t), func() bool {
				calls++
				if calls == 4 {
					panic("boom")
				}
				return false
			})
		}()
		synctest.Wait()
		ec.NotifyOne()
		if r := <-recovered; r != "boom" {
			t.Fatalf("recovered %v, want the predicate's panic", r)
		}
		checkIdle(t, &ec)
	})
}

// parkOther parks an innocent goroutine in Commit (inside a synctest
// bubble) and returns where its result arrives.
func parkOther(t *testing.T, ec *eventcount.EventCount) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- ec.Commit(bounded(t), ec.Prepare()) }()
	synctest.Wait()
	if p := ec.Parked(); p != 1 {
		t.Fatalf("Parked() = %d, want the innocent waiter", p)
	}
	return errc
}

// A Ticket ended twice, while another goroutine is parked, panics before it
// changes anything: the parked goroutine is still counted, and the next
// NotifyOne reaches it.
func TestTicketEndedTwiceSparesParkedWaiter(t *testing.T) {
	for name, endTwice := range map[string]func(ec *eventcount.EventCount, ctx context.Context){
		"Cancel, Cancel": func(ec *eventcount.EventCount, _ context.Context) {
			tk := ec.Prepare()
			ec.Cancel(tk)
			ec.Cancel(tk)
		},
		"Cancel, Commit": func(ec *eventcount.EventCount, ctx context.Context) {
			tk := ec.Prepare()
			ec.Cancel(tk)
			_ = ec.Commit(ctx, tk)
		},
		"Commit gave up, Commit gave up": func(ec *eventcount.EventCount, _ context.Context) {
			tk := ec.Prepare()
			if err := ec.Commit(cancelled(), tk); !errors.Is(err, context.Canceled) {
				panic("Commit(cancelled) did not give up")
			}
			_ = ec.Commit(cancelled(), tk)
		},
		"Commit gave up, Cancel": func(ec *eventcount.EventCount, _ context.Context) {
			tk := ec.Prepare()
			_ = ec.Commit(cancelled(), tk)
			ec.Cancel(tk)
		},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var ec eventcount.EventCount
				innocent := parkOther(t, &ec)
				wantPanic(t, "Ticket used twice", func() { endTwice(&ec, bounded(t)) })
				if w, p := ec.Waiters(), ec.Parked(); w != 1 || p != 1 {
					t.Fatalf("Waiters() = %d, Parked() = %d after the refused end; want the innocent waiter", w, p)
				}
				if err := ec.CheckInvariants(); err != nil {
					t.Fatal(err)
				}
				ec.NotifyOne()
				if err := <-innocent; err != nil {
					t.Fatalf("the parked goroutine's Commit = %v: it missed the NotifyOne", err)
				}
				checkIdle(t, &ec)
			})
		})
	}
}

// Tickets are not told apart before they park: a Ticket ended twice while
// another goroutine holds one it has not committed takes that one's count,
// and that goroutine's own Cancel or Commit then panics. Nothing goes
// unreported, and a parked waiter is never the one that pays.
func TestTicketEndedTwiceOutnumbersPrepared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		parked := parkOther(t, &ec)
		other := ec.Prepare() // held by another goroutine, not yet committed
		tk := ec.Prepare()
		ec.Cancel(tk)
		ec.Cancel(tk) // accepted: the count cannot tell tk from other
		wantPanic(t, "Ticket used twice", func() { _ = ec.Commit(bounded(t), other) })
		wantPanic(t, "Ticket used twice", func() { ec.Cancel(other) })
		ec.NotifyOne()
		if err := <-parked; err != nil {
			t.Fatalf("the parked goroutine's Commit = %v", err)
		}
		checkIdle(t, &ec)
	})
}
