package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
)

// Order is the value of the README's set example.
type Order int

// The README's set of sources: one goroutine serves two channels through a
// waker.Set, and learns which one to drain.
func Example_readmeSet() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	otx, orders := mpsc.New[Order](16)
	atx, audit := mpsc.New[string](16)
	_ = otx.TrySend(1)
	_ = atx.TrySend("login")
	got := 0
	drain := func(name string) {
		switch name {
		case "orders":
			for v, err := orders.TryRecv(); err == nil; v, err = orders.TryRecv() {
				fmt.Println("order", v)
				got++
			}
		case "audit":
			for v, err := audit.TryRecv(); err == nil; v, err = audit.TryRecv() {
				fmt.Println("audit", v)
				got++
			}
		}
		if got == 2 {
			cancel() // both served: the next Wait returns
		}
	}
	serve := func() error {
		var set waker.Set[string]
		set.Add("orders", orders) // *mpsc.Receiver[Order]
		set.Add("audit", audit)   // another *mpsc.Receiver
		for {
			name, err := set.Wait(ctx)
			if err != nil {
				return err
			}
			drain(name) // TryRecv until ErrEmpty; the next Wait re-arms it
		}
	}
	fmt.Println(errors.Is(serve(), context.Canceled))
	// Output:
	// order 1
	// audit login
	// true
}
