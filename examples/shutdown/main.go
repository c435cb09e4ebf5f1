// Command shutdown stops a pool of workers with one notify.Notify broadcast,
// and coalesces reload requests with another.
//
// Each worker takes a Notified handle before it checks the stop flag and then
// waits on it. NotifyAll wakes every handle taken before the call, including
// one whose worker has checked the flag but not reached Wait yet, so no worker
// misses the shutdown. NotifyOne with nobody waiting stores a single permit:
// two reload requests made while nobody listens cause one reload.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/notify"
)

const workers = 4

// pool is a set of workers that run until shutdown.
type pool struct {
	stopping atomic.Bool
	shutdown notify.Notify
	started  sync.WaitGroup // every worker has registered once
	stopped  sync.WaitGroup
	exits    [workers]string // how each worker left, written by that worker
}

// worker waits for shutdown, re-checking the flag after every wake-up.
func (p *pool) worker(id int) {
	defer p.stopped.Done()
	for first := true; ; first = false {
		h := p.shutdown.Notified() // register first ...
		if p.stopping.Load() {     // ... then check, so a NotifyAll in between is not missed
			h.Cancel()
			p.exits[id] = "saw the stop flag"
			return
		}
		if first {
			p.started.Done()
		}
		if err := h.Wait(context.Background()); err != nil {
			p.exits[id] = err.Error()
			return
		}
		if p.stopping.Load() {
			p.exits[id] = "woken by NotifyAll"
			return
		}
	}
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	// Reload requests: permits do not add up.
	var reload notify.Notify
	reload.NotifyOne()
	reload.NotifyOne()
	expired, cancel := context.WithCancel(context.Background())
	cancel()
	reloads := 0
	// A Wait that finds the permit returns nil even with its context done;
	// without one it returns the context's error at once.
	for reload.Wait(expired) == nil {
		reloads++
	}
	fmt.Fprintf(w, "two reload requests while nobody listened: %d reload\n", reloads)

	p := new(pool)
	p.started.Add(workers)
	p.stopped.Add(workers)
	for id := range workers {
		go p.worker(id)
	}
	// Every worker now holds a handle and has seen the flag clear; some may
	// not have reached Wait yet. NotifyAll wakes them all the same.
	p.started.Wait()
	fmt.Fprintf(w, "%d workers registered\n", workers)

	p.stopping.Store(true)
	p.shutdown.NotifyAll()

	stopped := make(chan struct{})
	go func() { p.stopped.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("workers still running 10s after shutdown")
	}
	for id, how := range p.exits {
		fmt.Fprintf(w, "worker %d: %s\n", id, how)
	}

	// A handle taken after NotifyAll is not woken by it: it has to look at
	// the flag, which is why the flag is set before the broadcast.
	late := p.shutdown.Notified()
	fmt.Fprintln(w, "a worker that registers after the broadcast sees the flag:", p.stopping.Load())
	late.Cancel()
	return nil
}
