package oneshot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

// reference is the specification of a channel driven from one goroutine:
// plain fields, no concurrency.
type reference struct {
	sent, txClosed, rxClosed, taken bool
	v                               int
}

func (r *reference) send(v int) error {
	switch {
	case r.sent:
		return oneshot.ErrAlreadySent
	case r.txClosed || r.rxClosed:
		return oneshot.ErrClosed
	}
	r.sent, r.v = true, v
	return nil
}

func (r *reference) recv(empty error) (int, error) {
	switch {
	case r.sent && !r.taken && !r.rxClosed:
		r.taken = true
		return r.v, nil
	case r.sent || r.txClosed || r.rxClosed:
		return 0, oneshot.ErrClosed
	}
	return 0, empty
}

// FuzzSequential drives a channel and the reference with the same operations
// and compares every result.
func FuzzSequential(f *testing.F) {
	f.Add([]byte{0, 3, 4, 6})
	f.Add([]byte{3, 4, 1, 6, 3, 0})
	f.Add([]byte{5, 2, 0, 3})
	f.Add([]byte{0, 0, 5, 2, 3, 6})
	f.Add([]byte{1, 0, 2, 3, 4, 5})
	f.Fuzz(func(t *testing.T, ops []byte) {
		tx, rx := oneshot.New[int]()
		var ref reference
		for i, op := range ops {
			var v, wantV int
			var err, wantErr error
			switch op % 7 {
			case 0:
				err, wantErr = tx.Send(i+1), ref.send(i+1)
			case 1:
				tx.Close()
				ref.txClosed = ref.txClosed || !ref.sent
			case 2:
				if got, want := tx.Closed(), ref.rxClosed; got != want {
					t.Fatalf("op %d: Closed() = %v, want %v", i, got, want)
				}
			case 3:
				v, err = rx.TryRecv()
				wantV, wantErr = ref.recv(oneshot.ErrEmpty)
			case 4:
				v, err = rx.Recv(cancelled)
				wantV, wantErr = ref.recv(context.Canceled)
			case 5:
				rx.Close()
				ref.rxClosed = true
			case 6:
				if !ref.sent && !ref.txClosed && !ref.rxClosed {
					continue // Recv would block
				}
				v, err = rx.Recv(testutil.Context(t))
				wantV, wantErr = ref.recv(nil)
			}
			if v != wantV || !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
				t.Fatalf("op %d (%d): got (%d, %v), want (%d, %v)", i, op%7, v, err, wantV, wantErr)
			}
			if oneshot.Waiting(rx) {
				t.Fatalf("op %d: registration left behind", i)
			}
		}
	})
}
