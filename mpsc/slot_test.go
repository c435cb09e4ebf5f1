package mpsc_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

func TestSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		s, r := mpsc.NewSlot()
		if v, err := r.TryRecv(); err != mpsc.ErrEmpty {
			t.Fatalf("TryRecv on a new slot = %d, %v; want ErrEmpty", v, err)
		}
		if err := s.TrySend(5); err != nil {
			t.Fatalf("TrySend on an empty slot: %v", err)
		}
		if err := s.TrySend(6); err != mpsc.ErrFull {
			t.Fatalf("TrySend on an occupied slot: %v, want ErrFull", err)
		}
		if v, err := r.Recv(ctx); v != 5 || err != nil {
			t.Fatalf("Recv = %d, %v", v, err)
		}
		got := make(chan uint64, 1)
		go func() { v, _ := r.Recv(ctx); got <- v }()
		blocked(t, got, "Recv on an empty slot")
		if err := s.TrySend(7); err != nil {
			t.Fatalf("TrySend on an empty slot: %v", err)
		}
		if v := unblocked(t, got, "Recv after TrySend"); v != 7 {
			t.Fatalf("Recv = %d, want 7", v)
		}
		cctx, cancel := context.WithCancel(ctx)
		errc := goErr(func() error { _, err := r.Recv(cctx); return err })
		blocked(t, errc, "Recv on an empty slot")
		cancel()
		if err := unblocked(t, errc, "cancelled Recv"); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Recv: %v", err)
		}
		s.TrySend(8)
		if v, err := r.TryRecv(); v != 8 || err != nil {
			t.Fatalf("TryRecv = %d, %v", v, err)
		}
	})
}

// TestSlotSendReservedPanics: TrySend of 0 or ^uint64(0) panics with an
// "mpsc:" message before it touches the slot, empty or full; the slot then
// works, and a value waiting is still there.
func TestSlotSendReservedPanics(t *testing.T) {
	ctx := timeout(t)
	for _, v := range []uint64{0, ^uint64(0)} {
		s, r := mpsc.NewSlot()
		mustPanic(t, "TrySend of a reserved value on an empty slot", "reserves", func() { s.TrySend(v) })
		if got, err := r.TryRecv(); err != mpsc.ErrEmpty {
			t.Fatalf("TryRecv after TrySend(%#x) panicked = %d, %v; want ErrEmpty", v, got, err)
		}
		if err := s.TrySend(3); err != nil {
			t.Fatalf("TrySend after the panic: %v", err)
		}
		mustPanic(t, "TrySend of a reserved value on a full slot", "reserves", func() { s.TrySend(v) })
		if err := s.TrySend(4); err != mpsc.ErrFull {
			t.Fatalf("TrySend on the full slot after the panic: %v, want ErrFull", err)
		}
		if got, err := r.Recv(ctx); got != 3 || err != nil {
			t.Fatalf("Recv after the panics = %d, %v; want 3", got, err)
		}
		s.Close()
		mustPanic(t, "TrySend of a reserved value on a closed slot", "reserves", func() { s.TrySend(v) })
		if got, err := r.TryRecv(); err != mpsc.ErrClosed {
			t.Fatalf("TryRecv of the closed slot after the panic = %d, %v; want ErrClosed", got, err)
		}
	}
}

// slotEnds names the two ways to close a slot.
var slotEnds = []struct {
	name  string
	close func(*mpsc.SlotSender, *mpsc.SlotReceiver)
}{
	{"sender", func(s *mpsc.SlotSender, _ *mpsc.SlotReceiver) { s.Close() }},
	{"receiver", func(_ *mpsc.SlotSender, r *mpsc.SlotReceiver) { r.Close() }},
}

// TestSlotClose: a Close from either end leaves a waiting value
// receivable, then receives report ErrClosed; every TrySend after it
// reports ErrClosed; Close again changes nothing, and Done is closed.
func TestSlotClose(t *testing.T) {
	ctx := timeout(t)
	for _, end := range slotEnds {
		for _, waiting := range []bool{false, true} {
			s, r := mpsc.NewSlot()
			done := s.Done()
			if waiting {
				s.TrySend(11)
			}
			end.close(s, r)
			if err := s.TrySend(12); err != mpsc.ErrClosed {
				t.Fatalf("%s Close, value waiting %v: TrySend = %v, want ErrClosed", end.name, waiting, err)
			}
			if waiting {
				if v, err := r.TryRecv(); v != 11 || err != nil {
					t.Fatalf("%s Close: TryRecv of the waiting value = %d, %v; want 11", end.name, v, err)
				}
			}
			for i := range 2 {
				end.close(s, r) // idempotent
				if v, err := r.TryRecv(); err != mpsc.ErrClosed {
					t.Fatalf("%s Close, value waiting %v: TryRecv #%d = %d, %v; want ErrClosed", end.name, waiting, i, v, err)
				}
				if v, err := r.Recv(ctx); err != mpsc.ErrClosed {
					t.Fatalf("%s Close, value waiting %v: Recv #%d = %d, %v; want ErrClosed", end.name, waiting, i, v, err)
				}
				if err := s.TrySend(13); err != mpsc.ErrClosed {
					t.Fatalf("%s Close: TrySend after the last value = %v, want ErrClosed", end.name, err)
				}
			}
			select {
			case <-done:
			default:
				t.Fatalf("%s Close: Done not closed", end.name)
			}
			select {
			case <-s.Done():
			default:
				t.Fatalf("%s Close: a Done first called after the close is not closed", end.name)
			}
		}
	}
}

// TestSlotCloseWakesRecv: a Recv waiting on an empty slot returns ErrClosed
// when either end closes it, and a Recv waiting when a value and the close
// come gets the value first.
func TestSlotCloseWakesRecv(t *testing.T) {
	for _, end := range slotEnds {
		t.Run(end.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := timeout(t)
				s, r := mpsc.NewSlot()
				type res struct {
					v   uint64
					err error
				}
				recv := func() chan res {
					ch := make(chan res, 1)
					go func() { v, err := r.Recv(ctx); ch <- res{v, err} }()
					return ch
				}
				got := recv()
				blocked(t, got, "Recv on an empty slot")
				go end.close(s, r)
				if g := unblocked(t, got, "Recv waiting when the slot closed"); g.err != mpsc.ErrClosed {
					t.Fatalf("Recv waiting when the slot closed = %d, %v; want ErrClosed", g.v, g.err)
				}

				s, r = mpsc.NewSlot()
				got = recv()
				blocked(t, got, "Recv on an empty slot")
				go func() { s.TrySend(21); end.close(s, r) }()
				if g := unblocked(t, got, "Recv waiting for a value sent before the close"); g.v != 21 || g.err != nil {
					t.Fatalf("Recv waiting for a value sent before the close = %d, %v; want 21", g.v, g.err)
				}
				if v, err := r.Recv(ctx); err != mpsc.ErrClosed {
					t.Fatalf("Recv after the last value = %d, %v; want ErrClosed", v, err)
				}
			})
		})
	}
}

// TestSlotReadyOnClose: Ready's channel becomes ready when either end
// closes the slot, a Ready after the close is ready at once, a registered
// waker is woken by the close, and Done closes then.
func TestSlotReadyOnClose(t *testing.T) {
	for _, end := range slotEnds {
		t.Run(end.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, r := mpsc.NewSlot()
				ch := r.Ready()
				notReady(t, ch, "slot Ready of an open empty slot")
				notReady(t, s.Done(), "Done of an open slot")
				go end.close(s, r)
				synctest.Wait()
				isReady(t, ch, "slot Ready after the close")
				isReady(t, r.Ready(), "slot Ready on a closed slot")
				isReady(t, s.Done(), "Done after the close")
				if v, err := r.TryRecv(); err != mpsc.ErrClosed {
					t.Fatalf("TryRecv after Ready = %d, %v; want ErrClosed", v, err)
				}

				s, r = mpsc.NewSlot()
				w := new(countWaker)
				r.Register(w)
				end.close(s, r)
				if n := w.n.Load(); n != 1 {
					t.Fatalf("Close woke the registered waker %d times, want 1", n)
				}
				r.Register(w)
				if n := w.n.Load(); n != 2 {
					t.Fatalf("Register on a closed slot did not wake at once (%d)", n)
				}
			})
		})
	}
}

// TestStressSlot: senders retry TrySend until it succeeds; the receiver
// gets every value exactly once.
func TestStressSlot(t *testing.T) {
	per := 2000
	if testing.Short() {
		per = 200
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, senders := range []int{1, 4, 16} {
			ctx := timeout(t)
			s, r := mpsc.NewSlot()
			var wg sync.WaitGroup
			for p := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						for err := s.TrySend(uint64(p*per + i + 1)); err != nil; err = s.TrySend(uint64(p*per + i + 1)) {
							if err != mpsc.ErrFull {
								t.Errorf("TrySend on an open slot: %v", err)
								return
							}
							if ctx.Err() != nil {
								return
							}
							runtime.Gosched() // let the receiver empty the slot
						}
					}
				}()
			}
			seen := make([]bool, senders*per+1)
			for range senders * per {
				v, err := r.Recv(ctx)
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				if seen[v] {
					t.Fatalf("value %d received twice", v)
				}
				seen[v] = true
			}
			waitGroup(t, &wg, "senders")
			if v, err := r.TryRecv(); err != mpsc.ErrEmpty {
				t.Fatalf("TryRecv after every value = %d, %v; want ErrEmpty", v, err)
			}
		}
	})
}

// TestStressSlotClose: senders send distinct values until a TrySend reports
// ErrClosed, closers close the slot (from the sender's end, or the
// receiver's) at a random point, and the receiver receives until ErrClosed.
// Every value whose TrySend returned nil is received exactly once, before
// ErrClosed; nothing is received after it; and a TrySend that started
// after a Close returned reports ErrClosed.
func TestStressSlotClose(t *testing.T) {
	const senders, closers, per = 3, 2, 400
	rounds := 20
	if testing.Short() {
		rounds = 4
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for round := range rounds {
			end := slotEnds[round%2]
			ctx := timeout(t)
			s, r := mpsc.NewSlot()
			var closed atomic.Bool // a Close returned
			sent := make([][]uint64, senders)
			var wg sync.WaitGroup
			for p := range senders {
				wg.Go(func() {
					for i := range per {
						v := uint64(p*per + i + 1)
						for {
							after := closed.Load()
							err := s.TrySend(v)
							if err == nil {
								if after {
									t.Errorf("TrySend(%d) started after a Close returned, and succeeded", v)
								}
								sent[p] = append(sent[p], v)
								break
							}
							if err == mpsc.ErrClosed {
								return
							}
							if err != mpsc.ErrFull {
								t.Errorf("TrySend: %v", err)
								return
							}
							if after {
								t.Errorf("TrySend(%d) started after a Close returned: %v, want ErrClosed", v, err)
							}
							if ctx.Err() != nil {
								return
							}
							runtime.Gosched()
						}
					}
				})
			}
			closeAt := rand.IntN(senders * per / 2)
			var received atomic.Int64
			for range closers {
				wg.Go(func() {
					for received.Load() < int64(closeAt) && ctx.Err() == nil {
						runtime.Gosched()
					}
					end.close(s, r)
					closed.Store(true)
				})
			}
			seen := make([]bool, senders*per+1)
			for {
				v, err := r.Recv(ctx)
				if err == mpsc.ErrClosed {
					break
				}
				if err != nil {
					t.Fatalf("Recv: %v (received %d values)", err, received.Load())
				}
				if v == 0 || v > senders*per || seen[v] {
					t.Fatalf("Recv = %d: never sent, or received twice", v)
				}
				seen[v] = true
				received.Add(1)
			}
			waitGroup(t, &wg, "senders and closers")
			for range 3 {
				if v, err := r.TryRecv(); err != mpsc.ErrClosed {
					t.Fatalf("TryRecv after ErrClosed = %d, %v; want ErrClosed", v, err)
				}
			}
			n := 0
			for _, vs := range sent {
				for _, v := range vs {
					if !seen[v] {
						t.Fatalf("%s close: value %d, sent, was never received", end.name, v)
					}
					n++
				}
			}
			if int64(n) != received.Load() {
				t.Fatalf("received %d values, %d sent", received.Load(), n)
			}
		}
	})
}

// TestSlotDoneRace: Done calls racing with the closes of both ends all get
// a channel that is closed once the closes return, and a Done made before
// the close allocates nothing when called again.
func TestSlotDoneRace(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		for range 50 {
			s, r := mpsc.NewSlot()
			chans := make(chan (<-chan struct{}), 8)
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() { chans <- s.Done() })
			}
			wg.Go(s.Close)
			wg.Go(r.Close)
			waitGroup(t, &wg, "Done calls and closes")
			close(chans)
			for ch := range chans {
				select {
				case <-ch:
				default:
					t.Fatal("a Done channel is not closed after both closes returned")
				}
			}
		}
	})
	s, _ := mpsc.NewSlot()
	s.Done()
	if n := testing.AllocsPerRun(100, func() { s.Done() }); n != 0 {
		t.Errorf("Done after its first call: %v allocs, want 0", n)
	}
}
