// Package exampletest checks the programs of examples/: each prints what it
// does through a run(io.Writer) error function, and its output must be
// exactly the same every time, at every GOMAXPROCS.
package exampletest

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// timeout bounds one run: a lost wake-up fails the test instead of hanging
// it.
const timeout = testutil.Timeout

// Check runs run several times at GOMAXPROCS 1 and at the machine's default,
// and fails the test if it returns an error, does not return within
// timeout, or prints anything but want.
func Check(t *testing.T, run func(io.Writer) error, want string) {
	t.Helper()
	rounds := 20
	if testing.Short() {
		rounds = 3
	}
	for _, procs := range []int{1, runtime.GOMAXPROCS(0)} {
		t.Run(fmt.Sprintf("procs=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			for i := range rounds {
				got, err := runBounded(run)
				if err != nil {
					t.Fatalf("round %d: %v", i, err)
				}
				if got != want {
					t.Fatalf("round %d: output differs.\ngot:\n%s\nwant:\n%s", i, got, want)
				}
			}
		})
	}
}

func runBounded(run func(io.Writer) error) (string, error) {
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(&out) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return out.String(), err
	case <-timer.C:
		return "", fmt.Errorf("run did not return within %v", timeout)
	}
}
