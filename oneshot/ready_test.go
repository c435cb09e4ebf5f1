package oneshot_test

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

// countWaker counts its wake-ups.
type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake() { w.n.Add(1) }

// signalWaker is a Waker whose wake-ups coalesce into one token of its
// channel, as a set of sources would queue a source.
type signalWaker struct{ c chan struct{} }

func newSignalWaker() *signalWaker { return &signalWaker{make(chan struct{}, 1)} }

func (w *signalWaker) Wake() {
	select {
	case w.c <- struct{}{}:
	default:
	}
}

// isReady reports whether ch can be received from without blocking.
func isReady(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestReadySettledAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name   string
		settle func(tx *oneshot.Sender[int], rx *oneshot.Receiver[int])
		v      int
		err    error
	}{
		{"value sent", func(tx *oneshot.Sender[int], _ *oneshot.Receiver[int]) { _ = tx.Send(4) }, 4, nil},
		{"sender closed", func(tx *oneshot.Sender[int], _ *oneshot.Receiver[int]) { tx.Close() }, 0, oneshot.ErrClosed},
		{"receiver closed", func(_ *oneshot.Sender[int], rx *oneshot.Receiver[int]) { rx.Close() }, 0, oneshot.ErrClosed},
		{"value taken", func(tx *oneshot.Sender[int], rx *oneshot.Receiver[int]) { _ = tx.Send(4); _, _ = rx.TryRecv() }, 0, oneshot.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, rx := oneshot.New[int]()
			tc.settle(tx, rx)
			for range 2 {
				if !isReady(rx.Ready()) {
					t.Fatal("Ready is not ready at once on a settled channel")
				}
			}
			if oneshot.Waiting(rx) {
				t.Fatal("Ready on a settled channel registered")
			}
			w := new(countWaker)
			rx.Register(w)
			if n := w.n.Load(); n != 1 {
				t.Fatalf("Register on a settled channel woke %d times, want 1 at once", n)
			}
			v, err := rx.TryRecv()
			wantResult(t, "TryRecv", v, err, tc.v, tc.err)
		})
	}
}

func TestReadySequential(t *testing.T) {
	tx, rx := oneshot.New[int]()
	ready := rx.Ready()
	if isReady(ready) {
		t.Fatal("Ready is ready before anything was sent")
	}
	if again := rx.Ready(); again != ready || isReady(again) {
		t.Fatal("a second Ready did not return the armed channel")
	}
	// A Recv whose ctx ends keeps the registration; Ready still works.
	v, err := rx.Recv(cancelled)
	wantResult(t, "Recv(cancelled)", v, err, 0, context.Canceled)
	_ = tx.Send(8)
	if !isReady(ready) {
		t.Fatal("Send did not make the Ready channel ready")
	}
	v, err = rx.TryRecv()
	wantResult(t, "TryRecv after Ready", v, err, 8, nil)
	if !isReady(rx.Ready()) {
		t.Fatal("Ready after the value was taken is not ready")
	}
	v, err = rx.TryRecv()
	wantResult(t, "TryRecv after the take", v, err, 0, oneshot.ErrClosed)
}

func TestRegister(t *testing.T) {
	t.Run("woken once by Send", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w := new(countWaker)
		rx.Register(w)
		rx.Register(w) // again: still one registration
		if w.n.Load() != 0 || !oneshot.Waiting(rx) {
			t.Fatal("Register on an empty channel woke at once or did not register")
		}
		_ = tx.Send(1)
		_ = tx.Send(2)
		tx.Close()
		if n := w.n.Load(); n != 1 {
			t.Fatalf("woken %d times, want 1", n)
		}
	})
	t.Run("woken by Sender.Close", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w := new(countWaker)
		rx.Register(w)
		tx.Close()
		if n := w.n.Load(); n != 1 {
			t.Fatalf("woken %d times, want 1", n)
		}
	})
	t.Run("Unregister", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w := new(countWaker)
		rx.Register(w)
		rx.Unregister()
		rx.Unregister()
		if oneshot.Waiting(rx) {
			t.Fatal("still registered after Unregister")
		}
		_ = tx.Send(1)
		if n := w.n.Load(); n != 0 {
			t.Fatalf("woken %d times after Unregister", n)
		}
	})
	t.Run("a Waker replaces another", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w1, w2 := new(countWaker), new(countWaker)
		rx.Register(w1)
		rx.Register(w2)
		_ = tx.Send(1)
		if w1.n.Load() != 0 || w2.n.Load() != 1 {
			t.Fatalf("woken: replaced %d, current %d, want 0 and 1", w1.n.Load(), w2.n.Load())
		}
	})
	t.Run("a Waker replaces Ready", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		ready := rx.Ready()
		w := new(countWaker)
		rx.Register(w)
		_ = tx.Send(1)
		if isReady(ready) || w.n.Load() != 1 {
			t.Fatalf("Ready channel ready %v, Waker woken %d times, want false and 1", isReady(ready), w.n.Load())
		}
	})
	t.Run("Ready replaces a Waker", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w := new(countWaker)
		rx.Register(w)
		ready := rx.Ready()
		rx.Unregister() // the Ready channel is not a Waker: it stays
		_ = tx.Send(1)
		if !isReady(ready) || w.n.Load() != 0 {
			t.Fatalf("Ready channel ready %v, Waker woken %d times, want true and 0", isReady(ready), w.n.Load())
		}
	})
	t.Run("Recv replaces a Waker", func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		w := new(countWaker)
		rx.Register(w)
		done := testutil.Go(t, func() {
			waitRegistered(t, rx)
			_ = tx.Send(5)
		})
		v, err := rx.Recv(testutil.Context(t))
		wantResult(t, "Recv", v, err, 5, nil)
		testutil.Recv(t, done, "the sender")
		if n := w.n.Load(); n != 0 {
			t.Fatalf("the replaced Waker was woken %d times", n)
		}
	})
}

// TestReadyBlocksUntil: a select on Ready is ready only once the sender
// sends or closes, including after the select took another case first.
func TestReadyBlocksUntil(t *testing.T) {
	for _, tc := range []struct {
		name   string
		finish func(tx *oneshot.Sender[int])
		v      int
		err    error
	}{
		{"send", func(tx *oneshot.Sender[int]) { _ = tx.Send(42) }, 42, nil},
		{"sender close", func(tx *oneshot.Sender[int]) { tx.Close() }, 0, oneshot.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tx, rx := oneshot.New[int]()
				ticks := make(chan int, 1)
				got := make(chan result, 1)
				go func() {
					ticker := time.NewTicker(time.Second)
					defer ticker.Stop()
					n := 0
					for {
						v, err := rx.TryRecv()
						if !errors.Is(err, oneshot.ErrEmpty) {
							got <- result{v, err}
							return
						}
						select {
						case <-rx.Ready():
						case <-ticker.C: // another case: then Ready again
							n++
							if n == 3 {
								ticks <- n
							}
						}
					}
				}()
				// The bubble's clock moves to each tick once every goroutine
				// is blocked: the select loop takes three ticks, then selects
				// on Ready again.
				if n := testutil.Recv(t, ticks, "three ticks"); n != 3 {
					t.Fatalf("ticks = %d", n)
				}
				synctest.Wait()
				select {
				case r := <-got:
					t.Fatalf("the select loop ended with %v before the sender acted", r)
				default:
				}
				if !oneshot.Waiting(rx) {
					t.Fatal("a select on Ready is not registered")
				}
				tc.finish(tx)
				synctest.Wait()
				select {
				case r := <-got:
					wantResult(t, "TryRecv after Ready", r.v, r.err, tc.v, tc.err)
				default:
					t.Fatal("the select on Ready still blocked after the sender acted: its wake-up was lost")
				}
			})
		})
	}
}

// TestDoneBlocksUntil: a select on Done is ready only once the receiver
// hangs up, whether Done was called before or after.
func TestDoneBlocksUntil(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		if oneshot.DoneMade(tx) {
			t.Fatal("a Done channel exists before Done was called")
		}
		gaveUp := make(chan bool, 1)
		go func() {
			select {
			case <-tx.Done():
				gaveUp <- tx.Closed()
			case <-time.After(time.Hour):
				gaveUp <- false
			}
		}()
		synctest.Wait()
		select {
		case <-gaveUp:
			t.Fatal("Done was ready before the receiver hung up")
		default:
		}
		first := tx.Done()
		if again := tx.Done(); again != first {
			t.Fatal("Done returned different channels")
		}
		rx.Close()
		synctest.Wait()
		select {
		case closed := <-gaveUp:
			if !closed {
				t.Fatal("Done fired but Closed reports false")
			}
		default:
			t.Fatal("Done not closed after Receiver.Close: its wake-up was lost")
		}
		if !isReady(tx.Done()) {
			t.Fatal("Done after the receiver hung up is not closed")
		}
		_, rx2 := oneshot.New[int]()
		rx2.Close()
		tx2 := (*oneshot.Sender[int])(rx2)
		if !isReady(tx2.Done()) || oneshot.DoneMade(tx2) {
			t.Fatal("Done on a hung-up channel is not ready at once, or made a channel")
		}
	})
}

// TestReadyRace: the sender sends or closes after a random pause while the
// receiver runs the TryRecv / select on Ready loop, whose select sometimes
// takes another case first, sometimes after a Recv whose ctx ended or a
// Waker registered and replaced. A wake-up lost between TryRecv reporting
// ErrEmpty and Ready fails the test; the value is received exactly once.
func TestReadyRace(t *testing.T) {
	raceRounds(t, 4000, 400, func(t *testing.T, i int, expired <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		closes := i%5 == 4
		done := testutil.Go(t, func() {
			testutil.Pause()
			if closes {
				tx.Close()
			} else if err := tx.Send(i); err != nil {
				t.Errorf("Send(%d) = %v", i, err)
			}
		})
		other := make(chan struct{}, 1)
		switch i % 4 {
		case 1: // the first select takes another case
			other <- struct{}{}
		case 2: // a Recv gives up first, leaving its registration
			ctx, cancel := context.WithCancel(context.Background())
			go func() { testutil.Pause(); cancel() }()
			if v, err := rx.Recv(ctx); err == nil {
				wantResult(t, "Recv", v, err, i, nil)
				testutil.Recv(t, done, "the sender")
				cancel()
				return
			}
			cancel()
		case 3: // a Waker registered first, then replaced by Ready
			rx.Register(new(countWaker))
		}
		for {
			v, err := rx.TryRecv()
			if err == nil {
				if closes || v != i {
					t.Fatalf("channel %d: TryRecv = %d, want %v", i, v, map[bool]string{true: "ErrClosed", false: "the value"}[closes])
				}
				break
			}
			if errors.Is(err, oneshot.ErrClosed) {
				if !closes {
					t.Fatalf("channel %d: TryRecv = ErrClosed, the value was lost", i)
				}
				break
			}
			select {
			case <-rx.Ready():
			case <-other:
			case <-expired:
				t.Fatalf("channel %d: Ready never ready after TryRecv reported ErrEmpty: a wake-up was lost", i)
			}
		}
		if _, err := rx.TryRecv(); !errors.Is(err, oneshot.ErrClosed) {
			t.Fatalf("channel %d: second TryRecv = %v, the value was duplicated", i, err)
		}
		testutil.Recv(t, done, "the sender")
	})
}

// TestRegisterRace: a Waker registered as the sender finishes, replaced or
// withdrawn and registered again at random, is woken, and then TryRecv has
// the value. A Wake may be spurious (the replaced Waker shares its token),
// never lost.
func TestRegisterRace(t *testing.T) {
	raceRounds(t, 4000, 400, func(t *testing.T, i int, _ <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		done := testutil.Go(t, func() {
			testutil.Pause()
			_ = tx.Send(i)
		})
		w := newSignalWaker()
		for {
			if v, err := rx.TryRecv(); err == nil {
				wantResult(t, "TryRecv", v, err, i, nil)
				break
			}
			switch i % 3 {
			case 1:
				rx.Register(newSignalWaker()) // replaced below
			case 2:
				_ = rx.Ready() // replaced below
			}
			rx.Register(w)
			if i%4 == 0 {
				rx.Unregister()
				rx.Register(w)
			}
			testutil.Recv(t, w.c, "the Wake of a registered Waker")
		}
		testutil.Recv(t, done, "the sender")
	})
}

// TestDoneRace: the receiver hangs up after a random pause while the
// producer polls Closed and selects on Done, whose select sometimes takes
// another case first. A hang-up lost between Closed reporting false and Done
// fails the test.
func TestDoneRace(t *testing.T) {
	raceRounds(t, 4000, 400, func(t *testing.T, i int, expired <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		done := testutil.Go(t, func() {
			testutil.Pause()
			rx.Close()
		})
		other := make(chan struct{}, 1)
		if i%2 == 1 {
			other <- struct{}{}
		}
		if i%3 == 0 {
			_ = tx.Send(i) // Done still reports the hang-up after a Send
		}
		for !tx.Closed() {
			select {
			case <-tx.Done():
				if !tx.Closed() {
					t.Fatalf("channel %d: Done closed, Closed false", i)
				}
			case <-other:
			case <-expired:
				t.Fatalf("channel %d: Done never closed after Closed reported false: a hang-up was lost", i)
			}
		}
		if !isReady(tx.Done()) {
			t.Fatalf("channel %d: Done not closed after Closed reported true", i)
		}
		testutil.Recv(t, done, "the receiver")
	})
}

// TestDoneRacesClose: Done and Receiver.Close called at the same time.
// Once both returned, the channel Done returned is closed, whichever came
// first: the Done that publishes its channel just after the Close closes it
// itself.
func TestDoneRacesClose(t *testing.T) {
	raceRounds(t, 5000, 1000, func(t *testing.T, i int, _ <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		start := make(chan struct{})
		closed := testutil.Go(t, func() {
			<-start
			rx.Close()
		})
		close(start)
		if i%2 == 0 {
			runtime.Gosched()
		}
		done := tx.Done()
		testutil.Recv(t, closed, "Receiver.Close")
		if !isReady(done) {
			t.Fatalf("channel %d: the Done channel is not closed after Receiver.Close and Done returned", i)
		}
	})
}

// TestReadyRacesSend: Ready and Send (or Sender.Close) called at the same
// time. Once both returned, the channel Ready returned is ready and TryRecv
// has the result: a registration that erased the sender's bit, or a sender
// that missed the registration, fails here at once.
func TestReadyRacesSend(t *testing.T) {
	raceRounds(t, 5000, 1000, func(t *testing.T, i int, _ <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		var start atomic.Bool
		sent := testutil.Go(t, func() {
			for !start.Load() {
				// Spin, so that both sides start together.
			}
			testutil.Spin(4 * (i % 7))
			if i%3 == 2 {
				tx.Close()
			} else if err := tx.Send(i); err != nil {
				t.Errorf("Send = %v", err)
			}
		})
		start.Store(true)
		testutil.Spin(4 * (i % 5))
		ready := rx.Ready()
		testutil.Recv(t, sent, "the sender")
		if !isReady(ready) {
			t.Fatalf("channel %d: the Ready channel is not ready after the sender finished", i)
		}
		v, err := rx.TryRecv()
		if i%3 == 2 {
			wantResult(t, "TryRecv", v, err, 0, oneshot.ErrClosed)
		} else {
			wantResult(t, "TryRecv", v, err, i, nil)
		}
	})
}

// raceRounds runs round(t, i, expired) for i in [0, n), [0, short) under
// -short, at each GOMAXPROCS of testutil.Procs; expired closes
// testutil.Timeout after each sweep began, to bound the waits of its rounds.
func raceRounds(t *testing.T, n, short int, round func(t *testing.T, i int, expired <-chan struct{})) {
	t.Helper()
	if testing.Short() {
		n = short
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		expired, stop := testutil.Deadline()
		defer stop()
		for i := range n {
			round(t, i, expired)
		}
	})
}
