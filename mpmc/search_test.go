package mpmc_test

import (
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
// stream) while three others are parked, and a burst of sends is made
// during its search, each of which skips its wake-up. Whether the search
// then finds a value (found) or ends without one (ended: the burst comes
// after its last look), the parked receivers must each get a value of the
// burst: the searcher's stop wakes one per value left.
func TestSearchWakesForEveryValueLeft(t *testing.T) {
	for _, ending := range []bool{false, true} {
		name := map[bool]string{false: "found", true: "ended"}[ending]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := testutil.Context(t)
				tx, rx := mpmc.New[int](8)
				defer tx.Close()
				var parked []chan result
				for range 3 {
					r := rx.Clone()
					defer r.Close()
					parked = append(parked, goVal(func() (int, error) { return r.Recv(ctx) }))
				}
				synctest.Wait() // the three are parked
				// A stream for the searcher's handle: values taken since
				// its last wait.
				if err := tx.TrySend(0); err != nil {
					t.Fatal(err)
				}
				if _, err := rx.TryRecv(); err != nil {
					t.Fatal(err)
				}
				burst := false
				defer mpmc.SetSearchHook(func(end bool) {
					if end != ending || burst {
						return
					}
					burst = true
					for i := 1; i <= 4; i++ {
						if err := tx.Send(ctx, i); err != nil {
							t.Errorf("Send %d: %v", i, err)
						}
					}
				})()
				v, err := rx.Recv(ctx)
				if err != nil || !burst {
					t.Fatalf("searcher: Recv = %d, %v (burst sent: %v), want a value of the burst", v, err, burst)
				}
				got := map[int]bool{v: true}
				for i, ch := range parked {
					r := testutil.Unblocked(t, ch, fmt.Sprintf("parked receiver %d (a value left in the channel while it sleeps)", i))
					if r.err != nil || got[r.v] {
						t.Fatalf("parked receiver %d: Recv = %d, %v; values so far %v", i, r.v, r.err, got)
					}
					got[r.v] = true
				}
			})
		})
	}
}
