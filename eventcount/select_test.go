package eventcount_test

import (
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestSelectConservesNotifyOne hunts a NotifyOne lost or duplicated when the
// select takes another case. Each round, waiters arm a Ticket with Ready and
// join the queue; all but the last select on Ready and on a channel a
// referee closes at a random moment, racing one NotifyOne; the last selects
// on Ready alone until the others are done and one of them received it. A
// waiter that loses the select cancels its Ticket, which must pass the
// notification on, so exactly one waiter receives it.
func TestSelectConservesNotifyOne(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const waiters = 4
		for i := range iterations(3000) {
			var ec eventcount.EventCount
			var received atomic.Int32
			other, quit := make(chan struct{}), make(chan struct{})
			expired, stop := testutil.Deadline()
			done, lastDone := make(chan struct{}, waiters), make(chan struct{})
			for j := range waiters {
				tk := ec.Prepare()
				ready := ec.Ready(&tk) // joins the queue in order
				lose, finished := other, done
				if j == waiters-1 {
					lose, finished = quit, lastDone
				}
				go func() {
					defer func() { finished <- struct{}{} }()
					select {
					case <-ready:
						received.Add(1)
					case <-lose:
					case <-expired:
						t.Errorf("round %d: the NotifyOne was lost: the last waiter was never woken", i)
					}
					ec.Cancel(tk)
				}()
			}
			notified := testutil.Go(t, ec.NotifyOne)
			if rand.IntN(2) == 0 {
				runtime.Gosched()
			}
			close(other)
			testutil.Recv(t, notified, "NotifyOne")
			for range waiters - 1 {
				testutil.Recv(t, done, "a selecting waiter")
			}
			if received.Load() > 0 {
				close(quit)
			}
			testutil.Recv(t, lastDone, "the last waiter")
			stop()
			if got := received.Load(); got != 1 {
				t.Fatalf("round %d: %d waiters received one NotifyOne, want exactly 1", i, got)
			}
			if ec.Waiters() != 0 {
				t.Fatalf("round %d: Waiters() = %d after every Ticket ended", i, ec.Waiters())
			}
			if err := ec.CheckInvariants(); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		}
	})
}

// Ready is ready only once a notification reaches the Ticket; a Ticket
// released before it armed is ready at once.
func TestReadySynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		tk := ec.Prepare()
		ready := ec.Ready(&tk)
		got := make(chan struct{})
		go func() {
			defer close(got)
			select {
			case <-ready:
			case <-time.After(time.Hour):
				t.Error("Ready was never ready: the NotifyAll was lost")
			}
		}()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("Ready was ready before any notification")
		default:
		}
		ec.NotifyAll()
		<-got
		ec.Cancel(tk)

		tk = ec.Prepare()
		ec.NotifyOne() // nobody parked: releases tk
		select {
		case <-ec.Ready(&tk):
		default:
			t.Fatal("Ready of a released Ticket is not ready at once")
		}
		ec.Cancel(tk)
		if ec.Waiters() != 0 {
			t.Fatalf("Waiters() = %d", ec.Waiters())
		}
	})
}

// An armed Ticket whose select lost: Cancel passes NotifyOne on to the next
// parked waiter, and Commit on an armed Ticket waits on it.
func TestReadyLostSelectPassesOn(t *testing.T) {
	var ec eventcount.EventCount
	a := ec.Prepare()
	_ = ec.Ready(&a)
	b := ec.Prepare()
	bReady := ec.Ready(&b)
	ec.NotifyOne() // chooses a
	ec.Cancel(a)   // a's select took another case
	select {
	case <-bReady:
	default:
		t.Fatal("the NotifyOne of a cancelled armed Ticket was not passed on")
	}
	ec.Cancel(b)

	c := ec.Prepare()
	_ = ec.Ready(&c)
	done := testutil.Go(t, func() {
		for ec.Parked() == 0 {
			runtime.Gosched()
		}
		ec.NotifyOne()
	})
	if err := ec.Commit(bounded(t), c); err != nil {
		t.Fatalf("Commit of an armed Ticket = %v, want nil", err)
	}
	testutil.Recv(t, done, "the notifier")
	if ec.Waiters() != 0 {
		t.Fatalf("Waiters() = %d", ec.Waiters())
	}
	if err := ec.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// A NotifyN(2) that chose two armed Tickets, one of which is cancelled
// without receiving (its select took another case): the cancelled one's
// wake-up passes on to the third, so that two waiters are still woken.
func TestReadyLostSelectPassesOnNotifyN(t *testing.T) {
	var ec eventcount.EventCount
	tickets := make([]eventcount.Ticket, 3)
	ready := make([]<-chan struct{}, 3)
	for i := range tickets {
		tickets[i] = ec.Prepare()
		ready[i] = ec.Ready(&tickets[i])
	}
	ec.NotifyN(2)         // chooses the first two
	ec.Cancel(tickets[0]) // its select took another case
	for _, i := range []int{1, 2} {
		select {
		case <-ready[i]:
		default:
			t.Fatalf("Ticket %d not notified: NotifyN(2) chose 0 and 1, and 0's cancel passes its wake-up on to 2", i)
		}
		ec.Cancel(tickets[i])
	}
	if ec.Waiters() != 0 {
		t.Fatalf("Waiters() = %d", ec.Waiters())
	}
	if err := ec.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

func TestReadyForeignTicketPanics(t *testing.T) {
	var ec, other eventcount.EventCount
	tk := other.Prepare()
	wantPanic(t, "eventcount: Ticket not returned by this EventCount's Prepare", func() { ec.Ready(&tk) })
	other.Cancel(tk)
	wantWorks(t, &ec)
	wantWorks(t, &other)
}

func iterations(n int) int {
	if testing.Short() {
		return n / 10
	}
	return n
}

type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake() { w.n.Add(1) }

// Register arms the Ticket: a notification that reaches it wakes the Waker
// once; a Ticket already released wakes it at once; after Unregister,
// nothing does.
func TestTicketRegister(t *testing.T) {
	var ec eventcount.EventCount
	tk := ec.Prepare()
	var w countWaker
	tk.Register(&w)
	if w.n.Load() != 0 || ec.Parked() != 1 {
		t.Fatalf("Register: %d wakes, %d parked; want 0 and 1 (armed)", w.n.Load(), ec.Parked())
	}
	ec.NotifyOne()
	if w.n.Load() != 1 {
		t.Fatalf("one NotifyOne woke the registered Waker %d times, want 1", w.n.Load())
	}
	select {
	case <-ec.Ready(&tk):
	default:
		t.Fatal("the registered Ticket's channel is not ready after its Waker was woken")
	}
	ec.Cancel(tk)

	tk = ec.Prepare()
	ec.NotifyAll() // nobody parked: releases tk
	var w2 countWaker
	tk.Register(&w2)
	if w2.n.Load() != 1 {
		t.Fatal("Register on a released Ticket did not wake at once")
	}
	ec.Cancel(tk)

	tk = ec.Prepare()
	var w3 countWaker
	tk.Register(&w3)
	tk.Unregister()
	ec.NotifyOne()
	if w3.n.Load() != 0 {
		t.Fatal("an unregistered Waker was woken")
	}
	ec.Cancel(tk)
	if ec.Waiters() != 0 {
		t.Fatalf("Waiters() = %d", ec.Waiters())
	}
	if err := ec.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

func TestTicketRegisterMisuse(t *testing.T) {
	var ec eventcount.EventCount
	tk := ec.Prepare()
	wantPanic(t, "eventcount: Register with a nil Waker", func() { tk.Register(nil) })
	var zero eventcount.Ticket
	wantPanic(t, "eventcount: Ticket not returned by this EventCount's Prepare", func() { zero.Register(&countWaker{}) })
	zero.Unregister() // nothing to withdraw
	ec.Cancel(tk)     // tk was left unarmed by the panic
	wantWorks(t, &ec)
}
