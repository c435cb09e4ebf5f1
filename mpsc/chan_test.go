package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/mpsc"
)

// TestChan ports the semantics of TestChan in Go's runtime/chan_test.go to
// this package, for capacities 1..199 and for the unbounded channel. Where
// the original sleeps and hopes, "blocks" is established with synctest.
func TestChan(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	n := 200
	if testing.Short() {
		n = 20
	}
	caps := []int{unbounded}
	for c := 1; c < n; c++ {
		caps = append(caps, c)
	}
	for _, c := range caps {
		t.Run(fmt.Sprintf("cap=%d", c), func(t *testing.T) { testChan(t, c) })
	}
}

func testChan(t *testing.T, capacity int) {
	ctx := timeout(t)
	fill := capacity // values sent up front: the capacity, or a few for unbounded
	if capacity == unbounded {
		fill = 3
	}

	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		// Receive from an empty channel blocks; the non-blocking receive
		// does not.
		s, r := newChan[int](capacity)
		if _, err := r.TryRecv(); err != mpsc.ErrEmpty {
			t.Fatalf("TryRecv on empty channel: %v, want ErrEmpty", err)
		}
		got := make(chan int)
		go func() {
			v, err := r.Recv(ctx)
			if err != nil {
				t.Errorf("Recv: %v", err)
			}
			buf := make([]int, 2)
			n, err := r.RecvBatch(ctx, buf)
			if err != nil || n != 1 {
				t.Errorf("RecvBatch = %d, %v; want 1, nil", n, err)
			}
			got <- v + buf[0]
		}()
		synctest.Wait()
		select {
		case <-got:
			t.Fatal("Recv returned from an empty channel")
		default:
		}
		if err := s.Send(ctx, 3); err != nil {
			t.Fatal(err)
		}
		synctest.Wait() // Recv took 3; RecvBatch blocks now
		select {
		case <-got:
			t.Fatal("RecvBatch returned from an empty channel")
		default:
		}
		if err := s.TrySend(4); err != nil {
			t.Fatal(err)
		}
		if v := <-got; v != 7 {
			t.Fatalf("received %d in all, want 7", v)
		}
	})

	if capacity != unbounded {
		synctest.Test(t, func(t *testing.T) {
			ctx := timeout(t)
			// Send to a full channel blocks; the non-blocking send does
			// not.
			s, r := newChan[int](capacity)
			for i := range capacity {
				if err := s.TrySend(i); err != nil {
					t.Fatalf("TrySend %d: %v", i, err)
				}
			}
			sent := make(chan error)
			go func() { sent <- s.Send(ctx, capacity) }()
			synctest.Wait()
			select {
			case <-sent:
				t.Fatal("Send to a full channel returned")
			default:
			}
			if err := s.TrySend(-1); err != mpsc.ErrFull {
				t.Fatalf("TrySend on full channel: %v, want ErrFull", err)
			}
			if v, err := r.Recv(ctx); err != nil || v != 0 {
				t.Fatalf("Recv = %d, %v", v, err)
			}
			if err := <-sent; err != nil {
				t.Fatalf("blocked Send: %v", err)
			}
			for i := 1; i <= capacity; i++ { // the blocked value came last
				if v, err := r.Recv(ctx); err != nil || v != i {
					t.Fatalf("Recv = %d, %v; want %d", v, err, i)
				}
			}
		})
	} else {
		// An unbounded channel never blocks a sender.
		s, r := newChan[int](capacity)
		for i := range 3000 {
			if err := s.TrySend(i); err != nil {
				t.Fatalf("TrySend %d: %v", i, err)
			}
		}
		if r.Len() != 3000 {
			t.Fatalf("Len = %d, want 3000", r.Len())
		}
	}

	{
		// Close drains the buffered values, then reports closed, again and
		// again.
		s, r := newChan[int](capacity)
		for i := range fill {
			if err := s.Send(ctx, i); err != nil {
				t.Fatal(err)
			}
		}
		s.Close()
		for i := range fill {
			if v, err := r.Recv(ctx); err != nil || v != i {
				t.Fatalf("Recv = %d, %v; want %d", v, err, i)
			}
		}
		for range 2 {
			if v, err := r.Recv(ctx); err != mpsc.ErrClosed || v != 0 {
				t.Fatalf("Recv on closed drained channel = %d, %v", v, err)
			}
			if v, err := r.TryRecv(); err != mpsc.ErrClosed || v != 0 {
				t.Fatalf("TryRecv on closed drained channel = %d, %v", v, err)
			}
		}
	}

	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		// Close wakes a blocked receiver.
		s, r := newChan[int](capacity)
		done := make(chan error)
		go func() {
			_, err := r.Recv(ctx)
			done <- err
		}()
		synctest.Wait()
		s.Close()
		if err := <-done; err != mpsc.ErrClosed {
			t.Fatalf("Recv woken by Close: %v, want ErrClosed", err)
		}
	})

	if capacity != unbounded {
		synctest.Test(t, func(t *testing.T) {
			ctx := timeout(t)
			// The receiver's Close wakes every blocked sender; what was
			// buffered is still delivered.
			s, r := newChan[int](capacity)
			for i := range capacity {
				s.TrySend(i)
			}
			const blocked = 3
			errs := make(chan error, blocked)
			for i := range blocked {
				c := s.Clone()
				go func() { errs <- c.Send(ctx, 1000+i) }()
			}
			synctest.Wait()
			r.Close()
			for range blocked {
				if err := <-errs; err != mpsc.ErrClosed {
					t.Fatalf("blocked Send woken by Close: %v, want ErrClosed", err)
				}
			}
			for i := range capacity {
				if v, err := r.Recv(ctx); err != nil || v != i {
					t.Fatalf("Recv = %d, %v; want %d", v, err, i)
				}
			}
			if _, err := r.Recv(ctx); err != mpsc.ErrClosed {
				t.Fatalf("Recv after drain: %v", err)
			}
		})
	}

	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		// 100 values arrive uncorrupted in FIFO order, through Recv and
		// through RecvBatch.
		s, r := newChan[int](capacity)
		go func() {
			for i := range 200 {
				if err := s.Send(ctx, i); err != nil {
					t.Errorf("Send: %v", err)
				}
			}
		}()
		for i := range 100 {
			if v, err := r.Recv(ctx); err != nil || v != i {
				t.Fatalf("Recv = %d, %v; want %d", v, err, i)
			}
		}
		buf := make([]int, 7)
		for i := 100; i < 200; {
			n, err := r.RecvBatch(ctx, buf)
			if err != nil || n == 0 {
				t.Fatalf("RecvBatch = %d, %v", n, err)
			}
			for _, v := range buf[:n] {
				if v != i {
					t.Fatalf("RecvBatch gave %d, want %d", v, i)
				}
				i++
			}
		}
	})

	{
		// 4 senders x 1000 values: the receiver gets the same multiset.
		const p, l = 4, 1000
		s, r := newChan[int](capacity)
		for range p {
			c := s.Clone()
			go func() {
				defer c.Close()
				for i := range l {
					if err := c.Send(ctx, i); err != nil {
						t.Errorf("Send: %v", err)
					}
				}
			}()
		}
		s.Close()
		recv := make(map[int]int)
		for v := range r.All(ctx) {
			recv[v]++
		}
		if len(recv) != l {
			t.Fatalf("received %d distinct values, want %d", len(recv), l)
		}
		for v, n := range recv {
			if n != p {
				t.Fatalf("received %d %d times, want %d", v, n, p)
			}
		}
	}

	{
		// Len and Cap.
		s, r := newChan[int](capacity)
		if r.Len() != 0 || r.Cap() != capacity {
			t.Fatalf("Len/Cap = %d/%d, want 0/%d", r.Len(), r.Cap(), capacity)
		}
		for i := range fill {
			s.TrySend(i)
		}
		if r.Len() != fill || r.Cap() != capacity {
			t.Fatalf("Len/Cap = %d/%d, want %d/%d", r.Len(), r.Cap(), fill, capacity)
		}
	}
}

// closer is a way of closing a channel, for TestClosedChan.
type closer struct {
	name  string
	close func(*mpsc.Sender[int], *mpsc.Receiver[int])
}

var closers = []closer{
	{"senders", func(s *mpsc.Sender[int], _ *mpsc.Receiver[int]) { s.Close() }},
	{"receiver", func(_ *mpsc.Sender[int], r *mpsc.Receiver[int]) { r.Close() }},
	{"both twice", func(s *mpsc.Sender[int], r *mpsc.Receiver[int]) {
		s.Close()
		r.Close()
		s.Close()
		r.Close()
	}},
}

// receivers are the four ways of receiving the last buffered value in Go's
// test/closedchan.go (Recv, Recv2, Nbrecv, Nbrecv2), here Recv, TryRecv,
// RecvBatch and All.
var receivers = []struct {
	name string
	recv func(context.Context, *mpsc.Receiver[int]) (int, error)
}{
	{"Recv", func(ctx context.Context, r *mpsc.Receiver[int]) (int, error) { return r.Recv(ctx) }},
	{"TryRecv", func(_ context.Context, r *mpsc.Receiver[int]) (int, error) { return r.TryRecv() }},
	{"RecvBatch", func(ctx context.Context, r *mpsc.Receiver[int]) (int, error) {
		buf := make([]int, 4)
		n, err := r.RecvBatch(ctx, buf)
		if n != 1 && err == nil {
			return 0, fmt.Errorf("RecvBatch returned %d values", n)
		}
		return buf[0], err
	}},
	{"All", func(ctx context.Context, r *mpsc.Receiver[int]) (int, error) {
		var got []int
		for v := range r.All(ctx) {
			got = append(got, v)
		}
		if len(got) != 1 {
			return 0, fmt.Errorf("All yielded %v", got)
		}
		return got[0], nil
	}},
}

// TestClosedChan ports Go's test/closedchan.go: a closed channel, empty or
// holding one last value, reports closed to every kind of receive, any number
// of times; a send on it reports ErrClosed (where chan panics) and the value
// is discarded; closing again is harmless (where chan panics).
func TestClosedChan(t *testing.T) {
	for _, c := range flavours {
		for _, cl := range closers {
			t.Run(fmt.Sprintf("cap=%d/%s/empty", c, cl.name), func(t *testing.T) {
				s, r := newChan[int](c)
				cl.close(s, r)
				testClosed(t, s, r)
			})
			for _, rc := range receivers {
				t.Run(fmt.Sprintf("cap=%d/%s/last=%s", c, cl.name, rc.name), func(t *testing.T) {
					s, r := newChan[int](c)
					if err := s.TrySend(1); err != nil {
						t.Fatal(err)
					}
					cl.close(s, r)
					if v, err := rc.recv(timeout(t), r); v != 1 || err != nil {
						t.Fatalf("last value: %d, %v; want 1, nil", v, err)
					}
					testClosed(t, s, r)
				})
			}
		}
	}
}

func testClosed(t *testing.T, s *mpsc.Sender[int], r *mpsc.Receiver[int]) {
	t.Helper()
	ctx := timeout(t)
	for range 3 {
		if v, err := r.Recv(ctx); v != 0 || err != mpsc.ErrClosed {
			t.Fatalf("Recv on closed: %d, %v", v, err)
		}
		if v, err := r.TryRecv(); v != 0 || err != mpsc.ErrClosed {
			t.Fatalf("TryRecv on closed: %d, %v", v, err)
		}
		if n, err := r.RecvBatch(ctx, make([]int, 3)); n != 0 || err != mpsc.ErrClosed {
			t.Fatalf("RecvBatch on closed: %d, %v", n, err)
		}
		if got := slices.Collect(r.All(ctx)); len(got) != 0 {
			t.Fatalf("All on closed yielded %v", got)
		}
	}
	for _, send := range []func(int) error{s.TrySend, func(v int) error { return s.Send(ctx, v) }, s.Clone().TrySend} {
		if err := send(2); err != mpsc.ErrClosed {
			t.Fatalf("send on closed: %v, want ErrClosed", err)
		}
		// The value was discarded.
		if v, err := r.TryRecv(); v != 0 || err != mpsc.ErrClosed {
			t.Fatalf("receive after send on closed: %d, %v", v, err)
		}
	}
	if r.Len() != 0 {
		t.Fatalf("Len = %d on a drained closed channel", r.Len())
	}
}

func TestNewPanics(t *testing.T) {
	for _, c := range []int{0, -1, -5} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("New(%d) did not panic", c)
				}
			}()
			mpsc.New[int](c)
		}()
	}
}

// TestClone: the channel stays open while any handle is, a closed handle
// refuses to send while the others still can, and clones of closed handles
// are closed.
func TestClone(t *testing.T) {
	for _, c := range flavours {
		t.Run(fmt.Sprintf("cap=%d", c), func(t *testing.T) {
			ctx := timeout(t)
			s, r := newChan[int](max(c, 4))
			if c == unbounded {
				s, r = newChan[int](c)
			}
			a := s.Clone()
			b := a.Clone()
			s.Close()
			if err := s.TrySend(1); err != mpsc.ErrClosed {
				t.Fatalf("TrySend on a closed handle: %v", err)
			}
			if err := s.Clone().TrySend(1); err != mpsc.ErrClosed {
				t.Fatalf("TrySend on a clone of a closed handle: %v", err)
			}
			if err := a.TrySend(1); err != nil {
				t.Fatalf("TrySend on an open clone: %v", err)
			}
			a.Close()
			a.Close() // idempotent: must not close b's channel
			if err := b.Send(ctx, 2); err != nil {
				t.Fatalf("Send on the last open clone: %v", err)
			}
			b.Close()
			if err := b.Clone().TrySend(3); err != mpsc.ErrClosed {
				t.Fatalf("TrySend on a clone made after every handle closed: %v", err)
			}
			for _, want := range []int{1, 2} {
				if v, err := r.Recv(ctx); v != want || err != nil {
					t.Fatalf("Recv = %d, %v; want %d", v, err, want)
				}
			}
			if _, err := r.Recv(ctx); err != mpsc.ErrClosed {
				t.Fatalf("Recv after every handle closed: %v", err)
			}
		})
	}
}

func TestRecvBatchEmptyBuf(t *testing.T) {
	s, r := mpsc.New[int](2)
	s.TrySend(1)
	if n, err := r.RecvBatch(timeout(t), nil); n != 0 || err != nil {
		t.Fatalf("RecvBatch(nil) = %d, %v", n, err)
	}
	if r.Len() != 1 {
		t.Fatal("RecvBatch(nil) took a value")
	}
}

// TestContextDone: a value waiting is returned even with ctx done, room is
// used even with ctx done, and otherwise ctx.Err() comes back at once.
func TestContextDone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range flavours {
		s, r := newChan[int](c)
		if err := s.Send(ctx, 1); err != nil {
			t.Fatalf("cap=%d: Send with room and ctx done: %v", c, err)
		}
		if v, err := r.Recv(ctx); v != 1 || err != nil {
			t.Fatalf("cap=%d: Recv of a waiting value with ctx done: %d, %v", c, v, err)
		}
		if _, err := r.Recv(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("cap=%d: Recv on empty with ctx done: %v", c, err)
		}
		if _, err := r.RecvBatch(ctx, make([]int, 2)); !errors.Is(err, context.Canceled) {
			t.Fatalf("cap=%d: RecvBatch on empty with ctx done: %v", c, err)
		}
		if c == 1 {
			s.TrySend(2)
			if err := s.Send(ctx, 3); !errors.Is(err, context.Canceled) {
				t.Fatalf("Send on full with ctx done: %v", err)
			}
			if r.Len() != 1 {
				t.Fatal("a cancelled Send enqueued")
			}
		}
	}
}
