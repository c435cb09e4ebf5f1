package mpmc_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpmc"
)

// TestStreamLeavesNoValueBehind: workers that have been taking values from
// a stream (so that they search before parking) then each take one value of
// a burst and hold it, as a long job does. Every value of the burst must
// reach a worker while the others would otherwise sleep: the sends of the
// burst may skip their wake-ups while a worker searches, and the last
// searcher to stop must wake a receiver for each value left. A value left
// in the channel next to parked workers fails the bounded wait. The exact
// interleaving is forced in TestSearchWakesForEveryValueLeft; this is the
// same end to end, at every GOMAXPROCS.
func TestStreamLeavesNoValueBehind(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const workers, rounds, stream = 4, 300, 64
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](2 * stream)
		release := make([]chan struct{}, rounds)
		for i := range release {
			release[i] = make(chan struct{})
		}
		held := make(chan int, workers)
		var wg sync.WaitGroup
		defer testutil.Wait(t, &wg, "the workers' end")
		defer tx.Close()
		for range workers {
			r := rx.Clone()
			wg.Go(func() {
				defer r.Close()
				for v := range r.All(ctx) {
					if v < 0 { // a burst value: hold it until the round ends
						held <- v
						<-release[-v-1]
					}
				}
			})
		}
		rx.Close()
		for round := range rounds {
			for i := range stream {
				if err := tx.Send(ctx, i); err != nil {
					t.Fatalf("round %d: Send: %v", round, err)
				}
			}
			for range workers {
				if err := tx.Send(ctx, -round-1); err != nil {
					t.Fatalf("round %d: Send: %v", round, err)
				}
			}
			for i := range workers {
				testutil.Recv(t, held, fmt.Sprintf("round %d: burst value %d of %d held by a worker (a value left in the channel while workers sleep)", round, i+1, workers))
			}
			close(release[round])
		}
	})
}

// TestSearchWakesForEveryValueLeft: a receiver searches (its handle saw a
// stream) while three others are parked, and sends are made during its
// search: after a look (before the next one) or before its end. A send
// made while the ring holds no more values than searchers skips its
// wake-up, the searcher's to take; one beyond them wakes a parked receiver.
// Whether the search then finds a value or ends without one, every value
// must reach a receiver: in "found, one left" the searcher takes the first
// value and goes away with it, and the second, sent after that find, skipped
// its wake-up too, so only the searcher's stop can wake a parked receiver
// for it.
func TestSearchWakesForEveryValueLeft(t *testing.T) {
	for _, tc := range []struct {
		name      string
		look, end int // values sent before the search's first look, before its end
	}{
		{"found, one left", 1, 1},
		{"found, burst", 4, 0},
		{"ended, burst", 0, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := testutil.Context(t)
				tx, rx := mpmc.New[int](8)
				defer tx.Close()
				parked := parkAndStream(t, ctx, tx, rx, 3)
				next, looked := 1, false
				send := func(n int) {
					for range n {
						if err := tx.Send(ctx, next); err != nil {
							t.Errorf("Send %d: %v", next, err)
						}
						next++
					}
				}
				defer mpmc.SetSearchHook(func(end bool) {
					switch {
					case !end && !looked:
						looked = true
						send(tc.look)
					case end:
						send(tc.end)
					}
				})()
				v, err := rx.Recv(ctx) // then away with it, as a long job
				sent := tc.look + tc.end
				if err != nil || v < 1 || v > sent || next != sent+1 {
					t.Fatalf("searcher: Recv = %d, %v after %d of %d sends, want a value sent during its search", v, err, next-1, sent)
				}
				got := map[int]bool{v: true}
				synctest.Wait()
				for i, ch := range parked {
					select {
					case r := <-ch:
						if r.err != nil || got[r.v] {
							t.Fatalf("parked receiver %d: Recv = %d, %v; values so far %v", i, r.v, r.err, got)
						}
						got[r.v] = true
					default: // still parked
					}
				}
				if len(got) != sent {
					t.Fatalf("received %v of the %d values sent during the search: a value left in the channel while receivers sleep", got, sent)
				}
			})
		})
	}
}

// TestLastSearcherWakesOnePerValueLeft: two receivers search at once (each
// handle saw a stream) while two others are parked. Two values are sent
// while both are counted, and each searcher finds one and goes away with it,
// as a long job does; two more are sent before either stops searching. Both
// of those skip their wake-ups (the ring holds no more values than
// searchers), so the last searcher to stop must wake one parked receiver
// per value left: waking one, or none, leaves a value next to a sleeper.
func TestLastSearcherWakesOnePerValueLeft(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := testutil.Context(t)
		tx, rx := mpmc.New[int](8)
		defer tx.Close()
		parked := parkAndStream(t, ctx, tx, rx, 2)
		var (
			mu     sync.Mutex
			stage  = map[bool]int{} // searchers that reached the first hook of each kind
			gate   = map[bool]chan struct{}{false: make(chan struct{}), true: make(chan struct{})}
			values = map[bool][]int{false: {1, 2}, true: {3, 4}}
		)
		defer mpmc.SetSearchHook(func(end bool) {
			mu.Lock()
			if stage[end] >= 2 {
				mu.Unlock()
				return // a later yield's hook
			}
			stage[end]++
			first := stage[end] == 1
			mu.Unlock()
			if first {
				<-gate[end] // until the other searcher is counted and has sent
				return
			}
			for _, v := range values[end] {
				if err := tx.Send(ctx, v); err != nil {
					t.Errorf("Send %d: %v", v, err)
				}
			}
			close(gate[end])
		})()
		var searchers []chan result
		for range 2 {
			r := rx.Clone()
			defer r.Close()
			searchers = append(searchers, goVal(func() (int, error) { return r.Recv(ctx) }))
		}
		got := map[int]bool{}
		for i, ch := range append(searchers, parked...) {
			r := testutil.Unblocked(t, ch, fmt.Sprintf("receiver %d of 4 (searchers first; a value left in the channel while it sleeps)", i))
			if r.err != nil || r.v < 1 || r.v > 4 || got[r.v] {
				t.Fatalf("receiver %d: Recv = %d, %v; values so far %v", i, r.v, r.err, got)
			}
			got[r.v] = true
		}
	})
}

// parkAndStream passes a value through rx, so that every handle that has
// not waited since (rx, and clones made later) has seen a stream and
// searches before it parks; then it parks n receivers on clones of rx
// (closed at the test's end) and returns their results' channels. The value
// goes first: sent while receivers sleep, it would wake one of them, which
// could take it before rx does. Call it inside a synctest bubble.
func parkAndStream(t *testing.T, ctx context.Context, tx *mpmc.Sender[int], rx *mpmc.Receiver[int], n int) []chan result {
	t.Helper()
	if err := tx.TrySend(0); err != nil {
		t.Fatal(err)
	}
	if v, err := rx.TryRecv(); err != nil || v != 0 {
		t.Fatalf("TryRecv = %d, %v; want the 0 just sent", v, err)
	}
	var parked []chan result
	for range n {
		r := rx.Clone()
		t.Cleanup(r.Close)
		parked = append(parked, goVal(func() (int, error) { return r.Recv(ctx) }))
	}
	synctest.Wait() // the n are parked (after a search: they have seen the stream too)
	return parked
}
