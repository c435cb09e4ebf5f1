package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `producer 0 sent 25 squares
producer 1 sent 25 squares
producer 2 sent 25 squares
producer 3 sent 25 squares
received 100 squares, sum of the squares of 1..100 = 338350
each producer's values arrived in the order it sent them: true
the channel closed itself when the last of its 5 Sender handles closed; TryRecv: mpsc: channel closed
`)
}
