package oneshot_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/diatomic-go/diatomic/oneshot"
)

// The snippet of oneshot in the README: a reply, sent by another goroutine.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tx, rx := oneshot.New[string]()
	go tx.Send("pong")
	reply, err := rx.Recv(ctx)
	fmt.Println(reply, err)
	// Output: pong <nil>
}

// The snippet of the package doc: a value computed by another goroutine.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	compute := func() int { return 6 * 7 }

	tx, rx := oneshot.New[int]()
	go func() { tx.Send(compute()) }()
	v, err := rx.Recv(ctx) // the value, ErrClosed, or ctx.Err()
	fmt.Println(v, err)
	// Output: 42 <nil>
}

// The select snippet of the README, whose loop is also the package doc's: a
// receiver that gives up after a timeout, and a producer that stops once it
// did.
func Example_readmeSelect() {
	work := make(chan int) // nothing comes: the receiver times out
	stopped := make(chan struct{})

	tx, rx := oneshot.New[int]()
	go func() { // the producer
		defer close(stopped)
		select {
		case <-tx.Done(): // the receiver hung up: stop working for it
		case v := <-work:
			tx.Send(v)
		}
	}()

	timer := time.NewTimer(10 * time.Millisecond)
	defer timer.Stop()
	for {
		v, err := rx.TryRecv()
		if !errors.Is(err, oneshot.ErrEmpty) {
			fmt.Println(v, err) // the value, or ErrClosed
			break
		}
		select {
		case <-rx.Ready(): // then TryRecv again
		case <-timer.C:
			rx.Close() // TryRecv reports ErrClosed, tx.Done() is closed
		}
	}

	<-stopped
	fmt.Println("producer stopped:", tx.Closed())
	// Output:
	// 0 oneshot: channel closed
	// producer stopped: true
}
