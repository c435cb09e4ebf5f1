//go:build unix

package mpmc_test

import (
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// cpuTime returns the CPU time the process has used so far.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// idleCPU runs the waits, each in a goroutine, lets the process idle for d,
// and returns the fraction of d the process spent on a CPU meanwhile; then
// it calls wake, which must end every wait.
func idleCPU(t testing.TB, d time.Duration, waits []func(), wake func()) float64 {
	var wg sync.WaitGroup
	for _, w := range waits {
		wg.Go(w)
	}
	runtime.Gosched()
	start, cpu0 := time.Now(), cpuTime(t)
	<-time.After(d) // the measurement window: nothing runs but the waiters
	frac := float64(cpuTime(t)-cpu0) / float64(time.Since(start))
	wake()
	testutil.Recv(t, testutil.Go(t, wg.Wait), "the waiters")
	return frac
}

// TestIdleReceiversUseNoCPU: four receivers parked on an empty channel (two
// in Recv, one in RecvBatch, one in a select on Ready) cost no CPU. A
// receiver that polled, even yielding between polls, would use a whole core;
// the bound leaves room for the runtime's background work on a loaded
// machine.
func TestIdleReceiversUseNoCPU(t *testing.T) {
	ctx := testutil.Context(t)
	tx, rx := mpmc.New[int](16)
	hs := []*mpmc.Receiver[int]{rx, rx.Clone(), rx.Clone(), rx.Clone()}
	waits := []func(){
		func() { hs[0].Recv(ctx) },
		func() { hs[1].Recv(ctx) },
		func() { hs[2].RecvBatch(ctx, make([]int, 4)) },
		func() {
			select {
			case <-hs[3].Ready():
			case <-ctx.Done():
			}
		},
	}
	window := time.Second
	if testing.Short() {
		window = 300 * time.Millisecond
	}
	frac := idleCPU(t, window, waits, tx.Close)
	t.Logf("4 idle receivers used %.2f%% CPU", 100*frac)
	if frac > 0.25 {
		t.Errorf("4 idle receivers used %.0f%% of a CPU", 100*frac)
	}
}

// TestIdleSendersUseNoCPU: senders blocked on a full channel whose receivers
// are idle cost no CPU once their brief retries before parking are over.
func TestIdleSendersUseNoCPU(t *testing.T) {
	ctx := testutil.Context(t)
	tx, rx := mpmc.New[int](4)
	for i := range rx.Cap() {
		tx.TrySend(i)
	}
	waits := []func(){func() { tx.Send(ctx, -1) }, func() { tx.Send(ctx, -2) }}
	frac := idleCPU(t, 300*time.Millisecond, waits, rx.Close)
	t.Logf("2 idle senders used %.2f%% CPU", 100*frac)
	if frac > 0.25 {
		t.Errorf("2 idle senders used %.0f%% of a CPU", 100*frac)
	}
}
