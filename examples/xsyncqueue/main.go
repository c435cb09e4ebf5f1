// Command xsyncqueue makes a lock-free queue of another library awaitable:
// xsync's MPMCQueue has only TryEnqueue and TryDequeue, and a waker.WakeSink
// gives it a blocking Recv with a context, in a few lines. Senders enqueue,
// then wake the sink; the receiver waits until TryDequeue succeeds. Nothing
// allocates after the queue is made, a send with the receiver not waiting
// costs the enqueue and one atomic load, and a waiting receiver uses no CPU.
//
// The receiving side is single-consumer (one goroutine at a time calls Recv),
// as a WakeSink is; any number of goroutines may send.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/diatomic-go/diatomic/waker"
)

// Queue is a bounded queue with a blocking receive.
type Queue[T any] struct {
	q    *xsync.MPMCQueue[T]
	sink *waker.WakeSink
	src  waker.WakeSource
	poll func() (T, bool) // q.TryDequeue, bound once so that Recv allocates nothing
}

// NewQueue returns an empty queue of the given capacity.
func NewQueue[T any](capacity int) *Queue[T] {
	q := &Queue[T]{q: xsync.NewMPMCQueue[T](capacity), sink: waker.NewWakeSink()}
	q.src = q.sink.Source()
	q.poll = q.q.TryDequeue
	return q
}

// TrySend enqueues v and reports whether it did. Any goroutine may call it.
// It fails when the queue is full, and also, as xsync's TryEnqueue does, when
// a concurrent TrySend took the slot it tried (package mpsc's own ring reports
// full only when it is). The wake comes after the enqueue, which the
// receiver's poll then sees.
func (q *Queue[T]) TrySend(v T) bool {
	if !q.q.TryEnqueue(v) {
		return false
	}
	q.src.Wake()
	return true
}

// Recv dequeues a value, waiting until there is one or ctx is done; then it
// returns ctx.Err() and takes nothing. One goroutine at a time may call it.
func (q *Queue[T]) Recv(ctx context.Context) (T, error) {
	return waker.WaitUntil(ctx, q.sink, q.poll)
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	const producers, perProducer = 3, 100
	q := NewQueue[int](producers * perProducer) // room for every value

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	_, err := q.Recv(ctx)
	cancel()
	fmt.Fprintf(w, "Recv on the empty queue, 10ms timeout: %v\n", err)

	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			for i := range perProducer {
				// With room for every value, a failure is a slot lost
				// to a concurrent TrySend: trying again takes the next.
				for !q.TrySend(p*perProducer + i) {
					runtime.Gosched()
				}
			}
		})
	}
	seen := make([]bool, producers*perProducer)
	dups := 0
	for range producers * perProducer {
		v, err := q.Recv(context.Background())
		if err != nil {
			return err
		}
		if seen[v] {
			dups++
		}
		seen[v] = true
	}
	wg.Wait()
	fmt.Fprintf(w, "received %d values from %d producers, %d duplicated\n", len(seen), producers, dups)
	return nil
}
