package mpscq

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestLenConcurrent calls Len and Cap from a goroutine of their own while
// producers enqueue and the consumer dequeues (the race detector checks
// that they read only atomic or read-only words): every answer lies between
// 0 and the number of values enqueued, and once everything is dequeued it
// is 0.
func TestLenConcurrent(t *testing.T) {
	const producers, ops = 4, 3000
	type lenQueue interface {
		queue[int]
		Cap() int
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for name, q := range map[string]lenQueue{
			"ring":    NewRing[int](64),
			"list":    lenList{NewListSize[int](4)},
			"listDef": lenList{NewList[int]()},
		} {
			t.Run(name, func(t *testing.T) {
				stop := make(chan struct{})
				lens := testutil.Go(t, func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						if n := q.Len(); n < 0 || n > producers*ops {
							t.Errorf("Len = %d during the run, want 0..%d", n, producers*ops)
							return
						}
						if c := q.Cap(); c != 64 && c != -1 {
							t.Errorf("Cap = %d during the run", c)
							return
						}
						runtime.Gosched() // with GOMAXPROCS 1, let the others run
					}
				})
				expired, stopDeadline := testutil.Deadline()
				defer stopDeadline()
				var wg sync.WaitGroup
				for range producers {
					wg.Go(func() {
						for i := range ops {
							for q.TryEnqueue(i) != OK { // full ring
								select {
								case <-expired:
									return
								default:
									runtime.Gosched()
								}
							}
						}
					})
				}
				buf := make([]int, 5)
				for got := 0; got < producers*ops; {
					var n int
					if got%2 == 0 {
						n, _ = q.DequeueBatch(buf)
					} else if _, st := q.TryDequeue(); st == OK {
						n = 1
					}
					got += n
					if n == 0 {
						select {
						case <-expired:
							t.Fatalf("timed out: dequeued %d of %d values", got, producers*ops)
						default:
							runtime.Gosched()
						}
					}
				}
				producersDone := make(chan struct{})
				go func() { wg.Wait(); close(producersDone) }()
				testutil.Recv(t, producersDone, "the producers")
				close(stop)
				testutil.Recv(t, lens, "the goroutine calling Len")
				if n := q.Len(); n != 0 {
					t.Fatalf("Len = %d once drained", n)
				}
			})
		}
	})
}

// lenList gives a List the Cap of an unbounded channel.
type lenList struct{ *List[int] }

func (lenList) Cap() int { return -1 }

// TestSegmentSize: word-sized values get DefaultSegmentSize slots, and the
// slot array of a segment stays near SegmentBytes for larger values, down
// to MinSegmentSize slots.
func TestSegmentSize(t *testing.T) {
	for _, c := range []struct {
		slotSize uintptr
		want     int
	}{
		{8, DefaultSegmentSize},  // struct{}
		{16, DefaultSegmentSize}, // int, pointers
		{24, 682},                // string
		{1032, 15},
		{4104, MinSegmentSize},
		{64<<10 + 8, MinSegmentSize},
	} {
		if got := SegmentSize(c.slotSize); got != c.want {
			t.Errorf("SegmentSize(%d) = %d, want %d", c.slotSize, got, c.want)
		}
	}
	if got := NewList[int]().size; got != DefaultSegmentSize {
		t.Errorf("NewList[int] has segments of %d slots, want %d", got, DefaultSegmentSize)
	}
	if !NewList[int]().eager || NewList[[64 << 10]byte]().eager {
		t.Error("the eager link should be kept for int segments only, not for segments of 64 KiB values")
	}
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC() // and the sync.Pool victims of earlier tests
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestListMemoryFollowsBacklog: a list of 64 KiB values holding one value
// takes a few of them, not two segments of a thousand; holding 100 values,
// not much more than the 100.
func TestListMemoryFollowsBacklog(t *testing.T) {
	type big [64 << 10]byte
	const value = unsafe.Sizeof(big{})
	for _, c := range []struct {
		values int
		limit  int64
	}{
		{1, 8 << 20},
		{100, 100*int64(value) + 2*MinSegmentSize*int64(value) + 1<<20},
	} {
		before := heapInUse()
		q := NewList[big]()
		var v big
		for i := range c.values {
			v[0] = byte(i)
			if st := q.TryEnqueue(v); st != OK {
				t.Fatalf("TryEnqueue: %d", st)
			}
		}
		used := heapInUse() - before
		if used > c.limit {
			t.Errorf("%d values of %d bytes in a list take %d bytes of heap, want at most %d", c.values, value, used, c.limit)
		}
		for i := range c.values {
			if v, st := q.TryDequeue(); st != OK || v[0] != byte(i) {
				t.Fatalf("TryDequeue = %d, %d", v[0], st)
			}
		}
		runtime.KeepAlive(q)
	}
}
