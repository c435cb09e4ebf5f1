package waker

import (
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// box is a test source: a count of items that any goroutine may add to, made
// a Source by a WakeSink and its predicate, as a custom structure would be.
type box struct {
	items atomic.Int64
	sink  WakeSink
	src   Source
}

func newBox() *box {
	b := new(box)
	b.src = SinkSource(&b.sink, func() bool { return b.items.Load() > 0 })
	return b
}

// put adds n items, then notifies.
func (b *box) put(n int64) {
	b.items.Add(n)
	b.sink.Source().Wake()
}

// drain takes every item, as a receiver drains a reported source.
func (b *box) drain() int64 { return b.items.Swap(0) }

func TestSetWaitBlocksUntilReady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var set Set[int]
		boxes := []*box{newBox(), newBox(), newBox()}
		for i, b := range boxes {
			set.Add(i, b.src)
		}
		got := make(chan int, 1)
		go func() {
			k, err := set.Wait(testutil.Context(t))
			if err != nil {
				t.Errorf("Wait: %v", err)
			}
			got <- k
		}()
		synctest.Wait()
		select {
		case k := <-got:
			t.Fatalf("Wait reported %d before any source was ready", k)
		default:
		}
		boxes[2].put(1)
		synctest.Wait()
		select {
		case k := <-got:
			if k != 2 {
				t.Fatalf("Wait reported %d, want 2", k)
			}
		default:
			t.Fatal("Wait still blocked after source 2 became ready: wake-up lost")
		}
		if n := boxes[2].drain(); n != 1 {
			t.Fatalf("drained %d items, want 1", n)
		}
		if k, ok := set.TryWait(); ok {
			t.Fatalf("TryWait after the drain reported %d", k)
		}
	})
}

func TestSetReadyBeforeAdd(t *testing.T) {
	var set Set[string]
	b := newBox()
	b.put(3)
	set.Add("b", b.src)
	if k, ok := set.TryWait(); !ok || k != "b" {
		t.Fatalf("TryWait = %q, %v; want the source that was ready at Add", k, ok)
	}
}

// A source reported and not drained is reported again by the next Wait; once
// drained, it is not.
func TestSetLevelTriggered(t *testing.T) {
	var set Set[int]
	b := newBox()
	set.Add(7, b.src)
	b.put(2)
	for round := range 3 {
		if k, ok := set.TryWait(); !ok || k != 7 {
			t.Fatalf("round %d: TryWait = %d, %v; an undrained source must be reported again", round, k, ok)
		}
	}
	b.drain()
	if k, ok := set.TryWait(); ok {
		t.Fatalf("TryWait reported %d after the source was drained", k)
	}
	b.put(1) // after the drain: must be reported
	if k, ok := set.TryWait(); !ok || k != 7 {
		t.Fatalf("TryWait = %d, %v after a put that followed the drain: report lost", k, ok)
	}
}

// Wakes coalesce: a source woken many times is reported once, and sources are
// reported in the order they became ready.
func TestSetCoalescesAndKeepsOrder(t *testing.T) {
	var set Set[int]
	boxes := make([]*box, 5)
	for i := range boxes {
		boxes[i] = newBox()
		set.Add(i, boxes[i].src)
	}
	order := []int{3, 0, 4, 1}
	for _, i := range order {
		for range 4 {
			boxes[i].put(1)
		}
	}
	for _, want := range order {
		k, ok := set.TryWait()
		if !ok || k != want {
			t.Fatalf("TryWait = %d, %v; want %d (order %v)", k, ok, want, order)
		}
		if n := boxes[k].drain(); n != 4 {
			t.Fatalf("source %d held %d items, want 4", k, n)
		}
	}
	if k, ok := set.TryWait(); ok {
		t.Fatalf("TryWait reported %d once every source was drained: a duplicated report", k)
	}
}

func TestSetRemove(t *testing.T) {
	var set Set[int]
	a, b := newBox(), newBox()
	set.Add(1, a.src)
	set.Add(2, b.src)
	a.put(1) // queued, then removed: must not be reported
	if !set.Remove(1) {
		t.Fatal("Remove(1) reported the key absent")
	}
	if set.Remove(1) {
		t.Fatal("a second Remove(1) reported the key present")
	}
	if a.sink.registered() {
		t.Fatal("Remove left the set's waker registered with the source")
	}
	if set.Len() != 1 {
		t.Fatalf("Len = %d, want 1", set.Len())
	}
	a.put(1)
	if k, ok := set.TryWait(); ok {
		t.Fatalf("TryWait reported %d; only a removed source was ready", k)
	}
	// The set still works, and the key may come back.
	b.put(1)
	if k, ok := set.TryWait(); !ok || k != 2 {
		t.Fatalf("TryWait = %d, %v after Remove; want 2", k, ok)
	}
	set.Add(1, a.src)
	b.drain()
	if k, ok := set.TryWait(); !ok || k != 1 {
		t.Fatalf("TryWait = %d, %v; want the source added again while ready", k, ok)
	}
	// Removing the source reported last: the next Wait does not re-arm it.
	set.Remove(1)
	if a.sink.registered() {
		t.Fatal("the next TryWait must not re-arm a source removed after its report")
	}
	if _, ok := set.TryWait(); ok || a.sink.registered() {
		t.Fatal("TryWait re-armed or reported the source removed after its report")
	}
}

func TestSetCancellationConsumesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var set Set[int]
		b := newBox()
		set.Add(1, b.src)
		ctx, cancel := context.WithCancel(t.Context())
		errc := make(chan error, 1)
		go func() {
			_, err := set.Wait(ctx)
			errc <- err
		}()
		synctest.Wait()
		cancel()
		synctest.Wait()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait after cancel = %v, want context.Canceled", err)
		}
		b.put(1)
		// A done ctx: the ready source still wins.
		if k, err := set.Wait(ctx); err != nil || k != 1 {
			t.Fatalf("Wait(done ctx) = %d, %v with a source ready; want 1, nil", k, err)
		}
	})
}

// A Wait cancelled while a source is queued but not yet popped leaves the
// report for the next Wait: cancellation consumes nothing.
func TestSetCancelledWaitLeavesQueued(t *testing.T) {
	var set Set[int]
	b := newBox()
	set.Add(1, b.src)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := set.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait on an empty set with a done ctx = %v", err)
	}
	b.put(1)
	if _, err := set.Wait(ctx); err != nil {
		t.Fatalf("Wait with a source ready = %v", err)
	}
	// Not drained: the next Wait re-arms it, finds it ready, reports it.
	if k, err := set.Wait(ctx); err != nil || k != 1 {
		t.Fatalf("Wait = %d, %v; the undrained source must be reported again", k, err)
	}
}

func TestSetMisuse(t *testing.T) {
	var set Set[int]
	b := newBox()
	set.Add(1, b.src)
	b.put(1)
	if k, ok := set.TryWait(); !ok || k != 1 {
		t.Fatal("setup: source not reported")
	}
	// b is reported and not re-armed: a Wait with a nil ctx must not re-arm it.
	var nilCtx context.Context
	mustPanic(t, "waker: Set.Wait called with a nil Context", func() { set.Wait(nilCtx) })
	if b.sink.registered() {
		t.Fatal("Wait(nil) re-armed a source before it panicked")
	}
	mustPanic(t, "waker: Set.Add called with a key already in the set", func() { set.Add(1, newBox().src) })
	mustPanic(t, "waker: Set.Add called with a nil Source", func() { set.Add(2, nil) })
	mustPanic(t, "waker: Set.Add called with a *waker.WakeSink", func() { set.Add(3, new(WakeSink)) })
	mustPanic(t, "waker: Set.Add called with a *waker.DiatomicWaker", func() { set.Add(4, new(DiatomicWaker)) })
	mustPanic(t, "waker: SinkSource called with a nil", func() { SinkSource(nil, func() bool { return false }) })
	mustPanic(t, "waker: SinkSource called with a nil", func() { SinkSource(new(WakeSink), nil) })
	if set.Len() != 1 {
		t.Fatalf("Len = %d after the refused calls, want 1", set.Len())
	}
	// The set still works: b is still ready, and still in the set.
	if k, err := set.Wait(testutil.Context(t)); err != nil || k != 1 {
		t.Fatalf("Wait after the panics = %d, %v; want 1", k, err)
	}
}

func TestSetConcurrentWaitDetected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var set Set[int]
		b := newBox()
		set.Add(1, b.src)
		done := testutil.Go(t, func() {
			if k, err := set.Wait(testutil.Context(t)); err != nil || k != 1 {
				t.Errorf("first Wait = %d, %v", k, err)
			}
		})
		synctest.Wait()
		mustPanic(t, "waker: concurrent Wait on Set", func() { set.Wait(t.Context()) })
		b.put(1)
		<-done
	})
}

func TestSetZeroAllocs(t *testing.T) {
	var set Set[int]
	boxes := make([]*box, 64)
	for i := range boxes {
		boxes[i] = newBox()
		set.Add(i, boxes[i].src)
	}
	ctx := testutil.Context(t)
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		boxes[i%len(boxes)].put(1)
		k, err := set.Wait(ctx)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		boxes[k].drain()
		i++
	})
	if allocs != 0 {
		t.Errorf("a put and a Wait allocate %v times", allocs)
	}
}

// TestStressSet: producers put items into their sources, pausing at random
// and now and then waiting until the owner consumed all they put (so that the
// owner parks often), while the owner waits, drains what is reported, and
// removes and adds back sources under new keys. Every item is consumed exactly once, no removed key
// is reported, and no Wait is left blocked while an item is pending (the
// bounded context fails the test with the count of items lost).
func TestStressSet(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const sources, producers = 16, 4
		ops := 4000
		if testing.Short() {
			ops = 500
		}
		hammerSet(t, sources, producers, ops)
	})
}

type setKey struct{ idx, gen int }

func hammerSet(t *testing.T, sources, producers, ops int) {
	boxes := make([]*box, sources)
	gen := make([]int, sources) // the generation of each source's key in the set
	var set Set[setKey]
	for i := range boxes {
		boxes[i] = newBox()
		set.Add(setKey{i, 0}, boxes[i].src)
	}
	// Source i belongs to producer i%producers; acks[p] gets one value per
	// item of producer p consumed.
	acks := make([]chan struct{}, producers)
	for p := range acks {
		acks[p] = make(chan struct{}, ops)
	}
	ack := func(i int, n int64) {
		for range n {
			acks[i%producers] <- struct{}{}
		}
	}
	var wg sync.WaitGroup
	for p := range producers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(p), 1))
			outstanding := 0
			for range ops {
				boxes[p+producers*r.IntN(sources/producers)].put(1)
				outstanding++
				switch r.IntN(4) {
				case 0:
					runtime.Gosched()
				case 1:
					for ; outstanding > 0; outstanding-- {
						testutil.Recv(t, acks[p], "the consumption of an item put")
					}
				}
			}
		})
	}
	total := int64(producers * ops)
	ctx := testutil.Context(t)
	r := rand.New(rand.NewPCG(99, 2))
	var consumed, spurious int64
	for consumed < total {
		k, err := set.Wait(ctx)
		if err != nil {
			wg.Wait()
			t.Fatalf("Wait: %v with %d of %d items consumed: a report was lost", err, consumed, total)
		}
		if k.gen != gen[k.idx] {
			t.Fatalf("reported %v, removed from the set (current generation %d)", k, gen[k.idx])
		}
		n := boxes[k.idx].drain()
		ack(k.idx, n)
		if n == 0 {
			spurious++
		}
		consumed += n
		if r.IntN(8) == 0 {
			// Remove a source, perhaps queued or being woken, and add it
			// back under a new key; what it holds is drained meanwhile or
			// reported under its new key.
			i := r.IntN(sources)
			if !set.Remove(setKey{i, gen[i]}) {
				t.Fatalf("Remove of %v in the set reported it absent", setKey{i, gen[i]})
			}
			if r.IntN(2) == 0 {
				n := boxes[i].drain()
				ack(i, n)
				consumed += n
			}
			gen[i]++
			set.Add(setKey{i, gen[i]}, boxes[i].src)
		}
	}
	wg.Wait()
	if consumed != total {
		t.Fatalf("consumed %d items, produced %d: duplicated", consumed, total)
	}
	for i, b := range boxes {
		if n := b.items.Load(); n != 0 {
			t.Fatalf("source %d still holds %d items", i, n)
		}
	}
	if spurious > total {
		t.Errorf("%d spurious reports for %d items", spurious, total)
	}
	t.Logf("%d items, %d spurious reports", total, spurious)
}

// keeper is a Source that keeps the waker it was given, so that the test can
// wake it at any time: as a source's wake under way when Unregister returns.
type keeper struct{ w Waker }

func (k *keeper) Register(w Waker) { k.w = w }
func (k *keeper) Unregister()      {}

// A wake that reaches the set's waker after Remove is ignored, and a key
// added again gets a waker of its own.
func TestSetLateWakeAfterRemove(t *testing.T) {
	var set Set[int]
	old := new(keeper)
	set.Add(1, old)
	set.Remove(1)
	old.w.Wake()
	if k, ok := set.TryWait(); ok {
		t.Fatalf("TryWait reported %d, woken after it was removed", k)
	}
	fresh := new(keeper)
	set.Add(1, fresh)
	if fresh.w == old.w {
		t.Fatal("the key added again got the removed member's waker")
	}
	old.w.Wake()
	if k, ok := set.TryWait(); ok {
		t.Fatalf("TryWait reported %d for a wake of the removed member", k)
	}
	fresh.w.Wake()
	if k, ok := set.TryWait(); !ok || k != 1 {
		t.Fatalf("TryWait = %d, %v; want the key added again", k, ok)
	}
}
