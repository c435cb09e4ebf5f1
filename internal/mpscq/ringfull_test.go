package mpscq

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestRingNoFalseFull: a producer whose claim CAS lost to another producer
// must retry, not report Full. Each round, producers released together
// enqueue as fast as they can into a ring that all their values fill at
// most halfway: their claims collide on head all the time, and any status
// but OK is a false Full. The consumer drains the ring between rounds, so
// that every running goroutine is a producer.
func TestRingNoFalseFull(t *testing.T) {
	const producers, perRound = 8, 512
	// Collisions need producers running at once on several cores, which a
	// busy machine grants now and then: the rounds go on for a while.
	spell := time.Second / 2
	if testing.Short() {
		spell /= 5
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		end := time.Now().Add(spell)
		if runtime.GOMAXPROCS(0) == 1 {
			end = time.Now() // one round: producers collide only when preempted
		}
		q := NewRing[int](2 * producers * perRound) // never more than half full
		buf := make([]int, 256)
		for round := 0; round == 0 || time.Now().Before(end); round++ {
			start := make(chan struct{})
			var wg sync.WaitGroup
			var bad [producers]Status
			for p := range producers {
				wg.Go(func() {
					<-start
					for i := range perRound {
						if st := q.TryEnqueue(i); st != OK {
							bad[p] = st
							return
						}
					}
				})
			}
			close(start)
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			testutil.Recv(t, done, "the producers")
			for p, st := range bad {
				if st != OK {
					t.Fatalf("round %d: producer %d: TryEnqueue on a ring at most half full reported %d, want OK", round, p, st)
				}
			}
			for got := 0; got < producers*perRound; {
				n, st := q.DequeueBatch(buf)
				if n == 0 {
					t.Fatalf("round %d: DequeueBatch after %d of %d values: status %d", round, got, producers*perRound, st)
				}
				got += n
			}
		}
	})
}
