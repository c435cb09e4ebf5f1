package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/diatomic-go/diatomic/mpsc"
)

// Three workers send on clones of one Sender; closing every handle closes
// the channel, so the receiver's loop ends without a WaitGroup.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.New[int](8)
	for w := range 3 {
		c := tx.Clone()
		go func() {
			defer c.Close()
			for i := range 3 {
				c.Send(ctx, 10*w+i)
			}
		}()
	}
	tx.Close() // the workers' clones keep the channel open

	var got []int
	for v := range rx.All(ctx) {
		got = append(got, v)
	}
	slices.Sort(got)
	fmt.Println(got)
	// Output: [0 1 2 10 11 12 20 21 22]
}

func ExampleSender_TrySend() {
	tx, rx := mpsc.New[string](1)
	fmt.Println(tx.TrySend("a"))
	fmt.Println(tx.TrySend("b"))
	rx.Close()
	fmt.Println(tx.TrySend("c"))
	v, err := rx.TryRecv() // values sent before the close are still delivered
	fmt.Println(v, err)
	_, err = rx.TryRecv()
	fmt.Println(err)
	// Output:
	// <nil>
	// mpsc: channel full
	// mpsc: channel closed
	// a <nil>
	// mpsc: channel closed
}

func ExampleReceiver_RecvBatch() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.NewUnbounded[int]()
	for i := range 5 {
		tx.Send(ctx, i)
	}
	tx.Close()
	buf := make([]int, 3)
	for {
		n, err := rx.RecvBatch(ctx, buf)
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(buf[:n])
	}
	// Output:
	// [0 1 2]
	// [3 4]
	// mpsc: channel closed
}

// TryRecvBatch takes whatever is waiting, up to the buffer's length, and
// never waits: a receiver that polls between other work.
func ExampleReceiver_TryRecvBatch() {
	tx, rx := mpsc.New[int](8)
	buf := make([]int, 4)
	_, err := rx.TryRecvBatch(buf)
	fmt.Println(err)
	for i := range 6 {
		tx.TrySend(i)
	}
	tx.Close()
	for {
		n, err := rx.TryRecvBatch(buf)
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Println(buf[:n])
	}
	// Output:
	// mpsc: channel empty
	// [0 1 2 3]
	// [4 5]
	// mpsc: channel closed
}

// The capacity-1 channel of non-zero values: a TrySend fails with ErrFull
// while a value is waiting; after Close, the value waiting is still
// received, then Recv reports ErrClosed.
func ExampleNewSlot() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.NewSlot()
	go func() {
		for tx.TrySend(42) != nil {
		}
	}()
	v, _ := rx.Recv(ctx)
	fmt.Println(v, tx.TrySend(7), tx.TrySend(8))
	tx.Close()
	v, _ = rx.Recv(ctx)
	fmt.Println(v, tx.TrySend(9))
	_, err := rx.Recv(ctx)
	fmt.Println(err)
	// Output:
	// 42 <nil> mpsc: channel full
	// 7 mpsc: channel closed
	// mpsc: channel closed
}

// One goroutine serves two channels with a select on both Ready channels,
// until both are closed and drained.
func ExampleReceiver_Ready() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	orders, ordersRx := mpsc.New[int](16)
	alerts, alertsRx := mpsc.NewUnbounded[string]()
	go func() {
		defer orders.Close()
		for i := 1; i <= 3; i++ {
			orders.Send(ctx, i*10)
		}
	}()
	go func() {
		defer alerts.Close()
		alerts.Send(ctx, "low stock")
	}()

	total, alertCount := 0, 0
	ordersOpen, alertsOpen := true, true
	for ordersOpen || alertsOpen {
		var ordersReady, alertsReady <-chan struct{} // nil: never ready
		if ordersOpen {
			v, err := ordersRx.TryRecv()
			switch {
			case err == nil:
				total += v
				continue
			case errors.Is(err, mpsc.ErrClosed):
				ordersOpen = false
			default:
				ordersReady = ordersRx.Ready()
			}
		}
		if alertsOpen {
			_, err := alertsRx.TryRecv()
			switch {
			case err == nil:
				alertCount++
				continue
			case errors.Is(err, mpsc.ErrClosed):
				alertsOpen = false
			default:
				alertsReady = alertsRx.Ready()
			}
		}
		if !ordersOpen && !alertsOpen {
			break
		}
		select {
		case <-ordersReady:
		case <-alertsReady:
		case <-ctx.Done():
			return
		}
	}
	fmt.Println("orders:", total, "alerts:", alertCount)
	// Output: orders: 60 alerts: 1
}

// A producer selects on Done while it waits for work, as it would on
// ctx.Done(), and stops once the receiver hangs up.
func ExampleSender_Done() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.New[int](4)
	work := make(chan int)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-tx.Done():
				fmt.Println("producer: the receiver hung up")
				return
			case w := <-work:
				if err := tx.Send(ctx, w); err != nil {
					fmt.Println("producer:", err)
					return
				}
			}
		}
	}()
	for i := range 3 {
		work <- i
		v, _ := rx.Recv(ctx)
		fmt.Println("received", v)
	}
	rx.Close()
	<-stopped
	// Output:
	// received 0
	// received 1
	// received 2
	// producer: the receiver hung up
}
