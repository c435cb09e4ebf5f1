package mpsc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// FuzzChan drives a channel and a Go chan, the reference, through the same
// sequence of operations from one goroutine and compares every result.
//
// data[0] picks the capacity (0: unbounded, whose reference is a chan large
// enough never to fill); every later byte is one operation, its low digit the
// kind and the rest an argument. Blocking calls get a context that is
// already done, so that they return at once with what they found.
func FuzzChan(f *testing.F) {
	f.Add([]byte{1, 0, 0, 2, 2, 10})
	f.Add([]byte{3, 0, 10, 20, 1, 4, 34, 2, 8, 6, 2, 2, 2, 2, 2})
	f.Add([]byte{0, 0, 0, 0, 5, 15, 16, 26, 6, 0, 9, 2})
	f.Add([]byte{2, 0, 0, 0, 11, 7, 0, 1, 3, 3, 4, 9})
	f.Add([]byte{5, 0, 1, 0, 1, 0, 24, 14, 4, 8, 5, 25, 6, 16, 26, 0, 10, 20, 3})
	f.Add([]byte{4, 0, 0, 0, 0, 0, 0, 5, 45, 8, 19, 2, 7, 9})
	f.Add([]byte{3, 0, 0, 0, 74, 74, 1, 7, 74, 74}) // TryRecvBatch
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || len(data) > 2000 {
			return
		}
		capacity, refCap := int(data[0]%6), int(data[0]%6)
		if capacity == 0 {
			capacity, refCap = unbounded, len(data)
		}
		ref := testutil.NewRefChan[int](refCap)
		s, r := newChan[int](capacity)
		handles, shut, open := []*mpsc.Sender[int]{s}, []bool{false}, 1
		done, cancel := context.WithCancel(context.Background())
		cancel()
		next := 0
		buf := make([]int, 5)

		// refSend is the reference's outcome of a send of v on handle h.
		refSend := func(h, v int, whenFull error) error {
			if shut[h] {
				return mpsc.ErrClosed
			}
			return ref.Send(v, mpsc.ErrClosed, whenFull)
		}

		for i, b := range data[1:] {
			op, arg := b%10, int(b/10)
			h := arg % len(handles)
			switch op {
			case 0, 1: // TrySend, Send
				next++
				var err, want error
				if op == 0 {
					want, err = refSend(h, next, mpsc.ErrFull), handles[h].TrySend(next)
				} else {
					want, err = refSend(h, next, context.Canceled), handles[h].Send(done, next)
				}
				if err != want {
					t.Fatalf("op %d: send on handle %d: %v, want %v", i, h, err, want)
				}
			case 2, 3: // TryRecv, Recv
				var v int
				var err error
				if op == 2 {
					v, err = r.TryRecv()
				} else {
					v, err = r.Recv(done)
				}
				got, want := ref.Recv(1, mpsc.ErrClosed)
				if want == testutil.ErrNone {
					want = mpsc.ErrEmpty
					if op == 3 {
						want = context.Canceled
					}
				}
				if err != want || err == nil && v != got[0] {
					t.Fatalf("op %d: receive: %d, %v; want %v, %v", i, v, err, got, want)
				}
			case 4: // RecvBatch, or TryRecvBatch for odd arg/len(buf)
				var n int
				var err error
				try := arg/len(buf)%2 == 1
				if try {
					n, err = r.TryRecvBatch(buf[:1+arg%len(buf)])
				} else {
					n, err = r.RecvBatch(done, buf[:1+arg%len(buf)])
				}
				got, want := ref.Recv(1+arg%len(buf), mpsc.ErrClosed)
				if want == testutil.ErrNone {
					want = context.Canceled
					if try {
						want = mpsc.ErrEmpty
					}
				}
				if err != want || n != len(got) {
					t.Fatalf("op %d: RecvBatch: %v, %v; want %v, %v", i, buf[:n], err, got, want)
				}
				for j := range got {
					if buf[j] != got[j] {
						t.Fatalf("op %d: RecvBatch: %v; want %v", i, buf[:n], got)
					}
				}
			case 5: // Clone
				handles = append(handles, handles[h].Clone())
				shut = append(shut, shut[h] || open == 0)
				if !shut[h] && open > 0 {
					open++
				}
			case 6: // Close a handle
				handles[h].Close()
				if !shut[h] {
					shut[h] = true
					if open--; open == 0 {
						ref.Close()
					}
				}
			case 7: // the receiver closes
				r.Close()
				ref.Close()
			case 8: // Len, Cap
				if r.Len() != len(ref.C) || r.Cap() != capacity {
					t.Fatalf("op %d: Len/Cap = %d/%d, want %d/%d", i, r.Len(), r.Cap(), len(ref.C), capacity)
				}
			case 9: // All, stopped by the done context once drained
				var got []int
				for v := range r.All(done) {
					got = append(got, v)
				}
				want, _ := ref.Recv(len(ref.C), mpsc.ErrClosed)
				if len(got) != len(want) {
					t.Fatalf("op %d: All yielded %v, want %v", i, got, want)
				}
				for j := range got {
					if got[j] != want[j] {
						t.Fatalf("op %d: All yielded %v, want %v", i, got, want)
					}
				}
			}
		}
	})
}
