package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/notify"
)

// broadcaster wakes every waiter of a generation counter.
type broadcaster interface {
	// wait blocks until the generation is greater than seen and returns it.
	wait(ctx context.Context, seen uint64) uint64
	// next increments the generation and wakes every waiter.
	next()
}

var broadcasters = []struct {
	name string
	new  func() broadcaster
}{
	{"sync.Cond", func() broadcaster { return newCondBroadcast(false) }},
	{"sync.Cond+AfterFunc", func() broadcaster { return newCondBroadcast(true) }},
	{"chan", func() broadcaster { return &chanBroadcast{ch: make(chan struct{})} }},
	{"eventcount", func() broadcaster { return new(ecBroadcast) }},
	{"notify", func() broadcaster { return new(notifyBroadcast) }},
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

// notifyBroadcast registers with Notified before checking, so that a
// NotifyAll between the check and the Wait is not missed.
type notifyBroadcast struct {
	gen atomic.Uint64
	n   notify.Notify
}

func (e *notifyBroadcast) wait(ctx context.Context, seen uint64) uint64 {
	for {
		h := e.n.Notified()
		if g := e.gen.Load(); g > seen {
			h.Cancel()
			return g
		}
		if h.Wait(ctx) != nil {
			return e.gen.Load()
		}
	}
}

func (e *notifyBroadcast) next() {
	e.gen.Add(1)
	e.n.NotifyAll()
}

// condBroadcast is the sync.Cond way; with cancellable set, waits are made
// cancellable the usual way, with context.AfterFunc and Broadcast.
type condBroadcast struct {
	mu          sync.Mutex
	gen         uint64
	cond        *sync.Cond
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

// waitOnCond is the cancellable wait of the context.AfterFunc example in
// package context, called with cond.L held.
func waitOnCond(ctx context.Context, cond *sync.Cond, conditionMet func() bool) error {
	stopf := context.AfterFunc(ctx, func() {
		// Take cond.L so that the Broadcast cannot fall before Wait.
		cond.L.Lock()
		defer cond.L.Unlock()
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

// broadcastCases: b.N generations; each wakes every waiter, and the next
// starts when all of them have seen it. One op is one generation.
func broadcastCases(cfg *config) []benchCase {
	var cs []benchCase
	for _, w := range cfg.waiters {
		for _, bc := range broadcasters {
			cs = append(cs, benchCase{
				param: fmt.Sprintf("waiters=%d", w),
				impl:  bc.name,
				bench: func(b *testing.B) { benchBroadcast(b, bc.new(), w) },
			})
		}
	}
	return cs
}

func benchBroadcast(b *testing.B, bc broadcaster, waiters int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var acks, stopped sync.WaitGroup
	n := uint64(b.N)
	for range waiters {
		stopped.Go(func() {
			for seen := uint64(0); seen <= n; {
				seen = bc.wait(ctx, seen)
				acks.Done()
			}
		})
	}
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
}
