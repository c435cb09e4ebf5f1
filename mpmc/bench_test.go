package mpmc_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
	"github.com/puzpuzpuz/xsync/v4"
)

// benchCapacity is the buffer of every benchmark channel.
const benchCapacity = 1024

// pool is what the benchmarks drive: sends from several producers, receives
// by several consumers until the channel is closed and drained.
type pool interface {
	sender() func(v int64)          // one producer's send
	receiver() func() (int64, bool) // one consumer's receive; false once closed and drained
	close()                         // after every producer is done
}

type chanPool chan int64

func (c chanPool) sender() func(int64) { return func(v int64) { c <- v } }
func (c chanPool) receiver() func() (int64, bool) {
	return func() (int64, bool) { v, ok := <-c; return v, ok }
}
func (c chanPool) close() { close(c) }

type mpmcPool struct {
	tx *mpmc.Sender[int64]
	rx *mpmc.Receiver[int64]
}

func (p mpmcPool) sender() func(int64) {
	return func(v int64) {
		if err := p.tx.Send(context.Background(), v); err != nil {
			panic(err)
		}
	}
}
func (p mpmcPool) receiver() func() (int64, bool) {
	r := p.rx.Clone()
	return func() (int64, bool) {
		v, err := r.Recv(context.Background())
		return v, err == nil
	}
}
func (p mpmcPool) close() { p.tx.Close(); p.rx.Close() }

// xsyncPool is xsync v4's MPMCQueue, which has no blocking calls: both
// sides retry with runtime.Gosched (an idle consumer then burns a core), and
// close is a flag the consumers check once the queue looks empty.
type xsyncPool struct {
	q      *xsync.MPMCQueue[int64]
	closed *atomic.Bool
}

func (p xsyncPool) sender() func(int64) {
	return func(v int64) {
		for !p.q.TryEnqueue(v) {
			runtime.Gosched()
		}
	}
}
func (p xsyncPool) receiver() func() (int64, bool) {
	return func() (int64, bool) {
		for {
			if v, ok := p.q.TryDequeue(); ok {
				return v, true
			}
			if p.closed.Load() {
				v, ok := p.q.TryDequeue() // what was enqueued before the flag
				return v, ok
			}
			runtime.Gosched()
		}
	}
}
func (p xsyncPool) close() { p.closed.Store(true) }

func newPool(impl string) pool {
	switch impl {
	case "chan":
		return make(chanPool, benchCapacity)
	case "xsync":
		return xsyncPool{xsync.NewMPMCQueue[int64](benchCapacity), new(atomic.Bool)}
	}
	tx, rx := mpmc.New[int64](benchCapacity)
	return mpmcPool{tx, rx}
}

var impls = []string{"chan", "mpmc", "xsync"}

// BenchmarkThroughput: b.N values from producers senders to consumers
// receivers through a channel of capacity 1024; ns/op is per value.
func BenchmarkThroughput(b *testing.B) {
	for _, pc := range [][2]int{{1, 4}, {4, 4}, {16, 16}, {4, 1}} {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("producers=%d/consumers=%d/impl=%s", pc[0], pc[1], impl), func(b *testing.B) {
				runPool(b, newPool(impl), pc[0], pc[1])
			})
		}
	}
}

// runPool sends b.N values from producers goroutines and receives them in
// consumers goroutines until the channel is closed and drained. The light
// load, where the receivers mostly wait, is bench's LatencyMPMC scenario.
func runPool(b *testing.B, p pool, producers, consumers int) {
	b.ReportAllocs()
	var received atomic.Int64
	var cons sync.WaitGroup
	for range consumers {
		recv := p.receiver()
		cons.Go(func() {
			n := int64(0)
			for {
				if _, ok := recv(); !ok {
					break
				}
				n++
			}
			received.Add(n)
		})
	}
	b.ResetTimer()
	var prod sync.WaitGroup
	for i := range producers {
		n := testutil.Share(b.N, producers, i)
		send := p.sender()
		prod.Go(func() {
			for j := range n {
				send(int64(j))
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
