package mpmc_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// TestRecvWakesInOrder: receivers parked on an empty channel are woken in
// the order they began to wait, one per value sent.
func TestRecvWakesInOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tx, rx := mpmc.New[int](8)
		var got [3]chan result
		for i := range got {
			r := rx.Clone()
			got[i] = goVal(func() (int, error) { return r.Recv(testutil.Context(t)) })
			testutil.Blocked(t, got[i], "Recv on an empty channel")
		}
		for i := range got {
			tx.TrySend(10 + i)
			if res := testutil.Unblocked(t, got[i], "the receiver that waited longest"); res.v != 10+i || res.err != nil {
				t.Fatalf("receiver %d = %d, %v", i, res.v, res.err)
			}
			for _, later := range got[i+1:] {
				testutil.Blocked(t, later, "a receiver that began to wait later")
			}
		}
	})
}

// TestSendWaitsForRoom: each value received lets exactly one blocked sender
// through, a batch lets as many through as it took, and every blocked value
// arrives.
func TestSendWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](2)
		tx.TrySend(0)
		tx.TrySend(1)
		var errs [3]chan error
		for i := range errs {
			s := tx.Clone()
			errs[i] = testutil.GoErr(func() error { return s.Send(ctx, 10+i) })
			testutil.Blocked(t, errs[i], "Send on a full channel")
		}
		if v, err := rx.Recv(ctx); v != 0 || err != nil {
			t.Fatalf("Recv = %d, %v", v, err)
		}
		if err := testutil.Unblocked(t, errs[0], "the sender that waited longest"); err != nil {
			t.Fatal(err)
		}
		testutil.Blocked(t, errs[1], "a second sender after one receive")
		buf := make([]int, 2)
		if n, err := rx.RecvBatch(ctx, buf); n != 2 || err != nil || buf[0] != 1 || buf[1] != 10 {
			t.Fatalf("RecvBatch = %v, %v", buf[:n], err)
		}
		for _, e := range errs[1:] {
			if err := testutil.Unblocked(t, e, "Send after RecvBatch made room"); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := rx.TryRecvBatch(buf); n != 2 || buf[0]+buf[1] != 23 || err != nil {
			t.Fatalf("TryRecvBatch = %v, %v", buf[:n], err)
		}
	})
}

// TestCancelLeavesNothing: a Send blocked on a full channel and a Recv
// blocked on an empty one return their context's error when it ends, take
// or leave nothing, and the next waiters are woken as usual.
func TestCancelLeavesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tx, rx := mpmc.New[int](1)
		tx.TrySend(1)
		ctx, cancel := context.WithCancel(testutil.Context(t))
		errc := testutil.GoErr(func() error { return tx.Send(ctx, 2) })
		testutil.Blocked(t, errc, "Send on a full channel")
		cancel()
		if err := testutil.Unblocked(t, errc, "cancelled Send"); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Send: %v", err)
		}
		dctx, dcancel := context.WithTimeout(context.Background(), time.Hour)
		defer dcancel()
		if err := tx.Send(dctx, 3); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send past its deadline: %v", err)
		}
		if v, err := rx.TryRecv(); v != 1 || err != nil {
			t.Fatalf("TryRecv = %d, %v", v, err)
		}
		if _, err := rx.TryRecv(); err != mpmc.ErrEmpty {
			t.Fatalf("a cancelled Send enqueued: %v", err)
		}

		ctx, cancel = context.WithCancel(testutil.Context(t))
		got := goVal(func() (int, error) { return rx.Recv(ctx) })
		testutil.Blocked(t, got, "Recv on an empty channel")
		cancel()
		if res := testutil.Unblocked(t, got, "cancelled Recv"); !errors.Is(res.err, context.Canceled) {
			t.Fatalf("cancelled Recv: %v", res.err)
		}
		if _, err := rx.RecvBatch(dctx, make([]int, 2)); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("RecvBatch past its deadline: %v", err)
		}
		// Nothing left behind: a receiver that waits now is woken by the
		// next send, and a sender by the next receive.
		got = goVal(func() (int, error) { return rx.Recv(testutil.Context(t)) })
		testutil.Blocked(t, got, "Recv on an empty channel")
		tx.TrySend(4)
		if res := testutil.Unblocked(t, got, "Recv after a send"); res.v != 4 {
			t.Fatalf("Recv = %d, want 4", res.v)
		}
		tx.TrySend(5)
		errc = testutil.GoErr(func() error { return tx.Send(testutil.Context(t), 6) })
		testutil.Blocked(t, errc, "Send on a full channel")
		rx.TryRecv()
		if err := testutil.Unblocked(t, errc, "Send after a receive"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCloseWakesEveryone: closing the channel while receivers (in Recv,
// RecvBatch and a select on Ready) and senders are parked wakes them all;
// the receivers still get the values sent before the close.
func TestCloseWakesEveryone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		// Receivers on an empty channel, closed by its senders.
		tx, rx := mpmc.New[int](1)
		r2, r3 := rx.Clone(), rx.Clone()
		a := goVal(func() (int, error) { return rx.Recv(ctx) })
		b := testutil.GoErr(func() error { _, err := r2.RecvBatch(ctx, make([]int, 2)); return err })
		c := testutil.GoErr(func() error {
			select {
			case <-r3.Ready():
				_, err := r3.TryRecv()
				return err
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		testutil.Blocked(t, a, "Recv")
		testutil.Blocked(t, b, "RecvBatch")
		testutil.Blocked(t, c, "a select on Ready")
		tx.Close()
		if res := testutil.Unblocked(t, a, "Recv after Close"); res.err != mpmc.ErrClosed {
			t.Fatalf("Recv: %v", res.err)
		}
		for _, e := range []chan error{b, c} {
			if err := testutil.Unblocked(t, e, "a receiver after Close"); err != mpmc.ErrClosed {
				t.Fatalf("receiver: %v", err)
			}
		}

		// Senders on a full channel, closed by its receivers.
		tx, rx = mpmc.New[int](1)
		tx.TrySend(1)
		s2 := tx.Clone()
		e1 := testutil.GoErr(func() error { return tx.Send(ctx, 2) })
		e2 := testutil.GoErr(func() error { return s2.Send(ctx, 3) })
		testutil.Blocked(t, e1, "Send on a full channel")
		testutil.Blocked(t, e2, "Send on a full channel")
		rx.Close()
		for _, e := range []chan error{e1, e2} {
			if err := testutil.Unblocked(t, e, "Send after the receivers hung up"); err != mpmc.ErrClosed {
				t.Fatalf("Send: %v", err)
			}
		}
	})
}

// TestHandleCloseWakesItsCalls: closing one handle fails the calls blocked
// on it with ErrClosed; the calls blocked on other handles keep waiting.
func TestHandleCloseWakesItsCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](1)
		r2 := rx.Clone()
		onR := goVal(func() (int, error) { return rx.Recv(ctx) })
		onR2 := goVal(func() (int, error) { return r2.Recv(ctx) })
		testutil.Blocked(t, onR, "Recv")
		testutil.Blocked(t, onR2, "Recv")
		rx.Close()
		if res := testutil.Unblocked(t, onR, "Recv on a handle being closed"); res.err != mpmc.ErrClosed {
			t.Fatalf("Recv on the closed handle: %v", res.err)
		}
		testutil.Blocked(t, onR2, "Recv on another handle")
		tx.TrySend(7)
		if res := testutil.Unblocked(t, onR2, "Recv after a send"); res.v != 7 || res.err != nil {
			t.Fatalf("Recv = %d, %v", res.v, res.err)
		}

		tx.TrySend(1)
		s2 := tx.Clone()
		onS := testutil.GoErr(func() error { return tx.Send(ctx, 2) })
		onS2 := testutil.GoErr(func() error { return s2.Send(ctx, 3) })
		testutil.Blocked(t, onS, "Send on a full channel")
		testutil.Blocked(t, onS2, "Send on a full channel")
		tx.Close()
		if err := testutil.Unblocked(t, onS, "Send on a handle being closed"); err != mpmc.ErrClosed {
			t.Fatalf("Send on the closed handle: %v", err)
		}
		testutil.Blocked(t, onS2, "Send on another handle")
		if v, _ := r2.Recv(ctx); v != 1 {
			t.Fatalf("Recv = %d", v)
		}
		if err := testutil.Unblocked(t, onS2, "Send after a receive"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestHandOffSkipsTheRing: a Send or TrySend that finds receivers parked in
// Recv or RecvBatch and the ring empty gives its value to the one that
// waited longest, without the ring: no receiver takes a value from it.
func TestHandOffSkipsTheRing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](4)
		var got [3]chan result
		for i := range got {
			r := rx.Clone()
			if i == 1 {
				got[i] = goVal(func() (int, error) {
					buf := make([]int, 4)
					n, err := r.RecvBatch(ctx, buf)
					if n != 1 {
						t.Errorf("RecvBatch handed a value returned %d values", n)
					}
					return buf[0], err
				})
			} else {
				got[i] = goVal(func() (int, error) { return r.Recv(ctx) })
			}
			testutil.Blocked(t, got[i], "a receive on an empty channel")
		}
		for i := range got {
			var err error
			if i == 2 {
				err = tx.TrySend(10 + i)
			} else {
				err = tx.Send(ctx, 10+i)
			}
			if err != nil {
				t.Fatalf("send %d: %v", i, err)
			}
			if res := testutil.Unblocked(t, got[i], "the receiver that waited longest"); res != (result{10 + i, nil}) {
				t.Fatalf("receiver %d = %+v, want %d", i, res, 10+i)
			}
		}
		if n := mpmc.Released(rx); n != 0 {
			t.Fatalf("receivers took %d values from the ring, want 0: every value was handed", n)
		}
	})
}

// TestNoHandOffPastAValue: a send that finds a receiver parked while a
// value another send enqueued is still in the ring (its wake-up not yet
// made) does not hand its own value over: it would jump the one before.
func TestNoHandOffPastAValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](4)
		got := goVal(func() (int, error) { return rx.Recv(ctx) })
		testutil.Blocked(t, got, "Recv on an empty channel")
		mpmc.EnqueueQuietly(tx, 1)
		if err := tx.Send(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if res := testutil.Unblocked(t, got, "the parked receiver"); res != (result{1, nil}) {
			t.Fatalf("the parked receiver got %+v, want 1, the value sent first", res)
		}
		if v, err := rx.Recv(ctx); v != 2 || err != nil {
			t.Fatalf("the next Recv = %d, %v; want 2", v, err)
		}
	})
}

// TestNoHandOffAfterClose: a send that finds the channel closed reports
// ErrClosed, even with a receiver parked that the close has not woken yet.
func TestNoHandOffAfterClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](4)
		rctx, cancel := context.WithCancel(ctx)
		got := goVal(func() (int, error) { return rx.Recv(rctx) })
		testutil.Blocked(t, got, "Recv on an empty channel")
		mpmc.CloseRingQuietly(tx)
		if err := tx.TrySend(1); !errors.Is(err, mpmc.ErrClosed) {
			t.Fatalf("TrySend on a closed channel = %v, want ErrClosed", err)
		}
		if err := tx.Send(ctx, 1); !errors.Is(err, mpmc.ErrClosed) {
			t.Fatalf("Send on a closed channel = %v, want ErrClosed", err)
		}
		testutil.Blocked(t, got, "a receiver that nobody woke")
		cancel() // its last look finds the channel closed and empty
		if res := testutil.Unblocked(t, got, "the cancelled receiver"); !errors.Is(res.err, mpmc.ErrClosed) {
			t.Fatalf("Recv = %+v, want ErrClosed: no value was handed", res)
		}
	})
}
