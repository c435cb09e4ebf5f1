package eventcount

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestIntendedInlining: a notification with no waiter is one atomic load
// only if these fast paths inline into the caller.
func TestIntendedInlining(t *testing.T) {
	testutil.CheckInlined(t, "github.com/diatomic-go/diatomic/eventcount",
		"(*EventCount).NotifyOne",
		"(*EventCount).NotifyAll",
	)
}
