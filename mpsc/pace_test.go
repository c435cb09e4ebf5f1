package mpsc

import (
	"runtime"
	"testing"

	"github.com/diatomic-go/diatomic/internal/mpscq"
)

// TestStreaming: a receiver counts the values it takes, by any method, and
// calls it a stream from paceAfter on; each look starts the count anew.
func TestStreaming(t *testing.T) {
	s, r := New[int](2 * paceAfter)
	ctx := timeout(t)
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
		"bounded":   func() (*Sender[int], *Receiver[int]) { return New[int](1024) },
		"unbounded": NewUnbounded[int],
	} {
		t.Run(name, func(t *testing.T) {
			s, r := open()
			r.pause = paceMinSpins
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

// TestAdapt: the pause halves when senders were crowded out, doubles when
// too few values followed it, and stays within its bounds.
func TestAdapt(t *testing.T) {
	for _, c := range []struct {
		pause, k, target int
		crowded          bool
		want             int
	}{
		{1000, 10, 128, false, 2000},
		{1000, 128, 128, false, 1000},
		{1000, 500, 128, false, 1000},
		{1000, 500, 128, true, 500},
		{1000, 3, 128, true, 500},
		{paceMaxSpins, 3, 128, false, paceMaxSpins},
		{paceMaxSpins - 1, 3, 128, false, paceMaxSpins},
		{paceMinSpins, 3, 128, true, paceMinSpins},
		{paceMinSpins + 1, 3, 128, true, paceMinSpins},
	} {
		if got := adapt(c.pause, c.k, c.target, c.crowded); got != c.want {
			t.Errorf("adapt(%d, %d, %d, %v) = %d, want %d", c.pause, c.k, c.target, c.crowded, got, c.want)
		}
	}
}

// TestPaceAdapts: a receiver that paced and then took few values lengthens
// its pause; one whose senders then waited for room shortens it. The target
// of a bounded channel is a quarter of its capacity, at most paceTarget.
func TestPaceAdapts(t *testing.T) {
	if _, r := New[int](16); r.target != 4 || r.pause != 0 {
		t.Fatalf("capacity 16: target %d, pause %d; want 4, 0 (no pacing)", r.target, r.pause)
	}
	if _, r := New[int](128); r.target != paceMinTarget || r.pause != paceMinSpins {
		t.Fatalf("capacity 128: target %d, pause %d; want %d, %d", r.target, r.pause, paceMinTarget, paceMinSpins)
	}
	if _, r := NewUnbounded[int](); r.target != paceTarget {
		t.Fatalf("unbounded target = %d, want %d", r.target, paceTarget)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	s, r := New[int](1024)
	for i := range 2 {
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
	if !r.pace() {
		t.Fatal("pace did not settle with values waiting")
	}
	r.recent = 1 // the value pace took
	if v, err := r.TryRecv(); v != 1 || err != nil {
		t.Fatalf("TryRecv = %d, %v", v, err)
	}
	r.streaming()
	if r.pause != 2*paceMinSpins {
		t.Fatalf("pause after 2 values = %d, want %d", r.pause, 2*paceMinSpins)
	}
	r.streaming()
	if r.pause != 2*paceMinSpins {
		t.Fatalf("pause changed after a wait that did not pace: %d", r.pause)
	}
	r.paced, r.crowded = true, true
	r.streaming()
	if r.pause != paceMinSpins {
		t.Fatalf("pause after a crowded wait = %d, want %d", r.pause, paceMinSpins)
	}
}
