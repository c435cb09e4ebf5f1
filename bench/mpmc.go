package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/mpmc"
	"github.com/puzpuzpuz/xsync/v4"
)

// pool is what the worker-pool scenario drives: sends from any number of
// producers, receives by any number of consumers until the channel is
// closed and drained.
type pool interface {
	sender() func(v int)
	// receiver returns one consumer's receive, which reports false once
	// the channel is closed and drained.
	receiver() func() (int, bool)
	// close is called once every producer is done.
	close()
}

// poolImpls are the contenders of the worker-pool scenario.
var poolImpls = []struct {
	name string
	new  func() pool
}{
	{"chan", func() pool { return make(chanPool, capacity) }},
	{"mpmc", func() pool { return mpmcPool{newMpmcQueue(mpmc.New[int](capacity))} }},
	{"xsync.MPMCQueue+Gosched", func() pool { return &xsyncPool{q: xsync.NewMPMCQueue[int](capacity)} }},
}

// poolShapes are the producers x consumers of the worker-pool scenario.
var poolShapes = [][2]int{{1, 4}, {4, 4}, {16, 16}, {4, 1}}

func poolCases(*config) []benchCase {
	var cs []benchCase
	for _, pc := range poolShapes {
		for _, im := range poolImpls {
			cs = append(cs, benchCase{
				param: fmt.Sprintf("shape=%dx%d", pc[0], pc[1]),
				impl:  im.name,
				bench: func(b *testing.B) { benchPool(b, im.new(), pc[0], pc[1]) },
			})
		}
	}
	return cs
}

// benchPool sends b.N values from producers goroutines to consumers
// goroutines. One op is one value.
func benchPool(b *testing.B, p pool, producers, consumers int) {
	var received atomic.Int64
	var cons sync.WaitGroup
	for range consumers {
		recv := p.receiver()
		cons.Go(func() {
			n := int64(0)
			for _, ok := recv(); ok; _, ok = recv() {
				n++
			}
			received.Add(n)
		})
	}
	b.ResetTimer()
	var prod sync.WaitGroup
	for i := range producers {
		n := perGoroutine(b.N, producers, i)
		send := p.sender()
		prod.Go(func() {
			for j := range n {
				send(j)
			}
		})
	}
	prod.Wait()
	p.close()
	cons.Wait()
	b.StopTimer()
	if got := received.Load(); got != int64(b.N) {
		b.Fatalf("received %d values, want %d", got, b.N)
	}
}

type chanPool chan int

func (c chanPool) sender() func(int) { return func(v int) { c <- v } }
func (c chanPool) receiver() func() (int, bool) {
	return func() (int, bool) { v, ok := <-c; return v, ok }
}
func (c chanPool) close() { close(c) }

// mpmcQueue drives an mpmc channel through one Sender and one Receiver that
// every goroutine shares, as a user of a worker pool would: any goroutine may
// use any handle.
type mpmcQueue struct {
	tx *mpmc.Sender[int]
	rx *mpmc.Receiver[int]
}

func newMpmcQueue(tx *mpmc.Sender[int], rx *mpmc.Receiver[int]) mpmcQueue { return mpmcQueue{tx, rx} }

// mpmcImpl is the mpmc contender of the scenarios driven through a queue.
var mpmcImpl = queueImpl{"mpmc", func() queue { return newMpmcQueue(mpmc.New[int](capacity)) }}

func (q mpmcQueue) send(v int) {
	if err := q.tx.Send(context.Background(), v); err != nil {
		panic(err)
	}
}

func (q mpmcQueue) recv() int {
	v, err := q.rx.Recv(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}

func (q mpmcQueue) recvBatch(buf []int) int {
	n, err := q.rx.RecvBatch(context.Background(), buf)
	if err != nil {
		panic(err)
	}
	return n
}
func (q mpmcQueue) close() { q.tx.Close(); q.rx.Close() }

// mpmcPool gives each consumer a Receiver clone of its own, and ends the
// consumers by closing the channel.
type mpmcPool struct{ mpmcQueue }

func (p mpmcPool) sender() func(int) { return p.send }
func (p mpmcPool) receiver() func() (int, bool) {
	r := p.rx.Clone()
	return func() (int, bool) {
		v, err := r.Recv(context.Background())
		return v, err == nil
	}
}

// xsyncPool: xsync v4's MPMCQueue has no blocking calls and no close, so
// both sides retry with runtime.Gosched (an idle consumer burns a core) and
// the end is a flag the consumers check once the queue looks empty.
type xsyncPool struct {
	q      *xsync.MPMCQueue[int]
	closed atomic.Bool
}

func (p *xsyncPool) sender() func(int) {
	return func(v int) {
		for !p.q.TryEnqueue(v) {
			runtime.Gosched()
		}
	}
}
func (p *xsyncPool) receiver() func() (int, bool) {
	return func() (int, bool) {
		for {
			if v, ok := p.q.TryDequeue(); ok {
				return v, true
			}
			if p.closed.Load() {
				return p.q.TryDequeue() // what was enqueued before the flag
			}
			runtime.Gosched()
		}
	}
}
func (p *xsyncPool) close() { p.closed.Store(true) }
