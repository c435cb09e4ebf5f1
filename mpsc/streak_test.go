package mpsc

import "testing"

// TestStreak: a receiver counts the values it takes, by any method, and
// calls its senders streaming from spin.StreamMin values since its last
// wait on; an empty look counts nothing.
func TestStreak(t *testing.T) {
	s, r := New[int](8)
	ctx := timeout(t)
	trySendN(t, s, 1)
	if _, err := r.TryRecv(); err != nil {
		t.Fatal(err)
	}
	if r.streak.Streaming() {
		t.Fatal("streaming after 1 value")
	}
	trySendN(t, s, 3)
	if _, err := r.Recv(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := r.RecvBatch(ctx, make([]int, 4)); n != 2 || err != nil {
		t.Fatalf("RecvBatch = %d, %v; want 2", n, err)
	}
	if !r.streak.Streaming() {
		t.Fatal("not streaming after 3 values")
	}
	if r.streak.Streaming() {
		t.Fatal("streaming again with no value since")
	}
	if _, err := r.TryRecv(); err != ErrEmpty {
		t.Fatalf("TryRecv on an empty channel: %v", err)
	}
	if n, err := r.TryRecvBatch(make([]int, 4)); n != 0 || err != ErrEmpty {
		t.Fatalf("TryRecvBatch on an empty channel: %d, %v", n, err)
	}
	if r.streak.Streaming() {
		t.Fatal("an empty look counted as a value")
	}
}

// trySendN sends 0, 1, ... n-1 on s with TrySend, failing t on an error.
func trySendN(t *testing.T, s *Sender[int], n int) {
	t.Helper()
	for i := range n {
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
}
