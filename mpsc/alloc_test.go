package mpsc_test

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// TestAllocs pins the steady state of every operation at zero allocations,
// waits included: a bounded channel allocates only in New; an unbounded one
// allocates one small header per segment of 1024 values, which
// AllocsPerRun's average rounds away. Every wait is bounded: a lost wake-up
// fails the test instead of hanging it inside AllocsPerRun.
func TestAllocs(t *testing.T) {
	ctx := timeout(t)
	buf := make([]int, 8)
	for _, c := range []int{64, unbounded} {
		s, r := newChan[int](c)
		cases := map[string]func(){
			"TrySend+TryRecv": func() { s.TrySend(1); r.TryRecv() },
			"Send+Recv":       func() { s.Send(ctx, 1); r.Recv(ctx) },
			"Send+RecvBatch": func() {
				s.Send(ctx, 1)
				s.Send(ctx, 2)
				r.RecvBatch(ctx, buf)
			},
		}
		for name, f := range cases {
			if n := testing.AllocsPerRun(5000, f); n != 0 {
				t.Errorf("cap=%d: %s: %v allocs, want 0", c, name, n)
			}
		}
	}

	// Waits: a helper goroutine, driven through channels (which do not
	// allocate), sends while the receiver waits, and receives while a
	// sender waits for room.
	s, r := mpsc.New[int](1)
	cmd, ack := make(chan int), make(chan error)
	expired, stop := testutil.Deadline()
	defer stop()
	done := testutil.Go(t, func() {
		for op := range cmd {
			var err error
			if op == 0 {
				err = s.Send(ctx, 1)
			} else {
				_, err = r.Recv(ctx)
			}
			select {
			case ack <- err:
			case <-expired:
				return
			}
		}
	})
	// step hands op to the helper, runs f, and waits for the helper's
	// result, failing the test once the deadline has passed.
	failed := false
	step := func(op int, what string, f func() error) {
		if failed {
			return
		}
		select {
		case cmd <- op:
		case <-expired:
			failed = true
			t.Errorf("%s: helper not ready within %v", what, testutil.Timeout)
			return
		}
		if err := f(); err != nil {
			failed = true
			t.Errorf("%s: %v", what, err)
		}
		select {
		case err := <-ack:
			if err != nil {
				failed = true
				t.Errorf("%s: helper: %v", what, err)
			}
		case <-expired:
			failed = true
			t.Errorf("%s: helper did not finish within %v", what, testutil.Timeout)
		}
	}
	// Made once: a closure made inside the measured function would be
	// counted.
	recv := func() error { _, err := r.Recv(ctx); return err }
	send := func() error { return s.Send(ctx, 1) }
	if n := testing.AllocsPerRun(2000, func() {
		step(0, "Recv waiting for a Send", recv) // usually waits
	}); n != 0 {
		t.Errorf("Recv waiting for a Send: %v allocs, want 0", n)
	}
	s.TrySend(1)
	if n := testing.AllocsPerRun(2000, func() {
		step(1, "Send waiting for room", send) // usually waits
	}); n != 0 {
		t.Errorf("Send waiting for room: %v allocs, want 0", n)
	}
	close(cmd)
	testutil.Recv(t, done, "helper goroutine")

	ss, sr := mpsc.NewSlot()
	if n := testing.AllocsPerRun(5000, func() { ss.TrySend(1); sr.Recv(ctx) }); n != 0 {
		t.Errorf("Slot TrySend+Recv: %v allocs, want 0", n)
	}
}
