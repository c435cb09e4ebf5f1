package mpmc_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/mpmc"
)

// Job is the work item of the package documentation's worker pool.
type Job int

// The worker pool of the package documentation, run: every job is handled
// by exactly one worker.
func Example_packageDoc() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const workers = 4
	var handled, sum atomic.Int64
	var wg sync.WaitGroup
	wg.Add(100) // one per job
	handle := func(job Job) { handled.Add(1); sum.Add(int64(job)); wg.Done() }
	produce := func() func(func(Job) bool) {
		return func(yield func(Job) bool) {
			for j := Job(1); j <= 100; j++ {
				if !yield(j) {
					return
				}
			}
		}
	}
	func() {
		tx, rx := mpmc.New[Job](1024)
		for range workers {
			w := rx.Clone()
			go func() {
				defer w.Close()
				for job := range w.All(ctx) { // ends once the channel is closed and drained
					handle(job)
				}
			}()
		}
		rx.Close() // the workers' clones keep the receiving end open
		for job := range produce() {
			if err := tx.Send(ctx, job); err != nil {
				break // ErrClosed (every worker is gone), or ctx.Err()
			}
		}
		tx.Close() // the last Sender handle: the workers drain and stop
	}()
	wg.Wait() // every job handled
	fmt.Println(handled.Load(), sum.Load())
	// Output: 100 5050
}
