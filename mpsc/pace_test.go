package mpsc

import "testing"

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
