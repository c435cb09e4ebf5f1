package main

import (
	"sync"
	"testing"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/notify"
	"github.com/diatomic-go/diatomic/waker"
)

// nobodyCases: a notification that nobody waits for, the cost every producer
// pays on every item when the consumer is busy. Each contender's call is
// spelled out in its own loop, so that fast paths inline as in user code.
//
// callers=1 calls from one goroutine; callers=all from every P at once on one
// shared primitive (b.RunParallel).
func nobodyCases(*config) []benchCase {
	cond := sync.NewCond(new(sync.Mutex))
	full := make(chan struct{}, 1)
	full <- struct{}{}
	src := waker.NewWakeSink().Source()
	var ec eventcount.EventCount
	var stored, nobody notify.Notify
	stored.NotifyOne() // the permit is stored: later NotifyOne calls find it

	impls := []struct {
		name  string
		one   func(b *testing.B)
		every func()
	}{
		{"sync.Cond.Signal", func(b *testing.B) {
			for range b.N {
				cond.Signal()
			}
		}, cond.Signal},
		{"sync.Cond.Broadcast", func(b *testing.B) {
			for range b.N {
				cond.Broadcast()
			}
		}, cond.Broadcast},
		{"chan", func(b *testing.B) {
			for range b.N {
				select {
				case full <- struct{}{}:
				default:
				}
			}
		}, func() {
			select {
			case full <- struct{}{}:
			default:
			}
		}},
		{"waker.WakeSource", func(b *testing.B) {
			for range b.N {
				src.Wake()
			}
		}, src.Wake},
		{"eventcount.NotifyOne", func(b *testing.B) {
			for range b.N {
				ec.NotifyOne()
			}
		}, ec.NotifyOne},
		{"eventcount.NotifyAll", func(b *testing.B) {
			for range b.N {
				ec.NotifyAll()
			}
		}, ec.NotifyAll},
		{"notify.NotifyOne", func(b *testing.B) {
			for range b.N {
				stored.NotifyOne()
			}
		}, stored.NotifyOne},
		{"notify.NotifyAll", func(b *testing.B) {
			for range b.N {
				nobody.NotifyAll()
			}
		}, nobody.NotifyAll},
	}
	var cs []benchCase
	for _, im := range impls {
		cs = append(cs, benchCase{param: "callers=1", impl: im.name, bench: im.one})
	}
	for _, im := range impls {
		cs = append(cs, benchCase{param: "callers=all", impl: im.name, bench: func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					im.every()
				}
			})
		}})
	}
	return cs
}
