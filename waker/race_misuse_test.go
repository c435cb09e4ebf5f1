//go:build race

package waker

import (
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestRegisterDuringWaitDetected: under the race detector, a Register or an
// Unregister of a WakeSink during a Wait panics with a waker: message even
// while the Wait is not registered (here, from its predicate, before it
// registers), before it changes anything; the Wait then waits and is woken
// as usual. (While the Wait is registered, every build catches it: see
// TestRegisterDuringWaitPanics.)
func TestRegisterDuringWaitDetected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sink := NewWakeSink()
		foreign := new(counter)
		var flag atomic.Bool
		calls := 0
		ready := func() bool {
			calls++
			if calls == 2 { // after Wait's first check and its yield, in wait
				mustPanic(t, "waker: concurrent Register on WakeSink", func() { sink.Register(foreign) })
				mustPanic(t, "waker: concurrent Unregister on WakeSink", func() { sink.Unregister() })
				if sink.registered() {
					t.Errorf("state %06b after the refused calls, want nothing registered", sink.waker.state.Load())
				}
			}
			return flag.Load()
		}
		done := make(chan error, 1)
		go func() {
			done <- sink.Wait(timeoutContext(t), ready)
		}()
		synctest.Wait() // the Wait is parked
		flag.Store(true)
		sink.Source().Wake()
		if err := testutil.Recv(t, done, "the Wait woken after the refused calls"); err != nil {
			t.Fatalf("Wait = %v, want nil (woken)", err)
		}
		if n := foreign.n.Load(); n != 0 || sink.registered() {
			t.Fatalf("the refused waker was woken %d times, registered %v; want 0, false", n, sink.registered())
		}
	})
}
