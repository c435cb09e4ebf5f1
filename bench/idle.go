package main

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/diatomic-go/diatomic/oneshot"
)

// settle is how long a receiver is given to reach its wait before the
// measuring window opens.
const settle = 50 * time.Millisecond

// parker starts goroutines blocked in a receive and returns release, which
// hands each a value and waits for them to return.
type parker func() (release func())

// idleMPMCReceivers is how many goroutines wait on the empty mpmc channel,
// as the consumers of an idle worker pool.
const idleMPMCReceivers = 4

// idleCases: one receiver waits on an empty contender (idleMPMCReceivers on
// mpmc, sharing one Receiver) while nothing is sent; the table gives the CPU
// time the whole process used meanwhile, in percent of one core. "nothing"
// is the floor: no receiver at all.
func idleCases(*config) []benchCase {
	type idler struct {
		name string
		park parker
	}
	parkers := []idler{{"nothing", func() func() { return func() {} }}}
	for _, s := range signals {
		parkers = append(parkers, idler{s.name, parkSignal(s.new)})
	}
	for _, im := range append(boundedImpls[1:], unboundedImpls[1:]...) {
		parkers = append(parkers, idler{im.name, parkQueue(im.new, 1)})
	}
	parkers = append(parkers, idler{"oneshot", parkOneshot})
	parkers = append(parkers, idler{mpmcImpl.name, parkQueue(mpmcImpl.new, idleMPMCReceivers)})

	var cs []benchCase
	for _, p := range parkers {
		cs = append(cs, benchCase{impl: p.name, cpu: func(d time.Duration) (float64, error) {
			return idleCPU(p.park, d)
		}})
	}
	return cs
}

func parkSignal(newSignal func() signal) parker {
	return func() func() {
		s := newSignal()
		return parkOn(1, func() { _ = s.wait(context.Background()) }, s.notify)
	}
}

// parkQueue parks receivers goroutines on one queue.
func parkQueue(newQueue func() queue, receivers int) parker {
	return func() func() {
		q := newQueue()
		release := parkOn(receivers, func() { q.recv() }, func() { q.send(1) })
		return func() { release(); q.close() }
	}
}

func parkOneshot() func() {
	tx, rx := oneshot.New[int]()
	return parkOn(1, func() { _, _ = rx.Recv(context.Background()) }, func() { _ = tx.Send(1) })
}

// parkOn runs recv in n new goroutines; the release function it returns
// calls send n times, each of which must make one recv return, and waits for
// those goroutines to end.
func parkOn(n int, recv, send func()) (release func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(recv)
	}
	return func() {
		for range n {
			send()
		}
		wg.Wait()
	}
}

// idleCPU parks receivers with park and returns the CPU time the process
// uses over d, in percent of one core.
func idleCPU(park parker, d time.Duration) (float64, error) {
	runtime.GC() // so that no collection left over from earlier cases runs in the window
	release := park()
	defer release()
	time.Sleep(settle)
	c0, err := cpuTime()
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	time.Sleep(d)
	c1, err := cpuTime()
	if err != nil {
		return 0, err
	}
	return 100 * float64(c1-c0) / float64(time.Since(t0)), nil
}
