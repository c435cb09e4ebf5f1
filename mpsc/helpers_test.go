package mpsc_test

import (
	"sync"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// The names below stand for the helpers of internal/testutil in the tests
// of this package that call them so.

func blocked[T any](t *testing.T, ch chan T, what string) {
	t.Helper()
	testutil.Blocked(t, ch, what)
}

func unblocked[T any](t *testing.T, ch chan T, what string) T {
	t.Helper()
	return testutil.Unblocked(t, ch, what)
}

func goErr(f func() error) chan error { return testutil.GoErr(f) }

func waitGroup(t testing.TB, wg *sync.WaitGroup, what string) {
	t.Helper()
	testutil.Wait(t, wg, what)
}
