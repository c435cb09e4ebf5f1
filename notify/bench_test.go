package notify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/notify"
)

// signal is the job every benchmark implementation does: a binary
// notification with one stored permit.
type signal interface {
	notify()
	wait()
}

// chanSignal is the channel way: a chan struct{} of capacity 1, sent to
// without blocking.
type chanSignal chan struct{}

func (c chanSignal) notify() {
	select {
	case c <- struct{}{}:
	default:
	}
}
func (c chanSignal) wait() { <-c }

// condSignal is the sync.Cond way: a flag under a mutex.
type condSignal struct {
	mu     sync.Mutex
	cond   sync.Cond
	permit bool
}

func newCondSignal() *condSignal {
	s := new(condSignal)
	s.cond.L = &s.mu
	return s
}

func (s *condSignal) notify() {
	s.mu.Lock()
	s.permit = true
	s.mu.Unlock()
	s.cond.Signal()
}

func (s *condSignal) wait() {
	s.mu.Lock()
	for !s.permit {
		s.cond.Wait()
	}
	s.permit = false
	s.mu.Unlock()
}

type notifySignal struct{ n notify.Notify }

func (s *notifySignal) notify() { s.n.NotifyOne() }
func (s *notifySignal) wait()   { _ = s.n.Wait(context.Background()) }

// notifiedSignal waits through a Notified handle, the form that registers
// before checking a condition: what it costs over Notify.Wait is the handle.
type notifiedSignal struct{ n notify.Notify }

func (s *notifiedSignal) notify() { s.n.NotifyOne() }
func (s *notifiedSignal) wait()   { _ = s.n.Notified().Wait(context.Background()) }

// readySignal waits in a select statement on a handle's Ready channel, the
// form that can wait beside other cases; the handle is cancelled after the
// receive, which gives its record back.
type readySignal struct{ n notify.Notify }

func (s *readySignal) notify() { s.n.NotifyOne() }
func (s *readySignal) wait() {
	h := s.n.Notified()
	<-h.Ready()
	h.Cancel()
}

var impls = []struct {
	name string
	new  func() signal
}{
	{"impl=chan", func() signal { return make(chanSignal, 1) }},
	{"impl=cond", func() signal { return newCondSignal() }},
	{"impl=notify", func() signal { return new(notifySignal) }},
	{"impl=notified", func() signal { return new(notifiedSignal) }},
	{"impl=ready", func() signal { return new(readySignal) }},
}

// BenchmarkHandoff: two goroutines take turns, each notifying the other and
// waiting for its answer. One op is one round trip: two notifications, two
// waits that usually park.
func BenchmarkHandoff(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			ping, pong := impl.new(), impl.new()
			done := make(chan struct{})
			go func() {
				defer close(done)
				for range b.N {
					ping.wait()
					pong.notify()
				}
			}()
			for range b.N {
				ping.notify()
				pong.wait()
			}
			<-done
		})
	}
}

// BenchmarkProducerConsumer: a producer hands items to a consumer through a
// counter and a notification; the consumer drains the counter and waits when
// it is empty. One op is one item.
func BenchmarkProducerConsumer(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			s := impl.new()
			var items atomic.Int64
			done := make(chan struct{})
			go func() {
				defer close(done)
				for got := int64(0); got < int64(b.N); {
					if k := items.Swap(0); k > 0 {
						got += k
						continue
					}
					s.wait()
				}
			}()
			for range b.N {
				items.Add(1)
				s.notify()
			}
			<-done
		})
	}
}

// BenchmarkNotifyThenWait: one goroutine notifies, then takes the permit.
func BenchmarkNotifyThenWait(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			s := impl.new()
			for b.Loop() {
				s.notify()
				s.wait()
			}
		})
	}
}

// BenchmarkNotifyStored: notify with the permit already stored, the
// notification nobody is waiting for.
func BenchmarkNotifyStored(b *testing.B) {
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			s := impl.new()
			s.notify()
			for b.Loop() {
				s.notify()
			}
		})
	}
}

// BenchmarkNotifyAllNobody: wake-all with nobody waiting; the baseline is
// sync.Cond.Broadcast.
func BenchmarkNotifyAllNobody(b *testing.B) {
	b.Run("impl=cond", func(b *testing.B) {
		b.ReportAllocs()
		c := sync.NewCond(new(sync.Mutex))
		for b.Loop() {
			c.Broadcast()
		}
	})
	b.Run("impl=notify", func(b *testing.B) {
		b.ReportAllocs()
		var n notify.Notify
		for b.Loop() {
			n.NotifyAll()
		}
	})
}

// BenchmarkNotifiedCancel: a registration taken and withdrawn, the path of
// "h := n.Notified(); if ready() { h.Cancel() }".
func BenchmarkNotifiedCancel(b *testing.B) {
	b.ReportAllocs()
	var n notify.Notify
	for b.Loop() {
		n.Notified().Cancel()
	}
}
