package mpmc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// TestAllocs pins the steady state of every operation at zero allocations,
// waits and Ready included: a channel allocates in New, and a handle in
// Clone, only.
func TestAllocs(t *testing.T) {
	ctx := context.Background()
	buf := make([]int, 8)
	tx, rx := mpmc.New[int](64)
	cases := map[string]func(){
		"TrySend+TryRecv": func() { tx.TrySend(1); rx.TryRecv() },
		"Send+Recv":       func() { tx.Send(ctx, 1); rx.Recv(ctx) },
		"Send+RecvBatch": func() {
			tx.Send(ctx, 1)
			tx.Send(ctx, 2)
			rx.RecvBatch(ctx, buf)
		},
		"TrySend+TryRecvBatch": func() { tx.TrySend(1); rx.TryRecvBatch(buf) },
		"Ready+TrySend+TryRecv": func() {
			ch := rx.Ready()
			tx.TrySend(1)
			<-ch
			rx.TryRecv()
		},
	}
	for name, f := range cases {
		if n := testing.AllocsPerRun(5000, f); n != 0 {
			t.Errorf("%s: %v allocs, want 0", name, n)
		}
	}

	// Waits: a helper goroutine, driven through channels (which do not
	// allocate), sends while the receiver waits, and receives while a
	// sender waits for room.
	tx, rx = mpmc.New[int](1)
	cmd, ack := make(chan int), make(chan struct{})
	done := testutil.Go(t, func() {
		for op := range cmd {
			if op == 0 {
				tx.Send(ctx, 1)
			} else {
				rx.Recv(ctx)
			}
			ack <- struct{}{}
		}
	})
	if n := testing.AllocsPerRun(2000, func() {
		cmd <- 0
		rx.Recv(ctx) // usually waits
		<-ack
	}); n != 0 {
		t.Errorf("Recv waiting for a Send: %v allocs, want 0", n)
	}
	tx.TrySend(1)
	if n := testing.AllocsPerRun(2000, func() {
		cmd <- 1
		tx.Send(ctx, 1) // usually waits
		<-ack
	}); n != 0 {
		t.Errorf("Send waiting for room: %v allocs, want 0", n)
	}
	close(cmd)
	testutil.Recv(t, done, "helper goroutine")
}
