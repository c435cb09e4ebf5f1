package mpmcq

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSequential(t *testing.T) {
	for _, c := range []int{1, 2, 3, 5, 8} {
		q := NewRing[int](c)
		if _, st := q.TryDequeue(); st != Empty {
			t.Fatalf("cap %d: TryDequeue on a new ring: %d, want Empty", c, st)
		}
		for round := range 5 { // wraps the ring
			for i := range c {
				if st := q.TryEnqueue(round*10 + i); st != OK {
					t.Fatalf("cap %d round %d: TryEnqueue %d: %d", c, round, i, st)
				}
			}
			if st := q.TryEnqueue(-1); st != Full {
				t.Fatalf("cap %d: TryEnqueue on a full ring: %d, want Full", c, st)
			}
			if q.Len() != c || q.Cap() != c {
				t.Fatalf("Len/Cap = %d/%d, want %d/%d", q.Len(), q.Cap(), c, c)
			}
			for i := range c {
				if v, st := q.TryDequeue(); st != OK || v != round*10+i {
					t.Fatalf("cap %d round %d: TryDequeue = %d, %d; want %d", c, round, v, st, round*10+i)
				}
			}
			if _, st := q.Poll(); st != Empty {
				t.Fatalf("Poll on a drained ring: %d, want Empty", st)
			}
		}
	}
}

func TestBatch(t *testing.T) {
	q := NewRing[int](5)
	buf := make([]int, 3)
	if n, st := q.DequeueBatch(buf); n != 0 || st != Empty {
		t.Fatalf("DequeueBatch on an empty ring = %d, %d", n, st)
	}
	for round := range 4 {
		for i := range 5 {
			q.TryEnqueue(round*10 + i)
		}
		n, st := q.DequeueBatch(buf)
		if n != 3 || st != OK || buf[0] != round*10 || buf[2] != round*10+2 {
			t.Fatalf("DequeueBatch = %v, %d", buf[:n], st)
		}
		n, st = q.PollBatch(buf)
		if n != 2 || st != OK || buf[0] != round*10+3 || buf[1] != round*10+4 {
			t.Fatalf("PollBatch = %v, %d", buf[:n], st)
		}
	}
	if n, st := q.DequeueBatch(nil); n != 0 || st != OK {
		t.Fatalf("DequeueBatch(nil) = %d, %d", n, st)
	}
}

func TestClose(t *testing.T) {
	q := NewRing[int](4)
	q.TryEnqueue(1)
	q.TryEnqueue(2)
	if !q.Close() || q.Close() || !q.Closed() {
		t.Fatal("Close did not report the first call only")
	}
	if st := q.TryEnqueue(3); st != Closed {
		t.Fatalf("TryEnqueue after Close: %d", st)
	}
	if v, st := q.Poll(); v != 1 || st != OK {
		t.Fatalf("Poll = %d, %d", v, st)
	}
	if v, st := q.TryDequeue(); v != 2 || st != OK {
		t.Fatalf("TryDequeue = %d, %d", v, st)
	}
	for _, f := range []func() Status{
		func() Status { _, st := q.TryDequeue(); return st },
		func() Status { _, st := q.Poll(); return st },
		func() Status { _, st := q.DequeueBatch(make([]int, 2)); return st },
		func() Status { _, st := q.PollBatch(make([]int, 2)); return st },
	} {
		if st := f(); st != Closed {
			t.Fatalf("dequeue on a closed, drained ring: %d, want Closed", st)
		}
	}
}

// TestEmptyOpen: EmptyOpen is true exactly while no position is claimed
// beyond the consumers' and the ring is open: a value, a claim not yet
// written, or the closed bit makes it false.
func TestEmptyOpen(t *testing.T) {
	q := NewRing[int](2)
	if !q.EmptyOpen() {
		t.Fatal("EmptyOpen on a new ring = false")
	}
	for round := range 3 { // wraps the ring
		q.TryEnqueue(round)
		if q.EmptyOpen() {
			t.Fatalf("round %d: EmptyOpen with a value in the ring = true", round)
		}
		q.TryDequeue()
		if !q.EmptyOpen() {
			t.Fatalf("round %d: EmptyOpen on a drained ring = false", round)
		}
	}
	q.head.Add(1) // a claim whose slot is not written yet
	if q.EmptyOpen() {
		t.Fatal("EmptyOpen with a position claimed but not written = true")
	}
	q.head.Add(^uint64(0))
	q.Close()
	if q.EmptyOpen() {
		t.Fatal("EmptyOpen on a closed, empty ring = true")
	}
}

func TestNewRingPanics(t *testing.T) {
	for _, c := range []int{0, -1, 1<<40 + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewRing(%d) did not panic", c)
				}
			}()
			NewRing[int](c)
		}()
	}
}

// TestNoFalseFull: producers contending on a ring that never holds more
// than half its capacity never see Full, nor consumers Empty while a value
// is known to be in it: xsync's MPMCQueue.TryEnqueue would return false on a
// lost CAS here. Mutant: report Full when the claim CAS fails.
func TestNoFalseFull(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		const producers, per = 4, 5000
		q := NewRing[int](2 * producers)
		var wg sync.WaitGroup
		var inFlight atomic.Int64 // values each producer has in the ring: at most 1
		for p := range producers {
			wg.Go(func() {
				for i := range per {
					inFlight.Add(1)
					if st := q.TryEnqueue(p*per + i); st != OK {
						t.Errorf("producer %d: TryEnqueue with at most %d of %d slots used: %d", p, producers, q.Cap(), st)
						return
					}
					// Wait for the consumers to take it: keeps the ring
					// at most producers deep.
					for inFlight.Load() > producers-1 {
						runtime.Gosched()
					}
				}
			})
		}
		var got atomic.Int64
		var cons sync.WaitGroup
		deadline, stop := testutil.Deadline()
		defer stop()
		for range 2 {
			cons.Go(func() {
				for got.Load() < producers*per {
					select {
					case <-deadline:
						t.Errorf("consumers timed out after %d values", got.Load())
						return
					default:
					}
					if _, st := q.TryDequeue(); st == OK {
						got.Add(1)
						inFlight.Add(-1)
					} else {
						runtime.Gosched()
					}
				}
			})
		}
		testutil.Recv(t, testutil.Go(t, wg.Wait), "producers")
		testutil.Recv(t, testutil.Go(t, cons.Wait), "consumers")
	})
}

// TestStress: producers and consumers (single and batch, exact and poll)
// on small rings: every value dequeued exactly once, per-producer FIFO, and
// Close ends it with nothing lost.
func TestStress(t *testing.T) {
	ops := 8000
	if testing.Short() {
		ops = 3000
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1, 3, 16} {
			for _, pc := range [][2]int{{1, 4}, {4, 4}, {4, 1}, {8, 8}} {
				t.Run(fmt.Sprintf("cap=%d/p=%d/c=%d", c, pc[0], pc[1]), func(t *testing.T) {
					hammer(t, c, pc[0], pc[1], ops/pc[0])
				})
			}
		}
	})
}

func hammer(t *testing.T, capacity, producers, consumers, per int) {
	q := NewRing[uint64](capacity)
	var prod sync.WaitGroup
	for p := range producers {
		prod.Go(func() {
			for i := 0; i < per; {
				switch q.TryEnqueue(uint64(p)<<32 | uint64(i)) {
				case OK:
					i++
				case Full:
					runtime.Gosched()
				default:
					t.Errorf("producer %d: Closed before the close", p)
					return
				}
			}
		})
	}
	seen := make([][]uint64, consumers) // values each consumer took, in order
	var cons sync.WaitGroup
	deadline, stop := testutil.Deadline()
	defer stop()
	for k := range consumers {
		cons.Go(func() {
			buf := make([]uint64, 1+k%4)
			for {
				select {
				case <-deadline:
					t.Errorf("consumer %d timed out", k)
					return
				default:
				}
				var n int
				var st Status
				switch k % 4 {
				case 0:
					buf[0], st = q.TryDequeue()
					n = 1
				case 1:
					buf[0], st = q.Poll()
					n = 1
				case 2:
					n, st = q.DequeueBatch(buf)
				default:
					n, st = q.PollBatch(buf)
				}
				switch st {
				case OK:
					seen[k] = append(seen[k], buf[:n]...)
				case Closed:
					return
				default:
					runtime.Gosched()
				}
			}
		})
	}
	testutil.Recv(t, testutil.Go(t, prod.Wait), "producers")
	q.Close()
	testutil.Recv(t, testutil.Go(t, cons.Wait), "consumers")
	count := make([]int, producers)
	for k := range seen {
		last := make([]int, producers)
		for p := range last {
			last[p] = -1
		}
		for _, v := range seen[k] {
			p, i := int(v>>32), int(v&(1<<32-1))
			if i <= last[p] {
				t.Fatalf("consumer %d: value %d of producer %d after %d", k, i, p, last[p])
			}
			last[p] = i
			count[p]++
		}
	}
	for p, n := range count {
		if n != per {
			t.Fatalf("producer %d: %d values dequeued, want %d", p, n, per)
		}
	}
}

// TestEmptyIsExact: TryDequeue never reports Empty after a TryEnqueue that
// returned before it started, even while the producer of a later position
// is stalled mid-write.
func TestEmptyIsExact(t *testing.T) {
	testutil.ForEachProcs(t, func(t *testing.T) {
		q := NewRing[int](64)
		var wg sync.WaitGroup
		for p := range 4 {
			wg.Go(func() {
				for i := range 2000 {
					if q.TryEnqueue(i) != OK {
						runtime.Gosched()
						continue
					}
					if _, st := q.TryDequeue(); st == Empty {
						t.Errorf("producer %d: TryDequeue reported Empty right after its own enqueue", p)
						return
					}
				}
			})
		}
		testutil.Recv(t, testutil.Go(t, wg.Wait), "workers")
	})
}

// TestNoFullOnCollision: producers on every P claim from a ring far from
// full, in tight loops, so that their claims collide often; not one
// TryEnqueue may report Full (a lost CAS must retry).
func TestNoFullOnCollision(t *testing.T) {
	const producers, per = 4, 100000
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.NumCPU())))
	for round := range 10 {
		q := NewRing[int](producers * per)
		var wg sync.WaitGroup
		var full, ready atomic.Int64
		for range producers {
			wg.Go(func() {
				// Start together, so that the claims overlap.
				for ready.Add(1); ready.Load() < producers; {
					runtime.Gosched()
				}
				for i := range per {
					if q.TryEnqueue(i) != OK {
						full.Add(1)
					}
				}
			})
		}
		testutil.Recv(t, testutil.Go(t, wg.Wait), "producers")
		if n := full.Load(); n != 0 {
			t.Fatalf("round %d: %d TryEnqueues reported Full on a ring never more than full", round, n)
		}
		if q.Len() != producers*per {
			t.Fatalf("round %d: Len = %d, want %d", round, q.Len(), producers*per)
		}
	}
}

// TestBatched: TryEnqueueBatched refuses room smaller than Batch once it
// has to read tail, and takes it once consumers freed a batch, every slot
// of it without reading tail again; TryEnqueue takes any room. A small ring
// has a batch of 1. Mutants: checkRoom ignores room (the refusal with
// batch-1 free slots fails), compares h-t >= capacity-room (a freed batch
// is refused), or stores tailSeen whatever the room (the last free slot is
// taken by a batched try).
func TestBatched(t *testing.T) {
	for _, c := range []int{1, 7, 8, 100, 1024, 5000} {
		q := NewRing[int](c)
		var ref []int // the values in q, oldest first
		enq := func(v int, batched bool, want Status) {
			t.Helper()
			f, name := q.TryEnqueue, "TryEnqueue"
			if batched {
				f, name = q.TryEnqueueBatched, "TryEnqueueBatched"
			}
			if st := f(v); st != want {
				t.Fatalf("cap %d: %s(%d) with %d free = %d, want %d", c, name, v, c-len(ref), st, want)
			}
			if want == OK {
				ref = append(ref, v)
			}
		}
		deq := func() {
			t.Helper()
			if v, st := q.TryDequeue(); st != OK || v != ref[0] {
				t.Fatalf("cap %d: TryDequeue = %d, %d, want %d", c, v, st, ref[0])
			}
			ref = ref[1:]
		}
		batch := max(1, min(c/8, 64))
		if q.Batch() != batch {
			t.Fatalf("cap %d: Batch = %d, want %d", c, q.Batch(), batch)
		}
		for i := range c {
			enq(i, true, OK)
		}
		for range batch - 1 {
			deq()
		}
		enq(-1, true, Full) // batch-1 free slots
		deq()
		for i := range batch { // a freed batch, every slot of it
			enq(c+i, true, OK)
		}
		enq(-1, true, Full)
		deq()
		if batch > 1 {
			enq(-1, true, Full) // 1 free slot
		}
		enq(-2, false, OK)
		if q.Len() != c {
			t.Fatalf("cap %d: Len = %d", c, q.Len())
		}
		// An exact try that found room short of a batch leaves tailSeen
		// alone: a batched try after it still reads tail, and refuses the
		// last free slot.
		if batch > 1 {
			deq()
			deq()
			enq(-3, false, OK)
			enq(-4, true, Full)
		}
		for len(ref) > 0 {
			deq()
		}
	}
}
