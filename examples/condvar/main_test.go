package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `sync.Cond  queue: 3 workers did 9 jobs, sum of squares 285
EventCount queue: 3 workers did 9 jobs, sum of squares 285
EventCount queue: Get on an empty queue, 20ms timeout: context deadline exceeded; waiters left behind: 0
EventCount queue: the next Get takes job 42
`)
}
