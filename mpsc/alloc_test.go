package mpsc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// TestAllocs pins the steady state of every operation at zero allocations,
// waits included: a bounded channel allocates only in New; an unbounded one
// allocates one small header per segment of 1024 values, which
// AllocsPerRun's average rounds away.
func TestAllocs(t *testing.T) {
	ctx := context.Background()
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
	cmd, ack := make(chan int), make(chan struct{})
	done := testutil.Go(t, func() {
		for op := range cmd {
			if op == 0 {
				s.Send(ctx, 1)
			} else {
				r.Recv(ctx)
			}
			ack <- struct{}{}
		}
	})
	if n := testing.AllocsPerRun(2000, func() {
		cmd <- 0
		r.Recv(ctx) // usually waits
		<-ack
	}); n != 0 {
		t.Errorf("Recv waiting for a Send: %v allocs, want 0", n)
	}
	s.TrySend(1)
	if n := testing.AllocsPerRun(2000, func() {
		cmd <- 1
		s.Send(ctx, 1) // usually waits
		<-ack
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
