package main

import (
	"context"
	"runtime"
	"time"

	"github.com/diatomic-go/diatomic/oneshot"
)

// settle is how long a receiver is given to reach its wait before the
// measuring window opens.
const settle = 50 * time.Millisecond

// parker starts a goroutine blocked in a receive and returns release, which
// hands it a value and waits for it to return.
type parker func() (release func())

// idleCases: one receiver waits on an empty contender while nothing is sent;
// the table gives the CPU time the whole process used meanwhile, in percent
// of one core. "nothing" is the floor: no receiver at all.
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
		parkers = append(parkers, idler{im.name, parkQueue(im.new)})
	}
	parkers = append(parkers, idler{"oneshot", parkOneshot})

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
		return parkOn(func() { _ = s.wait(context.Background()) }, s.notify)
	}
}

func parkQueue(newQueue func() queue) parker {
	return func() func() {
		q := newQueue()
		release := parkOn(func() { q.recv() }, func() { q.send(1) })
		return func() { release(); q.close() }
	}
}

func parkOneshot() func() {
	tx, rx := oneshot.New[int]()
	return parkOn(func() { _, _ = rx.Recv(context.Background()) }, func() { _ = tx.Send(1) })
}

// parkOn runs recv in a new goroutine; the release function it returns calls
// send, which must make recv return, and waits for that goroutine to end.
func parkOn(recv, send func()) (release func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		recv()
	}()
	return func() {
		send()
		<-done
	}
}

// idleCPU parks a receiver with park and returns the CPU time the process
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
