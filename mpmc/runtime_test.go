package mpmc_test

// Ports of the multi-receiver cases of Go's runtime/chan_test.go (TestChan,
// TestMultiConsumer, TestSelfSelect) and of test/closedchan.go. Where those
// sleep to let a goroutine block, these use synctest; a send on a closed
// chan panics, where a send here reports ErrClosed.

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// TestChan: runtime's TestChan for the capacities a chan and this channel
// share (1 and up), with two receivers where it has them.
func TestChan(t *testing.T) {
	n := 20
	if testing.Short() {
		n = 6
	}
	for c := 1; c < n; c++ {
		t.Run(fmt.Sprintf("cap=%d", c), func(t *testing.T) {
			// A receive from an empty channel blocks, in two receivers;
			// a non-blocking receive does not.
			synctest.Test(t, func(t *testing.T) {
				tx, rx := mpmc.New[int](c)
				r2 := rx.Clone()
				got1 := goVal(func() (int, error) { return rx.Recv(testutil.Context(t)) })
				got2 := goVal(func() (int, error) { return r2.Recv(testutil.Context(t)) })
				testutil.Blocked(t, got1, "Recv on an empty channel")
				testutil.Blocked(t, got2, "Recv on an empty channel")
				if _, err := rx.TryRecv(); err != mpmc.ErrEmpty {
					t.Fatalf("TryRecv on an empty channel: %v", err)
				}
				for range 2 { // one at a time: capacity 1 holds one
					if err := tx.Send(testutil.Context(t), 0); err != nil {
						t.Fatal(err)
					}
					synctest.Wait()
				}
				testutil.Unblocked(t, got1, "Recv after two sends")
				testutil.Unblocked(t, got2, "Recv after two sends")
			})
			// A send to a full channel blocks; a non-blocking one does not.
			synctest.Test(t, func(t *testing.T) {
				tx, rx := mpmc.New[int](c)
				for i := range c {
					tx.TrySend(i)
				}
				errc := testutil.GoErr(func() error { return tx.Send(testutil.Context(t), 0) })
				testutil.Blocked(t, errc, "Send on a full channel")
				if err := tx.TrySend(0); err != mpmc.ErrFull {
					t.Fatalf("TrySend on a full channel: %v", err)
				}
				rx.TryRecv()
				if err := testutil.Unblocked(t, errc, "Send after a receive"); err != nil {
					t.Fatal(err)
				}
			})
			// The values sent before the close, in order, then ErrClosed.
			{
				tx, rx := mpmc.New[int](c)
				for i := range c {
					tx.TrySend(i)
				}
				tx.Close()
				for i := range c {
					if v, err := rx.Recv(testutil.Context(t)); v != i || err != nil {
						t.Fatalf("Recv = %d, %v; want %d", v, err, i)
					}
				}
				if v, err := rx.Recv(testutil.Context(t)); v != 0 || err != mpmc.ErrClosed {
					t.Fatalf("Recv on closed = %d, %v", v, err)
				}
			}
			// The close unblocks both receivers.
			synctest.Test(t, func(t *testing.T) {
				tx, rx := mpmc.New[int](c)
				r2 := rx.Clone()
				e1 := testutil.GoErr(func() error { _, err := rx.Recv(testutil.Context(t)); return err })
				e2 := testutil.GoErr(func() error { _, err := r2.RecvBatch(testutil.Context(t), make([]int, 2)); return err })
				testutil.Blocked(t, e1, "Recv on an empty channel")
				testutil.Blocked(t, e2, "RecvBatch on an empty channel")
				tx.Close()
				if err := testutil.Unblocked(t, e1, "Recv after Close"); err != mpmc.ErrClosed {
					t.Fatalf("Recv: %v", err)
				}
				if err := testutil.Unblocked(t, e2, "RecvBatch after Close"); err != mpmc.ErrClosed {
					t.Fatalf("RecvBatch: %v", err)
				}
			})
			// 100 values from one sender arrive uncorrupted, in order.
			{
				tx, rx := mpmc.New[int](c)
				done := testutil.Go(t, func() {
					for i := range 100 {
						tx.Send(testutil.Context(t), i)
					}
				})
				for i := range 100 {
					if v, err := rx.Recv(testutil.Context(t)); v != i || err != nil {
						t.Fatalf("Recv = %d, %v; want %d", v, err, i)
					}
				}
				testutil.Recv(t, done, "the sender")
			}
			// 4 senders of 1000 values each, 4 receivers: each value
			// arrives 4 times in all.
			{
				const P, L = 4, 1000
				tx, rx := mpmc.New[int](c)
				var senders sync.WaitGroup
				for range P {
					s := tx.Clone()
					senders.Go(func() {
						defer s.Close()
						for i := range L {
							s.Send(testutil.Context(t), i)
						}
					})
				}
				tx.Close()
				counts := make(chan map[int]int, P)
				for range P {
					r := rx.Clone()
					go func() {
						defer r.Close()
						recv := map[int]int{}
						for v := range r.All(testutil.Context(t)) {
							recv[v]++
						}
						counts <- recv
					}()
				}
				recv := map[int]int{}
				for range P {
					for k, v := range testutil.Recv(t, counts, "a receiver's counts") {
						recv[k] += v
					}
				}
				if len(recv) != L {
					t.Fatalf("received %d distinct values, want %d", len(recv), L)
				}
				for k, v := range recv {
					if v != P {
						t.Fatalf("value %d received %d times, want %d", k, v, P)
					}
				}
				testutil.Wait(t, &senders, "senders")
				rx.Close()
			}
			// Len and Cap.
			{
				tx, rx := mpmc.New[int](c)
				if rx.Len() != 0 || rx.Cap() != c {
					t.Fatalf("Len/Cap = %d/%d, want 0/%d", rx.Len(), rx.Cap(), c)
				}
				for i := range c {
					tx.TrySend(i)
				}
				if rx.Len() != c || rx.Cap() != c {
					t.Fatalf("Len/Cap = %d/%d, want %d/%d", rx.Len(), rx.Cap(), c, c)
				}
			}
		})
	}
}

// TestMultiConsumer: runtime's TestMultiConsumer, 23 workers ranging over
// one channel (some yielding to mess with FIFO-ish order) and sending to a
// second one, whose sum and count must match what was fed.
func TestMultiConsumer(t *testing.T) {
	const nwork = 23
	niter := 271828
	if testing.Short() {
		niter = 20000
	}
	pn := []int{2, 3, 7, 11, 13, 17, 19, 23, 27, 31}
	qtx, qrx := mpmc.New[int](nwork * 3)
	rtx, rrx := mpmc.New[int](nwork * 3)
	ctx := testutil.Context(t)
	var wg sync.WaitGroup
	for i := range nwork {
		w, out := qrx.Clone(), rtx.Clone()
		wg.Go(func() {
			defer w.Close()
			defer out.Close()
			for v := range w.All(ctx) {
				if pn[i%len(pn)] == v {
					runtime.Gosched()
				}
				if err := out.Send(ctx, v); err != nil {
					t.Errorf("worker %d: %v", i, err)
					return
				}
			}
		})
	}
	qrx.Close()
	rtx.Close()
	expect := 0
	fed := testutil.Go(t, func() {
		defer qtx.Close()
		for i := range niter {
			v := pn[i%len(pn)]
			expect += v
			if err := qtx.Send(ctx, v); err != nil {
				t.Errorf("feeder: %v", err)
				return
			}
		}
	})
	n, s := 0, 0
	for v := range rrx.All(ctx) {
		n++
		s += v
	}
	if ctx.Err() != nil {
		t.Fatalf("timed out after %d results", n)
	}
	testutil.Recv(t, fed, "the feeder")
	testutil.Wait(t, &wg, "workers")
	if n != niter || s != expect {
		t.Errorf("Expected sum %d (got %d) from %d iter (saw %d)", expect, s, niter, n)
	}
}

// TestSelfSelect: runtime's TestSelfSelect through Ready and Done: two
// goroutines each select between sending on and receiving from one channel
// (sending when there is room, receiving when Ready fires), and neither
// deadlocks; every value sent is received once.
func TestSelfSelect(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	const ops = 1000
	tx, rx := mpmc.New[int](10)
	deadline, stop := testutil.Deadline()
	defer stop()
	var wg sync.WaitGroup
	var sent, recvd [2]int
	for p := range 2 {
		s, r := tx.Clone(), rx.Clone()
		wg.Go(func() {
			defer s.Close()
			defer r.Close()
			for i := 0; i < ops; {
				if p == 0 || i%2 == 0 {
					if s.TrySend(p) == nil {
						sent[p]++
						i++
						continue
					}
				}
				if _, err := r.TryRecv(); err == nil {
					recvd[p]++
					i++
					continue
				}
				select {
				case <-r.Ready():
				case <-deadline:
					t.Errorf("goroutine %d: deadlocked after %d operations", p, i)
					return
				}
			}
		})
	}
	tx.Close()
	testutil.Wait(t, &wg, "the two selecting goroutines")
	left := 0
	for {
		_, err := rx.TryRecv()
		if err != nil {
			break
		}
		left++
	}
	if sent[0]+sent[1] != recvd[0]+recvd[1]+left {
		t.Fatalf("sent %v, received %v and %d left", sent, recvd, left)
	}
}

// TestClosedChan: test/closedchan.go. A closed channel keeps delivering its
// last value, by every kind of receive; then every receive, blocking or not,
// reports ErrClosed with the zero value, any number of times; a send on it
// reports ErrClosed and is discarded; Close is idempotent, and Ready and
// Done are ready at once.
func TestClosedChan(t *testing.T) {
	recvs := map[string]func(rx *mpmc.Receiver[int]) (int, error){
		"Recv":    func(rx *mpmc.Receiver[int]) (int, error) { return rx.Recv(testutil.Context(t)) },
		"TryRecv": func(rx *mpmc.Receiver[int]) (int, error) { return rx.TryRecv() },
		"RecvBatch": func(rx *mpmc.Receiver[int]) (int, error) {
			buf := make([]int, 2)
			n, err := rx.RecvBatch(testutil.Context(t), buf)
			if n > 1 {
				t.Fatalf("RecvBatch took %d values, want at most 1", n)
			}
			return buf[0], err
		},
		"TryRecvBatch": func(rx *mpmc.Receiver[int]) (int, error) {
			buf := make([]int, 2)
			n, err := rx.TryRecvBatch(buf)
			if n > 1 {
				t.Fatalf("TryRecvBatch took %d values, want at most 1", n)
			}
			return buf[0], err
		},
		"Ready+TryRecv": func(rx *mpmc.Receiver[int]) (int, error) {
			select {
			case <-rx.Ready():
			default:
				t.Fatal("Ready on a closed channel is not ready at once")
			}
			return rx.TryRecv()
		},
	}
	test1 := func(tx *mpmc.Sender[int], rx *mpmc.Receiver[int]) {
		t.Helper()
		for range 3 {
			for name, recv := range recvs {
				if v, err := recv(rx); v != 0 || err != mpmc.ErrClosed {
					t.Fatalf("%s on closed: %d, %v", name, v, err)
				}
			}
		}
		// A send on a closed chan panics; so does one on a closed handle.
		mustPanic(t, "TrySend on a closed handle", func() { tx.TrySend(1) })
		mustPanic(t, "Send on a closed handle", func() { tx.Send(testutil.Context(t), 2) })
		if v, err := rx.Recv(testutil.Context(t)); v != 0 || err != mpmc.ErrClosed {
			t.Fatalf("Recv on closed after a send: %d, %v", v, err)
		}
		select {
		case <-tx.Done():
		default:
			t.Fatal("Done is not closed")
		}
	}
	for name, recv := range recvs {
		t.Run(name, func(t *testing.T) {
			// Closed by its senders.
			tx, rx := mpmc.New[int](2)
			tx.TrySend(1)
			tx2 := tx.Clone()
			tx.Close()
			tx2.Close()
			tx2.Close() // idempotent
			if v, err := recv(rx); v != 1 || err != nil {
				t.Fatalf("%s of the last value: %d, %v", name, v, err)
			}
			test1(tx, rx)

			// Closed by its receivers: sends report ErrClosed.
			tx, rx = mpmc.New[int](2)
			rx2 := rx.Clone()
			rx.Close()
			select {
			case <-tx.Done():
				t.Fatal("Done closed while a Receiver handle is open")
			default:
			}
			rx2.Close()
			rx2.Close()
			testutil.Recv(t, tx.Done(), "Done after the last Receiver.Close")
			if err := tx.TrySend(1); err != mpmc.ErrClosed {
				t.Fatalf("TrySend after the receivers hung up: %v", err)
			}
			if err := tx.Send(testutil.Context(t), 1); err != mpmc.ErrClosed {
				t.Fatalf("Send after the receivers hung up: %v", err)
			}
			mustPanic(t, "TryRecv on a closed handle", func() { rx2.TryRecv() })
		})
	}
}
