// Command workerpool runs the most common channel of Go programs, a pool of
// workers ranging over one channel of jobs, on an mpmc channel: a producer
// sends jobs, workers each take them from a clone of the Receiver, and send
// results on a second channel to a collector. Closing the last Sender of
// the jobs ends every worker's range loop once the jobs are drained; each
// worker closes its results Sender when done, so the collector's loop ends
// when the last worker does, without a sync.WaitGroup. A supervisor selects
// on the jobs channel's Done beside its own work, as it would on a
// context.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/diatomic-go/diatomic/mpmc"
)

const (
	workers = 4
	jobs    = 200 // the producer sends 1..jobs
)

// result is one job done: by which worker, the job, and its square.
type result struct {
	worker, job, sq int
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	jobTx, jobRx := mpmc.New[int](16)
	resTx, resRx := mpmc.New[result](16)

	for id := range workers {
		in, out := jobRx.Clone(), resTx.Clone() // one handle of each per worker
		go func() {
			defer in.Close()
			defer out.Close() // the last one closes the results channel
			for job := range in.All(ctx) {
				if err := out.Send(ctx, result{id, job, job * job}); err != nil {
					panic(err) // the collector never hangs up here
				}
			}
		}()
	}
	jobRx.Close() // the workers' clones keep the jobs channel open
	resTx.Close()

	// A supervisor waits for the jobs channel to close, beside any other
	// case it might have.
	closed := make(chan struct{})
	go func() {
		<-jobTx.Done()
		close(closed)
	}()

	go func() {
		defer jobTx.Close() // the workers drain the jobs left, then stop
		for job := 1; job <= jobs; job++ {
			if err := jobTx.Send(ctx, job); err != nil {
				panic(err)
			}
		}
	}()

	var sum, done int
	byWorker := make([]int, workers)
	seen := make(map[int]bool, jobs)
	for r := range resRx.All(ctx) {
		if seen[r.job] {
			return fmt.Errorf("job %d done twice", r.job)
		}
		seen[r.job] = true
		sum += r.sq
		done++
		byWorker[r.worker]++
	}
	<-closed
	fmt.Fprintf(w, "%d workers did %d jobs, each exactly once: %v\n", workers, done, len(seen) == jobs)
	fmt.Fprintf(w, "sum of the squares of 1..%d = %d\n", jobs, sum)
	total := 0
	for _, n := range byWorker {
		total += n
	}
	fmt.Fprintf(w, "the workers' counts add up: %v\n", total == jobs)
	_, err := resRx.TryRecv()
	fmt.Fprintf(w, "the results channel closed with its last worker; TryRecv: %v\n", err)
	return nil
}
