package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/mpscq"
	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
)

// The light-load scenario: most channels in real programs are idle most of
// the time, so what matters there is how soon a receiver that waits gets a
// value, not how many values per second a saturated channel moves. Each of
// P producers asks to sleep P x latencyGap between sends, and the cores are
// mostly idle; each value is its send's timestamp, and a receiver records
// when it got it. The table gives percentiles of that send-to-receive
// latency. The worker-pool variant has latencyConsumers goroutines
// receiving from the one channel instead of one.
//
// A sleep shorter than a millisecond often lasts about one: a process
// whose processors all wait blocks in the runtime's network poller, whose
// timeout has a resolution of a millisecond. So the channel carries one
// value per latencyGap only while some processor is awake; in a process
// that is otherwise idle, each producer sends about once a millisecond,
// and the fewer the producers, the longer every goroutine has slept when a
// value comes. The rate changes how long a case takes, not how many values
// it measures: each producer sends window / (P x latencyGap) of them.

// latencyGap is the mean time between two values of the light-load
// scenario, over all producers, if every sleep lasted what it asked for.
const latencyGap = 50 * time.Microsecond

// latencyProducers are the producer counts of the light-load scenario.
var latencyProducers = []int{1, 4, 16}

// latencyImpls are the contenders of the light-load MPSC scenario, each of
// the same capacity.
var latencyImpls = []queueImpl{
	chanImpl,
	{"mpsc", func() queue { return newMpscQueue(mpsc.New[int](capacity)) }},
	{"mpsc.Unbounded", func() queue { return newMpscQueue(mpsc.NewUnbounded[int]()) }},
	{"mutex+signal", func() queue { return &signalQueue{signal: make(chan struct{}, 1)} }},
	{"ring+Parker", func() queue {
		return standIn{&parkerRing{ring: mpscq.NewRing[int](capacity), parker: waker.NewParker()}}
	}},
	{"ring+WakeSink", func() queue { return standIn{newSinkRing()} }},
	{"ring+handoff", func() queue { return standIn{newHandoffRing()} }},
}

// The three contenders below take package mpsc apart, to show what each
// layer of a receiver's wait costs at light load: the bounded ring that
// package mpsc's bounded channel uses, made awaitable first with the least
// a receiver that parks on a Parker of its own needs (ring+Parker), then
// with a WakeSink, on which mpsc's receiver waited before it had a wait
// word of its own (ring+WakeSink). The third, ring+handoff, is the bare
// design of mpsc's wait: a send that finds the receiver parked and the ring
// empty hands the value over the receiver's own channel, as chan's send
// does to a blocked receiver. None of them closes, nor checks a misuse,
// nor takes a context; mpsc's rows add that to ring+handoff.

// standIn makes a queue of a light-load stand-in, which sends and receives
// one value at a time and holds nothing to release: its recvBatch receives
// one value, and its close does nothing.
type standIn struct{ oneByOne }

// oneByOne is what a light-load stand-in implements.
type oneByOne interface {
	send(v int)
	recv() int
}

func (q standIn) recvBatch(buf []int) int {
	buf[0] = q.recv()
	return 1
}

func (standIn) close() {}

// parkerRing is an mpscq.Ring whose receiver parks on a waker.Parker,
// told to wake by a flag: the receiver sets waiting, looks at the ring
// again, and parks; a send clears waiting with a CAS after its enqueue and
// wakes the Parker if it did (a Dekker handshake, on seq-cst atomics).
type parkerRing struct {
	ring   *mpscq.Ring[int]
	flag   wakeFlag
	parker *waker.Parker
}

func (q *parkerRing) send(v int) {
	mustEnqueue(q.ring, v)
	if q.flag.take() {
		q.parker.Wake()
	}
}

func (q *parkerRing) recv() int {
	park := func() (int, bool) { _ = q.parker.Park(context.Background()); return 0, false }
	return q.flag.await(q.ring, park, func() { park() })
}

// wakeFlag is the flag of the stand-ins whose receiver parks on a primitive
// of its own: the receiver sets it and looks at the ring again before it
// parks; a send that clears it (take) after its enqueue wakes the receiver
// (a Dekker handshake, on seq-cst atomics).
type wakeFlag struct{ waiting atomic.Uint32 }

// take clears the flag and reports whether this call did: then the caller
// must wake the receiver, once.
func (f *wakeFlag) take() bool { return f.waiting.Load() != 0 && f.waiting.CompareAndSwap(1, 0) }

// await returns the next value of ring. park blocks until a send that took
// the flag wakes the receiver, and returns the value that send handed
// over, if it did; absorb takes the wake of a send that took the flag
// while the receiver, after setting it, found a value after all, so that
// the next park waits.
func (f *wakeFlag) await(ring *mpscq.Ring[int], park func() (int, bool), absorb func()) int {
	for {
		if v, st := ring.Poll(); st == mpscq.OK {
			return v
		}
		f.waiting.Store(1)
		if v, st := ring.Poll(); st == mpscq.OK {
			if !f.waiting.CompareAndSwap(1, 0) {
				absorb()
			}
			return v
		}
		if v, ok := park(); ok {
			return v
		}
	}
}

// mustEnqueue enqueues v: the light-load scenario never fills a ring of
// capacity values, and these stand-ins have no wait for room.
func mustEnqueue(r *mpscq.Ring[int], v int) {
	if r.TryEnqueue(v) != mpscq.OK {
		panic("bench: a light-load stand-in's ring is full")
	}
}

// sinkRing is an mpscq.Ring whose receiver waits on a waker.WakeSink,
// with the ring's Poll as the predicate of waker.WaitUntil.
type sinkRing struct {
	ring *mpscq.Ring[int]
	sink *waker.WakeSink
	wake waker.WakeSource
}

func newSinkRing() *sinkRing {
	s := waker.NewWakeSink()
	return &sinkRing{ring: mpscq.NewRing[int](capacity), sink: s, wake: s.Source()}
}

func (q *sinkRing) send(v int) {
	mustEnqueue(q.ring, v)
	q.wake.Wake()
}

func (q *sinkRing) recv() int {
	v, _ := waker.WaitUntil(context.Background(), q.sink, func() (int, bool) {
		v, st := q.ring.Poll()
		return v, st == mpscq.OK
	})
	return v
}

// handoffRing is an mpscq.Ring whose receiver parks on a channel of its
// own, told to wake by a flag, as parkerRing's; a send that clears the flag
// with its CAS while the ring is empty sends its value on that channel
// instead of enqueueing it: the receiver's wake-up carries the value, and
// the ring is not touched. A send that clears the flag with values in the
// ring (the receiver found the head claimed but not yet written, and later
// values may be behind it) enqueues, then sends a token, so that no value
// jumps one that a completed send enqueued.
type handoffRing struct {
	ring    *mpscq.Ring[int]
	flag    wakeFlag
	ch      chan handoff // capacity 1: a handed value, or a token
	pending []int        // handed values the receiver took while it had one from the ring
}

// handoff is what a send puts on handoffRing's channel.
type handoff struct {
	v      int
	handed bool // v is a value, not a token
}

func newHandoffRing() *handoffRing {
	return &handoffRing{ring: mpscq.NewRing[int](capacity), ch: make(chan handoff, 1)}
}

func (q *handoffRing) send(v int) {
	if q.flag.take() {
		if q.ring.Len() == 0 {
			q.ch <- handoff{v: v, handed: true}
			return
		}
		mustEnqueue(q.ring, v)
		q.ch <- handoff{}
		return
	}
	mustEnqueue(q.ring, v)
	if q.flag.take() {
		q.ch <- handoff{}
	}
}

func (q *handoffRing) recv() int {
	if len(q.pending) > 0 {
		v := q.pending[0]
		q.pending = q.pending[1:]
		return v
	}
	park := func() (int, bool) { h := <-q.ch; return h.v, h.handed }
	return q.flag.await(q.ring, park, func() {
		if v, handed := park(); handed {
			q.pending = append(q.pending, v)
		}
	})
}

// signalQueue is the simplest channel whose receiver parks on a channel of
// its own instead of the one that carries the values, as every channel of
// package mpsc does (its receiver parks on a waker.Parker): a slice under a
// mutex, and a chan struct{} of capacity 1 that each send signals without
// blocking. It stands in the light-load table for that design, beside
// chan, whose parked receiver is handed the value by the send that wakes
// it.
type signalQueue struct {
	mu     sync.Mutex
	vs     []int
	signal chan struct{}
}

func (q *signalQueue) send(v int) {
	q.mu.Lock()
	q.vs = append(q.vs, v)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *signalQueue) recv() int {
	var buf [1]int
	q.recvBatch(buf[:])
	return buf[0]
}

func (q *signalQueue) recvBatch(buf []int) int {
	for {
		q.mu.Lock()
		n := copy(buf, q.vs)
		q.vs = q.vs[n:]
		q.mu.Unlock()
		if n > 0 {
			return n
		}
		<-q.signal
	}
}

func (q *signalQueue) close() {}

// poolQueue is the simplest worker-pool channel whose parked receivers
// wait in FIFO order, each on a channel of its own, under one mutex: a
// slice of values and a queue of parked receivers. A send that finds a
// receiver parked (the slice is then empty) takes the oldest one and, when
// handoff is set, sends it the value itself, as chan's send does to a
// blocked receiver; otherwise it appends the value and sends a token, and
// the woken receiver takes the value from the slice, as a receiver woken by
// an EventCount does from mpmc's ring. The two stand in the light-load
// worker-pool table for the two designs: everything else is the same.
type poolQueue struct {
	handoff bool // read-only

	mu     sync.Mutex
	vs     []int
	parked []chan int // the parked receivers, oldest first; each channel has capacity 1
	free   []chan int // channels of receivers that have returned
}

func (q *poolQueue) send(v int) {
	q.mu.Lock()
	if len(q.parked) == 0 {
		q.vs = append(q.vs, v)
		q.mu.Unlock()
		return
	}
	w := q.parked[0]
	q.parked = q.parked[1:]
	if !q.handoff {
		q.vs = append(q.vs, v)
	}
	q.mu.Unlock()
	w <- v // a token when !handoff: the receiver takes a value from vs
}

func (q *poolQueue) recv() int {
	q.mu.Lock()
	for {
		if len(q.vs) > 0 {
			v := q.vs[0]
			q.vs = q.vs[1:]
			q.mu.Unlock()
			return v
		}
		var w chan int
		if n := len(q.free); n > 0 {
			w, q.free = q.free[n-1], q.free[:n-1]
		} else {
			w = make(chan int, 1)
		}
		q.parked = append(q.parked, w)
		q.mu.Unlock()
		v := <-w
		q.mu.Lock()
		q.free = append(q.free, w)
		if q.handoff {
			q.mu.Unlock()
			return v
		}
	}
}

// handQueue is poolQueue's hand-off design on an eventcount.EventCount
// instead of a queue of channels: a send that finds the slice empty hands
// its value to the receiver parked longest in CommitHand (NotifyHand), and
// otherwise appends it and notifies one. It is mutex+handoff with the
// EventCount's wake-up in place of a channel per receiver, and mpmc's wait
// without its ring: the rows between the two tell what each costs.
type handQueue struct {
	ec    eventcount.EventCount
	mu    sync.Mutex
	vs    []int
	hands sync.Pool // *int: the receivers' hands, reused as mpmc reuses its own
}

func (q *handQueue) send(v int) {
	q.mu.Lock()
	empty := len(q.vs) == 0 // else v would jump the values there
	q.mu.Unlock()
	if empty && q.ec.NotifyHand(func(h any) { *h.(*int) = v }) {
		return
	}
	q.mu.Lock()
	q.vs = append(q.vs, v)
	q.mu.Unlock()
	q.ec.NotifyOne()
}

func (q *handQueue) recv() int {
	h, _ := q.hands.Get().(*int)
	if h == nil {
		h = new(int)
	}
	defer q.hands.Put(h)
	for {
		t := q.ec.Prepare()
		q.mu.Lock()
		if len(q.vs) > 0 {
			v := q.vs[0]
			q.vs = q.vs[1:]
			q.mu.Unlock()
			q.ec.Cancel(t)
			return v
		}
		q.mu.Unlock()
		if handed, _ := q.ec.CommitHand(context.Background(), t, h); handed {
			return *h
		}
	}
}

// latencyConsumers is how many goroutines receive from the one channel of
// the light-load worker-pool scenario.
const latencyConsumers = 4

// latencyPoolImpls are the contenders of the light-load worker-pool
// scenario, each of the same capacity but the stand-ins, which
// have none (this load never fills a channel); every consumer receives
// from the same handle. xsync's MPMCQueue cannot block, so its consumers
// poll with runtime.Gosched, as in the worker-pool throughput scenario.
var latencyPoolImpls = []queueImpl{
	chanImpl,
	mpmcImpl,
	xsyncImpl,
	{"mutex+handoff", func() queue { return standIn{&poolQueue{handoff: true}} }},
	{"mutex+token", func() queue { return standIn{&poolQueue{}} }},
	{"eventcount+handoff", func() queue { return standIn{&handQueue{}} }},
}

// percentiles of one latency measurement.
type percentiles struct {
	p50, p99, p999 time.Duration
	n              int // values measured
}

// latencyCases: the light-load scenario for every contender and producer
// count, with consumers receivers each.
func latencyCases(impls []queueImpl, consumers int) []benchCase {
	return producerCases(impls, latencyProducers, func(im queueImpl, p int, c *benchCase) {
		c.lat = func(window time.Duration) (percentiles, error) {
			return measureLatency(im.new(), p, consumers, window)
		}
	})
}

// measureLatency runs the light-load scenario on q for about window, with
// producers senders and consumers receivers, and returns the percentiles of
// the send-to-receive latency.
func measureLatency(q queue, producers, consumers int, window time.Duration) (percentiles, error) {
	defer q.close()
	per := max(int(window/latencyGap)/producers, 1) // values per producer
	total := per * producers
	start := time.Now()

	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			for range per {
				time.Sleep(time.Duration(producers) * latencyGap)
				q.send(int(time.Since(start)))
			}
		})
	}
	// Receivers take values until total have arrived; each receiver's share
	// is not known in advance with several of them, so the last values are
	// followed by one stop value (-1) per receiver.
	lat := make([][]time.Duration, consumers)
	var rg sync.WaitGroup
	for i := range consumers {
		rg.Go(func() {
			for {
				v := q.recv()
				if v < 0 {
					return
				}
				lat[i] = append(lat[i], time.Since(start)-time.Duration(v))
			}
		})
	}
	wg.Wait()
	for range consumers {
		q.send(-1)
	}
	rg.Wait()

	all := slices.Concat(lat...)
	if len(all) != total {
		return percentiles{}, fmt.Errorf("received %d values of %d", len(all), total)
	}
	return percentilesOf(all), nil
}

// percentilesOf sorts ds and returns its percentiles.
func percentilesOf(ds []time.Duration) percentiles {
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(int(q*float64(len(ds))), len(ds)-1)] }
	return percentiles{p50: at(0.50), p99: at(0.99), p999: at(0.999), n: len(ds)}
}

// The saturated-send scenario: producers send as fast as they can into a
// bounded channel that one receiver drains, so the channel is full most of
// the time and a Send often waits for room; each producer times each of
// its sends. The table gives percentiles of one Send's duration: the tail
// is where a sender that yields, backs off or parks for room pays.

// sendLatencySends is how many sends are timed per case, over all
// producers.
const sendLatencySends = 1 << 20

// sendLatencyImpls are the contenders of the saturated-send scenario.
var sendLatencyImpls = []queueImpl{
	chanImpl,
	{"mpsc", func() queue { return newMpscQueue(mpsc.New[int](capacity)) }},
}

// sendLatencyCases: the saturated-send scenario for every contender and
// producer count.
func sendLatencyCases(producers []int) []benchCase {
	return producerCases(sendLatencyImpls, producers, func(im queueImpl, p int, c *benchCase) {
		c.lat = func(time.Duration) (percentiles, error) {
			return measureSendLatency(im.new(), p)
		}
	})
}

// measureSendLatency runs the saturated-send scenario on q with producers
// senders and returns the percentiles of one send's duration.
func measureSendLatency(q queue, producers int) (percentiles, error) {
	defer q.close()
	per := sendLatencySends / producers
	durs := make([][]time.Duration, producers)
	var wg sync.WaitGroup
	for i := range producers {
		wg.Go(func() {
			d := make([]time.Duration, per)
			for j := range d {
				t0 := time.Now()
				q.send(1)
				d[j] = time.Since(t0)
			}
			durs[i] = d
		})
	}
	got := make(chan int)
	go func() {
		n := 0
		for q.recv() >= 0 {
			n++
		}
		got <- n
	}()
	wg.Wait()
	q.send(-1)
	if n := <-got; n != per*producers {
		return percentiles{}, fmt.Errorf("received %d values of %d", n, per*producers)
	}
	return percentilesOf(slices.Concat(durs...)), nil
}
