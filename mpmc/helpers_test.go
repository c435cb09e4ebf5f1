package mpmc_test

import (
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// blocked fails the test if a result has arrived on ch once every goroutine
// of the bubble is blocked.
func blocked[T any](t *testing.T, ch chan T, what string) {
	t.Helper()
	synctest.Wait()
	select {
	case v := <-ch:
		t.Fatalf("%s returned (%v) instead of blocking", what, v)
	default:
	}
}

// unblocked returns the result that must have arrived on ch once every
// goroutine of the bubble is blocked.
func unblocked[T any](t *testing.T, ch chan T, what string) T {
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

// goErr runs f in a new goroutine and returns the channel its error will
// arrive on.
func goErr(f func() error) chan error {
	ch := make(chan error, 1)
	go func() { ch <- f() }()
	return ch
}

// result is a receive's outcome.
type result struct {
	v   int
	err error
}

// goVal runs a receive in a new goroutine and returns the channel its
// result will arrive on.
func goVal(f func() (int, error)) chan result {
	ch := make(chan result, 1)
	go func() { v, err := f(); ch <- result{v, err} }()
	return ch
}

// waitGroup waits for wg, failing the test after testutil.Timeout.
func waitGroup(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	testutil.Recv(t, testutil.Go(t, wg.Wait), what)
}

// mustPanic fails the test unless f panics with an "mpmc: " message.
func mustPanic(t testing.TB, what string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("%s did not panic", what)
		}
		if s, ok := r.(string); !ok || !strings.HasPrefix(s, "mpmc: ") {
			t.Fatalf("%s panicked with %v, want an \"mpmc: \" message", what, r)
		}
	}()
	f()
}
