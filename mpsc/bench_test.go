package mpsc_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
	"github.com/puzpuzpuz/xsync/v4"
)

// benchCapacity is the buffer of the bounded benchmarks.
const benchCapacity = 1024

var benchProducers = []int{1, 4, 16, 64}

// pipe is the interface the throughput benchmarks drive: a send by any of
// several producers, a receive (of one value, or of a batch) by one
// consumer.
type pipe interface {
	send(v int)
	recv() int
	recvBatch(buf []int) int
	close()
}

type chanPipe chan int

func (c chanPipe) send(v int) { c <- v }
func (c chanPipe) recv() int  { return <-c }
func (c chanPipe) recvBatch(buf []int) int {
	// The best a chan can do: block for one, then take what is there.
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
func (c chanPipe) close() { close(c) }

type mpscPipe struct {
	s *mpsc.Sender[int]
	r *mpsc.Receiver[int]
}

func (p mpscPipe) send(v int) {
	if err := p.s.Send(context.Background(), v); err != nil {
		panic(err)
	}
}
func (p mpscPipe) recv() int {
	v, err := p.r.Recv(context.Background())
	if err != nil {
		panic(err)
	}
	return v
}
func (p mpscPipe) recvBatch(buf []int) int {
	n, err := p.r.RecvBatch(context.Background(), buf)
	if err != nil {
		panic(err)
	}
	return n
}
func (p mpscPipe) close() { p.s.Close() }

// xsyncPipe is the bounded channel built on xsync's MPMCQueue, made
// awaitable the same way, kept to compare rings. TryEnqueue's false does not
// tell a full queue from a lost CAS race, so send retries a few times before
// waiting, and its waits may be needless; receive has no batch form.
type xsyncPipe struct {
	q    *xsync.MPMCQueue[int]
	sink *waker.WakeSink
	src  waker.WakeSource
	room *eventcount.EventCount
	v    int
	poll func() bool
}

func newXsyncPipe(capacity int) *xsyncPipe {
	p := &xsyncPipe{q: xsync.NewMPMCQueue[int](capacity), sink: waker.NewWakeSink(), room: new(eventcount.EventCount)}
	p.src = p.sink.Source()
	p.poll = func() bool {
		var ok bool
		p.v, ok = p.q.TryDequeue()
		return ok
	}
	return p
}

func (p *xsyncPipe) send(v int) {
	for i := 0; !p.q.TryEnqueue(v); i++ {
		if i < 8 {
			continue
		}
		t := p.room.Prepare()
		if p.q.TryEnqueue(v) {
			p.room.Cancel(t)
			break
		}
		_ = p.room.Commit(context.Background(), t)
	}
	p.src.Wake()
}
func (p *xsyncPipe) recv() int {
	if !p.poll() {
		_ = p.sink.Wait(context.Background(), p.poll)
	}
	p.room.NotifyOne()
	return p.v
}
func (p *xsyncPipe) recvBatch(buf []int) int { buf[0] = p.recv(); return 1 }
func (p *xsyncPipe) close()                  {}

func bounded(impl string) pipe {
	switch impl {
	case "chan":
		return make(chanPipe, benchCapacity)
	case "xsync":
		return newXsyncPipe(benchCapacity)
	}
	s, r := mpsc.New[int](benchCapacity)
	return mpscPipe{s, r}
}

// sendAll starts producers goroutines that make b.N calls of send between
// them, send(0), send(1), ... in each, and returns the WaitGroup they are
// in.
func sendAll(b *testing.B, producers int, send func(int)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for i := range producers {
		n := testutil.Share(b.N, producers, i)
		wg.Go(func() {
			for j := range n {
				send(j)
			}
		})
	}
	return &wg
}

// runPipe sends b.N values from producers goroutines and receives them in
// the benchmark goroutine, with batch-sized receives if batch > 1.
func runPipe(b *testing.B, p pipe, producers, batch int) {
	b.ReportAllocs()
	b.ResetTimer()
	wg := sendAll(b, producers, p.send)
	buf := make([]int, batch)
	calls := 0
	for got := 0; got < b.N; calls++ {
		if batch > 1 {
			got += p.recvBatch(buf[:min(batch, b.N-got)])
		} else {
			p.recv()
			got++
		}
	}
	wg.Wait()
	b.StopTimer()
	p.close()
	if batch > 1 {
		b.ReportMetric(float64(b.N)/float64(calls), "values/recv")
	}
}

// BenchmarkBounded: values per second through a buffered channel of
// capacity 1024, one receiver, 1, 4 and 16 senders; ns/op is per value.
func BenchmarkBounded(b *testing.B) {
	for _, producers := range benchProducers {
		for _, impl := range []string{"chan", "mpsc", "xsync"} {
			b.Run(fmt.Sprintf("producers=%d/impl=%s", producers, impl), func(b *testing.B) {
				runPipe(b, bounded(impl), producers, 1)
			})
		}
	}
}

// BenchmarkRecvBatch: as BenchmarkBounded, the receiver taking up to 256
// values per call (the chan baseline takes what it can without blocking).
func BenchmarkRecvBatch(b *testing.B) {
	for _, producers := range benchProducers {
		for _, impl := range []string{"chan", "mpsc"} {
			b.Run(fmt.Sprintf("producers=%d/impl=%s", producers, impl), func(b *testing.B) {
				runPipe(b, bounded(impl), producers, 256)
			})
		}
	}
}

// BenchmarkSmall: as BenchmarkBounded with a buffer of 16, which a sender
// fills in well under a microsecond: a receiver that waits too long before
// it looks again leaves its senders blocked on a full channel.
func BenchmarkSmall(b *testing.B) {
	const capacity = 16
	for _, producers := range []int{1, 4} {
		b.Run(fmt.Sprintf("producers=%d/impl=chan", producers), func(b *testing.B) {
			runPipe(b, make(chanPipe, capacity), producers, 1)
		})
		b.Run(fmt.Sprintf("producers=%d/impl=mpsc", producers), func(b *testing.B) {
			s, r := mpsc.New[int](capacity)
			runPipe(b, mpscPipe{s, r}, producers, 1)
		})
		b.Run(fmt.Sprintf("producers=%d/impl=mpsc-batch", producers), func(b *testing.B) {
			s, r := mpsc.New[int](capacity)
			runPipe(b, mpscPipe{s, r}, producers, capacity)
		})
	}
}

type umpscPipe struct{ q *xsync.UMPSCQueue[int] }

func (p umpscPipe) send(v int)              { p.q.Enqueue(v) }
func (p umpscPipe) recv() int               { return p.q.Dequeue() }
func (p umpscPipe) recvBatch(buf []int) int { buf[0] = p.q.Dequeue(); return 1 }
func (p umpscPipe) close()                  {}

// BenchmarkUnbounded: the unbounded channel against xsync's UMPSCQueue,
// whose Dequeue blocks on a WaitGroup.
func BenchmarkUnbounded(b *testing.B) {
	for _, producers := range benchProducers {
		b.Run(fmt.Sprintf("producers=%d/impl=xsync", producers), func(b *testing.B) {
			runPipe(b, umpscPipe{xsync.NewUMPSCQueue[int]()}, producers, 1)
		})
		b.Run(fmt.Sprintf("producers=%d/impl=mpsc", producers), func(b *testing.B) {
			s, r := mpsc.NewUnbounded[int]()
			runPipe(b, mpscPipe{s, r}, producers, 1)
		})
	}
}

// BenchmarkPingPong: a value sent to an echoing goroutine and back, over two
// channels of capacity 1024 (ns/op is per round trip). Nothing streams: each
// receive finds the channel empty and waits for one value, so this is the
// latency of a wake-up, which pacing (see Receiver.wait) must not lengthen.
func BenchmarkPingPong(b *testing.B) {
	for _, impl := range []string{"chan", "mpsc", "mpsc.Unbounded"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.ReportAllocs()
			var ping, pong pipe
			switch impl {
			case "chan":
				ping, pong = make(chanPipe, benchCapacity), make(chanPipe, benchCapacity)
			case "mpsc":
				ping, pong = bounded(impl), bounded(impl)
			default:
				s, r := mpsc.NewUnbounded[int]()
				ping = mpscPipe{s, r}
				s, r = mpsc.NewUnbounded[int]()
				pong = mpscPipe{s, r}
			}
			pingPong(b, end{ping.send, ping.recv}, end{pong.send, pong.recv})
		})
	}
}

// end is one channel of a ping-pong: how to send on it and receive from it.
type end struct {
	send func(int)
	recv func() int
}

// pingPong makes b.N round trips: the benchmark goroutine sends i on ping
// and checks that i comes back on pong, from a goroutine that echoes each
// value it receives on ping.
func pingPong(b *testing.B, ping, pong end) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range b.N {
			pong.send(ping.recv())
		}
	}()
	for i := range b.N {
		ping.send(i)
		if v := pong.recv(); v != i {
			b.Fatalf("echo of %d = %d", i, v)
		}
	}
	<-done
}

// BenchmarkTryRecv: the receiver's own cost per value, with nothing
// contended: one goroutine fills a bounded channel with TrySend and empties
// it with TryRecv, or with TryRecvBatch in batches of 64 (impl=batch).
func BenchmarkTryRecv(b *testing.B) {
	b.Run("impl=one", func(b *testing.B) {
		b.ReportAllocs()
		s, r := mpsc.New[int](benchCapacity)
		for i := 0; i < b.N; i += benchCapacity {
			for j := range min(benchCapacity, b.N-i) {
				_ = s.TrySend(j)
			}
			for range min(benchCapacity, b.N-i) {
				if _, err := r.TryRecv(); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("impl=batch", func(b *testing.B) {
		b.ReportAllocs()
		s, r := mpsc.New[int](benchCapacity)
		buf := make([]int, 64)
		for i := 0; i < b.N; i += benchCapacity {
			n := min(benchCapacity, b.N-i)
			for j := range n {
				_ = s.TrySend(j)
			}
			for got := 0; got < n; {
				k, err := r.TryRecvBatch(buf)
				if err != nil {
					b.Fatal(err)
				}
				got += k
			}
		}
	})
}

// BenchmarkSelect: the select loop of Receiver.Ready, 4 producers sending
// into a channel of capacity 1024; the receiver drains with TryRecv, then
// selects on Ready and a ticker (impl=mpsc). impl=chan is the same loop
// over a buffered chan of the same capacity: a select on the chan and the
// ticker, then non-blocking receives until it is empty. ns/op is per value.
func BenchmarkSelect(b *testing.B) {
	const producers = 4
	for _, impl := range []string{"chan", "mpsc"} {
		b.Run("impl="+impl, func(b *testing.B) {
			b.ReportAllocs()
			ticker := time.NewTicker(time.Millisecond)
			defer ticker.Stop()
			c := make(chan int, benchCapacity)
			s, r := mpsc.New[int](benchCapacity)
			var send func(int)
			if impl == "chan" {
				send = func(v int) { c <- v }
			} else {
				ctx := context.Background()
				send = func(v int) { _ = s.Send(ctx, v) }
			}
			b.ResetTimer()
			wg := sendAll(b, producers, send)
			got := 0
			if impl == "chan" {
				for got < b.N {
					select {
					case <-c:
						got++
					case <-ticker.C:
						continue
					}
				drain:
					for got < b.N {
						select {
						case <-c:
							got++
						default:
							break drain
						}
					}
				}
			} else {
				for got < b.N {
					if _, err := r.TryRecv(); err == nil {
						got++
						continue
					}
					select {
					case <-r.Ready():
					case <-ticker.C:
					}
				}
			}
			wg.Wait()
		})
	}
}

// BenchmarkSelectPingPong: a value sent to an echoing goroutine and back,
// each side waiting in a select on its receiving end and ctx.Done(): over
// two mpsc channels, on Ready then TryRecv (impl=mpsc), and over two
// unbuffered chans (impl=chan). ns/op is per round trip.
func BenchmarkSelectPingPong(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		ping, pong := make(chan int), make(chan int)
		recv := func(c chan int) func() int {
			return func() int {
				select {
				case v := <-c:
					return v
				case <-ctx.Done():
					panic("cancelled")
				}
			}
		}
		send := func(c chan int) func(int) {
			return func(v int) {
				select {
				case c <- v:
				case <-ctx.Done():
					panic("cancelled")
				}
			}
		}
		pingPong(b, end{send(ping), recv(ping)}, end{send(pong), recv(pong)})
	})
	b.Run("impl=mpsc", func(b *testing.B) {
		b.ReportAllocs()
		pingS, pingR := mpsc.New[int](benchCapacity)
		pongS, pongR := mpsc.New[int](benchCapacity)
		recv := func(r *mpsc.Receiver[int]) func() int {
			return func() int {
				for {
					if v, err := r.TryRecv(); err == nil {
						return v
					}
					select {
					case <-r.Ready():
					case <-ctx.Done():
						panic("cancelled")
					}
				}
			}
		}
		send := func(s *mpsc.Sender[int]) func(int) { return func(v int) { _ = s.TrySend(v) } }
		pingPong(b, end{send(pingS), recv(pingR)}, end{send(pongS), recv(pongR)})
	})
}
