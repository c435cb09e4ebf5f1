package main

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	workiva "github.com/Workiva/go-datastructures/queue"
	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/puzpuzpuz/xsync/v4"
	"github.com/smallnest/chanx"
)

// capacity is the buffer of every bounded contender, and of the chan
// reference in the unbounded table.
const capacity = 1024

// batchSize is how many values a batch receive takes at most.
const batchSize = 256

// queue is what the throughput scenarios drive: sends from any number of
// producers, receives by one consumer.
type queue interface {
	send(v int)
	recv() int
	// recvBatch waits for at least one value and fills buf with what is
	// there, in order; it returns the count.
	recvBatch(buf []int) int
	// close releases what the queue holds (goroutines, for chanx).
	close()
}

// queueImpl is a contender of the throughput scenarios.
type queueImpl struct {
	name string
	new  func() queue
}

var (
	chanImpl     = queueImpl{"chan", func() queue { return make(chanQueue, capacity) }}
	xsyncImpl    = queueImpl{"xsync.MPMCQueue+Gosched", func() queue { return xsyncQueue{xsync.NewMPMCQueue[int](capacity)} }}
	boundedImpls = []queueImpl{
		chanImpl,
		{"mpsc", func() queue { return newMpscQueue(mpsc.New[int](capacity)) }},
		xsyncImpl,
		{"workiva.RingBuffer", func() queue { return workivaRing{workiva.NewRingBuffer(capacity)} }},
	}
	unboundedImpls = []queueImpl{
		chanImpl,
		{"mpsc.Unbounded", func() queue { return newMpscQueue(mpsc.NewUnbounded[int]()) }},
		{"xsync.UMPSCQueue", func() queue { return umpscQueue{xsync.NewUMPSCQueue[int]()} }},
		{"chanx", func() queue {
			return chanxQueue{chanx.NewUnboundedChan[int](context.Background(), capacity)}
		}},
		{"workiva.Queue", func() queue { return workivaQueue{workiva.New(capacity)} }},
	}
	batchImpls = []queueImpl{
		chanImpl,
		{"mpsc", func() queue { return newMpscQueue(mpsc.New[int](capacity)) }},
		{"mpsc.Unbounded", func() queue { return newMpscQueue(mpsc.NewUnbounded[int]()) }},
		xsyncImpl,
		{"workiva.Queue", func() queue { return workivaQueue{workiva.New(capacity)} }},
	}
)

type chanQueue chan int

func (c chanQueue) send(v int) { c <- v }
func (c chanQueue) recv() int  { return <-c }

// recvBatch is the best a chan can do: block for one, then take what is
// there without blocking.
func (c chanQueue) recvBatch(buf []int) int {
	buf[0] = <-c
	n := 1
	for n < len(buf) {
		select {
		case buf[n] = <-c:
			n++
		default:
			return n
		}
	}
	return n
}
func (c chanQueue) close() {}

type mpscQueue struct {
	s *mpsc.Sender[int]
	r *mpsc.Receiver[int]
}

func newMpscQueue(s *mpsc.Sender[int], r *mpsc.Receiver[int]) mpscQueue { return mpscQueue{s, r} }

func (q mpscQueue) send(v int) {
	if err := q.s.Send(context.Background(), v); err != nil {
		panic(err)
	}
}

func (q mpscQueue) recv() int {
	v, err := q.r.Recv(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}

func (q mpscQueue) recvBatch(buf []int) int {
	n, err := q.r.RecvBatch(context.Background(), buf)
	if err != nil {
		panic(err)
	}
	return n
}
func (q mpscQueue) close() { q.s.Close() }

// xsyncQueue blocks the way xsync's documentation says: retry the Try
// operation, calling runtime.Gosched between attempts.
type xsyncQueue struct{ q *xsync.MPMCQueue[int] }

func (q xsyncQueue) send(v int) {
	for !q.q.TryEnqueue(v) {
		runtime.Gosched()
	}
}

func (q xsyncQueue) recv() int {
	for {
		if v, ok := q.q.TryDequeue(); ok {
			return v
		}
		runtime.Gosched()
	}
}

func (q xsyncQueue) recvBatch(buf []int) int {
	buf[0] = q.recv()
	n := 1
	for n < len(buf) {
		v, ok := q.q.TryDequeue()
		if !ok {
			break
		}
		buf[n] = v
		n++
	}
	return n
}
func (q xsyncQueue) close() {}

// umpscQueue: Dequeue blocks on a sync.WaitGroup per slot.
type umpscQueue struct{ q *xsync.UMPSCQueue[int] }

func (q umpscQueue) send(v int)              { q.q.Enqueue(v) }
func (q umpscQueue) recv() int               { return q.q.Dequeue() }
func (q umpscQueue) recvBatch(buf []int) int { buf[0] = q.q.Dequeue(); return 1 }
func (q umpscQueue) close()                  {}

// chanxQueue: a goroutine moves values from the In channel through a
// growing ring buffer to the Out channel.
type chanxQueue struct{ c *chanx.UnboundedChan[int] }

func (q chanxQueue) send(v int)              { q.c.In <- v }
func (q chanxQueue) recv() int               { return <-q.c.Out }
func (q chanxQueue) recvBatch(buf []int) int { buf[0] = <-q.c.Out; return 1 }

// close closes In, which ends chanx's goroutine once it has delivered what
// it holds; receiving until Out closes waits for that.
func (q chanxQueue) close() {
	close(q.c.In)
	for range q.c.Out {
	}
}

// workivaRing: a bounded MPMC ring of interface{} values whose Put and Get
// retry with runtime.Gosched while full or empty.
type workivaRing struct{ rb *workiva.RingBuffer }

func (q workivaRing) send(v int) {
	if err := q.rb.Put(v); err != nil {
		panic(err)
	}
}

func (q workivaRing) recv() int {
	v, err := q.rb.Get()
	if err != nil {
		panic(err)
	}
	return v.(int)
}
func (q workivaRing) recvBatch(buf []int) int { buf[0] = q.recv(); return 1 }
func (q workivaRing) close()                  { q.rb.Dispose() }

// workivaQueue: a slice of interface{} under a mutex; Get parks on a
// per-call channel while the queue is empty.
type workivaQueue struct{ q *workiva.Queue }

func (q workivaQueue) send(v int) {
	if err := q.q.Put(v); err != nil {
		panic(err)
	}
}
func (q workivaQueue) recv() int { return q.get(1)[0].(int) }
func (q workivaQueue) recvBatch(buf []int) int {
	items := q.get(int64(len(buf)))
	for i, v := range items {
		buf[i] = v.(int)
	}
	return len(items)
}

func (q workivaQueue) get(n int64) []any {
	items, err := q.q.Get(n)
	if err != nil {
		panic(err)
	}
	return items
}
func (q workivaQueue) close() { q.q.Dispose() }

// throughputCases makes one case per producer count and contender.
func throughputCases(impls []queueImpl, producers []int, batch int) []benchCase {
	return producerCases(impls, producers, func(im queueImpl, p int, c *benchCase) {
		c.bench = func(b *testing.B) { benchThroughput(b, im.new(), p, batch) }
	})
}

// producerCases makes one case per producer count and contender, in that
// order, named "producers=P" and after the contender; set fills in what
// the case measures.
func producerCases(impls []queueImpl, producers []int, set func(im queueImpl, p int, c *benchCase)) []benchCase {
	var cs []benchCase
	for _, p := range producers {
		for _, im := range impls {
			c := benchCase{param: fmt.Sprintf("producers=%d", p), impl: im.name}
			set(im, p, &c)
			cs = append(cs, c)
		}
	}
	return cs
}

// benchThroughput sends b.N values from producers goroutines and receives
// them in the benchmark goroutine, batch at a time when batch > 1. One op is
// one value.
func benchThroughput(b *testing.B, q queue, producers, batch int) {
	defer q.close()
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range producers {
		n := perGoroutine(b.N, producers, i)
		wg.Go(func() {
			for j := range n {
				q.send(j)
			}
		})
	}
	buf := make([]int, batch)
	for got := 0; got < b.N; {
		if batch > 1 {
			got += q.recvBatch(buf[:min(batch, b.N-got)])
		} else {
			q.recv()
			got++
		}
	}
	b.StopTimer()
	wg.Wait()
}
