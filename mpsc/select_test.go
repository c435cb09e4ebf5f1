package mpsc_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
)

// waitMode is how the receiver of a lock-step test waits after TryRecv
// reported empty: on Ready in a select, or on a Parker registered with
// Register. wait returns false if the test's deadline expired first.
type waitMode struct {
	name string
	wait func(r *mpsc.Receiver[int], p *waker.Parker, other, expired <-chan struct{}) (tookOther, ok bool)
}

var waitModes = []waitMode{
	{"Ready", func(r *mpsc.Receiver[int], _ *waker.Parker, other, expired <-chan struct{}) (bool, bool) {
		select {
		case <-r.Ready():
			return false, true
		case <-other:
			return true, true
		case <-expired:
			return false, false
		}
	}},
	{"Register", func(r *mpsc.Receiver[int], p *waker.Parker, other, expired <-chan struct{}) (bool, bool) {
		r.Register(p)
		select {
		case <-p.C():
			return false, true
		case <-other:
			return true, true
		case <-expired:
			return false, false
		}
	}},
}

// TestReadyNoLostWakeup: senders take turns sending one value at a time,
// after a random pause, and wait for the receiver to acknowledge it, so
// that every value's wake-up is needed: a lost one leaves the receiver's
// select waiting until the deadline. The receiver loops as the package doc
// says, TryRecv then a select on Ready (or a registered Parker) and another
// case; a quarter of the values come with that other case ready too, so the
// select sometimes takes it, comes back, and arms again with a stale token
// or a stale registration left behind.
func TestReadyNoLostWakeup(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, mode := range waitModes {
			for _, c := range flavours {
				t.Run(mode.name+"/"+capName(c), func(t *testing.T) { lockStep(t, c, mode) })
			}
		}
	})
}

func capName(c int) string {
	if c == unbounded {
		return "unbounded"
	}
	return "cap=" + strconv.Itoa(c)
}

// turns is the lock step of TestReadyNoLostWakeup and
// TestSlotReadyNoLostWakeup: senders take turns sending one value each, and
// wait for the receiver to acknowledge it on ack before they pass the turn
// on; a quarter of the values come with other ready too.
type turns struct {
	turn, other chan struct{}
	ack         chan int
	expired     <-chan struct{}
}

func newTurns(expired <-chan struct{}) *turns {
	l := &turns{turn: make(chan struct{}, 1), other: make(chan struct{}, 1), ack: make(chan int, 1), expired: expired}
	l.turn <- struct{}{}
	return l
}

// sender sends v0, v0+1, ... v0+each-1 with send, one per turn, each after
// a random pause. It gives up when the deadline expires or send fails.
func (l *turns) sender(t *testing.T, v0, each int, send func(v int) error) {
	for v := v0; v < v0+each; v++ {
		select {
		case <-l.turn:
		case <-l.expired:
			return
		}
		testutil.Pause()
		if err := send(v); err != nil {
			t.Errorf("send(%d): %v", v, err)
			return
		}
		if rand.IntN(4) == 0 {
			select {
			case l.other <- struct{}{}:
			default: // one is pending already: the receiver may be done
			}
		}
		select {
		case got := <-l.ack:
			if got != v {
				t.Errorf("receiver acknowledged %d, want %d", got, v)
			}
		case <-l.expired:
			return
		}
		l.turn <- struct{}{}
	}
}

func lockStep(t *testing.T, capacity int, mode waitMode) {
	const senders, each = 4, 300
	s, r := newChan[int](capacity)
	ctx := timeout(t)
	expired, stop := testutil.Deadline()
	defer stop()
	l := newTurns(expired)
	var wg sync.WaitGroup
	for g := range senders {
		tx := s.Clone()
		wg.Go(func() {
			defer tx.Close()
			l.sender(t, g*each, each, func(v int) error { return tx.Send(ctx, v) })
		})
	}
	s.Close()
	p := new(waker.Parker)
	received, others := 0, 0
	for {
		v, err := r.TryRecv()
		if err == nil {
			received++
			l.ack <- v
			continue
		}
		if errors.Is(err, mpsc.ErrClosed) {
			break
		}
		tookOther, ok := mode.wait(r, p, l.other, expired)
		if !ok {
			t.Fatalf("lost wake-up: the select loop received %d of %d values, then waited %v", received, senders*each, testutil.Timeout)
		}
		if tookOther {
			others++
		}
	}
	wg.Wait()
	if received != senders*each {
		t.Fatalf("received %d values, want %d", received, senders*each)
	}
	if others == 0 {
		t.Logf("the select never took the other case")
	}
}

// TestReadyStream: four senders stream values with random pauses while the
// receiver drains with TryRecvBatch and selects on Ready and a ticker;
// every value arrives once, each sender's in order, and the loop ends on
// ErrClosed once every sender closed.
func TestReadyStream(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range flavours {
			t.Run(capName(c), func(t *testing.T) {
				const senders, each = 4, 2000
				s, r := newChan[int](c)
				ctx := timeout(t)
				for g := range senders {
					tx := s.Clone()
					testutil.Go(t, func() {
						defer tx.Close()
						for i := range each {
							if i%64 == 0 {
								testutil.Pause()
							}
							if err := tx.Send(ctx, g*each+i); err != nil {
								t.Errorf("Send: %v", err)
								return
							}
						}
					})
				}
				s.Close()
				ticker := time.NewTicker(100 * time.Microsecond)
				defer ticker.Stop()
				expired, stop := testutil.Deadline()
				defer stop()
				next := make([]int, senders)
				buf := make([]int, 16)
				for {
					n, err := r.TryRecvBatch(buf)
					for _, v := range buf[:n] {
						g, i := v/each, v%each
						if next[g] != i {
							t.Fatalf("sender %d: received %d, want %d", g, i, next[g])
						}
						next[g]++
					}
					if err == nil {
						continue
					}
					if errors.Is(err, mpsc.ErrClosed) {
						break
					}
					select {
					case <-r.Ready():
					case <-ticker.C:
					case <-expired:
						t.Fatalf("lost wake-up: received %v of %d per sender", next, each)
					}
				}
				for g, n := range next {
					if n != each {
						t.Errorf("sender %d: received %d values, want %d", g, n, each)
					}
				}
			})
		}
	})
}

// TestSlotReadyNoLostWakeup is TestReadyNoLostWakeup for a Slot: senders
// take turns storing a value after a random pause, and the receiver
// selects on Ready and a case that is sometimes ready too.
func TestSlotReadyNoLostWakeup(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const senders, each = 4, 300
		s, r := mpsc.NewSlot()
		expired, stop := testutil.Deadline()
		defer stop()
		l := newTurns(expired)
		for g := range senders {
			testutil.Go(t, func() {
				// The values from 1: a Slot carries no zero.
				l.sender(t, g*each+1, each, func(v int) error { return s.TrySend(uint64(v)) })
			})
		}
		for received := 0; received < senders*each; {
			if v, err := r.TryRecv(); err == nil {
				received++
				l.ack <- int(v)
				continue
			}
			select {
			case <-r.Ready():
			case <-l.other:
			case <-expired:
				t.Fatalf("lost wake-up: the select loop received %d of %d values, then waited %v", received, senders*each, testutil.Timeout)
			}
		}
	})
}

// TestDoneAfterReceiverClose: producers select on Done while they prepare
// and send values; the receiver closes the channel at a random point. Every
// producer sees Done closed within the deadline, and every Send after that
// reports ErrClosed.
func TestDoneAfterReceiverClose(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range flavours {
			t.Run(capName(c), func(t *testing.T) {
				const producers = 4
				s, r := newChan[int](c)
				ctx := timeout(t)
				var closed atomic.Bool
				var done []<-chan struct{}
				for range producers {
					tx := s.Clone()
					done = append(done, testutil.Go(t, func() {
						defer tx.Close()
						for {
							select {
							case <-tx.Done():
								if !closed.Load() {
									t.Errorf("Done was closed before the receiver closed the channel")
								}
								if err := tx.Send(ctx, 1); !errors.Is(err, mpsc.ErrClosed) {
									t.Errorf("Send after Done = %v, want ErrClosed", err)
								}
								return
							default:
							}
							testutil.Pause()
							if err := tx.TrySend(1); err != nil && !errors.Is(err, mpsc.ErrFull) && !errors.Is(err, mpsc.ErrClosed) {
								t.Errorf("TrySend: %v", err)
							}
						}
					}))
				}
				s.Close()
				for range rand.IntN(200) {
					if _, err := r.Recv(ctx); err != nil {
						t.Fatalf("Recv: %v", err)
					}
				}
				closed.Store(true)
				r.Close()
				for i, d := range done {
					testutil.Recv(t, d, "producer "+strconv.Itoa(i)+" to see Done closed after the receiver's Close")
				}
			})
		}
	})
}

// TestDoneAfterLastSender: a watcher selects on Done while producers close
// their handles one by one at random times; Done closes only once the last
// one is closed, and concurrent first calls of Done agree on one channel.
func TestDoneAfterLastSender(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const producers = 4
		s, _ := mpsc.New[int](8)
		var open atomic.Int64
		open.Store(producers)
		var chans [producers]<-chan struct{}
		var ready sync.WaitGroup
		ready.Add(producers)
		var start = make(chan struct{})
		for g := range producers {
			tx := s.Clone()
			testutil.Go(t, func() {
				chans[g] = tx.Done() // first calls, racing
				ready.Done()
				<-start
				testutil.Pause()
				open.Add(-1)
				tx.Close()
			})
		}
		s.Close()
		ready.Wait()
		for g := range chans {
			if chans[g] != chans[0] {
				t.Fatalf("Done returned different channels to handles 0 and %d", g)
			}
		}
		close(start)
		testutil.Recv(t, s.Done(), "Done to close after the last Sender's Close")
		if n := open.Load(); n != 0 {
			t.Fatalf("Done closed while %d handles were open", n)
		}
	})
}

// TestReadyBlocking: Ready's channel is ready only once a value is there or
// the channel is closed; at once when one already is; a token left by a
// wake-up that no select received does not make the next Ready ready; and
// a Recv that waits in between does not break the next arming.
func TestReadyBlocking(t *testing.T) {
	for _, c := range flavours {
		t.Run(capName(c), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := timeout(t)
				s, r := newChan[int](c)
				notReady(t, r.Ready(), "Ready of an empty channel")
				ch := r.Ready()
				go s.TrySend(1)
				synctest.Wait()
				isReady(t, ch, "Ready after a send")
				isReady(t, r.Ready(), "Ready with a value there")

				// A wake-up nobody received leaves a token; TryRecv takes
				// the value; the next Ready drains the token.
				r.TryRecv()
				r.Ready()
				s.TrySend(2)
				if v, err := r.TryRecv(); v != 2 || err != nil {
					t.Fatalf("TryRecv = %d, %v; want 2", v, err)
				}
				notReady(t, r.Ready(), "Ready after a stale wake-up")

				// A Recv that waits withdraws Ready's waker from the
				// sink and waits on its own; the next Ready arms again.
				res := goRecv(ctx, r)
				synctest.Wait()
				s.TrySend(3)
				if got := <-res; got.v != 3 || got.err != nil {
					t.Fatalf("Recv = %d, %v; want 3", got.v, got.err)
				}
				ch = r.Ready()
				notReady(t, ch, "Ready after a Recv")
				go s.TrySend(4)
				synctest.Wait()
				isReady(t, ch, "Ready after a Recv, then a send")
				r.TryRecv()

				ch = r.Ready()
				go r.Close()
				synctest.Wait()
				isReady(t, ch, "Ready after Close")
				isReady(t, r.Ready(), "Ready of a closed channel")
			})
		})
	}
}

type recvResult struct {
	v   int
	err error
}

func goRecv(ctx context.Context, r *mpsc.Receiver[int]) chan recvResult {
	res := make(chan recvResult, 1)
	go func() {
		v, err := r.Recv(ctx)
		res <- recvResult{v, err}
	}()
	return res
}

// notReady fails unless ch stays not ready once every goroutine of the
// bubble is blocked.
func notReady(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	synctest.Wait()
	select {
	case <-ch:
		t.Fatalf("%s: ready with nothing to receive", what)
	default:
	}
}

// isReady fails unless ch is ready now.
func isReady(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	default:
		t.Fatalf("%s: not ready", what)
	}
}

// TestSlotReadyBlocking is TestReadyBlocking for a Slot.
func TestSlotReadyBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, r := mpsc.NewSlot()
		ch := r.Ready()
		notReady(t, ch, "slot Ready when empty")
		go s.TrySend(7)
		synctest.Wait()
		isReady(t, ch, "slot Ready after TrySend")
		isReady(t, r.Ready(), "slot Ready with a value there")
		r.TryRecv()
		r.Ready()
		s.TrySend(8)
		r.TryRecv()
		notReady(t, r.Ready(), "slot Ready after a stale wake-up")
	})
}

// TestDoneBlocking: Done is not closed while the channel is open, closes
// with the receiver's Close, and a Done first called after the close is
// closed at once.
func TestDoneBlocking(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, r := mpsc.New[int](4)
		d := s.Done()
		notReady(t, d, "Done of an open channel")
		c := s.Clone()
		c.Close()
		notReady(t, d, "Done with a handle closed and one open")
		go r.Close()
		synctest.Wait()
		isReady(t, d, "Done after the receiver's Close")
		isReady(t, c.Done(), "Done on a closed handle of a closed channel")

		s2, _ := mpsc.NewUnbounded[int]()
		s2.Close()
		isReady(t, s2.Done(), "Done first called after the last Sender closed")
	})
}

// countWaker counts its wake-ups.
type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake() { w.n.Add(1) }

// TestRegister: a registered waker is woken by the send that makes a value
// available, once (a Notify consumes the registration), at once by Register
// when a value is there, by Close, and not after Unregister.
func TestRegister(t *testing.T) {
	for _, c := range flavours {
		s, r := newChan[int](c)
		w := new(countWaker)
		r.Register(w)
		if n := w.n.Load(); n != 0 {
			t.Fatalf("%s: Register of an empty channel woke %d times", capName(c), n)
		}
		s.TrySend(1)
		s.TrySend(2)
		if n := w.n.Load(); n != 1 {
			t.Fatalf("%s: two sends woke %d times, want 1", capName(c), n)
		}
		r.Register(w)
		if n := w.n.Load(); n != 2 {
			t.Fatalf("%s: Register with values there did not wake at once (%d)", capName(c), n)
		}
		r.TryRecv()
		r.TryRecv()
		r.Register(w)
		r.Unregister()
		s.TrySend(3)
		if n := w.n.Load(); n != 2 {
			t.Fatalf("%s: a send after Unregister woke (%d)", capName(c), n)
		}
		r.TryRecv()
		r.Register(w)
		r.Close()
		if n := w.n.Load(); n != 3 {
			t.Fatalf("%s: Close did not wake the registered waker (%d)", capName(c), n)
		}
	}

	s, r := mpsc.NewSlot()
	w := new(countWaker)
	r.Register(w)
	s.TrySend(5)
	r.Register(w)
	if n := w.n.Load(); n != 2 {
		t.Fatalf("slot: %d wake-ups, want 2 (the send's, and Register's with the value there)", n)
	}
	r.TryRecv()
	r.Register(w)
	r.Unregister()
	s.TrySend(6)
	if n := w.n.Load(); n != 2 {
		t.Fatalf("slot: a send after Unregister woke (%d)", n)
	}
}

// nonComparable is a Waker whose dynamic type cannot be compared.
type nonComparable []int

func (nonComparable) Wake() {}

// TestSelectMisusePanics: Ready, Register and Unregister while a Recv is
// parked panic with "mpsc: concurrent receive" before they touch the
// sink; Register(nil) panics with an "mpsc:" message, and a non-comparable
// waker with waker's, leaving the guard released; a zero Receiver or
// SlotReceiver panics. After each, the channel works.
func TestSelectMisusePanics(t *testing.T) {
	calls := []struct {
		name string
		f    func(*mpsc.Receiver[int])
	}{
		{"Ready", func(r *mpsc.Receiver[int]) { r.Ready() }},
		{"Register", func(r *mpsc.Receiver[int]) { r.Register(new(countWaker)) }},
		{"Unregister", func(r *mpsc.Receiver[int]) { r.Unregister() }},
	}
	for _, call := range calls {
		t.Run(call.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := timeout(t)
				s, r := mpsc.New[int](4)
				res := goRecv(ctx, r)
				synctest.Wait() // the Recv is parked
				mustPanic(t, call.name+" while a Recv is parked", "concurrent receive", func() { call.f(r) })
				s.TrySend(1)
				if got := <-res; got.v != 1 || got.err != nil {
					t.Fatalf("the parked Recv = %d, %v after the panic; want 1", got.v, got.err)
				}
				works(t, s, r, call.name+" while a Recv is parked")
			})
		})
	}

	s, r := mpsc.New[int](4)
	mustPanic(t, "Register(nil)", "nil Waker", func() { r.Register(nil) })
	func() {
		defer func() {
			if p := recover(); p == nil {
				t.Errorf("Register of a non-comparable waker did not panic")
			}
		}()
		r.Register(nonComparable{})
	}()
	r.Ready() // the guard was released
	works(t, s, r, "Register of a bad waker")

	var zr mpsc.Receiver[int]
	mustPanic(t, "Ready on a zero Receiver", "zero Receiver", func() { zr.Ready() })
	mustPanic(t, "Register on a zero Receiver", "zero Receiver", func() { zr.Register(new(countWaker)) })
	mustPanic(t, "Unregister on a zero Receiver", "zero Receiver", func() { zr.Unregister() })
	var zs mpsc.Sender[int]
	mustPanic(t, "Done on a zero Sender", "zero Sender", func() { zs.Done() })
	var zsr mpsc.SlotReceiver
	mustPanic(t, "Ready on a zero SlotReceiver", "zero SlotReceiver", func() { zsr.Ready() })

	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		ss, sr := mpsc.NewSlot()
		res := make(chan uint64, 1)
		go func() { v, _ := sr.Recv(ctx); res <- v }()
		synctest.Wait()
		mustPanic(t, "slot Ready while a Recv waits", "concurrent receive", func() { sr.Ready() })
		mustPanic(t, "slot Register while a Recv waits", "concurrent receive", func() { sr.Register(new(countWaker)) })
		ss.TrySend(9)
		if v := <-res; v != 9 {
			t.Fatalf("the waiting slot Recv = %d after the panics, want 9", v)
		}
		ch := sr.Ready()
		ss.TrySend(10)
		isReady(t, ch, "slot Ready after the panics")
	})
}

// TestSelectAllocs: arming Ready and waking it, Register with a Parker and
// waking it, TryRecvBatch, and Done after its first call allocate nothing.
func TestSelectAllocs(t *testing.T) {
	buf := make([]int, 8)
	for _, c := range []int{64, unbounded} {
		s, r := newChan[int](c)
		r.Ready() // makes Ready's channel
		s.Done()  // makes Done's channel
		p := new(waker.Parker)
		pc := p.C()
		cases := map[string]func(){
			"Ready arm+wake": func() {
				ch := r.Ready()
				s.TrySend(1)
				<-ch
				r.TryRecv()
			},
			"Register arm+wake": func() {
				r.Register(p)
				s.TrySend(1)
				<-pc
				r.TryRecv()
			},
			"TryRecvBatch": func() {
				s.TrySend(1)
				s.TrySend(2)
				r.TryRecvBatch(buf)
				r.TryRecvBatch(buf)
			},
			"Done": func() { <-closedOrNot(s.Done()) },
		}
		for name, f := range cases {
			if n := testing.AllocsPerRun(5000, f); n != 0 {
				t.Errorf("%s: %s: %v allocs, want 0", capName(c), name, n)
			}
		}
	}
	ss, sr := mpsc.NewSlot()
	sr.Ready()
	if n := testing.AllocsPerRun(5000, func() {
		ch := sr.Ready()
		ss.TrySend(1)
		<-ch
		sr.TryRecv()
	}); n != 0 {
		t.Errorf("slot Ready arm+wake: %v allocs, want 0", n)
	}
}

// closedOrNot returns a channel ready at once: ch if it is closed, else a
// closed one, so that AllocsPerRun can call Done without blocking.
func closedOrNot(ch <-chan struct{}) <-chan struct{} {
	select {
	case <-ch:
	default:
	}
	return closedForTest
}

var closedForTest = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// TestReadyArmWindows drives the two windows of Ready's arming: a value
// sent after its first look and before it registers is seen by its look
// after registering, and one sent after it registers wakes its parker or is
// seen by that look. Either way the channel Ready returns is ready.
func TestReadyArmWindows(t *testing.T) {
	for _, after := range []bool{false, true} {
		for _, c := range flavours {
			s, r := newChan[int](c)
			var slot *mpsc.SlotSender
			mpsc.SetReadyHook(func(a bool) {
				if a == after {
					if slot != nil {
						slot.TrySend(1)
					} else {
						s.TrySend(1)
					}
				}
			})
			ch := r.Ready()
			mpsc.SetReadyHook(nil)
			isReady(t, ch, "Ready with a send in its window (after register: "+strconv.FormatBool(after)+", "+capName(c)+")")
			ss, sr := mpsc.NewSlot()
			slot = ss
			mpsc.SetReadyHook(func(a bool) {
				if a == after {
					slot.TrySend(1)
				}
			})
			ch = sr.Ready()
			mpsc.SetReadyHook(nil)
			isReady(t, ch, "slot Ready with a send in its window (after register: "+strconv.FormatBool(after)+")")
		}
	}
}
