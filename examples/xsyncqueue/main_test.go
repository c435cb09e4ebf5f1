package main

import (
	"testing"

	"github.com/diatomic-go/diatomic/examples/internal/exampletest"
	"github.com/diatomic-go/diatomic/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestRun(t *testing.T) {
	exampletest.Check(t, run, `Recv on the empty queue, 10ms timeout: context deadline exceeded
received 300 values from 3 producers, 0 duplicated
`)
}

func TestSendRecvAllocateNothing(t *testing.T) {
	q := NewQueue[int](4)
	ctx := testutil.Context(t) // a value lost fails Recv instead of hanging it
	allocs := testing.AllocsPerRun(100, func() {
		q.TrySend(1)
		if _, err := q.Recv(ctx); err != nil {
			t.Fatalf("Recv after TrySend: %v", err)
		}
	})
	if allocs != 0 {
		t.Errorf("TrySend + Recv allocate %v times", allocs)
	}
}

func TestTrySendFull(t *testing.T) {
	q := NewQueue[int](1)
	if !q.TrySend(1) || q.TrySend(2) {
		t.Fatal("a queue of capacity 1 took two values, or refused the first")
	}
	if v, err := q.Recv(testutil.Context(t)); err != nil || v != 1 {
		t.Fatalf("Recv = %d, %v; want 1", v, err)
	}
}
