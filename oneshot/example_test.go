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
