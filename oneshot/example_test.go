package oneshot_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/diatomic-go/diatomic/oneshot"
)

// A request carries the Sender of its reply; the caller waits on the
// Receiver.
func Example() {
	type request struct {
		n     int
		reply *oneshot.Sender[int]
	}
	requests := make(chan request)
	done := make(chan struct{})
	go func() { // a server
		defer close(done)
		for req := range requests {
			_ = req.reply.Send(req.n * req.n)
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for n := 1; n <= 3; n++ {
		tx, rx := oneshot.New[int]()
		requests <- request{n, tx}
		v, err := rx.Recv(ctx)
		fmt.Println(v, err)
	}
	close(requests)
	<-done
	// Output:
	// 1 <nil>
	// 4 <nil>
	// 9 <nil>
}

// A sender that gives up closes its half: the receiver learns that no value
// will come instead of waiting forever.
func ExampleSender_Close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := oneshot.New[string]()
	go tx.Close()
	_, err := rx.Recv(ctx)
	fmt.Println(errors.Is(err, oneshot.ErrClosed))
	// Output: true
}

// A receiver that loses interest hangs up, and the producer can stop early.
func ExampleReceiver_Close() {
	tx, rx := oneshot.New[string]()
	rx.Close()
	fmt.Println(tx.Closed(), tx.Send("late"))
	// Output: true oneshot: channel closed
}

// A cancelled Recv leaves the value for the next one, and a value already
// there is returned even when ctx is done.
func ExampleReceiver_Recv() {
	tx, rx := oneshot.New[int]()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := rx.Recv(ctx)
	fmt.Println(err)

	_ = tx.Send(7)
	v, err := rx.Recv(ctx)
	fmt.Println(v, err)
	_, err = rx.TryRecv()
	fmt.Println(err)
	// Output:
	// context canceled
	// 7 <nil>
	// oneshot: channel closed
}

// Ready in a select beside a timer: the value arrives before the timer
// fires.
func ExampleReceiver_Ready() {
	tx, rx := oneshot.New[string]()
	go tx.Send("reply")

	timer := time.NewTimer(time.Minute)
	defer timer.Stop()
	for {
		v, err := rx.TryRecv()
		if !errors.Is(err, oneshot.ErrEmpty) {
			fmt.Println(v, err)
			return
		}
		select {
		case <-rx.Ready(): // then TryRecv again
		case <-timer.C:
			fmt.Println("timed out")
			return
		}
	}
	// Output: reply <nil>
}

// Done in a producer's select: the producer works in steps and stops as soon
// as the receiver hangs up.
func ExampleSender_Done() {
	tx, rx := oneshot.New[int]()
	steps := make(chan int)
	stopped := make(chan int)
	go func() { // the producer
		n := 0
		for {
			select {
			case <-tx.Done():
				stopped <- n
				return
			case <-steps:
				n++
			}
		}
	}()
	steps <- 1
	steps <- 2
	rx.Close() // the receiver loses interest
	fmt.Println("producer stopped after", <-stopped, "steps")
	// Output: producer stopped after 2 steps
}

// queueWaker is the Waker of one source in a set: its Wake queues the
// source's id for the goroutine that serves the set.
type queueWaker struct {
	id    int
	ready chan int
}

func (w *queueWaker) Wake() { w.ready <- w.id }

// Register hooks receivers into a set of sources served by one goroutine:
// each registered Waker is woken once, when its channel has a result.
func ExampleReceiver_Register() {
	ready := make(chan int, 3)
	var txs []*oneshot.Sender[string]
	var rxs []*oneshot.Receiver[string]
	for id := range 3 {
		tx, rx := oneshot.New[string]()
		rx.Register(&queueWaker{id, ready})
		txs, rxs = append(txs, tx), append(rxs, rx)
	}
	go txs[2].Send("two")
	id := <-ready
	v, err := rxs[id].TryRecv()
	fmt.Println(id, v, err)

	txs[0].Close()
	id = <-ready
	_, err = rxs[id].TryRecv()
	fmt.Println(id, err)
	rxs[1].Unregister() // source 1 leaves the set: its Waker is not woken
	_ = txs[1].Send("one")
	fmt.Println(len(ready))
	// Output:
	// 2 two <nil>
	// 0 oneshot: channel closed
	// 0
}
