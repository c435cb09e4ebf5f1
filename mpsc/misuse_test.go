package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// mustPanic runs f and fails the test unless it panics with a message that
// starts with "mpsc:" and contains want.
func mustPanic(t *testing.T, what, want string, f func()) {
	t.Helper()
	msg := func() (msg string) {
		defer func() {
			if p := recover(); p != nil {
				msg = fmt.Sprint(p)
			}
		}()
		f()
		return ""
	}()
	switch {
	case msg == "":
		t.Errorf("%s did not panic", what)
	case !strings.HasPrefix(msg, "mpsc: ") || !strings.Contains(msg, want):
		t.Errorf("%s panicked with %q, want an \"mpsc: \" message containing %q", what, msg, want)
	}
}

// works checks that a channel still delivers, in order, after a misuse was
// recovered from: values sent with TrySend come out of Recv, and the
// channel is empty afterwards.
func works(t *testing.T, s *mpsc.Sender[int], r *mpsc.Receiver[int], what string) {
	t.Helper()
	ctx := timeout(t)
	for i := range 3 {
		if err := s.TrySend(100 + i); err != nil {
			t.Fatalf("after %s: TrySend: %v", what, err)
		}
		if v, err := r.Recv(ctx); v != 100+i || err != nil {
			t.Fatalf("after %s: Recv = %d, %v; want %d", what, v, err, 100+i)
		}
	}
	if n := r.Len(); n != 0 {
		t.Fatalf("after %s: Len = %d, want 0", what, n)
	}
}

// TestNilContextPanics: every call that takes a context panics on a nil one
// before it touches the channel, whether or not it would block, and the
// channel works afterwards. A Recv(nil) on an empty channel used to register
// and then wedge every later receive.
func TestNilContextPanics(t *testing.T) {
	var nilCtx context.Context
	for _, c := range flavours {
		s, r := newChan[int](c)
		buf := make([]int, 2)
		name := fmt.Sprintf("cap=%d: ", c)
		mustPanic(t, name+"Recv(nil) on an empty channel", "nil Context", func() { r.Recv(nilCtx) })
		works(t, s, r, "Recv(nil)")
		mustPanic(t, name+"RecvBatch(nil) on an empty channel", "nil Context", func() { r.RecvBatch(nilCtx, buf) })
		works(t, s, r, "RecvBatch(nil)")
		mustPanic(t, name+"All(nil)", "nil Context", func() { r.All(nilCtx) })
		works(t, s, r, "All(nil)")
		mustPanic(t, name+"Send(nil) with room", "nil Context", func() { s.Send(nilCtx, 1) })
		if r.Len() != 0 {
			t.Fatalf("%sSend(nil) enqueued", name)
		}
		works(t, s, r, "Send(nil)")
		if err := s.TrySend(1); err != nil {
			t.Fatal(err)
		}
		mustPanic(t, name+"Recv(nil) with a value waiting", "nil Context", func() { r.Recv(nilCtx) })
		mustPanic(t, name+"RecvBatch(nil) with a value waiting", "nil Context", func() { r.RecvBatch(nilCtx, buf) })
		if c == 1 {
			mustPanic(t, "Send(nil) on a full channel", "nil Context", func() { s.Send(nilCtx, 2) })
		}
		if v, err := r.TryRecv(); v != 1 || err != nil {
			t.Fatalf("%sTryRecv after the panics = %d, %v; want 1", name, v, err)
		}
		works(t, s, r, "the panics with a value waiting")
	}

	ss, sr := mpsc.NewSlot()
	mustPanic(t, "SlotReceiver.Recv(nil) on an empty slot", "nil Context", func() { sr.Recv(nilCtx) })
	ss.TrySend(3)
	mustPanic(t, "SlotReceiver.Recv(nil) with a value waiting", "nil Context", func() { sr.Recv(nilCtx) })
	if v, err := sr.Recv(timeout(t)); v != 3 || err != nil {
		t.Fatalf("slot Recv after the panics = %d, %v; want 3", v, err)
	}
}

// TestZeroValuesPanic: every method of a zero Sender, Receiver, SlotSender
// or SlotReceiver panics with an "mpsc:" message instead of dereferencing
// nil, and a zero Sender's Close changes nothing (it would otherwise mark
// itself closed first).
func TestZeroValuesPanic(t *testing.T) {
	ctx := timeout(t)
	buf := make([]int, 2)
	var s mpsc.Sender[int]
	for name, f := range map[string]func(){
		"Send":    func() { s.Send(ctx, 1) },
		"TrySend": func() { s.TrySend(1) },
		"Clone":   func() { s.Clone() },
		"Close":   func() { s.Close() },
	} {
		mustPanic(t, "zero Sender."+name, "zero Sender", f)
	}
	mustPanic(t, "zero Sender.Close, again", "zero Sender", s.Close)

	var r mpsc.Receiver[int]
	for name, f := range map[string]func(){
		"Recv":         func() { r.Recv(ctx) },
		"TryRecv":      func() { r.TryRecv() },
		"RecvBatch":    func() { r.RecvBatch(ctx, buf) },
		"TryRecvBatch": func() { r.TryRecvBatch(buf) },
		"All":          func() { r.All(ctx) },
		"Len":          func() { r.Len() },
		"Cap":          func() { r.Cap() },
		"Close":        func() { r.Close() },
	} {
		mustPanic(t, "zero Receiver."+name, "zero Receiver", f)
	}
	// The receive panics leave no receive marked in progress: the next
	// receive panics for the same reason, not as a concurrent one.
	mustPanic(t, "zero Receiver.TryRecv, again", "zero Receiver", func() { r.TryRecv() })

	var ss mpsc.SlotSender
	mustPanic(t, "zero SlotSender.TrySend", "zero SlotSender", func() { ss.TrySend(1) })
	mustPanic(t, "zero SlotSender.Close", "zero SlotSender", ss.Close)
	mustPanic(t, "zero SlotSender.Done", "zero SlotSender", func() { ss.Done() })
	var sr mpsc.SlotReceiver
	mustPanic(t, "zero SlotReceiver.TryRecv", "zero SlotReceiver", func() { sr.TryRecv() })
	mustPanic(t, "zero SlotReceiver.Recv", "zero SlotReceiver", func() { sr.Recv(ctx) })
	mustPanic(t, "zero SlotReceiver.Recv, again", "zero SlotReceiver", func() { sr.Recv(ctx) })
	mustPanic(t, "zero SlotReceiver.Close", "zero SlotReceiver", sr.Close)
}

// receives are the receive methods of a Receiver, each as a call that
// returns the values it received.
var receives = []struct {
	name string
	recv func(ctx context.Context, r *mpsc.Receiver[int], buf []int) ([]int, error)
}{
	{"Recv", func(ctx context.Context, r *mpsc.Receiver[int], _ []int) ([]int, error) {
		v, err := r.Recv(ctx)
		if err != nil {
			return nil, err
		}
		return []int{v}, nil
	}},
	{"TryRecv", func(_ context.Context, r *mpsc.Receiver[int], _ []int) ([]int, error) {
		v, err := r.TryRecv()
		if err != nil {
			return nil, err
		}
		return []int{v}, nil
	}},
	{"RecvBatch", func(ctx context.Context, r *mpsc.Receiver[int], buf []int) ([]int, error) {
		n, err := r.RecvBatch(ctx, buf)
		return buf[:n], err
	}},
	{"TryRecvBatch", func(_ context.Context, r *mpsc.Receiver[int], buf []int) ([]int, error) {
		n, err := r.TryRecvBatch(buf)
		return buf[:n], err
	}},
	{"All", func(ctx context.Context, r *mpsc.Receiver[int], _ []int) ([]int, error) {
		for v := range r.All(ctx) {
			return []int{v}, nil
		}
		return nil, mpsc.ErrClosed
	}},
}

// TestConcurrentReceivePanics: a receive that would wait, started while a
// Recv is parked, panics with "mpsc: concurrent receive", before it touches
// the channel; a TryRecv or TryRecvBatch, which never waits, is harmless
// (it finds the channel empty). Either way the parked Recv still gets the
// next value, and the channel works afterwards.
func TestConcurrentReceivePanics(t *testing.T) {
	for _, c := range flavours {
		for _, second := range receives {
			t.Run(fmt.Sprintf("cap=%d/%s", c, second.name), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					ctx := timeout(t)
					s, r := newChan[int](c)
					got := make(chan int, 1)
					go func() {
						v, err := r.Recv(ctx)
						if err != nil {
							t.Errorf("parked Recv: %v", err)
						}
						got <- v
					}()
					synctest.Wait() // the first Recv is parked
					if strings.HasPrefix(second.name, "Try") {
						if vs, err := second.recv(ctx, r, make([]int, 2)); len(vs) != 0 || err != mpsc.ErrEmpty {
							t.Fatalf("%s while a Recv is parked = %v, %v; want nothing, ErrEmpty", second.name, vs, err)
						}
					} else {
						mustPanic(t, second.name+" while a Recv is parked", "concurrent receive", func() {
							second.recv(ctx, r, make([]int, 2))
						})
					}
					if err := s.TrySend(7); err != nil {
						t.Fatal(err)
					}
					if v := unblocked(t, got, "the parked Recv after the panic"); v != 7 {
						t.Fatalf("parked Recv = %d, want 7", v)
					}
					works(t, s, r, "a concurrent "+second.name)
				})
			})
		}
	}
}

// TestSlotConcurrentReceive: a SlotReceiver.Recv that would wait while
// another Recv waits panics, and the waiting one still gets the value; a
// TryRecv that overlaps a receive is harmless.
func TestSlotConcurrentReceive(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		s, r := mpsc.NewSlot()
		got := make(chan uint64, 1)
		go func() { v, _ := r.Recv(ctx); got <- v }()
		synctest.Wait()
		mustPanic(t, "slot Recv while a Recv waits", "concurrent receive", func() { r.Recv(ctx) })
		if v, err := r.TryRecv(); err != mpsc.ErrEmpty {
			t.Fatalf("TryRecv on an empty slot = %d, %v; want ErrEmpty", v, err)
		}
		s.TrySend(9)
		if v := unblocked(t, got, "the waiting slot Recv after the panic"); v != 9 {
			t.Fatalf("waiting slot Recv = %d, want 9", v)
		}
		s.TrySend(10)
		if v, err := r.Recv(ctx); v != 10 || err != nil {
			t.Fatalf("slot Recv after the panic = %d, %v", v, err)
		}
	})
}

// TestStressSlotRacingTryRecv: goroutines that TryRecv from one slot at once
// get every value exactly once, and never a zero.
func TestStressSlotRacingTryRecv(t *testing.T) {
	const per = 2000
	testutil.ForEachProcs(t, func(t *testing.T) {
		s, r := mpsc.NewSlot()
		expired, stop := testutil.Deadline()
		defer stop()
		sender := testutil.Go(t, func() {
			for v := uint64(1); v <= per; v++ {
				for s.TrySend(v) != nil {
					select {
					case <-expired:
						t.Errorf("slot not emptied within %v", testutil.Timeout)
						return
					default:
						runtime.Gosched()
					}
				}
			}
		})
		var mu sync.Mutex
		count := make([]int, per+1)
		var total atomic.Int64
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for total.Load() < per {
					select {
					case <-expired:
						return
					default:
					}
					if v, err := r.TryRecv(); err == nil {
						if v == 0 || v > per {
							t.Errorf("TryRecv = %d, never sent", v)
							return
						}
						mu.Lock()
						count[v]++
						mu.Unlock()
						total.Add(1)
					} else {
						runtime.Gosched()
					}
				}
			}()
		}
		testutil.Recv(t, sender, "the slot sender")
		waitGroup(t, &wg, "the racing TryRecvs")
		for v := 1; v <= per; v++ {
			if count[v] != 1 {
				t.Fatalf("value %d received %d times", v, count[v])
			}
		}
	})
}

// TestLenCapAnyGoroutine: Len and Cap may be called from a goroutine other
// than the receiver's while values stream through (under -race, this is the
// check that they read nothing the receiver writes without
// synchronization), and what they report is within bounds.
func TestLenCapAnyGoroutine(t *testing.T) {
	const per = 2000
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range flavours {
			ctx := timeout(t)
			s, r := newChan[int](c)
			var stop atomic.Bool
			metrics := testutil.Go(t, func() {
				for !stop.Load() {
					n, k := r.Len(), r.Cap()
					if k != c {
						t.Errorf("cap=%d: Cap = %d", c, k)
						return
					}
					if n < 0 || c != unbounded && n > c || c == unbounded && n > 2*per {
						t.Errorf("cap=%d: Len = %d", c, n)
						return
					}
					runtime.Gosched()
				}
			})
			var wg sync.WaitGroup
			for range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						if err := s.Send(ctx, i); err != nil {
							t.Errorf("Send: %v", err)
							return
						}
					}
				}()
			}
			for got := 0; got < 2*per; {
				if got%2 == 0 {
					if _, err := r.Recv(ctx); err != nil {
						t.Fatalf("cap=%d: Recv: %v", c, err)
					}
					got++
				} else {
					n, err := r.RecvBatch(ctx, make([]int, min(8, 2*per-got)))
					if err != nil {
						t.Fatalf("cap=%d: RecvBatch: %v", c, err)
					}
					got += n
				}
			}
			waitGroup(t, &wg, "senders")
			stop.Store(true)
			testutil.Recv(t, metrics, "the metrics goroutine")
			if n := r.Len(); n != 0 {
				t.Fatalf("cap=%d: Len = %d after every value was received", c, n)
			}
		}
	})
}

// TestTryRecvBatch: TryRecvBatch never waits: it takes what is there, in
// order, up to len(buf), and reports ErrEmpty, then ErrClosed once the
// channel is closed and drained.
func TestTryRecvBatch(t *testing.T) {
	for _, c := range []int{5, 8, unbounded} {
		s, r := newChan[int](c)
		buf := make([]int, 3)
		if n, err := r.TryRecvBatch(buf); n != 0 || err != mpsc.ErrEmpty {
			t.Fatalf("cap=%d: TryRecvBatch on empty = %d, %v; want 0, ErrEmpty", c, n, err)
		}
		for i := range 5 {
			if err := s.TrySend(i); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := r.TryRecvBatch(nil); n != 0 || err != nil || r.Len() != 5 {
			t.Fatalf("cap=%d: TryRecvBatch(nil) = %d, %v, Len %d; want 0, nil, 5", c, n, err, r.Len())
		}
		want := [][]int{{0, 1, 2}, {3, 4}}
		for _, w := range want {
			n, err := r.TryRecvBatch(buf)
			if err != nil || fmt.Sprint(buf[:n]) != fmt.Sprint(w) {
				t.Fatalf("cap=%d: TryRecvBatch = %v, %v; want %v", c, buf[:n], err, w)
			}
		}
		if n, err := r.TryRecvBatch(buf); n != 0 || err != mpsc.ErrEmpty {
			t.Fatalf("cap=%d: TryRecvBatch drained = %d, %v; want 0, ErrEmpty", c, n, err)
		}
		s.TrySend(5)
		s.Close()
		if n, err := r.TryRecvBatch(buf); n != 1 || buf[0] != 5 || err != nil {
			t.Fatalf("cap=%d: TryRecvBatch after Close = %v, %v; want [5]", c, buf[:n], err)
		}
		if n, err := r.TryRecvBatch(buf); n != 0 || !errors.Is(err, mpsc.ErrClosed) {
			t.Fatalf("cap=%d: TryRecvBatch closed and drained = %d, %v; want 0, ErrClosed", c, n, err)
		}
	}
}

// TestStressTryRecvBatch: senders stream into a channel that the receiver
// empties with TryRecvBatch alone, yielding when it finds nothing: every
// value arrives once, each sender's in order, and a send that has returned
// is never missed by a TryRecvBatch that reports ErrEmpty after it.
func TestStressTryRecvBatch(t *testing.T) {
	const senders, per = 3, 3000
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{4, 64, unbounded} {
			ctx := timeout(t)
			s, r := newChan[int](c)
			var wg sync.WaitGroup
			for p := range senders {
				w := s.Clone()
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer w.Close()
					for i := range per {
						if err := w.Send(ctx, p*per+i); err != nil {
							t.Errorf("Send: %v", err)
							return
						}
					}
				}()
			}
			s.Close()
			next := make([]int, senders)
			buf := make([]int, 16)
			expired, stop := testutil.Deadline()
			for {
				n, err := r.TryRecvBatch(buf)
				if err == mpsc.ErrClosed {
					break
				}
				if err == mpsc.ErrEmpty {
					select {
					case <-expired:
						t.Fatalf("cap=%d: channel not closed within %v; received %v of %d per sender", c, testutil.Timeout, next, per)
					default:
						runtime.Gosched()
					}
					continue
				}
				for _, v := range buf[:n] {
					p := v / per
					if v%per != next[p] {
						t.Fatalf("cap=%d: sender %d: got %d, want %d", c, p, v%per, next[p])
					}
					next[p]++
				}
			}
			stop()
			waitGroup(t, &wg, "senders")
			for p, n := range next {
				if n != per {
					t.Fatalf("cap=%d: sender %d: received %d of %d", c, p, n, per)
				}
			}
		}
	})
}
