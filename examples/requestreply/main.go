// Command requestreply runs a server goroutine that answers requests sent
// over an mpsc channel; each request carries a oneshot.Sender for its reply.
// It shows the three ways a call can end: a reply, a server that closes the
// reply without a value, and a client that stops waiting, which the server
// sees through Sender.Closed so that it can skip the work.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/oneshot"
)

// request asks for the square of n.
type request struct {
	n     int
	reply *oneshot.Sender[int]
	// ready, when not nil, holds the server back until it is closed: a slow
	// request.
	ready <-chan struct{}
}

// serverStats is what the server reports when it stops.
type serverStats struct {
	answered, refused, abandoned int
}

// serve answers requests until the request channel is closed.
func serve(ctx context.Context, requests *mpsc.Receiver[request]) serverStats {
	var st serverStats
	for req := range requests.All(ctx) {
		if req.ready != nil {
			<-req.ready
		}
		switch {
		case req.reply.Closed(): // the client hung up: skip the work
			st.abandoned++
		case req.n < 0: // no answer: the client gets ErrClosed
			req.reply.Close()
			st.refused++
		default:
			if err := req.reply.Send(req.n * req.n); err == nil {
				st.answered++
			}
		}
	}
	return st
}

// call sends a request and waits for its reply, or for ctx to end.
func call(ctx context.Context, server *mpsc.Sender[request], n int, ready <-chan struct{}) (int, *oneshot.Receiver[int], error) {
	tx, rx := oneshot.New[int]()
	if err := server.Send(ctx, request{n: n, reply: tx, ready: ready}); err != nil {
		return 0, rx, err
	}
	v, err := rx.Recv(ctx)
	return v, rx, err
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	server, requests := mpsc.New[request](16)
	stats := make(chan serverStats, 1)
	go func() { stats <- serve(ctx, requests) }()

	v, _, err := call(ctx, server, 7, nil)
	fmt.Fprintf(w, "square(7) = %d, err = %v\n", v, err)

	_, _, err = call(ctx, server, -1, nil)
	fmt.Fprintf(w, "square(-1): %v (the server closed the reply without a value)\n", err)

	// A slow request: the client gives up after 10ms and hangs up.
	slow := make(chan struct{})
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	_, rx, err := call(short, server, 12, slow)
	cancel()
	fmt.Fprintf(w, "square(12) with a 10ms timeout: %v\n", err)
	if !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("want a timeout, got %v", err)
	}
	rx.Close()  // hang up: the server's Closed now reports true
	close(slow) // let the server get to it

	v, _, err = call(ctx, server, 9, nil)
	fmt.Fprintf(w, "square(9) = %d, err = %v\n", v, err)

	server.Close() // the last Sender: the server's loop ends
	st := <-stats
	fmt.Fprintf(w, "server: %d answered, %d refused, %d skipped because the client had hung up\n",
		st.answered, st.refused, st.abandoned)
	return nil
}
