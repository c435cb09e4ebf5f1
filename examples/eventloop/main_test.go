package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `mailbox 0: 5 messages, in order: true
mailbox 1: 5 messages, in order: true
mailbox 2: 5 messages, in order: true
mailbox 3: 5 messages, in order: true
mailbox 4: 5 messages, in order: true
one goroutine served 5 mailboxes, two of them added while it ran;
its wait returned when the last mailbox was done
`)
}
