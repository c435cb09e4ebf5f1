package mpsc

import (
	"context"
	"fmt"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// timeout is testutil.Context, under the name this package's tests use.
func timeout(t testing.TB) context.Context { return testutil.Context(t) }

// wakeProbe is a waker registered on a receiver's sink in place of its
// parker: when a send notifies, it records what a receiver woken at that
// instant would find.
type wakeProbe struct {
	look  func() bool // what the woken receiver's poll would see
	woken int
	found bool
}

func (p *wakeProbe) Wake() { p.woken++; p.found = p.look() }

// TestSlotNotifiesAfterStore: a successful TrySend notifies only after its
// CAS has stored the value. A TrySend that notified first would wake a
// parked receiver that polls, finds the slot empty and parks again, and the
// value that follows would come with no wake-up: a lost wake-up that no
// timing-based test hits reliably, since the window is a few instructions.
// The probe stands at that window: it is woken by the Notify itself.
func TestSlotNotifiesAfterStore(t *testing.T) {
	s, r := NewSlot()
	p := &wakeProbe{look: func() bool { return r.st.val.Load() != 0 }}
	r.sink.Register(p)
	if err := s.TrySend(5); err != nil {
		t.Fatalf("TrySend on an empty slot: %v", err)
	}
	if p.woken != 1 || !p.found {
		t.Fatalf("TrySend woke the receiver %d times, finding the value stored: %v; want once, true (a receiver woken before the store parks again and misses it)", p.woken, p.found)
	}
	if v, err := r.Recv(timeout(t)); v != 5 || err != nil {
		t.Fatalf("Recv = %d, %v", v, err)
	}
}

// TestSlotCloseNotifiesAfterClosing: the same for the close of a Slot. A
// Close of an empty slot wakes the receiver after its CAS has closed the
// word; a Close that finds a value waiting leaves the word to the take that
// removes the value, which closes it and then wakes a receive that may wait
// beside it (a TryRecv on another goroutine). A wake before the word is
// closed would let a waiting Recv park again with nothing left to wake it.
func TestSlotCloseNotifiesAfterClosing(t *testing.T) {
	for _, end := range []string{"sender", "receiver"} {
		s, r := NewSlot()
		closeSlot := s.Close
		if end == "receiver" {
			closeSlot = r.Close
		}
		p := &wakeProbe{look: func() bool { return r.st.val.Load() == closedWord }}
		r.sink.Register(p)
		closeSlot()
		if p.woken != 1 || !p.found {
			t.Fatalf("%s Close of an empty slot woke the receiver %d times, finding the word closed: %v; want once, true", end, p.woken, p.found)
		}

		s, r = NewSlot()
		if err := s.TrySend(5); err != nil {
			t.Fatalf("TrySend on an empty slot: %v", err)
		}
		closeSlot = s.Close
		if end == "receiver" {
			closeSlot = r.Close
		}
		closeSlot()
		p = &wakeProbe{look: func() bool { return r.st.val.Load() == closedWord }}
		r.sink.Register(p)
		if v, err := r.TryRecv(); v != 5 || err != nil {
			t.Fatalf("TryRecv of the value waiting at the close = %d, %v; want 5", v, err)
		}
		if p.woken != 1 || !p.found {
			t.Fatalf("%s close: the take that closed the word woke the receiver %d times, finding the word closed: %v; want once, true", end, p.woken, p.found)
		}
		if v, err := r.Recv(timeout(t)); err != ErrClosed {
			t.Fatalf("Recv after the last value = %d, %v; want ErrClosed", v, err)
		}
	}
}

// TestSendNotifiesAfterEnqueue: the same for the channel: every way a send
// can succeed (Send with room, TrySend, and a Send that waited for room)
// notifies the receiver after the value is in the queue.
func TestSendNotifiesAfterEnqueue(t *testing.T) {
	for _, unbounded := range []bool{false, true} {
		s, r := New[int](1)
		if unbounded {
			s, r = NewUnbounded[int]()
		}
		p := &wakeProbe{look: func() bool { return r.Len() > 0 }}
		for _, send := range []struct {
			name string
			f    func() error
		}{
			{"Send", func() error { return s.Send(timeout(t), 1) }}, // room: no wait
			{"TrySend", func() error { return s.TrySend(1) }},
		} {
			name := fmt.Sprintf("unbounded=%v: %s", unbounded, send.name)
			*p = wakeProbe{look: p.look}
			r.sink.Register(p)
			if err := send.f(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if p.woken != 1 || !p.found {
				t.Fatalf("%s woke the receiver %d times, finding a value: %v; want once, true", name, p.woken, p.found)
			}
			if _, err := r.TryRecv(); err != nil {
				t.Fatalf("%s: TryRecv: %v", name, err)
			}
		}
	}
}
