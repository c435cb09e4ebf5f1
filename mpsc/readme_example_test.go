package mpsc_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/diatomic-go/diatomic/mpsc"
)

// The snippet of mpsc in the README: four senders on clones of one Sender;
// the receiver's loop ends once every handle is closed.
func Example_readme() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	tx, rx := mpsc.New[int](1024)
	for i := range 4 {
		tx := tx.Clone()
		go func() { defer tx.Close(); tx.Send(ctx, i) }()
	}
	tx.Close()
	for v := range rx.All(ctx) { // ends when the last Sender closed and all is drained
		fmt.Println(v)
	}
	// Unordered output:
	// 0
	// 1
	// 2
	// 3
}

// Job is the job of the package doc's snippet.
type Job int

// The snippet of the package doc: workers send the jobs they produce, and
// the receiver handles them until the last worker is done.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const workers = 3
	produce := func() iter.Seq[Job] {
		return func(yield func(Job) bool) {
			for j := Job(1); j <= 4 && yield(j); j++ {
			}
		}
	}
	var total Job
	handle := func(job Job) { total += job }

	tx, rx := mpsc.New[Job](1024)
	for range workers {
		w := tx.Clone()
		go func() {
			defer w.Close()
			for job := range produce() {
				if err := w.Send(ctx, job); err != nil {
					return // ErrClosed, or ctx.Err()
				}
			}
		}()
	}
	tx.Close()                     // the clones keep the channel open
	for job := range rx.All(ctx) { // ends once every clone is closed and the channel drained
		handle(job)
	}
	fmt.Println(total)
	// Output: 30
}

// The select snippet of mpsc in the README: the receiver drains with
// TryRecv, then waits in a select on Ready beside a ticker and ctx.Done().
func Example_readmeSelect() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx, rx := mpsc.New[int](64)
	go func() {
		defer tx.Close()
		for i := 1; i <= 100; i++ {
			tx.Send(ctx, i)
		}
	}()
	sum, pending := 0, 0
	handle := func(v int) { pending += v }
	flush := func() { sum, pending = sum+pending, 0 }

	serve := func() {
		ticker := time.NewTicker(10 * time.Millisecond)
		defer ticker.Stop()
		for {
			v, err := rx.TryRecv()
			if err == nil {
				handle(v)
				continue
			}
			if errors.Is(err, mpsc.ErrClosed) {
				return
			}
			select {
			case <-rx.Ready(): // a value, or the close: TryRecv again
			case <-ticker.C:
				flush()
			case <-ctx.Done():
				return
			}
		}
	}
	serve()
	flush()
	fmt.Println(sum)
	// Output: 5050
}
