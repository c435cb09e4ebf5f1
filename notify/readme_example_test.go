package notify_test

import (
	"context"
	"fmt"
	"time"

	"github.com/diatomic-go/diatomic/notify"
)

// The snippet of notify in the README: the handle is taken before the
// goroutine that notifies starts, so its NotifyAll wakes the waiter whether
// it runs before Wait or after.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shutdown := make(chan struct{})
	close(shutdown) // the event may well come before the wait

	var n notify.Notify
	h := n.Notified() // registered: the NotifyAll below wakes it, even if it runs first
	go func() { <-shutdown; n.NotifyAll() }()
	err := h.Wait(ctx)
	fmt.Println(err)
	// Output: <nil>
}
