// Package testutil holds helpers shared by the tests of this module: bounded
// waits that fail instead of hanging, checks of what is blocked in a
// testing/synctest bubble, GOMAXPROCS sweeps, and the random pauses of
// race-window tests.
package testutil

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// Timeout bounds every wait in the tests: long enough never to fire on a
// loaded machine under the race detector, short enough that a lost wake-up
// fails the test instead of hanging it.
const Timeout = 30 * time.Second

// Context returns a context that ends after Timeout, or when the test ends,
// for blocking calls that must not hang a test in place of
// context.Background(). A wait that loses its wake-up returns
// context.DeadlineExceeded; context.Cause says it timed out. Inside a
// testing/synctest bubble, call it with the bubble's t: its timer is then the
// bubble's fake clock, and a lost wake-up ends the wait as soon as every
// goroutine of the bubble is blocked.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeoutCause(context.Background(), Timeout,
		fmt.Errorf("testutil: timed out after %v: a wake-up was lost", Timeout))
	t.Cleanup(cancel)
	return ctx
}

// CancelSoon returns a child of ctx that a goroutine of its own cancels at
// once, so that the cancellation lands at a random point of the call that
// uses it; the CancelFunc releases it (call it after that call).
func CancelSoon(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(ctx)
	go cancel()
	return c, cancel
}

// Procs is the GOMAXPROCS sweep of the stress tests.
var Procs = []int{1, 2, 4, 8}

// ForEachProcs runs f as a subtest at each GOMAXPROCS of Procs, restoring the
// previous setting afterwards.
func ForEachProcs(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range Procs {
		t.Run(fmt.Sprintf("procs=%d", p), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p))
			f(t)
		})
	}
}

// Recv waits for a value from ch, failing the test with what it was waiting
// for if none arrives within Timeout.
func Recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("timed out after %v waiting for %s", Timeout, what)
		panic("unreachable")
	}
}

// Go runs f in a new goroutine and returns a channel closed when it returns;
// a panic in f is reported as a test failure.
func Go(t testing.TB, f func()) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("goroutine panicked: %v", r)
			}
		}()
		f()
	}()
	return done
}

// Deadline returns a channel closed after Timeout, for loops that select on
// a wake-up many times and must fail rather than hang; stop releases it.
func Deadline() (expired <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	timer := time.AfterFunc(Timeout, func() { close(ch) })
	return ch, func() { timer.Stop() }
}

// Stalled returns a channel closed once progress has returned the same
// value for Timeout, for long loops of short waits: a lost wake-up stalls
// them, a slow machine only slows them, and one deadline for the whole loop
// could not tell the two apart. stop releases it.
func Stalled(progress func() int64) (expired <-chan struct{}, stop func()) {
	ch := make(chan struct{})
	quit := make(chan struct{})
	go func() {
		tick := time.NewTicker(Timeout / 30)
		defer tick.Stop()
		last, since := progress(), time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			if p := progress(); p != last {
				last, since = p, time.Now()
			} else if time.Since(since) >= Timeout {
				close(ch)
				return
			}
		}
	}()
	var once sync.Once
	return ch, func() { once.Do(func() { close(quit) }) }
}

// Share returns worker i's share of n operations split among workers
// (i in [0, workers)): n/workers each, and the remainder to worker 0, so
// that the shares add up to n.
func Share(n, workers, i int) int {
	if i == 0 {
		return n/workers + n%workers
	}
	return n / workers
}

// Wait waits for wg, failing the test with what it was waiting for if wg is
// not done within Timeout.
func Wait(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	Recv(t, Go(t, wg.Wait), what)
}

// GoErr runs f in a new goroutine and returns the channel its error will
// arrive on.
func GoErr(f func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// Blocked fails the test if a result has arrived on ch once every goroutine
// of the synctest bubble is blocked: the call that would send it must still
// be blocked. Call it inside the bubble.
func Blocked[T any](t testing.TB, ch chan T, what string) {
	t.Helper()
	synctest.Wait()
	select {
	case v := <-ch:
		t.Fatalf("%s returned (%v) instead of blocking", what, v)
	default:
	}
}

// Unblocked returns the result that must have arrived on ch once every
// goroutine of the synctest bubble is blocked, failing the test if none has.
// Call it inside the bubble.
func Unblocked[T any](t testing.TB, ch chan T, what string) T {
	t.Helper()
	synctest.Wait()
	select {
	case v := <-ch:
		return v
	default:
		t.Fatalf("%s is still blocked", what)
		panic("unreachable")
	}
}

// RefChan is a Go chan standing as the reference of a fuzz test, which
// drives it and a channel under test through the same calls from one
// goroutine and compares their results.
type RefChan[T any] struct {
	C      chan T
	Closed bool // C is closed
}

// NewRefChan returns a RefChan buffering up to capacity values.
func NewRefChan[T any](capacity int) *RefChan[T] {
	return &RefChan[T]{C: make(chan T, capacity)}
}

// Close closes C unless it is closed already.
func (r *RefChan[T]) Close() {
	if !r.Closed {
		close(r.C)
		r.Closed = true
	}
}

// ErrNone is what RefChan.Recv reports when it took nothing and C is open.
var ErrNone = errors.New("nothing waiting")

// Recv takes up to max values from C without waiting, and says why it
// stopped if it took none: errClosed once C is closed and drained, ErrNone
// otherwise.
func (r *RefChan[T]) Recv(max int, errClosed error) ([]T, error) {
	var got []T
	for len(got) < max {
		select {
		case v, ok := <-r.C:
			if !ok {
				if len(got) == 0 {
					return nil, errClosed
				}
				return got, nil
			}
			got = append(got, v)
			continue
		default:
		}
		break
	}
	if len(got) == 0 {
		return nil, ErrNone
	}
	return got, nil
}

// Send puts v in C without waiting: it returns errClosed if C is closed
// and whenFull if C is full.
func (r *RefChan[T]) Send(v T, errClosed, whenFull error) error {
	if r.Closed {
		return errClosed
	}
	select {
	case r.C <- v:
		return nil
	default:
		return whenFull
	}
}

// Pause lets the calling goroutine run late by a random amount: no yield,
// a few yields, or a short busy spin, so that a race-window test sees every
// order of its two sides come up.
func Pause() {
	switch n := rand.IntN(8); {
	case n < 2:
	case n < 6:
		for range n {
			runtime.Gosched()
		}
	default:
		Spin(200 * n)
	}
}

// Spin busy-waits for n steps of one atomic add each.
func Spin(n int) {
	for range n {
		spinSink.Add(1)
	}
}

// spinSink is what Spin writes, so that the loop is not removed.
var spinSink atomic.Int64
