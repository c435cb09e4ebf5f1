package eventcount_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// Baselines, side by side with EventCount (impl=ours):
//   - impl=cond: sync.Mutex + sync.Cond, the code EventCount replaces
//     (it cannot be cancelled);
//   - impl=afterfunc: the usual cancellable sync.Cond, context.AfterFunc +
//     Broadcast, as in the context.AfterFunc example of package context;
//   - impl=chan: the channel way of doing the same job.
// The cancellable implementations (ours, afterfunc, chan) wait with a
// cancellable context, as real callers do.

// BenchmarkNotifyNoWaiter: the loops are spelled out, not passed a func, so
// that the fast path inlines into them as it does into user code.
func BenchmarkNotifyNoWaiter(b *testing.B) {
	b.Run("op=one/impl=ours", func(b *testing.B) {
		var ec eventcount.EventCount
		b.ReportAllocs()
		for range b.N {
			ec.NotifyOne()
		}
	})
	b.Run("op=one/impl=cond", func(b *testing.B) {
		c := sync.NewCond(new(sync.Mutex))
		b.ReportAllocs()
		for range b.N {
			c.Signal()
		}
	})
	b.Run("op=all/impl=ours", func(b *testing.B) {
		var ec eventcount.EventCount
		b.ReportAllocs()
		for range b.N {
			ec.NotifyAll()
		}
	})
	b.Run("op=all/impl=cond", func(b *testing.B) {
		c := sync.NewCond(new(sync.Mutex))
		b.ReportAllocs()
		for range b.N {
			c.Broadcast()
		}
	})
}

// BenchmarkPrepareCancel is the cost of a wait whose condition turns true
// between the first check and the second: two atomic RMWs.
func BenchmarkPrepareCancel(b *testing.B) {
	var ec eventcount.EventCount
	b.ReportAllocs()
	for b.Loop() {
		ec.Cancel(ec.Prepare())
	}
}

// BenchmarkPrepareCancelParked is BenchmarkPrepareCancel while another
// goroutine is parked in Commit: Cancel then checks, under the internal
// lock, that the Ticket is not one ended twice.
func BenchmarkPrepareCancelParked(b *testing.B) {
	var ec eventcount.EventCount
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	parked := make(chan error, 1)
	go func() { parked <- ec.Commit(ctx, ec.Prepare()) }()
	for ec.Parked() == 0 {
		runtime.Gosched()
	}
	b.ReportAllocs()
	for b.Loop() {
		ec.Cancel(ec.Prepare())
	}
	b.StopTimer()
	ec.NotifyAll()
	<-parked
}

// slot is a capacity-1 buffer: put waits until it is empty, take until it
// is full, so every item is handed from a producer to a consumer.
type slot interface {
	put(ctx context.Context)
	take(ctx context.Context)
}

type ecSlot struct {
	full              atomic.Bool
	notFull, notEmpty eventcount.EventCount
}

func (s *ecSlot) put(ctx context.Context) {
	_ = s.notFull.Wait(ctx, func() bool { return s.full.CompareAndSwap(false, true) })
	s.notEmpty.NotifyOne()
}

func (s *ecSlot) take(ctx context.Context) {
	_ = s.notEmpty.Wait(ctx, func() bool { return s.full.CompareAndSwap(true, false) })
	s.notFull.NotifyOne()
}

type condSlot struct {
	mu                sync.Mutex
	full              bool
	notFull, notEmpty *sync.Cond
}

func (s *condSlot) init() *condSlot {
	s.notFull, s.notEmpty = sync.NewCond(&s.mu), sync.NewCond(&s.mu)
	return s
}

func (s *condSlot) put(context.Context) {
	s.mu.Lock()
	for s.full {
		s.notFull.Wait()
	}
	s.full = true
	s.mu.Unlock()
	s.notEmpty.Signal()
}

func (s *condSlot) take(context.Context) {
	s.mu.Lock()
	for !s.full {
		s.notEmpty.Wait()
	}
	s.full = false
	s.mu.Unlock()
	s.notFull.Signal()
}

// afterFuncSlot is condSlot made cancellable the usual way.
type afterFuncSlot struct{ condSlot }

func (s *afterFuncSlot) put(ctx context.Context) {
	s.mu.Lock()
	err := waitOnCond(ctx, s.notFull, func() bool { return !s.full })
	if err == nil {
		s.full = true
	}
	s.mu.Unlock()
	s.notEmpty.Signal()
}

func (s *afterFuncSlot) take(ctx context.Context) {
	s.mu.Lock()
	err := waitOnCond(ctx, s.notEmpty, func() bool { return s.full })
	if err == nil {
		s.full = false
	}
	s.mu.Unlock()
	s.notFull.Signal()
}

// waitOnCond is the cancellable wait of the context.AfterFunc example in
// package context, called with cond.L held.
func waitOnCond(ctx context.Context, cond *sync.Cond, conditionMet func() bool) error {
	stopf := context.AfterFunc(ctx, func() {
		// Take cond.L so that the Broadcast cannot fall before Wait.
		cond.L.Lock()
		defer cond.L.Unlock()
		// Only a Broadcast is sure to reach this waiter: every other one
		// wakes too, which makes N cancellable waiters cost O(N^2).
		cond.Broadcast()
	})
	defer stopf()
	for !conditionMet() {
		cond.Wait()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

type chanSlot chan struct{}

func (s chanSlot) put(ctx context.Context) {
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
	}
}

func (s chanSlot) take(ctx context.Context) {
	select {
	case <-s:
	case <-ctx.Done():
	}
}

var slotImpls = []struct {
	name string
	new  func() slot
}{
	{"ours", func() slot { return new(ecSlot) }},
	{"cond", func() slot { return new(condSlot).init() }},
	{"afterfunc", func() slot {
		s := new(afterFuncSlot)
		s.init()
		return s
	}},
	{"chan", func() slot { return make(chanSlot, 1) }},
}

// BenchmarkHandoff hands b.N items through a capacity-1 slot from P
// producers to P consumers; ns/op is per item.
func BenchmarkHandoff(b *testing.B) {
	for _, pairs := range []int{1, 4} {
		for _, impl := range slotImpls {
			b.Run(fmt.Sprintf("pairs=%d/impl=%s", pairs, impl.name), func(b *testing.B) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				s := impl.new()
				b.ReportAllocs()
				b.ResetTimer()
				var wg sync.WaitGroup
				for i := range pairs {
					n := testutil.Share(b.N, pairs, i)
					wg.Go(func() {
						for range n {
							s.put(ctx)
						}
					})
					wg.Go(func() {
						for range n {
							s.take(ctx)
						}
					})
				}
				wg.Wait()
			})
		}
	}
}

// broadcaster wakes every waiter of a generation counter.
type broadcaster interface {
	// wait blocks until the generation is greater than seen and returns it.
	wait(ctx context.Context, seen uint64) uint64
	// next increments the generation and wakes every waiter.
	next()
}

type ecBroadcast struct {
	gen atomic.Uint64
	ec  eventcount.EventCount
}

func (e *ecBroadcast) wait(ctx context.Context, seen uint64) uint64 {
	g, _ := eventcount.WaitUntil(ctx, &e.ec, func() (uint64, bool) {
		g := e.gen.Load()
		return g, g > seen
	})
	return g
}

func (e *ecBroadcast) next() {
	e.gen.Add(1)
	e.ec.NotifyAll()
}

type condBroadcast struct {
	mu   sync.Mutex
	gen  uint64
	cond *sync.Cond
	// cancellable selects the context.AfterFunc workaround.
	cancellable bool
}

func newCondBroadcast(cancellable bool) *condBroadcast {
	c := &condBroadcast{cancellable: cancellable}
	c.cond = sync.NewCond(&c.mu)
	return c
}

func (c *condBroadcast) wait(ctx context.Context, seen uint64) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	met := func() bool { return c.gen > seen }
	if c.cancellable {
		_ = waitOnCond(ctx, c.cond, met)
	} else {
		for !met() {
			c.cond.Wait()
		}
	}
	return c.gen
}

func (c *condBroadcast) next() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
	c.cond.Broadcast()
}

// chanBroadcast closes the channel of the current generation and replaces it.
type chanBroadcast struct {
	mu  sync.Mutex
	gen uint64
	ch  chan struct{}
}

func (c *chanBroadcast) wait(ctx context.Context, seen uint64) uint64 {
	for {
		c.mu.Lock()
		g, ch := c.gen, c.ch
		c.mu.Unlock()
		if g > seen {
			return g
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return g
		}
	}
}

func (c *chanBroadcast) next() {
	c.mu.Lock()
	c.gen++
	close(c.ch)
	c.ch = make(chan struct{})
	c.mu.Unlock()
}

// BenchmarkBroadcast runs b.N generations: each wakes every waiter, and the
// next starts when all of them have seen it. ns/op is per generation.
func BenchmarkBroadcast(b *testing.B) {
	impls := []struct {
		name string
		new  func() broadcaster
	}{
		{"ours", func() broadcaster { return new(ecBroadcast) }},
		{"cond", func() broadcaster { return newCondBroadcast(false) }},
		{"afterfunc", func() broadcaster { return newCondBroadcast(true) }},
		{"chan", func() broadcaster { return &chanBroadcast{ch: make(chan struct{})} }},
	}
	for _, waiters := range []int{1, 4, 16} {
		for _, impl := range impls {
			b.Run(fmt.Sprintf("waiters=%d/impl=%s", waiters, impl.name), func(b *testing.B) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				bc := impl.new()
				var acks sync.WaitGroup
				var stopped sync.WaitGroup
				n := uint64(b.N)
				for range waiters {
					stopped.Go(func() {
						for seen := uint64(0); seen <= n; {
							seen = bc.wait(ctx, seen)
							acks.Done()
						}
					})
				}
				b.ReportAllocs()
				b.ResetTimer()
				for range n {
					acks.Add(waiters)
					bc.next()
					acks.Wait()
				}
				b.StopTimer()
				acks.Add(waiters)
				bc.next() // generation n+1 releases the waiters
				stopped.Wait()
			})
		}
	}
}
