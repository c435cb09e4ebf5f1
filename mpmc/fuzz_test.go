package mpmc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// FuzzChan drives a channel and a Go chan, the reference, through the same
// sequence of operations from one goroutine and compares every result,
// across several handles of each end.
//
// data[0] picks the capacity (1 to 6); every later byte is one operation,
// its low digit the kind and the rest an argument (which handle, or a batch
// size). Blocking calls get a context that is already done, so that they
// return at once with what they found. A call on a handle after its Close
// must panic, and change nothing.
func FuzzChan(f *testing.F) {
	f.Add([]byte{1, 0, 0, 2, 2, 10})
	f.Add([]byte{3, 0, 10, 20, 1, 4, 34, 2, 8, 6, 2, 2, 2, 2, 2})
	f.Add([]byte{0, 0, 0, 0, 5, 15, 16, 26, 6, 0, 9, 2})
	f.Add([]byte{2, 0, 0, 0, 11, 7, 17, 0, 1, 3, 3, 4, 9})
	f.Add([]byte{5, 0, 1, 0, 1, 0, 24, 14, 4, 8, 5, 25, 6, 16, 26, 0, 10, 20, 3})
	f.Add([]byte{4, 0, 0, 0, 0, 0, 0, 5, 45, 8, 19, 2, 7, 9, 17, 27, 37})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 2000 {
			return
		}
		capacity := 1 + int(data[0]%6)
		ref := testutil.NewRefChan[int](capacity)
		tx, rx := mpmc.New[int](capacity)
		senders, sShut, sOpen := []*mpmc.Sender[int]{tx}, []bool{false}, 1
		receivers, rShut, rOpen := []*mpmc.Receiver[int]{rx}, []bool{false}, 1
		done, cancel := context.WithCancel(context.Background())
		cancel()
		next := 0
		buf := make([]int, 5)

		// closedHandle checks that f panics when the handle is closed, and
		// reports whether it was.
		closedHandle := func(shut bool, what string, f func()) bool {
			if shut {
				mustPanic(t, what, f)
			}
			return shut
		}

		for i, b := range data[1:] {
			op, arg := b%10, int(b/10)
			hs, hr := arg%len(senders), arg%len(receivers)
			s, r := senders[hs], receivers[hr]
			switch op {
			case 0, 1: // TrySend, Send
				if closedHandle(sShut[hs], "send on a closed handle", func() { s.TrySend(0) }) {
					continue
				}
				next++
				var err, want error
				if op == 0 {
					want, err = ref.Send(next, mpmc.ErrClosed, mpmc.ErrFull), s.TrySend(next)
				} else {
					want, err = ref.Send(next, mpmc.ErrClosed, context.Canceled), s.Send(done, next)
				}
				if err != want {
					t.Fatalf("op %d: send on handle %d: %v, want %v", i, hs, err, want)
				}
			case 2, 3: // TryRecv, Recv
				if closedHandle(rShut[hr], "receive on a closed handle", func() { r.TryRecv() }) {
					continue
				}
				var v int
				var err error
				if op == 2 {
					v, err = r.TryRecv()
				} else {
					v, err = r.Recv(done)
				}
				got, want := ref.Recv(1, mpmc.ErrClosed)
				if want == testutil.ErrNone {
					want = mpmc.ErrEmpty
					if op == 3 {
						want = context.Canceled
					}
				}
				if err != want || err == nil && v != got[0] {
					t.Fatalf("op %d: receive: %d, %v; want %v, %v", i, v, err, got, want)
				}
			case 4, 9: // RecvBatch, TryRecvBatch
				if closedHandle(rShut[hr], "batch on a closed handle", func() { r.TryRecvBatch(buf) }) {
					continue
				}
				m := 1 + arg%len(buf)
				var n int
				var err error
				if op == 4 {
					n, err = r.RecvBatch(done, buf[:m])
				} else {
					n, err = r.TryRecvBatch(buf[:m])
				}
				got, want := ref.Recv(m, mpmc.ErrClosed)
				if want == testutil.ErrNone {
					want = context.Canceled
					if op == 9 {
						want = mpmc.ErrEmpty
					}
				}
				if err != want || n != len(got) {
					t.Fatalf("op %d: batch: %v, %v; want %v, %v", i, buf[:n], err, got, want)
				}
				for j := range got {
					if buf[j] != got[j] {
						t.Fatalf("op %d: batch: %v; want %v", i, buf[:n], got)
					}
				}
			case 5: // Clone a Sender
				if closedHandle(sShut[hs], "Clone of a closed Sender", func() { s.Clone() }) {
					continue
				}
				senders, sShut = append(senders, s.Clone()), append(sShut, false)
				sOpen++
			case 6: // Close a Sender
				s.Close()
				if !sShut[hs] {
					sShut[hs] = true
					if sOpen--; sOpen == 0 {
						ref.Close()
					}
				}
			case 7: // Clone or Close a Receiver
				if arg%2 == 0 {
					if closedHandle(rShut[hr], "Clone of a closed Receiver", func() { r.Clone() }) {
						continue
					}
					receivers, rShut = append(receivers, r.Clone()), append(rShut, false)
					rOpen++
					continue
				}
				r.Close()
				if !rShut[hr] {
					rShut[hr] = true
					if rOpen--; rOpen == 0 {
						ref.Close() // the values left stay, unreachable
					}
				}
			case 8: // Len, Cap, Ready, Done
				if r.Len() != len(ref.C) || r.Cap() != capacity {
					t.Fatalf("op %d: Len/Cap = %d/%d, want %d/%d", i, r.Len(), r.Cap(), len(ref.C), capacity)
				}
				select {
				case <-s.Done():
					if !ref.Closed {
						t.Fatalf("op %d: Done closed on an open channel", i)
					}
				default:
					if ref.Closed {
						t.Fatalf("op %d: Done not closed on a closed channel", i)
					}
				}
				if rShut[hr] {
					continue
				}
				select {
				case <-r.Ready():
					if len(ref.C) == 0 && !ref.Closed {
						// Spurious only if a value was taken since it
						// was armed; right after arming, none was.
						t.Fatalf("op %d: Ready ready on an empty open channel", i)
					}
				default:
					if len(ref.C) > 0 || ref.Closed {
						t.Fatalf("op %d: Ready not ready with %d values (closed %v)", i, len(ref.C), ref.Closed)
					}
				}
			}
		}
	})
}
