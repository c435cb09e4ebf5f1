package ringroom

import (
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestNewBatch(t *testing.T) {
	for _, tc := range []struct{ capacity, batch uint64 }{
		{1, 1}, {7, 1}, {15, 1}, {16, 2}, {17, 2}, {100, 12},
		{511, 63}, {512, 64}, {513, 64}, {1 << 40, 64},
	} {
		if r := New(tc.capacity); r.Cap != tc.capacity || r.Batch != tc.batch {
			t.Errorf("New(%d) = %+v, want Cap %d, Batch %d", tc.capacity, r, tc.capacity, tc.batch)
		}
	}
}

func TestFits(t *testing.T) {
	r := New[uint64](100) // Batch 12
	for _, tc := range []struct {
		used, n uint64
		want    bool
	}{
		{0, 1, true}, {99, 1, true}, {100, 1, false},
		{0, 12, true}, {88, 12, true}, {89, 12, false}, {100, 12, false},
		{0, 100, true}, {1, 100, false},
	} {
		if got := r.Fits(tc.used, tc.n); got != tc.want {
			t.Errorf("Room{Cap 100}.Fits(%d, %d) = %v, want %v", tc.used, tc.n, got, tc.want)
		}
	}
}

func TestClose(t *testing.T) {
	var head atomic.Uint64
	var closed atomic.Bool
	head.Store(41)
	if !Close(&head, &closed) {
		t.Fatal("first Close reported false")
	}
	if head.Load()&ClosedBit == 0 || !closed.Load() {
		t.Fatalf("after Close: head %#x, closed %v, want the closed bit and true", head.Load(), closed.Load())
	}
	if Close(&head, &closed) {
		t.Fatal("second Close reported true")
	}
	if got := head.Load() &^ ClosedBit; got != 41 {
		t.Fatalf("Close changed head's positions: %d, want 41", got)
	}
}
