package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `4 workers did 200 jobs, each exactly once: true
sum of the squares of 1..200 = 2686700
the workers' counts add up: true
the results channel closed with its last worker; TryRecv: mpmc: channel closed
`)
}
