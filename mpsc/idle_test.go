//go:build unix

package mpsc_test

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

// cpuTime returns the CPU time the process has used so far.
func cpuTime(t testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// idleCPU starts wait in a goroutine, lets the process idle for d, and
// returns the fraction of d the process spent on a CPU meanwhile; then it
// calls wake, which must end wait.
func idleCPU(t testing.TB, d time.Duration, wait func(), wake func()) float64 {
	done := testutil.Go(t, wait)
	runtime.Gosched()
	start, cpu0 := time.Now(), cpuTime(t)
	<-time.After(d) // the measurement window: nothing runs but the waiter
	frac := float64(cpuTime(t)-cpu0) / float64(time.Since(start))
	wake()
	testutil.Recv(t, done, "the waiting receiver")
	return frac
}

// TestIdleReceiverUsesNoCPU: a receiver parked on an empty channel or slot
// costs no CPU. A receiver that polled (even yielding between polls) would
// use a whole core, 100% of the window; the bound leaves room for the
// runtime's background work on a loaded machine.
func TestIdleReceiverUsesNoCPU(t *testing.T) {
	ctx := timeout(t)
	for _, c := range []int{16, unbounded} {
		s, r := newChan[int](c)
		frac := idleCPU(t, 200*time.Millisecond, func() { r.Recv(ctx) }, func() { s.TrySend(1) })
		t.Logf("cap=%d: idle receiver used %.2f%% CPU", c, 100*frac)
		if frac > 0.25 {
			t.Errorf("cap=%d: idle receiver used %.0f%% of a CPU", c, 100*frac)
		}
	}
	ss, sr := mpsc.NewSlot()
	frac := idleCPU(t, 200*time.Millisecond, func() { sr.Recv(ctx) }, func() { ss.TrySend(1) })
	t.Logf("slot: idle receiver used %.2f%% CPU", 100*frac)
	if frac > 0.25 {
		t.Errorf("slot: idle receiver used %.0f%% of a CPU", 100*frac)
	}
}

// BenchmarkIdleReceiver reports the CPU a parked receiver costs, as
// cpu-% of wall time over b.N windows of 10ms, next to a receiver that polls
// with runtime.Gosched, the alternative to a wake-up primitive.
func BenchmarkIdleReceiver(b *testing.B) {
	ctx := timeout(b)
	b.Run("impl=mpsc", func(b *testing.B) {
		s, r := mpsc.New[int](16)
		frac := idleCPU(b, time.Duration(b.N)*10*time.Millisecond, func() { r.Recv(ctx) }, func() { s.TrySend(1) })
		b.ReportMetric(100*frac, "cpu-%")
	})
	b.Run("impl=poll", func(b *testing.B) {
		s, r := mpsc.New[int](16)
		frac := idleCPU(b, time.Duration(b.N)*10*time.Millisecond, func() {
			for _, err := r.TryRecv(); err == mpsc.ErrEmpty; _, err = r.TryRecv() {
				runtime.Gosched()
			}
		}, func() { s.TrySend(1) })
		b.ReportMetric(100*frac, "cpu-%")
	})
}

// TestIdleSenderUsesNoCPU: a sender blocked on a full channel whose receiver
// is idle costs no CPU once its brief retries before parking are over.
func TestIdleSenderUsesNoCPU(t *testing.T) {
	ctx := timeout(t)
	s, r := mpsc.New[int](4)
	for i := range r.Cap() {
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
	}
	frac := idleCPU(t, 200*time.Millisecond, func() { s.Send(ctx, -1) }, func() { r.TryRecv() })
	t.Logf("idle sender used %.2f%% CPU", 100*frac)
	if frac > 0.25 {
		t.Errorf("idle sender used %.0f%% of a CPU", 100*frac)
	}
}
