package waker

import (
	"context"
	"runtime"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

func runtimeYield() { runtime.Gosched() }

// timeoutContext returns a context that ends after testutil.Timeout (or when
// the test ends), for the waits of a test that could otherwise hang.
func timeoutContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), testutil.Timeout)
	t.Cleanup(cancel)
	return ctx
}
