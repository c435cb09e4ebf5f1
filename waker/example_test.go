package waker_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/diatomic-go/diatomic/waker"
)

// A one-value mailbox: the sender stores a non-zero value and notifies; the
// receiver waits until it can take one.
func ExampleWaitUntil() {
	sink := waker.NewWakeSink()
	src := sink.Source()
	var box atomic.Uint64

	go func() {
		box.Store(42)
		src.Wake()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := waker.WaitUntil(ctx, sink, func() (uint64, bool) {
		v := box.Swap(0)
		return v, v != 0
	})
	fmt.Println(v, err)
	// Output: 42 <nil>
}

func ExampleWakeSink_Wait() {
	sink := waker.NewWakeSink()
	var done atomic.Int32
	for range 3 {
		src := sink.Source()
		go func() {
			done.Add(1)
			src.Wake()
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := sink.Wait(ctx, func() bool { return done.Load() == 3 })
	fmt.Println("all three done:", err == nil)
	// Output: all three done: true
}

// A Parker used in a select, next to a channel.
func ExampleParker_C() {
	p := waker.NewParker()
	var aw waker.AtomicWaker
	aw.Register(p)
	aw.Wake()
	select {
	case <-p.C():
		fmt.Println("woken")
	default:
		fmt.Println("not woken")
	}
	// Output: woken
}

// countWaker counts its wakes; a custom Waker must be comparable, so it has
// a pointer receiver.
type countWaker struct{ n int }

func (c *countWaker) Wake() { c.n++ }

func ExampleDiatomicWaker() {
	var w waker.DiatomicWaker
	var c countWaker
	w.Wake() // nobody registered: nothing happens, nothing is remembered
	w.Register(&c)
	w.Register(&c) // the same waker again: one atomic operation
	w.Wake()
	w.Wake() // the registration was consumed by the first
	fmt.Println(c.n)
	// Output: 1
}

func ExampleSpmcWaker() {
	var w waker.SpmcWaker
	var c countWaker
	fmt.Println(w.Register(&c), w.Registered())
	fmt.Println(w.Unregister(), w.Registered())
	w.Wake()
	fmt.Println(c.n)
	// Output:
	// true true
	// true false
	// 0
}

func ExampleAtomicWaker() {
	var w waker.AtomicWaker
	var a, b countWaker
	w.Register(&a)
	w.Register(&b) // the last registration wins
	w.Wake()
	fmt.Println(a.n, b.n, w.Take() == nil)
	// Output: 0 1 true
}

// The zero Parker and the zero WakeSink are ready to use, like the wakers.
func ExampleWakeSink_zero() {
	var sink waker.WakeSink
	var ready atomic.Bool
	src := sink.Source()
	go func() {
		ready.Store(true)
		src.Wake()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fmt.Println(sink.Wait(ctx, ready.Load))
	// Output: <nil>
}

// mailbox is a custom source: a count of messages, and the WakeSink its
// senders wake.
type mailbox struct {
	n    atomic.Int64
	sink waker.WakeSink
}

func (m *mailbox) post() { m.n.Add(1); m.sink.Source().Wake() }

// One goroutine serves a changing set of mailboxes: Wait names the one that
// is ready, the loop drains it, and the next Wait watches it again.
func ExampleSet() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var set waker.Set[string]
	boxes := map[string]*mailbox{}
	for _, name := range []string{"alice", "bob", "carol"} {
		m := new(mailbox)
		boxes[name] = m
		// The predicate says whether a receive would succeed; it takes
		// nothing.
		set.Add(name, waker.SinkSource(&m.sink, func() bool { return m.n.Load() > 0 }))
	}

	go boxes["bob"].post()
	name, err := set.Wait(ctx)
	fmt.Println(name, boxes[name].n.Swap(0), err) // drain what Wait reported

	set.Remove("carol")
	boxes["alice"].post()
	name, err = set.Wait(ctx)
	fmt.Println(name, boxes[name].n.Swap(0), err, set.Len())
	// Output:
	// bob 1 <nil>
	// alice 1 <nil> 2
}
