package mpsc

import (
	"context"
	"runtime"
	"testing"

	"github.com/diatomic-go/diatomic/internal/mpscq"
)

// TestStreaming: a receiver counts the values it takes, by any method, and
// calls it a stream from paceAfter on; each look starts the count anew.
func TestStreaming(t *testing.T) {
	s, r := New[int](2 * paceAfter)
	ctx := context.Background()
	for i := range paceAfter {
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.TryRecv(); err != nil {
		t.Fatal(err)
	}
	if r.streaming() {
		t.Fatal("streaming after 1 value")
	}
	if _, err := r.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RecvBatch(ctx, make([]int, paceAfter)); n != paceAfter-2 || err != nil {
		t.Fatalf("RecvBatch = %d, %v; want %d", n, err, paceAfter-2)
	}
	if r.streaming() {
		t.Fatalf("streaming after %d values", paceAfter-1)
	}
	for i := range paceAfter {
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := r.RecvBatch(ctx, make([]int, paceAfter)); n != paceAfter || err != nil {
		t.Fatalf("RecvBatch = %d, %v; want %d", n, err, paceAfter)
	}
	if !r.streaming() {
		t.Fatalf("not streaming after %d values", paceAfter)
	}
	if r.streaming() {
		t.Fatal("streaming again with no value since")
	}
	if _, err := r.TryRecv(); err != ErrEmpty {
		t.Fatalf("TryRecv on an empty channel: %v", err)
	}
	if r.streaming() {
		t.Fatal("an empty TryRecv counted as a value")
	}
}

// TestPace: pace finds a value that is there, reports false on an empty
// channel, and does not spin at all with GOMAXPROCS 1.
func TestPace(t *testing.T) {
	for name, open := range map[string]func() (*Sender[int], *Receiver[int]){
		"bounded":   func() (*Sender[int], *Receiver[int]) { return New[int](4) },
		"unbounded": NewUnbounded[int],
	} {
		t.Run(name, func(t *testing.T) {
			s, r := open()
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
			if r.pace() {
				t.Fatal("pace settled on an empty channel")
			}
			if err := s.TrySend(42); err != nil {
				t.Fatal(err)
			}
			if !r.pace() || r.st != mpscq.OK || r.take() != 42 {
				t.Fatalf("pace with a value waiting: status %v", r.st)
			}
			if err := s.TrySend(43); err != nil {
				t.Fatal(err)
			}
			runtime.GOMAXPROCS(1)
			if r.pace() {
				t.Fatal("pace polled with GOMAXPROCS 1")
			}
			if v, err := r.TryRecv(); v != 43 || err != nil {
				t.Fatalf("TryRecv after pace = %d, %v", v, err)
			}
		})
	}
}
