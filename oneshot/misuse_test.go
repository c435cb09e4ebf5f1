package oneshot_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

// mustPanic calls f and fails the test unless f panics with exactly want.
func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		if r := recover(); fmt.Sprint(r) != want {
			t.Fatalf("panic = %v, want %q", r, want)
		}
	}()
	f()
}

// TestNilContext: Recv(nil) panics in every state of the channel, before it
// changes anything; after the recover the channel works as if the call had
// never happened.
func TestNilContext(t *testing.T) {
	const want = "oneshot: nil Context"
	var nilCtx context.Context
	for _, tc := range []struct {
		name    string
		before  func(tx *oneshot.Sender[int], rx *oneshot.Receiver[int])
		v       int
		wantErr error
	}{
		{"empty", func(*oneshot.Sender[int], *oneshot.Receiver[int]) {}, 0, nil},
		{"value sent", func(tx *oneshot.Sender[int], _ *oneshot.Receiver[int]) { _ = tx.Send(3) }, 3, nil},
		{"sender closed", func(tx *oneshot.Sender[int], _ *oneshot.Receiver[int]) { tx.Close() }, 0, oneshot.ErrClosed},
		{"receiver closed", func(_ *oneshot.Sender[int], rx *oneshot.Receiver[int]) { rx.Close() }, 0, oneshot.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, rx := oneshot.New[int]()
			tc.before(tx, rx)
			mustPanic(t, want, func() { _, _ = rx.Recv(nilCtx) })
			mustPanic(t, want, func() { _, _ = rx.Recv(nilCtx) })
			if oneshot.Waiting(rx) {
				t.Fatal("Recv(nil) left a registration behind")
			}
			if tc.name == "empty" {
				// The channel still works both ways: a parked Recv is woken.
				done := testutil.Go(t, func() {
					waitRegistered(t, rx)
					if err := tx.Send(5); err != nil {
						t.Errorf("Send after Recv(nil) = %v", err)
					}
				})
				r := testutil.Recv(t, recvAsync(testutil.Context(t), rx), "a parked Recv after Recv(nil)")
				testutil.Recv(t, done, "the sender")
				wantResult(t, "Recv after Recv(nil)", r.v, r.err, 5, nil)
				return
			}
			v, err := rx.Recv(testutil.Context(t))
			wantResult(t, "Recv after Recv(nil)", v, err, tc.v, tc.wantErr)
		})
	}
}

// TestNotMadeByNew: every method of a Sender or Receiver that New did not
// make — a zero value or a nil pointer — panics with an oneshot: message
// instead of dereferencing nil or blocking for ever, and keeps panicking.
func TestNotMadeByNew(t *testing.T) {
	const (
		zeroTx = "oneshot: Sender not made by New"
		zeroRx = "oneshot: Receiver not made by New"
		nilTx  = "oneshot: nil *Sender"
		nilRx  = "oneshot: nil *Receiver"
	)
	var (
		zs          oneshot.Sender[int]
		zr          oneshot.Receiver[int]
		ns          *oneshot.Sender[int]
		nr          *oneshot.Receiver[int]
		unreachable = testutil.Context(t) // a Recv that blocked would end here
	)
	for _, tc := range []struct {
		name, want string
		f          func()
	}{
		{"zero Send", zeroTx, func() { _ = zs.Send(1) }},
		{"zero Sender.Close", zeroTx, func() { zs.Close() }},
		{"zero Closed", zeroTx, func() { _ = zs.Closed() }},
		{"zero Done", zeroTx, func() { _ = zs.Done() }},
		{"zero Ready", zeroRx, func() { _ = zr.Ready() }},
		{"zero Register", zeroRx, func() { zr.Register(new(countWaker)) }},
		{"zero Unregister", zeroRx, func() { zr.Unregister() }},
		{"zero Recv", zeroRx, func() { _, _ = zr.Recv(unreachable) }},
		{"zero Recv, cancelled", zeroRx, func() { _, _ = zr.Recv(cancelled) }},
		{"zero TryRecv", zeroRx, func() { _, _ = zr.TryRecv() }},
		{"zero Receiver.Close", zeroRx, func() { zr.Close() }},
		{"nil Send", nilTx, func() { _ = ns.Send(1) }},
		{"nil Sender.Close", nilTx, func() { ns.Close() }},
		{"nil Closed", nilTx, func() { _ = ns.Closed() }},
		{"nil Done", nilTx, func() { _ = ns.Done() }},
		{"nil Ready", nilRx, func() { _ = nr.Ready() }},
		{"nil Register", nilRx, func() { nr.Register(new(countWaker)) }},
		{"nil Unregister", nilRx, func() { nr.Unregister() }},
		{"nil Recv", nilRx, func() { _, _ = nr.Recv(unreachable) }},
		{"nil TryRecv", nilRx, func() { _, _ = nr.TryRecv() }},
		{"nil Receiver.Close", nilRx, func() { nr.Close() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustPanic(t, tc.want, tc.f)
			mustPanic(t, tc.want, tc.f) // the first panic changed nothing
		})
	}
	// Nothing above changed the zero values: they are still zero.
	if zs != (oneshot.Sender[int]{}) || zr != (oneshot.Receiver[int]{}) {
		t.Fatal("a panicking call changed a zero Sender or Receiver")
	}

	// A zero Sender seen as the Sender of a zero Receiver (the two share
	// their layout) does not make it work either.
	mustPanic(t, zeroTx, func() { _ = (*oneshot.Sender[int])(&zr).Send(1) })
	mustPanic(t, zeroRx, func() { _, _ = zr.TryRecv() })
}

// TestFinishedHandles: a handle used after it finished reports an error, as
// documented, and never panics or blocks: a second Send, a Recv after the
// value was taken, Close after Close.
func TestFinishedHandles(t *testing.T) {
	tx, rx := oneshot.New[int]()
	if err := tx.Send(1); err != nil {
		t.Fatal(err)
	}
	v, err := rx.Recv(testutil.Context(t))
	wantResult(t, "Recv", v, err, 1, nil)
	if err := tx.Send(2); !errors.Is(err, oneshot.ErrAlreadySent) {
		t.Fatalf("second Send = %v, want ErrAlreadySent", err)
	}
	tx.Close()
	tx.Close()
	v, err = rx.Recv(testutil.Context(t))
	wantResult(t, "Recv after the value was taken", v, err, 0, oneshot.ErrClosed)
	rx.Close()
	rx.Close()
	v, err = rx.TryRecv()
	wantResult(t, "TryRecv after Close", v, err, 0, oneshot.ErrClosed)
	if !tx.Closed() {
		t.Fatal("Closed() = false after Receiver.Close")
	}
}

// TestRegisterNilWaker: Register(nil) panics in every state of the channel
// before it changes anything: a registration made before stays, and the
// channel works afterwards.
func TestRegisterNilWaker(t *testing.T) {
	const want = "oneshot: Register called with a nil Waker"
	for _, before := range []string{"empty", "ready armed", "waker registered", "value sent"} {
		t.Run(before, func(t *testing.T) {
			tx, rx := oneshot.New[int]()
			w := new(countWaker)
			var ready <-chan struct{}
			switch before {
			case "ready armed":
				ready = rx.Ready()
			case "waker registered":
				rx.Register(w)
			case "value sent":
				_ = tx.Send(3)
			}
			mustPanic(t, want, func() { rx.Register(nil) })
			mustPanic(t, want, func() { rx.Register(nil) })
			if got := oneshot.Waiting(rx); got != (before == "ready armed" || before == "waker registered") {
				t.Fatalf("Register(nil) changed the registration: Waiting = %v", got)
			}
			if before != "value sent" {
				if err := tx.Send(3); err != nil {
					t.Fatalf("Send after Register(nil) = %v", err)
				}
			}
			switch before {
			case "ready armed":
				select {
				case <-ready:
				default:
					t.Fatal("the Ready channel armed before Register(nil) was not made ready by Send")
				}
			case "waker registered":
				if w.n.Load() != 1 {
					t.Fatalf("the Waker registered before Register(nil) was woken %d times, want 1", w.n.Load())
				}
			}
			v, err := rx.TryRecv()
			wantResult(t, "TryRecv after Register(nil)", v, err, 3, nil)
		})
	}
}
