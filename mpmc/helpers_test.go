package mpmc_test

import (
	"strings"
	"testing"
)

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
