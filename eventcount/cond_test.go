package eventcount_test

// The semantics of Go's own sync/cond_test.go (TestCondSignal,
// TestCondSignalGenerations, TestCondBroadcast, TestCondSignalStealing),
// held by EventCount. Where a sync.Cond test learns that a goroutine is in
// Wait by taking the mutex it released, these learn it from Prepare (for
// NotifyAll, which reaches every prepared waiter) or from synctest.Wait
// (for NotifyOne, which is FIFO among parked waiters).

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// commit is Commit with a context bounded by testutil.Timeout, failing the
// test if it gives up (a lost wake-up) or fails otherwise.
func commit(t testing.TB, ec *eventcount.EventCount, tk eventcount.Ticket) {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	defer cancel()
	if err := ec.Commit(ctx, tk); err != nil {
		t.Errorf("Commit = %v: the waiter was not woken", err)
	}
}

func assertNone[T any](t *testing.T, ch <-chan T, msg string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("%s (received %v)", msg, v)
	default:
	}
}

func TestSignal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		n := 2
		running := make(chan bool, n)
		awake := make(chan bool, n)
		for range n {
			go func() {
				tk := ec.Prepare()
				running <- true
				commit(t, &ec, tk)
				awake <- true
			}()
		}
		for range n {
			<-running
		}
		synctest.Wait() // everyone is parked in Commit
		for ; n > 0; n-- {
			assertNone(t, awake, "goroutine not asleep")
			ec.NotifyOne()
			<-awake // synctest reports a deadlock if nobody wakes
			synctest.Wait()
			assertNone(t, awake, "too many goroutines awake")
		}
		ec.NotifyOne()
		if w := ec.Waiters(); w != 0 {
			t.Fatalf("Waiters() = %d after every waiter was woken", w)
		}
	})
}

func TestSignalGenerations(t *testing.T) {
	var ec eventcount.EventCount
	n := 100
	running := make(chan bool, n)
	awake := make(chan int, n)
	for i := range n {
		go func(i int) {
			tk := ec.Prepare()
			running <- true
			commit(t, &ec, tk)
			awake <- i
		}(i)
		if i > 0 {
			if a := testutil.Recv(t, awake, "the previous waiter to wake"); a != i-1 {
				t.Fatalf("wrong goroutine woke up: want %d, got %d", i-1, a)
			}
		}
		testutil.Recv(t, running, "a waiter to prepare")
		ec.NotifyOne()
	}
	if a := testutil.Recv(t, awake, "the last waiter to wake"); a != n-1 {
		t.Fatalf("wrong goroutine woke up: want %d, got %d", n-1, a)
	}
}

// TestSignalFIFO is the strong form of TestSignalGenerations: 100 waiters
// parked at once, in a known order, are woken one by one in that order.
func TestSignalFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		const n = 100
		awake := parkInOrder(t, &ec, n)
		if p := ec.Parked(); p != n {
			t.Fatalf("Parked() = %d, want %d", p, n)
		}
		for i := range n {
			ec.NotifyOne()
			synctest.Wait()
			if a := <-awake; a != i {
				t.Fatalf("wrong goroutine woke up: want %d, got %d", i, a)
			}
			assertNone(t, awake, "too many goroutines awake")
		}
	})
}

// parkInOrder starts n waiters on ec, each parked before the next starts,
// and returns the channel on which waiter i sends i once woken. It must run
// in a synctest bubble.
func parkInOrder(t *testing.T, ec *eventcount.EventCount, n int) <-chan int {
	awake := make(chan int, n)
	for i := range n {
		go func() {
			commit(t, ec, ec.Prepare())
			awake <- i
		}()
		synctest.Wait() // waiter i is parked before waiter i+1 starts
	}
	return awake
}

// TestNotifyNFIFO: NotifyN(k) wakes the k waiters parked longest, in one
// call, and no other; NotifyN(0) and NotifyN(-1) wake nobody; a NotifyN
// that finds fewer than k parked wakes them all and releases a waiter that
// prepared but did not park yet, as k calls of NotifyOne would.
func TestNotifyNFIFO(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ec eventcount.EventCount
		const n = 10
		awake := parkInOrder(t, &ec, n)
		next := 0
		for _, k := range []int{0, 3, -1, 1, 4} {
			ec.NotifyN(k)
			synctest.Wait()
			next = wokeNext(t, awake, max(k, 0), next, fmt.Sprintf("NotifyN(%d)", k))
			assertNone(t, awake, fmt.Sprintf("NotifyN(%d) woke more than %d", k, max(k, 0)))
			if p := ec.Parked(); p != n-next {
				t.Fatalf("after NotifyN(%d): Parked() = %d, want %d", k, p, n-next)
			}
		}
		// Two still parked, and one prepared that has not parked: three
		// NotifyOnes would wake the two and release the third.
		tk := ec.Prepare()
		ec.NotifyN(3)
		synctest.Wait()
		wokeNext(t, awake, 2, next, "NotifyN(3)")
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := ec.Commit(ctx, tk); err != nil {
			t.Fatalf("Commit of a waiter prepared before NotifyN(3) found it short = %v, want nil (released)", err)
		}
		if w := ec.Waiters(); w != 0 {
			t.Fatalf("Waiters() = %d after every waiter was woken, want 0", w)
		}
	})
}

// wokeNext checks that the k waiters from next on, and only they, sent on
// awake (in any order: the ones woken together run in any order), and
// returns next+k.
func wokeNext(t *testing.T, awake <-chan int, k, next int, call string) int {
	t.Helper()
	var got []int
	for range k {
		got = append(got, <-awake)
	}
	slices.Sort(got)
	for i, a := range got {
		if a != next+i {
			t.Fatalf("%s woke waiters %v, want %d from %d on", call, got, k, next)
		}
	}
	return next + k
}

func TestBroadcast(t *testing.T) {
	var ec eventcount.EventCount
	n := 200
	if testing.Short() {
		n = 50
	}
	running := make(chan int, n)
	awake := make(chan int, n)
	var exit atomic.Bool
	for i := range n {
		go func(g int) {
			for !exit.Load() {
				tk := ec.Prepare()
				running <- g
				commit(t, &ec, tk)
				awake <- g
			}
		}(i)
	}
	for i := range n {
		for range n {
			testutil.Recv(t, running, "every waiter to prepare")
		}
		if i == n-1 {
			exit.Store(true)
		}
		assertNone(t, awake, "goroutine not asleep")
		ec.NotifyAll()
		seen := make([]bool, n)
		for range n {
			g := testutil.Recv(t, awake, "every prepared waiter to wake")
			if seen[g] {
				t.Fatal("goroutine woke up twice")
			}
			seen[g] = true
		}
	}
	assertNone(t, running, "goroutine did not exit")
	if w := ec.Waiters(); w != 0 {
		t.Fatalf("Waiters() = %d after the last broadcast", w)
	}
}

// TestSignalStealing: a waiter that prepared before a notification must get
// it, even if a new waiter arrives at the same time.
func TestSignalStealing(t *testing.T) {
	for range 1000 {
		var ec eventcount.EventCount
		ch := make(chan struct{})
		go func() {
			tk := ec.Prepare()
			ch <- struct{}{}
			commit(t, &ec, tk)
			ch <- struct{}{}
		}()
		testutil.Recv(t, ch, "the first waiter to prepare")

		// The first waiter has prepared, so the NotifyAll must reach it;
		// the second waiter may or may not get it.
		var done atomic.Bool
		go ec.NotifyAll()
		ctx := bounded(t)
		second := testutil.Go(t, func() {
			if err := ec.Wait(ctx, done.Load); err != nil {
				t.Errorf("second Wait = %v: not woken by the last NotifyAll", err)
			}
		})

		testutil.Recv(t, ch, "the first waiter to be notified")

		// Release the second waiter in case it missed the broadcast.
		done.Store(true)
		ec.NotifyAll()
		testutil.Recv(t, second, "the second waiter to return")
	}
}

// TestSignalStealingOne: a NotifyOne goes to the longest-parked waiter, not
// to one arriving at the same time.
func TestSignalStealingOne(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		for range 200 {
			var ec eventcount.EventCount
			first := make(chan struct{})
			go func() {
				commit(t, &ec, ec.Prepare())
				close(first)
			}()
			synctest.Wait() // the first waiter is parked

			var done atomic.Bool
			go ec.NotifyOne()
			second := make(chan struct{})
			ctx := bounded(t)
			go func() {
				if err := ec.Wait(ctx, done.Load); err != nil {
					t.Errorf("second Wait = %v: not woken by the last NotifyAll", err)
				}
				close(second)
			}()
			<-first // synctest reports a deadlock if the notification was stolen
			done.Store(true)
			ec.NotifyAll()
			<-second
		}
	})
}
