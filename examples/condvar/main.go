// Command condvar replaces a sync.Cond with an eventcount.EventCount in a job
// queue guarded by a mutex. The two queues below differ only in how Get
// waits: the sync.Cond one sleeps holding nothing it can cancel, the
// EventCount one takes a context, so a worker can wait with a timeout, and
// nothing is left behind when it gives up.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
)

var (
	// errClosed is returned by Get once the queue is closed and empty.
	errClosed = errors.New("queue closed")
	// errEmpty tells Get to wait.
	errEmpty = errors.New("queue empty")
)

// queue is a FIFO of jobs that workers wait on.
type queue interface {
	Put(job int)
	Close()
	Get(ctx context.Context) (int, error)
}

// jobs is the state both queues share, under mu.
type jobs struct {
	mu     sync.Mutex
	items  []int
	closed bool
}

// put and close change the state; the caller notifies after they return,
// with mu released.
func (j *jobs) put(job int) {
	j.mu.Lock()
	j.items = append(j.items, job)
	j.mu.Unlock()
}

func (j *jobs) close() {
	j.mu.Lock()
	j.closed = true
	j.mu.Unlock()
}

// take removes the oldest job and returns it with a nil error, or returns
// errClosed once the queue is closed and empty, or errEmpty when the
// caller must wait. The caller holds mu.
func (j *jobs) take() (job int, err error) {
	switch {
	case len(j.items) > 0:
		job, j.items = j.items[0], j.items[1:]
		return job, nil
	case j.closed:
		return 0, errClosed
	}
	return 0, errEmpty
}

// Before: sync.Cond. Get cannot be cancelled, so it ignores ctx.
type condQueue struct {
	jobs
	cond *sync.Cond
}

func newCondQueue() *condQueue {
	q := new(condQueue)
	q.cond = sync.NewCond(&q.mu)
	return q
}

func (q *condQueue) Put(job int) {
	q.put(job)
	q.cond.Signal()
}

func (q *condQueue) Close() {
	q.close()
	q.cond.Broadcast()
}

func (q *condQueue) Get(context.Context) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		if job, err := q.take(); err != errEmpty {
			return job, err
		}
		q.cond.Wait()
	}
}

// After: EventCount. The same mutex guards the same state, but nobody sleeps
// holding it: the predicate takes it, and notifications come after Unlock.
type ecQueue struct {
	jobs
	ec eventcount.EventCount
}

func (q *ecQueue) Put(job int) {
	q.put(job)
	q.ec.NotifyOne()
}

func (q *ecQueue) Close() {
	q.close()
	q.ec.NotifyAll()
}

func (q *ecQueue) Get(ctx context.Context) (job int, err error) {
	waitErr := q.ec.Wait(ctx, func() bool {
		q.mu.Lock()
		defer q.mu.Unlock()
		job, err = q.take()
		return err != errEmpty
	})
	if waitErr != nil {
		return 0, waitErr // ctx ended: no job was taken
	}
	return job, err
}

const (
	workers = 3
	nJobs   = 9
)

// work has workers drain q while the main goroutine puts nJobs jobs and
// closes it; it returns the sum of the squares of the jobs done.
func work(q queue) (int, error) {
	var (
		mu   sync.Mutex
		sum  int
		done int
	)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for {
				job, err := q.Get(context.Background())
				if errors.Is(err, errClosed) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				sum += job * job
				done++
				mu.Unlock()
			}
		})
	}
	for job := 1; job <= nJobs; job++ {
		q.Put(job)
	}
	q.Close()
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if done != nJobs {
		return 0, fmt.Errorf("%d jobs done, want %d", done, nJobs)
	}
	return sum, nil
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	for _, q := range []struct {
		name string
		q    queue
	}{{"sync.Cond ", newCondQueue()}, {"EventCount", new(ecQueue)}} {
		sum, err := work(q.q)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s queue: %d workers did %d jobs, sum of squares %d\n", q.name, workers, nJobs, sum)
	}

	// What the EventCount adds: a wait with a timeout on an empty queue.
	q := new(ecQueue)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := q.Get(ctx)
	fmt.Fprintf(w, "EventCount queue: Get on an empty queue, 20ms timeout: %v; waiters left behind: %d\n", err, q.ec.Waiters())
	// The queue is as good as new: a job put now is there for the next Get.
	q.Put(42)
	job, err := q.Get(context.Background())
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "EventCount queue: the next Get takes job %d\n", job)
	return nil
}
