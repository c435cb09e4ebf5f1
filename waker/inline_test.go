package waker

import (
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestIntendedInlining: a notification nobody waits for is one atomic load
// only if these fast paths inline into the caller.
func TestIntendedInlining(t *testing.T) {
	testutil.CheckInlined(t, "github.com/diatomic-go/diatomic/waker",
		"(*AtomicWaker).Wake",
		"(*AtomicWaker).Take",
		"(*SpmcWaker).Wake",
		"(*SpmcWaker).Take",
		"(*DiatomicWaker).Notify",
		"WakeSource.Notify",
		"(*Parker).Wake",
	)
}
