package notify

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestIntendedInlining: a notification that finds nobody waiting and a
// permit already stored is one atomic load only if these fast paths inline
// into the caller.
func TestIntendedInlining(t *testing.T) {
	testutil.CheckInlined(t, "github.com/diatomic-go/diatomic/notify",
		"(*Notify).NotifyOne",
		"(*Notify).NotifyLast",
		"(*Notify).NotifyAll",
	)
}
