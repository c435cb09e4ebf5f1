package mpmc_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// TestMisusePanics: each misuse panics with an "mpmc: " message before it
// changes anything, and the channel works afterwards.
func TestMisusePanics(t *testing.T) {
	mustPanic(t, "New(0)", func() { mpmc.New[int](0) })
	mustPanic(t, "New(-1)", func() { mpmc.New[int](-1) })
	mustPanic(t, "New(2^40+1)", func() { mpmc.New[int](1<<40 + 1) })

	var zs mpmc.Sender[int]
	var zr mpmc.Receiver[int]
	for name, f := range map[string]func(){
		"zero Sender.Send":           func() { zs.Send(testutil.Context(t), 1) },
		"zero Sender.TrySend":        func() { zs.TrySend(1) },
		"zero Sender.Clone":          func() { zs.Clone() },
		"zero Sender.Close":          func() { zs.Close() },
		"zero Sender.Done":           func() { zs.Done() },
		"zero Receiver.Recv":         func() { zr.Recv(testutil.Context(t)) },
		"zero Receiver.TryRecv":      func() { zr.TryRecv() },
		"zero Receiver.RecvBatch":    func() { zr.RecvBatch(testutil.Context(t), make([]int, 1)) },
		"zero Receiver.TryRecvBatch": func() { zr.TryRecvBatch(make([]int, 1)) },
		"zero Receiver.All":          func() { zr.All(testutil.Context(t)) },
		"zero Receiver.Ready":        func() { zr.Ready() },
		"zero Receiver.Clone":        func() { zr.Clone() },
		"zero Receiver.Close":        func() { zr.Close() },
		"zero Receiver.Len":          func() { zr.Len() },
		"zero Receiver.Cap":          func() { zr.Cap() },
	} {
		mustPanic(t, name, f)
	}

	tx, rx := mpmc.New[int](2)
	var nilCtx context.Context
	mustPanic(t, "Send(nil ctx)", func() { tx.Send(nilCtx, 1) })
	mustPanic(t, "Recv(nil ctx)", func() { rx.Recv(nilCtx) })
	mustPanic(t, "RecvBatch(nil ctx)", func() { rx.RecvBatch(nilCtx, make([]int, 1)) })
	mustPanic(t, "All(nil ctx)", func() { rx.All(nilCtx) })
	if rx.Len() != 0 {
		t.Fatalf("a Send with a nil ctx enqueued: Len = %d", rx.Len())
	}

	// Handles used after their own Close; the channel stays open through
	// the other handles.
	ct, cr := tx.Clone(), rx.Clone()
	ct.Close()
	cr.Close()
	for name, f := range map[string]func(){
		"Send on a closed handle":         func() { ct.Send(testutil.Context(t), 1) },
		"TrySend on a closed handle":      func() { ct.TrySend(1) },
		"Clone of a closed Sender":        func() { ct.Clone() },
		"Recv on a closed handle":         func() { cr.Recv(testutil.Context(t)) },
		"TryRecv on a closed handle":      func() { cr.TryRecv() },
		"RecvBatch on a closed handle":    func() { cr.RecvBatch(testutil.Context(t), make([]int, 1)) },
		"TryRecvBatch on a closed handle": func() { cr.TryRecvBatch(make([]int, 1)) },
		"All on a closed handle":          func() { cr.All(testutil.Context(t)) },
		"Ready on a closed handle":        func() { cr.Ready() },
		"Clone of a closed Receiver":      func() { cr.Clone() },
	} {
		mustPanic(t, name, f)
	}
	ct.Close() // idempotent
	cr.Close()
	_ = ct.Done()
	_, _ = cr.Len(), cr.Cap()

	// Everything still works: nothing was enqueued, counted or armed.
	select {
	case <-tx.Done():
		t.Fatal("the channel closed")
	default:
	}
	if err := tx.TrySend(7); err != nil {
		t.Fatalf("TrySend after the panics: %v", err)
	}
	if v, err := rx.Recv(testutil.Context(t)); v != 7 || err != nil {
		t.Fatalf("Recv after the panics = %d, %v", v, err)
	}
	tx.Close()
	if _, err := rx.Recv(testutil.Context(t)); err != mpmc.ErrClosed {
		t.Fatalf("Recv after the last Sender.Close: %v", err)
	}
}

// TestMisuseMessages: a misuse panic names the handle's type, and for a
// closed handle the call, as in "mpmc: Sender.Send on a closed handle".
func TestMisuseMessages(t *testing.T) {
	tx, rx := mpmc.New[int](1)
	ct, cr := tx.Clone(), rx.Clone()
	ct.Close()
	cr.Close()
	var zs mpmc.Sender[int]
	var zr mpmc.Receiver[int]
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"mpmc: Sender.Send on a closed handle", func() { ct.Send(testutil.Context(t), 1) }},
		{"mpmc: Sender.TrySend on a closed handle", func() { ct.TrySend(1) }},
		{"mpmc: Receiver.TryRecv on a closed handle", func() { cr.TryRecv() }},
		{"mpmc: Receiver.Ready on a closed handle", func() { cr.Ready() }},
		{"mpmc: Sender not made by New or Clone", func() { zs.Close() }},
		{"mpmc: Receiver not made by New or Clone", func() { zr.Len() }},
	} {
		got := func() (r any) {
			defer func() { r = recover() }()
			c.f()
			return nil
		}()
		if got != c.want {
			t.Errorf("panicked with %v, want %q", got, c.want)
		}
	}
	tx.Close()
	rx.Close()
}

// TestTrySendFull: TrySend reports ErrFull at exactly Cap values, for
// capacities that are not a power of two too, and a failed TrySend did not
// enqueue.
func TestTrySendFull(t *testing.T) {
	for _, c := range []int{1, 2, 3, 5, 100} {
		tx, rx := mpmc.New[int](c)
		for i := range c {
			if err := tx.TrySend(i); err != nil {
				t.Fatalf("cap %d: TrySend %d: %v", c, i, err)
			}
		}
		if err := tx.TrySend(-1); err != mpmc.ErrFull {
			t.Fatalf("cap %d: TrySend on a full channel: %v", c, err)
		}
		buf := make([]int, c+1)
		if n, err := rx.TryRecvBatch(buf); n != c || err != nil || buf[c-1] != c-1 {
			t.Fatalf("cap %d: TryRecvBatch = %v, %v", c, buf[:n], err)
		}
		if n, err := rx.TryRecvBatch(buf); n != 0 || err != mpmc.ErrEmpty {
			t.Fatalf("cap %d: TryRecvBatch on empty = %d, %v", c, n, err)
		}
		if n, err := rx.TryRecvBatch(nil); n != 0 || err != nil {
			t.Fatalf("TryRecvBatch(nil) = %d, %v", n, err)
		}
		if n, err := rx.RecvBatch(testutil.Context(t), nil); n != 0 || err != nil {
			t.Fatalf("RecvBatch(nil) = %d, %v", n, err)
		}
	}
}

// TestReady: Ready is ready at once while a value is there or the channel is
// closed, blocks otherwise, becomes ready at the next send, and every handle
// armed at that send is woken.
func TestReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tx, rx := mpmc.New[int](4)
		tx.TrySend(1)
		select {
		case <-rx.Ready():
		default:
			t.Fatal("Ready with a value there is not ready")
		}
		rx.TryRecv()

		// Three handles wait in a select each; one send wakes all three.
		woken := make(chan int, 3)
		var hs [3]*mpmc.Receiver[int]
		for i := range hs {
			hs[i] = rx.Clone()
			go func() {
				select {
				case <-hs[i].Ready():
					woken <- i
				case <-testutil.Context(t).Done():
				}
			}()
		}
		testutil.Blocked(t, woken, "select on Ready of an empty channel")
		tx.TrySend(2)
		synctest.Wait()
		if len(woken) != 3 {
			t.Fatalf("one send woke %d of 3 armed handles", len(woken))
		}
		if v, err := hs[0].TryRecv(); v != 2 || err != nil {
			t.Fatalf("TryRecv after Ready = %d, %v", v, err)
		}
		for _, h := range hs[1:] {
			if _, err := h.TryRecv(); err != mpmc.ErrEmpty {
				t.Fatalf("second TryRecv: %v, want ErrEmpty (a spurious wake-up)", err)
			}
		}

		// A handle armed and then abandoned costs nothing and leaves no
		// stale readiness: the next Ready on an empty channel blocks.
		_ = hs[1].Ready()
		tx.TrySend(3)
		hs[2].TryRecv()
		ch := hs[1].Ready()
		got := make(chan struct{}, 1)
		go func() {
			select {
			case <-ch:
				got <- struct{}{}
			case <-testutil.Context(t).Done():
			}
		}()
		testutil.Blocked(t, got, "Ready after the value that woke it was taken")

		// Closing wakes an armed handle.
		tx.Close()
		testutil.Unblocked(t, got, "Ready after Close")
		for _, h := range hs {
			h.Close()
		}
	})
}

// TestReadyNoLostWakeup: a value sent at any moment after TryRecv reported
// empty makes the next Ready's channel ready, with senders and other
// receivers racing.
func TestReadyNoLostWakeup(t *testing.T) {
	tx, rx := mpmc.New[int](8)
	ctx := testutil.Context(t)
	const n = 2000
	go func() {
		for i := range n {
			if err := tx.Send(ctx, i); err != nil {
				return
			}
		}
		tx.Close()
	}()
	got := 0
	for {
		_, err := rx.TryRecv()
		if err == nil {
			got++
			continue
		}
		if err == mpmc.ErrClosed {
			break
		}
		select {
		case <-rx.Ready():
		case <-ctx.Done():
			t.Fatalf("Ready never became ready after %d values", got)
		}
	}
	if got != n {
		t.Fatalf("received %d values, want %d", got, n)
	}
}

// TestDone: Done is closed by the last Sender.Close and by the last
// Receiver.Close, not before.
func TestDone(t *testing.T) {
	for _, side := range []string{"senders", "receivers"} {
		tx, rx := mpmc.New[int](1)
		tx2, rx2 := tx.Clone(), rx.Clone()
		first, last := func() { tx.Close() }, func() { tx2.Close() }
		if side == "receivers" {
			first, last = func() { rx.Close() }, func() { rx2.Close() }
		}
		first()
		select {
		case <-tx.Done():
			t.Fatalf("%s: Done closed with a handle still open", side)
		default:
		}
		last()
		select {
		case <-tx.Done():
		default:
			t.Fatalf("%s: Done not closed after the last Close", side)
		}
	}
}

// TestCancelledRecvPassesOn: a receiver chosen to be woken for a value whose
// context ends passes the wake-up on: the other waiting receiver gets the
// value.
func TestCancelledRecvPassesOn(t *testing.T) {
	for range 200 {
		synctest.Test(t, func(t *testing.T) {
			tx, rx := mpmc.New[int](4)
			r2 := rx.Clone()
			ctx, cancel := context.WithCancel(testutil.Context(t))
			first := goVal(func() (int, error) { return rx.Recv(ctx) })
			testutil.Blocked(t, first, "Recv on an empty channel")
			second := goVal(func() (int, error) { return r2.Recv(testutil.Context(t)) })
			testutil.Blocked(t, second, "Recv on an empty channel")
			// The send chooses the first waiter; its ctx ends at the same
			// time.
			tx.TrySend(1)
			cancel()
			synctest.Wait()
			a := testutil.Unblocked(t, first, "the cancelled receiver")
			if a.err == nil {
				if a.v != 1 {
					t.Fatalf("first receiver got %d", a.v)
				}
				testutil.Blocked(t, second, "the other receiver, with the value taken")
				tx.Close()
				testutil.Unblocked(t, second, "the other receiver, after Close")
				return
			}
			if !errors.Is(a.err, context.Canceled) {
				t.Fatalf("first receiver: %v", a.err)
			}
			if b := testutil.Unblocked(t, second, "the receiver the wake-up was passed to"); b.v != 1 || b.err != nil {
				t.Fatalf("second receiver = %d, %v", b.v, b.err)
			}
		})
	}
}
