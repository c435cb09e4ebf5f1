// The race detector allocates on its own account, so allocation counts are
// only meaningful without it.

//go:build !race

package eventcount_test

import (
	"runtime"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// Arming a Ticket with Ready, and the NotifyOne that wakes it, allocate
// nothing once the EventCount has a record to reuse: whether the select
// receives, or loses and the Cancel passes the notification on.
func TestAllocsReady(t *testing.T) {
	var ec eventcount.EventCount
	received := func() {
		tk := ec.Prepare()
		ch := ec.Ready(&tk)
		ec.NotifyOne()
		<-ch
		ec.Cancel(tk)
	}
	lost := func() {
		a, b := ec.Prepare(), ec.Prepare()
		_, ch := ec.Ready(&a), ec.Ready(&b)
		ec.NotifyOne()
		ec.Cancel(a) // passes it on to b
		<-ch
		ec.Cancel(b)
	}
	var w countWaker
	registered := func() {
		tk := ec.Prepare()
		tk.Register(&w)
		ec.NotifyOne()
		<-ec.Ready(&tk)
		ec.Cancel(tk)
	}
	for name, f := range map[string]func(){"received": received, "lost select": lost, "registered": registered} {
		f()
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("Ready, %s: %v allocs, want 0", name, n)
		}
	}
}

// A hand-off round trip allocates nothing once the EventCount has a record
// to reuse: a partner parks in CommitHand with a hand of its own, and each
// round hands it a value with NotifyHand, which it sends back.
func TestAllocsHand(t *testing.T) {
	var ec eventcount.EventCount
	expired, stop := testutil.Deadline()
	defer stop()
	answer := make(chan int, 1)
	partner := testutil.Go(t, func() {
		h := new(handSlot)
		for {
			handed, err := ec.CommitHand(t.Context(), ec.Prepare(), h)
			if err != nil || !handed || h.v < 0 {
				return
			}
			answer <- h.v
		}
	})
	// hand gives v to the partner once it is parked again.
	hand := func(v int) {
		for !ec.NotifyHand(func(h any) { h.(*handSlot).v = v }) {
			select {
			case <-expired:
				t.Fatal("the partner did not park again")
			default:
				runtime.Gosched()
			}
		}
	}
	v := 0
	round := func() {
		v++
		hand(v)
		if got := <-answer; got != v {
			t.Fatalf("the partner was handed %d, want %d", got, v)
		}
	}
	for range 100 { // warm up: the records are made
		round()
	}
	if n := testing.AllocsPerRun(1000, round); n != 0 {
		t.Errorf("hand-off round trip: %v allocs, want 0", n)
	}
	hand(-1)
	testutil.Recv(t, partner, "the partner to stop")
}
