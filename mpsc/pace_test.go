package mpsc

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/spin"
)

// TestRecvBatchPace: a RecvBatch arms its pace only when it took at once
// more than one value but fewer than its buf holds (see spin.Pace); a
// single value (a request) and a full buf leave it unarmed, the
// non-blocking TryRecvBatch leaves it as it is, and the next RecvBatch
// disarms it.
func TestRecvBatchPace(t *testing.T) {
	s, r := New[int](64)
	ctx := timeout(t)
	recv := func(buf int, want int, armed bool) {
		t.Helper()
		n, err := r.RecvBatch(ctx, make([]int, buf))
		if n != want || err != nil {
			t.Fatalf("RecvBatch = %d, %v; want %d", n, err, want)
		}
		if r.pace.Armed() != armed {
			t.Fatalf("after a RecvBatch of %d into %d: armed %v, want %v", n, buf, !armed, armed)
		}
	}
	trySendN(t, s, 1)
	recv(8, 1, false) // a request
	trySendN(t, s, spin.StreamMin)
	recv(8, spin.StreamMin, true) // the fewest values that make a stream
	trySendN(t, s, 3)
	recv(8, 3, true) // a stream, short of buf
	trySendN(t, s, 8)
	recv(8, 8, false) // a full buf
	trySendN(t, s, 3)
	recv(8, 3, true)
	if n, err := r.TryRecvBatch(make([]int, 8)); n != 0 || err != ErrEmpty {
		t.Fatalf("TryRecvBatch on an empty channel = %d, %v", n, err)
	}
	if !r.pace.Armed() {
		t.Fatal("TryRecvBatch changed the pace")
	}
	trySendN(t, s, 2)
	recv(2, 2, false) // disarmed by its own pace, then a full buf
}

// TestBatchReady: the pace of a RecvBatch ends once the last value of its
// buf is written, capped at half the ring (mpscq.Ring.Holds), or once a
// sender waits for room; never for an unbounded channel, whose senders do
// not wait.
func TestBatchReady(t *testing.T) {
	s, r := New[int](8)
	c := r.c
	if c.batchReady(2) {
		t.Fatal("ready with an empty ring")
	}
	trySendN(t, s, 1)
	if c.batchReady(2) || !c.batchReady(1) {
		t.Fatal("one value: batchReady(2) true or batchReady(1) false")
	}
	trySendN(t, s, 2)
	if c.batchReady(4) || c.batchReady(100) {
		t.Fatal("three values in a ring of 8: ready for 4, or for 100 capped at 4")
	}
	trySendN(t, s, 1)
	if !c.batchReady(100) {
		t.Fatal("four values in a ring of 8: not ready for 100, capped at half the ring")
	}
	if _, err := r.RecvBatch(timeout(t), make([]int, 8)); err != nil {
		t.Fatal(err)
	}
	w := c.room.Prepare() // stands for a sender waiting for room
	if !c.batchReady(2) {
		t.Fatal("not ready while a sender waits for room")
	}
	c.room.Cancel(w)
	if c.batchReady(2) {
		t.Fatal("ready with an empty ring and nobody waiting")
	}

	us, ur := NewUnbounded[int]()
	trySendN(t, us, 8)
	if ur.c.batchReady(1) {
		t.Fatal("ready for an unbounded channel")
	}
}
