// The race detector allocates on its own account, so allocation counts are
// only meaningful without it.

//go:build !race

package eventcount_test

import (
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
)

// Arming a Ticket with Ready, and the NotifyOne that wakes it, allocate
// nothing once the EventCount has a record to reuse: whether the select
// receives, or loses and the Cancel passes the notification on.
func TestAllocsReady(t *testing.T) {
	var ec eventcount.EventCount
	received := func() {
		tk := ec.Prepare()
		ch := ec.Ready(&tk)
		ec.NotifyOne()
		<-ch
		ec.Cancel(tk)
	}
	lost := func() {
		a, b := ec.Prepare(), ec.Prepare()
		_, ch := ec.Ready(&a), ec.Ready(&b)
		ec.NotifyOne()
		ec.Cancel(a) // passes it on to b
		<-ch
		ec.Cancel(b)
	}
	var w countWaker
	registered := func() {
		tk := ec.Prepare()
		tk.Register(&w)
		ec.NotifyOne()
		<-ec.Ready(&tk)
		ec.Cancel(tk)
	}
	for name, f := range map[string]func(){"received": received, "lost select": lost, "registered": registered} {
		f()
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("Ready, %s: %v allocs, want 0", name, n)
		}
	}
}
