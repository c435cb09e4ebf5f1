//go:build race

package waker

import (
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestRegisterDuringWaitDetected: under the race detector, a Register or an
// Unregister of a WakeSink while a Wait waits on it panics with a waker:
// message, before it changes anything: the Wait is still woken by a Wake,
// and the waker of the refused Register is never registered.
func TestRegisterDuringWaitDetected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		var flag atomic.Bool
		done := make(chan error, 1)
		go func() { done <- sink.Wait(timeoutContext(t), flag.Load) }()
		synctest.Wait() // the Wait is parked
		foreign := new(counter)
		mustPanic(t, "waker: concurrent Register on WakeSink", func() { sink.Register(foreign) })
		mustPanic(t, "waker: concurrent Unregister on WakeSink", func() { sink.Unregister() })
		if sink.waker.Registered() || !sink.registered() {
			t.Fatalf("state %06b after the refused calls, want the Wait's registration only", sink.waker.state.Load())
		}
		flag.Store(true)
		sink.Source().Wake()
		if err := testutil.Recv(t, done, "the Wait woken after the refused calls"); err != nil {
			t.Fatalf("Wait = %v, want nil (woken)", err)
		}
		sink.Source().Wake()
		if n := foreign.n.Load(); n != 0 || sink.registered() {
			t.Fatalf("the refused waker was woken %d times, registered %v; want 0, false", n, sink.registered())
		}
		// The sink works as before: Register and Wake.
		sink.Register(foreign)
		sink.Source().Wake()
		if n := foreign.n.Load(); n != 1 {
			t.Fatalf("a Register after the Wait: its waker woken %d times by a Wake, want 1", n)
		}
	})
}
