package mpsc_test

import (
	"context"
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

// The capacity-1 channel of non-zero values: a TrySend fails while a value
// is waiting.
func ExampleNewSlot() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.NewSlot()
	go func() {
		for !tx.TrySend(42) {
		}
	}()
	v, _ := rx.Recv(ctx)
	fmt.Println(v, tx.TrySend(7), tx.TrySend(8))
	v, _ = rx.Recv(ctx)
	fmt.Println(v)
	// Output:
	// 42 true false
	// 7
}
