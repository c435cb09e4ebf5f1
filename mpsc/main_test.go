package mpsc_test

import (
	"context"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"

	"github.com/diatomic-go/diatomic/mpsc"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// unbounded is the capacity that newChan turns into NewUnbounded.
const unbounded = -1

// newChan returns a bounded channel of the given capacity, or an unbounded
// one for capacity unbounded.
func newChan[T any](capacity int) (*mpsc.Sender[T], *mpsc.Receiver[T]) {
	if capacity == unbounded {
		return mpsc.NewUnbounded[T]()
	}
	return mpsc.New[T](capacity)
}

// flavours are the capacities most tests run at: the smallest ring, a ring
// that wraps quickly, a ring whose capacity is not a power of two, and the
// unbounded list.
var flavours = []int{1, 4, 5, unbounded}

// timeout is testutil.Context, under the name this package's tests use.
func timeout(t testing.TB) context.Context { return testutil.Context(t) }
