package mpsc_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// TestSendWaitsForRoom: each value received lets exactly one blocked sender
// through, a batch lets as many through as it took, and every blocked value
// arrives.
func TestSendWaitsForRoom(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		s, r := mpsc.New[int](2)
		s.TrySend(0)
		s.TrySend(1)
		var errs [3]chan error
		for i := range errs {
			c := s.Clone()
			errs[i] = testutil.GoErr(func() error { return c.Send(ctx, 10+i) })
		}
		for i := range errs {
			testutil.Blocked(t, errs[i], "Send on a full channel")
		}
		if v, err := r.Recv(ctx); v != 0 || err != nil {
			t.Fatalf("Recv = %d, %v", v, err)
		}
		synctest.Wait()
		through := 0
		for i := range errs {
			select {
			case err := <-errs[i]:
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				through++
				errs[i] = nil
			default:
			}
		}
		if through != 1 {
			t.Fatalf("one Recv let %d blocked senders through, want 1", through)
		}
		buf := make([]int, 2)
		if n, err := r.RecvBatch(ctx, buf); n != 2 || err != nil || buf[0] != 1 {
			t.Fatalf("RecvBatch = %v, %v", buf[:n], err)
		}
		for i := range errs {
			if errs[i] != nil {
				if err := testutil.Unblocked(t, errs[i], "Send after RecvBatch made room"); err != nil {
					t.Fatalf("Send: %v", err)
				}
			}
		}
		seen := map[int]bool{buf[1]: true}
		for range 2 {
			v, err := r.Recv(ctx)
			if err != nil {
				t.Fatal(err)
			}
			seen[v] = true
		}
		if !seen[10] || !seen[11] || !seen[12] {
			t.Fatalf("received %v, want 10, 11 and 12", seen)
		}
	})
}

// TestSendTakesLastSlots: Send waits for a batch of free slots only while
// the receiver is taking values; with an idle receiver it takes the last free
// slot of a large channel at once instead of blocking.
func TestSendTakesLastSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		const capacity = 1024
		s, r := mpsc.New[int](capacity)
		for i := range capacity {
			if err := s.TrySend(i); err != nil {
				t.Fatalf("TrySend %d: %v", i, err)
			}
		}
		for i := range 2 {
			if v, err := r.Recv(ctx); v != i || err != nil {
				t.Fatalf("Recv = %d, %v", v, err)
			}
		}
		for i := range 2 {
			if err := testutil.Unblocked(t, testutil.GoErr(func() error { return s.Send(ctx, capacity+i) }), "Send with a free slot"); err != nil {
				t.Fatalf("Send: %v", err)
			}
		}
		full := testutil.GoErr(func() error { return s.Send(ctx, -1) })
		testutil.Blocked(t, full, "Send on a full channel")
		if v, err := r.Recv(ctx); v != 2 || err != nil {
			t.Fatalf("Recv = %d, %v", v, err)
		}
		if err := testutil.Unblocked(t, full, "Send after a Recv made room"); err != nil {
			t.Fatalf("Send: %v", err)
		}
		if n := r.Len(); n != capacity {
			t.Fatalf("Len = %d, want %d", n, capacity)
		}
	})
}

// TestSendCancelled: a Send blocked on a full channel returns the context's
// error when it ends, and its value is not in the channel.
func TestSendCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, r := mpsc.New[int](1)
		s.TrySend(1)
		ctx, cancel := context.WithCancel(timeout(t))
		errc := testutil.GoErr(func() error { return s.Send(ctx, 2) })
		testutil.Blocked(t, errc, "Send on a full channel")
		cancel()
		if err := testutil.Unblocked(t, errc, "cancelled Send"); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Send: %v", err)
		}
		dctx, dcancel := context.WithTimeout(context.Background(), time.Hour)
		defer dcancel()
		if err := s.Send(dctx, 3); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Send past its deadline: %v", err)
		}
		if r.Len() != 1 {
			t.Fatalf("Len = %d after cancelled sends, want 1", r.Len())
		}
		if v, err := r.TryRecv(); v != 1 || err != nil {
			t.Fatalf("TryRecv = %d, %v", v, err)
		}
		if _, err := r.TryRecv(); err != mpsc.ErrEmpty {
			t.Fatalf("a cancelled Send enqueued: %v", err)
		}
		// The cancelled waiters left nothing behind: a sender that now
		// blocks is woken by the next receive.
		s.TrySend(4)
		errc = testutil.GoErr(func() error { return s.Send(timeout(t), 5) })
		testutil.Blocked(t, errc, "Send on a full channel")
		r.TryRecv()
		if err := testutil.Unblocked(t, errc, "Send after a receive"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRecvCancelled: a Recv or RecvBatch blocked on an empty channel returns
// the context's error when it ends, and takes nothing.
func TestRecvCancelled(t *testing.T) {
	for _, c := range flavours {
		synctest.Test(t, func(t *testing.T) {
			s, r := newChan[int](c)
			ctx, cancel := context.WithCancel(timeout(t))
			errc := testutil.GoErr(func() error { _, err := r.Recv(ctx); return err })
			testutil.Blocked(t, errc, "Recv on an empty channel")
			cancel()
			if err := testutil.Unblocked(t, errc, "cancelled Recv"); !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled Recv: %v", err)
			}
			dctx, dcancel := context.WithTimeout(context.Background(), time.Minute)
			defer dcancel()
			if _, err := r.RecvBatch(dctx, make([]int, 3)); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("RecvBatch past its deadline: %v", err)
			}
			s.TrySend(7)
			if v, err := r.TryRecv(); v != 7 || err != nil {
				t.Fatalf("TryRecv after cancelled receives = %d, %v", v, err)
			}
			// And the next Recv is woken as usual.
			got := make(chan int, 1)
			go func() { v, _ := r.Recv(timeout(t)); got <- v }()
			testutil.Blocked(t, got, "Recv on an empty channel")
			s.TrySend(8)
			if v := testutil.Unblocked(t, got, "Recv after a send"); v != 8 {
				t.Fatalf("Recv = %d, want 8", v)
			}
		})
	}
}

// TestHandleCloseWakesItsSends: closing one handle fails the sends blocked
// on it with ErrClosed, and only those.
func TestHandleCloseWakesItsSends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		s, r := mpsc.New[int](1)
		s.TrySend(1)
		a := s.Clone()
		onA := testutil.GoErr(func() error { return a.Send(ctx, 2) })
		onS := testutil.GoErr(func() error { return s.Send(ctx, 3) })
		testutil.Blocked(t, onA, "Send on a full channel")
		a.Close()
		if err := testutil.Unblocked(t, onA, "Send on a handle being closed"); err != mpsc.ErrClosed {
			t.Fatalf("Send on the closed handle: %v, want ErrClosed", err)
		}
		testutil.Blocked(t, onS, "Send on another handle")
		if v, _ := r.Recv(ctx); v != 1 {
			t.Fatalf("Recv = %d", v)
		}
		if err := testutil.Unblocked(t, onS, "Send after a receive"); err != nil {
			t.Fatal(err)
		}
		if v, _ := r.Recv(ctx); v != 3 {
			t.Fatalf("Recv = %d, want 3 (2 was refused)", v)
		}
	})
}

// TestCloseWakesRecv: a blocked receiver stays blocked while any handle is
// open, and is woken by the last Close, or by its own Close from another
// goroutine.
func TestCloseWakesRecv(t *testing.T) {
	for _, c := range flavours {
		synctest.Test(t, func(t *testing.T) {
			s, r := newChan[int](c)
			a := s.Clone()
			errc := testutil.GoErr(func() error { _, err := r.Recv(timeout(t)); return err })
			testutil.Blocked(t, errc, "Recv on an empty channel")
			s.Close()
			testutil.Blocked(t, errc, "Recv with a handle still open")
			a.Close()
			if err := testutil.Unblocked(t, errc, "Recv after the last Close"); err != mpsc.ErrClosed {
				t.Fatalf("Recv: %v, want ErrClosed", err)
			}
		})
		synctest.Test(t, func(t *testing.T) {
			_, r := newChan[int](c)
			errc := testutil.GoErr(func() error { _, err := r.RecvBatch(timeout(t), make([]int, 2)); return err })
			testutil.Blocked(t, errc, "RecvBatch on an empty channel")
			r.Close()
			if err := testutil.Unblocked(t, errc, "RecvBatch after the receiver's Close"); err != mpsc.ErrClosed {
				t.Fatalf("RecvBatch: %v, want ErrClosed", err)
			}
		})
	}
}

// TestAllStopsOnCancel: All ends when its context does.
func TestAllStopsOnCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, r := mpsc.NewUnbounded[int]()
		s.TrySend(1)
		ctx, cancel := context.WithCancel(timeout(t))
		got := make(chan []int, 1)
		go func() {
			var vs []int
			for v := range r.All(ctx) {
				vs = append(vs, v)
			}
			got <- vs
		}()
		testutil.Blocked(t, got, "All on an open channel")
		s.TrySend(2)
		testutil.Blocked(t, got, "All on an open channel")
		cancel()
		if vs := testutil.Unblocked(t, got, "All after cancel"); len(vs) != 2 || vs[0] != 1 || vs[1] != 2 {
			t.Fatalf("All yielded %v, want [1 2]", vs)
		}
	})
}

// TestWaitAfterStream: a receiver that took a stream of values paces its
// polls when the channel runs dry (see Receiver.pace), and then still
// parks (synctest sees it durably blocked), is woken by the next send, and
// honours a cancelled context; with a batch receive as with a single one.
func TestWaitAfterStream(t *testing.T) {
	const stream = 16
	// 1024: large enough to pace (smaller bounded channels never do).
	for _, c := range append(flavours[:len(flavours):len(flavours)], 1024) {
		for _, batch := range []bool{false, true} {
			synctest.Test(t, func(t *testing.T) {
				s, r := newChan[int](c)
				buf := make([]int, stream)
				recv := func(ctx context.Context) (int, error) {
					if batch {
						n, err := r.RecvBatch(ctx, buf[:1])
						if n != 1 && err == nil {
							t.Errorf("RecvBatch took %d values into a buffer of 1", n)
						}
						return buf[0], err
					}
					return r.Recv(ctx)
				}
				runStream := func() {
					for i := range stream {
						if err := s.TrySend(i); err != nil {
							t.Fatal(err)
						}
						if v, err := recv(timeout(t)); v != i || err != nil {
							t.Fatalf("receive %d = %d, %v", i, v, err)
						}
					}
				}
				runStream()
				got := make(chan int, 1)
				go func() {
					v, err := recv(timeout(t))
					if err != nil {
						t.Errorf("receive after the stream: %v", err)
					}
					got <- v
				}()
				testutil.Blocked(t, got, "receive on a channel emptied by a stream")
				s.TrySend(stream)
				if v := testutil.Unblocked(t, got, "receive after a send"); v != stream {
					t.Fatalf("receive after the stream = %d, want %d", v, stream)
				}
				// A stream again, then a receive whose context ends.
				runStream()
				ctx, cancel := context.WithCancel(timeout(t))
				errc := testutil.GoErr(func() error { _, err := recv(ctx); return err })
				testutil.Blocked(t, errc, "receive on a channel emptied by a stream")
				cancel()
				if err := testutil.Unblocked(t, errc, "cancelled receive"); !errors.Is(err, context.Canceled) {
					t.Fatalf("cancelled receive after a stream: %v", err)
				}
			})
		}
	}
}
