package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"github.com/diatomic-go/diatomic/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `TrySend(7): <nil>
TrySend(8): slot: full
Recv: 7
Recv on the empty slot, 10ms timeout: context deadline exceeded
received from three racing senders: [100 200 300]
mpsc slot, closed: TrySend(10): mpsc: channel closed
mpsc slot, closed: Recv: 9 <nil>
mpsc slot, closed: Recv: mpsc: channel closed
`)
}

func TestSendRecvAllocateNothing(t *testing.T) {
	tx, rx := channel()
	ctx := testutil.Context(t) // a value lost fails Recv instead of hanging it
	allocs := testing.AllocsPerRun(100, func() {
		tx.TrySend(1)
		if _, err := rx.Recv(ctx); err != nil {
			t.Fatalf("Recv after TrySend: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("TrySend + Recv allocate %v times", allocs)
	}
}

func TestTrySendZeroPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("TrySend(0) did not panic")
		}
	}()
	tx, _ := channel()
	tx.TrySend(0)
}
