package mpmc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// timeout returns a context that ends after testutil.Timeout, so that a
// receive or send that should not block fails the test instead of hanging
// it. Inside a synctest bubble the timeout is on the bubble's fake clock and
// fires as soon as every goroutine of the bubble is blocked.
func timeout(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
	t.Cleanup(cancel)
	return ctx
}
