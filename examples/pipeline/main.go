// Command pipeline fans work out to several producers and collects their
// results in one consumer through an mpsc channel. Each producer owns a
// clone of the Sender and closes it when done; the channel closes itself when
// the last one is closed, so the consumer's range loop ends without a
// sync.WaitGroup and a close call in a separate goroutine.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/diatomic-go/diatomic/mpsc"
)

const (
	producers = 4
	numbers   = 100 // the producers square 1..numbers between them
)

// square is one result: which producer computed it, and in which order.
type square struct {
	producer, seq int
	n, sq         int
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	// A small buffer: producers wait for room when the consumer falls
	// behind, which is the point of a bounded channel.
	tx, rx := mpsc.New[square](8)
	for p := range producers {
		s := tx.Clone() // one handle per producer
		go func() {
			defer s.Close() // the last Close closes the channel
			seq := 0
			for n := p + 1; n <= numbers; n += producers {
				if err := s.Send(ctx, square{p, seq, n, n * n}); err != nil {
					panic(err) // the receiver never hangs up here
				}
				seq++
			}
		}()
	}
	tx.Close() // the original handle is not used to send

	var sum, received int
	count := make([]int, producers)
	inOrder := true
	for r := range rx.All(ctx) {
		received++
		sum += r.sq
		inOrder = inOrder && r.seq == count[r.producer]
		count[r.producer]++
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The loop ended because the channel is closed and drained.
	_, closed := rx.TryRecv()
	if !errors.Is(closed, mpsc.ErrClosed) {
		return fmt.Errorf("after the loop, TryRecv returned %v", closed)
	}

	for p, c := range count {
		fmt.Fprintf(w, "producer %d sent %d squares\n", p, c)
	}
	fmt.Fprintf(w, "received %d squares, sum of the squares of 1..%d = %d\n", received, numbers, sum)
	fmt.Fprintf(w, "each producer's values arrived in the order it sent them: %v\n", inOrder)
	fmt.Fprintf(w, "the channel closed itself when the last of its %d Sender handles closed; TryRecv: %v\n", producers+1, closed)
	return nil
}
