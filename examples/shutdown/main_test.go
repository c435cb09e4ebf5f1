package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `two reload requests while nobody listened: 1 reload
4 workers registered
worker 0: woken by NotifyAll
worker 1: woken by NotifyAll
worker 2: woken by NotifyAll
worker 3: woken by NotifyAll
a worker that registers after the broadcast sees the flag: true
`)
}
