package mpscq

import (
	"sync"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestConcurrentCloseThenSend races two Closes of a list, then enqueues
// from each closer once its Close has returned: whichever Close won, the
// queue is closed once either returned, so every such enqueue must report
// Closed. A Close that returned as soon as it lost the race on the closed
// flag, before the winner froze the last segment, let them through.
func TestConcurrentCloseThenSend(t *testing.T) {
	tries := 50000
	if testing.Short() {
		tries = 5000
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for i := range tries {
			q := NewListSize[int](4)
			for j := range i % 6 { // the close finds a segment short, full, or linked
				q.TryEnqueue(j)
			}
			var wg sync.WaitGroup
			var bad [2]Status
			start := make(chan struct{})
			for c := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					q.Close()
					bad[c] = q.TryEnqueue(-1)
				}()
			}
			close(start)
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			testutil.Recv(t, done, "the two closers")
			for c, st := range bad {
				if st != Closed {
					t.Fatalf("try %d: closer %d enqueued after its Close returned: status %d, want Closed", i, c, st)
				}
			}
		}
	})
}
