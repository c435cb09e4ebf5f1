package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `square(7) = 49, err = <nil>
square(-1): oneshot: channel closed (the server closed the reply without a value)
square(12) with a 10ms timeout: context deadline exceeded
square(9) = 81, err = <nil>
server: 2 answered, 1 refused, 1 skipped because the client had hung up
`)
}
