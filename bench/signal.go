package main

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/notify"
	"github.com/diatomic-go/diatomic/waker"
)

// signal is a binary semaphore: notify stores one permit (permits do not add
// up) and wakes the waiter; wait takes the permit, waiting for one. Every
// contender of the signal handoff and ping-pong scenarios is one.
type signal interface {
	notify()
	wait(ctx context.Context) error
}

// signals are the contenders, in table order. The ones that take a context
// are given a cancellable one, as callers that need cancellation do; the chan
// baseline is a plain receive, and chan+ctx is the same receive in a select
// with ctx.Done().
var signals = []struct {
	name string
	new  func() signal
}{
	{"chan", func() signal { return make(chanSignal, 1) }},
	{"chan+ctx", func() signal { return chanCtxSignal{make(chanSignal, 1)} }},
	{"sync.Cond", func() signal { return newCondSignal() }},
	{"waker.Parker", func() signal { return parkerSignal{waker.NewParker()} }},
	{"waker.WakeSink", func() signal { return newSinkSignal() }},
	{"eventcount", func() signal { return newECSignal() }},
	{"notify", func() signal { return new(notifySignal) }},
	{"mpsc.Slot", func() signal { return newSlotSignal() }},
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

func (c chanSignal) wait(context.Context) error { <-c; return nil }

type chanCtxSignal struct{ chanSignal }

func (c chanCtxSignal) wait(ctx context.Context) error {
	select {
	case <-c.chanSignal:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// condSignal is the sync.Cond way: a flag under a mutex. It cannot be
// cancelled.
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

func (s *condSignal) wait(context.Context) error {
	s.mu.Lock()
	for !s.permit {
		s.cond.Wait()
	}
	s.permit = false
	s.mu.Unlock()
	return nil
}

// parkerSignal: a Parker is a binary semaphore already.
type parkerSignal struct{ p *waker.Parker }

func (s parkerSignal) notify()                        { s.p.Wake() }
func (s parkerSignal) wait(ctx context.Context) error { return s.p.Park(ctx) }

// permit is the condition of the WakeSink and EventCount signals; take is
// bound once so that waiting allocates no closure.
type permit struct {
	set  atomic.Bool
	take func() bool
}

func (p *permit) init() { p.take = func() bool { return p.set.CompareAndSwap(true, false) } }

// give stores the permit. A permit already there is left alone, as a
// non-blocking send on a full channel leaves the channel alone: the load
// keeps the line shared with the waiter instead of writing it per notify.
func (p *permit) give() {
	if !p.set.Load() {
		p.set.Store(true)
	}
}

type sinkSignal struct {
	permit
	sink *waker.WakeSink
	src  waker.WakeSource
}

func newSinkSignal() *sinkSignal {
	s := &sinkSignal{sink: waker.NewWakeSink()}
	s.src = s.sink.Source()
	s.init()
	return s
}

func (s *sinkSignal) notify()                        { s.give(); s.src.Wake() }
func (s *sinkSignal) wait(ctx context.Context) error { return s.sink.Wait(ctx, s.take) }

type ecSignal struct {
	permit
	ec eventcount.EventCount
}

func newECSignal() *ecSignal {
	s := new(ecSignal)
	s.init()
	return s
}

func (s *ecSignal) notify()                        { s.give(); s.ec.NotifyOne() }
func (s *ecSignal) wait(ctx context.Context) error { return s.ec.Wait(ctx, s.take) }

type notifySignal struct{ n notify.Notify }

func (s *notifySignal) notify()                        { s.n.NotifyOne() }
func (s *notifySignal) wait(ctx context.Context) error { return s.n.Wait(ctx) }

// slotSignal sends 1 through the capacity-1 Slot; a TrySend that finds the
// slot full leaves the permit that is there.
type slotSignal struct {
	tx *mpsc.SlotSender
	rx *mpsc.SlotReceiver
}

func newSlotSignal() slotSignal {
	tx, rx := mpsc.NewSlot()
	return slotSignal{tx, rx}
}

func (s slotSignal) notify() { s.tx.TrySend(1) }
func (s slotSignal) wait(ctx context.Context) error {
	_, err := s.rx.Recv(ctx)
	return err
}

// signalCases makes one case per signal contender.
func signalCases(run func(b *testing.B, newSignal func() signal)) []benchCase {
	var cs []benchCase
	for _, s := range signals {
		cs = append(cs, benchCase{impl: s.name, bench: func(b *testing.B) { run(b, s.new) }})
	}
	return cs
}

// benchHandoff: a producer adds items to a counter and signals; the consumer
// takes everything the counter holds and waits when it is empty. One op is
// one item; notifications coalesce, as they do in real producer/consumer
// code.
func benchHandoff(b *testing.B, newSignal func() signal) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newSignal()
	var items atomic.Int64
	done := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for got := int64(0); got < int64(b.N); {
			if k := items.Swap(0); k > 0 {
				got += k
				continue
			}
			if err := s.wait(ctx); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range b.N {
		items.Add(1)
		s.notify()
	}
	if err := <-done; err != nil {
		fail(b, err)
	}
}

// benchPingPong: two goroutines take turns, each signalling the other and
// waiting for the answer. One op is one round trip: two notifications and two
// waits that park.
func benchPingPong(b *testing.B, newSignal func() signal) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ping, pong := newSignal(), newSignal()
	done := make(chan error, 1)
	b.ResetTimer()
	go func() {
		for range b.N {
			if err := ping.wait(ctx); err != nil {
				done <- err
				return
			}
			pong.notify()
		}
		done <- nil
	}()
	for range b.N {
		ping.notify()
		if err := pong.wait(ctx); err != nil {
			fail(b, err)
		}
	}
	if err := <-done; err != nil {
		fail(b, err)
	}
}
