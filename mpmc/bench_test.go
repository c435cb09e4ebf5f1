package mpmc_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
				runPool(b, newPool(impl), pc[0], pc[1], 0)
			})
		}
	}
}

// BenchmarkLatency: light load, the scenario of bench's LatencyMPSC with 4
// consumers: each of producers senders sleeps producers x 50µs between
// sends, so the channel carries about one value per 50µs whatever the
// number of producers, and the receivers mostly wait. Reports the
// percentiles of the time from a send to the receive of its value (the
// latency of a wake-up). ns/op is per value, sleeps included.
func BenchmarkLatency(b *testing.B) {
	for _, producers := range []int{1, 4, 16} {
		for _, impl := range []string{"chan", "mpmc"} {
			b.Run(fmt.Sprintf("producers=%d/consumers=4/impl=%s", producers, impl), func(b *testing.B) {
				runPool(b, newPool(impl), producers, 4, time.Duration(producers)*50*time.Microsecond)
			})
		}
	}
}

// runPool sends b.N values from producers goroutines, each sleeping pause
// between its sends if pause > 0, and receives them in consumers goroutines
// until the channel is closed and drained. With a pause, values are send
// times, and the latency percentiles are reported.
func runPool(b *testing.B, p pool, producers, consumers int, pause time.Duration) {
	b.ReportAllocs()
	start := time.Now()
	lat := make([][]int64, consumers)
	if pause > 0 {
		for k := range lat {
			lat[k] = make([]int64, 0, b.N)
		}
	}
	var received atomic.Int64
	var cons sync.WaitGroup
	for k := range consumers {
		recv := p.receiver()
		cons.Go(func() {
			n := int64(0)
			for {
				v, ok := recv()
				if !ok {
					break
				}
				n++
				if pause > 0 {
					lat[k] = append(lat[k], int64(time.Since(start))-v)
				}
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
				if pause > 0 {
					send(int64(time.Since(start)))
					time.Sleep(pause)
				} else {
					send(int64(j))
				}
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
	if pause > 0 {
		all := slices.Concat(lat...)
		slices.Sort(all)
		b.ReportMetric(float64(all[len(all)/2]), "p50-ns")
		b.ReportMetric(float64(all[len(all)*99/100]), "p99-ns")
	}
}
