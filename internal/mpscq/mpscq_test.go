package mpscq

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/puzpuzpuz/xsync/v4"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// queue is what Ring and List have in common.
type queue[T any] interface {
	TryEnqueue(T) Status
	TryDequeue() (T, Status)
	DequeueBatch([]T) (int, Status)
	Close() bool
	Closed() bool
	Len() int
}

// queues returns one constructor per queue flavour under test, each making a
// queue that holds at least capacity values. The small list segments make
// every test cross segment boundaries and recycle arrays.
func queues() map[string]func(capacity int) queue[uint64] {
	return map[string]func(int) queue[uint64]{
		"ring":    func(c int) queue[uint64] { return NewRing[uint64](c) },
		"list":    func(int) queue[uint64] { return NewListSize[uint64](4) },
		"list1":   func(int) queue[uint64] { return NewListSize[uint64](1) },
		"listDef": func(int) queue[uint64] { return NewList[uint64]() },
	}
}

func forEachQueue(t *testing.T, f func(t *testing.T, newQ func(int) queue[uint64])) {
	for name, newQ := range queues() {
		t.Run(name, func(t *testing.T) { f(t, newQ) })
	}
}

func TestSequential(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQ func(int) queue[uint64]) {
		q := newQ(5)
		if _, st := q.TryDequeue(); st != Empty {
			t.Fatalf("TryDequeue on a new queue: status %d, want Empty", st)
		}
		for round := range 4 { // wraps the ring and walks list segments
			for i := range 5 {
				if st := q.TryEnqueue(uint64(round*10 + i)); st != OK {
					t.Fatalf("round %d: TryEnqueue %d: status %d", round, i, st)
				}
			}
			if n := q.Len(); n != 5 {
				t.Fatalf("Len = %d, want 5", n)
			}
			for i := range 5 {
				v, st := q.TryDequeue()
				if st != OK || v != uint64(round*10+i) {
					t.Fatalf("round %d: TryDequeue = %d, %d; want %d, OK", round, v, st, round*10+i)
				}
			}
			if _, st := q.TryDequeue(); st != Empty {
				t.Fatalf("drained: status %d, want Empty", st)
			}
		}
	})
}

func TestRingFullAtExactCapacity(t *testing.T) {
	for _, c := range []int{1, 2, 3, 5, 8, 100} {
		q := NewRing[int](c)
		if q.Cap() != c {
			t.Fatalf("Cap = %d, want %d", q.Cap(), c)
		}
		for i := range c {
			if st := q.TryEnqueue(i); st != OK {
				t.Fatalf("cap %d: TryEnqueue %d: %d", c, i, st)
			}
		}
		if q.HasRoom() {
			t.Fatalf("cap %d: HasRoom on a full ring", c)
		}
		if st := q.TryEnqueue(-1); st != Full {
			t.Fatalf("cap %d: TryEnqueue on full ring: %d, want Full", c, st)
		}
		if v, st := q.TryDequeue(); st != OK || v != 0 {
			t.Fatalf("cap %d: TryDequeue = %d, %d", c, v, st)
		}
		if st := q.TryEnqueue(c); st != OK {
			t.Fatalf("cap %d: TryEnqueue after a dequeue: %d", c, st)
		}
	}
}

// TestRingBatched: TryEnqueueBatched refuses room smaller than the batch
// once it has to read tail, and takes it once the consumer freed a batch;
// TryEnqueue takes any room. A small ring has a batch of 1.
func TestRingBatched(t *testing.T) {
	for _, c := range []int{1, 7, 8, 100, 1024, 5000} {
		q := NewRing[int](c)
		batch := max(1, min(c/8, 64))
		for i := range c {
			if st := q.TryEnqueueBatched(i); st != OK {
				t.Fatalf("cap %d: TryEnqueueBatched %d on a ring with room: %d", c, i, st)
			}
		}
		// Free batch-1 slots: not enough for TryEnqueueBatched.
		for i := range batch - 1 {
			if v, st := q.TryDequeue(); st != OK || v != i {
				t.Fatalf("cap %d: TryDequeue = %d, %d", c, v, st)
			}
		}
		if st := q.TryEnqueueBatched(-1); st != Full {
			t.Fatalf("cap %d: TryEnqueueBatched with %d free slots (batch %d) = %d, want Full", c, batch-1, batch, st)
		}
		// One more makes a batch; every freed slot is then taken without
		// reading tail again.
		if _, st := q.TryDequeue(); st != OK {
			t.Fatalf("cap %d: TryDequeue: %d", c, st)
		}
		for i := range batch {
			if st := q.TryEnqueueBatched(c + i); st != OK {
				t.Fatalf("cap %d: TryEnqueueBatched %d of a freed batch of %d: %d", c, i, batch, st)
			}
		}
		if st := q.TryEnqueueBatched(-1); st != Full {
			t.Fatalf("cap %d: TryEnqueueBatched on a full ring = %d, want Full", c, st)
		}
		// TryEnqueue takes a single free slot.
		if _, st := q.TryDequeue(); st != OK {
			t.Fatalf("cap %d: TryDequeue: %d", c, st)
		}
		if batch > 1 {
			if st := q.TryEnqueueBatched(-1); st != Full {
				t.Fatalf("cap %d: TryEnqueueBatched with 1 free slot = %d, want Full", c, st)
			}
		}
		if st := q.TryEnqueue(-2); st != OK {
			t.Fatalf("cap %d: TryEnqueue with 1 free slot = %d, want OK", c, st)
		}
		if q.Len() != c {
			t.Fatalf("cap %d: Len = %d", c, q.Len())
		}
	}
}

func TestNewRingPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("NewRing(0) did not panic")
		}
	}()
	NewRing[int](0)
}

func TestCloseDrains(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQ func(int) queue[uint64]) {
		q := newQ(8)
		for i := range 6 {
			q.TryEnqueue(uint64(i))
		}
		if !q.Close() {
			t.Fatal("first Close reported false")
		}
		if q.Close() {
			t.Fatal("second Close reported true")
		}
		if !q.Closed() {
			t.Fatal("Closed = false after Close")
		}
		if st := q.TryEnqueue(99); st != Closed {
			t.Fatalf("TryEnqueue after Close: %d, want Closed", st)
		}
		buf := make([]uint64, 4)
		if n, st := q.DequeueBatch(buf); n != 4 || st != OK || buf[0] != 0 || buf[3] != 3 {
			t.Fatalf("DequeueBatch = %d, %d, %v", n, st, buf)
		}
		for i := 4; i < 6; i++ {
			if v, st := q.TryDequeue(); st != OK || v != uint64(i) {
				t.Fatalf("TryDequeue = %d, %d; want %d", v, st, i)
			}
		}
		for range 2 {
			if _, st := q.TryDequeue(); st != Closed {
				t.Fatalf("drained closed queue: %d, want Closed", st)
			}
			if n, st := q.DequeueBatch(buf); n != 0 || st != Closed {
				t.Fatalf("DequeueBatch on drained closed queue: %d, %d", n, st)
			}
		}
	})
}

// TestCloseAtSegmentEnd closes a list whose last segment is exactly full, so
// Close links the sentinel, one whose next segment is already linked, and
// ones frozen short of full; sends after the close do not count.
func TestCloseAtSegmentEnd(t *testing.T) {
	for _, n := range []int{0, 3, 4, 5, 8} {
		q := NewListSize[int](4)
		for i := range n {
			q.TryEnqueue(i)
		}
		q.Close()
		// Each add after the close bumps the claim count past the frozen
		// count, and past the segment's size: none may count.
		for range 10 {
			if st := q.TryEnqueue(-1); st != Closed {
				t.Fatalf("n=%d: TryEnqueue after Close: %d", n, st)
			}
		}
		if q.Len() != n {
			t.Fatalf("n=%d: Len = %d", n, q.Len())
		}
		for i := range n {
			if v, st := q.TryDequeue(); st != OK || v != i {
				t.Fatalf("n=%d: TryDequeue = %d, %d", n, v, st)
			}
		}
		if _, st := q.TryDequeue(); st != Closed {
			t.Fatalf("n=%d: drained: %d, want Closed", n, st)
		}
	}
}

// The first claim of a segment links the next one, so a linked next segment
// does not mean that the consumer's segment is full: the consumer must stay
// on its segment until it has read every slot of it.
func TestEagerLink(t *testing.T) {
	q := NewListSize[int](4)
	q.TryEnqueue(1)
	if q.head.Load().next.Load() == nil {
		t.Fatal("the first claim of a segment did not link the next one")
	}
	if v, st := q.TryDequeue(); st != OK || v != 1 {
		t.Fatalf("TryDequeue = %d, %d", v, st)
	}
	if _, st := q.TryDequeue(); st != Empty {
		t.Fatalf("TryDequeue after the only value: %d, want Empty", st)
	}
	if n, st := q.DequeueBatch(make([]int, 4)); n != 0 || st != Empty {
		t.Fatalf("DequeueBatch after the only value: %d, %d, want Empty", n, st)
	}
	for i := 2; i <= 6; i++ { // slots 1 to 3, then the linked segment
		q.TryEnqueue(i)
	}
	buf := make([]int, 8)
	if n, st := q.DequeueBatch(buf); st != OK || n != 5 || buf[0] != 2 || buf[4] != 6 {
		t.Fatalf("DequeueBatch = %d %v, %d, want 5 [2 3 4 5 6]", n, buf[:n], st)
	}
}

// Poll reports Empty for a claimed slot not yet written, without reading
// the claim word, until Close sets closed; then it tells Busy and Closed
// apart as TryDequeue does.
func TestPoll(t *testing.T) {
	type pollQueue interface {
		queue[int]
		Poll() (int, Status)
		PollBatch([]int) (int, Status)
	}
	for _, c := range []struct {
		name  string
		new   func() pollQueue
		claim func(pollQueue) // a claim without its write
	}{
		{"ring", func() pollQueue { return NewRing[int](4) }, func(q pollQueue) { q.(*Ring[int]).head.Add(1) }},
		{"list", func() pollQueue { return NewListSize[int](4) }, func(q pollQueue) { q.(*List[int]).tail.Load().enq.Add(1) }},
	} {
		q := c.new()
		if _, st := q.Poll(); st != Empty {
			t.Fatalf("%s, empty: Poll = %d, want Empty", c.name, st)
		}
		c.claim(q)
		if _, st := q.Poll(); st != Empty {
			t.Fatalf("%s, pending claim: Poll = %d, want Empty", c.name, st)
		}
		if n, st := q.PollBatch(make([]int, 2)); n != 0 || st != Empty {
			t.Fatalf("%s, pending claim: PollBatch = %d, %d, want Empty", c.name, n, st)
		}
		q.Close()
		if _, st := q.Poll(); st != Busy {
			t.Fatalf("%s, closed, pending claim: Poll = %d, want Busy", c.name, st)
		}
		q = c.new()
		q.TryEnqueue(7)
		q.Close()
		if v, st := q.Poll(); st != OK || v != 7 {
			t.Fatalf("%s, closed: Poll = %d, %d, want 7", c.name, v, st)
		}
		if n, st := q.PollBatch(make([]int, 2)); n != 0 || st != Closed {
			t.Fatalf("%s, closed and drained: PollBatch = %d, %d, want Closed", c.name, n, st)
		}
	}
}

func TestBusy(t *testing.T) {
	// A claim without its write, made by hand, is what the consumer sees
	// while a producer is between its CAS and its seq.Store.
	r := NewRing[int](4)
	r.head.Add(1)
	if _, st := r.TryDequeue(); st != Busy {
		t.Fatalf("ring: %d, want Busy", st)
	}
	r.Close()
	if _, st := r.TryDequeue(); st != Busy {
		t.Fatalf("closed ring with a pending claim: %d, want Busy", st)
	}
	l := NewListSize[int](4)
	l.tail.Load().enq.Add(1)
	if n, st := l.DequeueBatch(make([]int, 2)); n != 0 || st != Busy {
		t.Fatalf("list: %d, %d, want Busy", n, st)
	}
}

func TestBatchAcrossWrap(t *testing.T) {
	forEachQueue(t, func(t *testing.T, newQ func(int) queue[uint64]) {
		q := newQ(6)
		next, want := uint64(0), uint64(0)
		buf := make([]uint64, 5)
		for range 50 {
			for q.Len() < 6 {
				if st := q.TryEnqueue(next); st != OK {
					t.Fatalf("TryEnqueue: %d", st)
				}
				next++
			}
			n, st := q.DequeueBatch(buf)
			if st != OK || n == 0 {
				t.Fatalf("DequeueBatch: %d, %d", n, st)
			}
			for _, v := range buf[:n] {
				if v != want {
					t.Fatalf("got %d, want %d", v, want)
				}
				want++
			}
		}
	})
}

func TestListRecyclesArrays(t *testing.T) {
	q := NewListSize[*int](4)
	x := 1
	for range 10 {
		for range 8 {
			q.TryEnqueue(&x)
		}
		for range 8 {
			if v, st := q.TryDequeue(); st != OK || v != &x {
				t.Fatalf("TryDequeue = %p, %d", v, st)
			}
		}
	}
	// Every slot of every array handed back must be zero, or the pool would
	// keep values alive.
	for {
		a, ok := q.arrays.Get().(*[]slot[*int])
		if !ok {
			break
		}
		for i := range *a {
			if (*a)[i].val != nil {
				t.Fatalf("recycled slot %d still holds a value", i)
			}
		}
	}
}

func TestAllocs(t *testing.T) {
	r := NewRing[int](64)
	if n := testing.AllocsPerRun(1000, func() {
		r.TryEnqueue(1)
		r.TryDequeue()
	}); n != 0 {
		t.Errorf("ring: %v allocs per enqueue+dequeue, want 0", n)
	}
	// The list allocates one segment header per segment (and an array only
	// when the pool has none).
	l := NewListSize[int](64)
	const runs = 64 * 100
	if n := testing.AllocsPerRun(runs, func() {
		l.TryEnqueue(1)
		l.TryDequeue()
	}); n*runs > 2*runs/64+2 {
		t.Errorf("list: %v allocs per enqueue+dequeue, want at most 2 per segment", n)
	}
}

// hammer runs producers goroutines, each enqueueing ops values tagged with
// its id, against one consumer, and checks conservation and per-producer
// FIFO. With closeAt > 0, a goroutine closes the queue once the consumer has
// seen closeAt values, and the check becomes: exactly the values whose
// enqueue reported OK come out, in order, and then Closed.
func hammer(t *testing.T, q queue[uint64], producers, ops, closeAt int) {
	t.Helper()
	expired, stop := testutil.Deadline()
	defer stop()
	sent := make([]uint64, producers) // values enqueued by each producer
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ops {
				for {
					st := q.TryEnqueue(uint64(p)<<32 | uint64(i))
					if st == OK {
						sent[p]++
						break
					}
					if st == Closed {
						return
					}
					select { // Full: let the consumer run
					case <-expired:
						return
					default:
						runtime.Gosched()
					}
				}
			}
		}()
	}
	next := make([]uint64, producers)
	got, total := 0, producers*ops
	var closed <-chan struct{}
	buf := make([]uint64, 7)
	for closeAt > 0 || got < total {
		if closeAt > 0 && got >= closeAt && closed == nil {
			closed = testutil.Go(t, func() { q.Close() })
		}
		var n int
		var st Status
		if got%3 == 0 {
			n, st = q.DequeueBatch(buf)
		} else {
			buf[0], st = q.TryDequeue()
			if st == OK {
				n = 1
			}
		}
		for _, v := range buf[:n] {
			p, i := v>>32, v&(1<<32-1)
			if i != next[p] {
				t.Fatalf("producer %d: got value %d, want %d", p, i, next[p])
			}
			next[p]++
		}
		got += n
		if st == Closed {
			break
		}
		if n == 0 {
			select {
			case <-expired:
				t.Fatalf("timed out: got %d of %d values", got, total)
			default:
				runtime.Gosched()
			}
		}
	}
	producersDone := make(chan struct{})
	go func() { wg.Wait(); close(producersDone) }()
	testutil.Recv(t, producersDone, "the producers' TryEnqueue calls to return")
	if closed != nil {
		testutil.Recv(t, closed, "Close")
	}
	for p := range producers {
		if next[p] != sent[p] {
			t.Fatalf("producer %d: enqueued %d values, %d came out", p, sent[p], next[p])
		}
		if closeAt == 0 && sent[p] != uint64(ops) {
			t.Fatalf("producer %d: enqueued %d of %d", p, sent[p], ops)
		}
	}
	if _, st := q.TryDequeue(); closeAt > 0 && st != Closed || closeAt == 0 && st != Empty {
		t.Fatalf("after the run: status %d", st)
	}
}

func TestStress(t *testing.T) {
	ops := 20000
	if testing.Short() {
		ops = 2000
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for name, newQ := range queues() {
			for _, producers := range []int{1, 4, 16, 64} {
				for _, closing := range []bool{false, true} {
					t.Run(fmt.Sprintf("%s/producers=%d/close=%v", name, producers, closing), func(t *testing.T) {
						n := max(ops/producers, 50)
						closeAt := 0
						if closing {
							closeAt = n * producers / 2
						}
						hammer(t, newQ(64), producers, n, closeAt)
					})
				}
			}
		}
	})
}

// TestCloseRace repeats the race between the close and the last few
// enqueues many times: conservation must hold whichever side wins.
func TestCloseRace(t *testing.T) {
	rounds := 300
	if testing.Short() {
		rounds = 50
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for name, newQ := range queues() {
			t.Run(name, func(t *testing.T) {
				for range rounds {
					hammer(t, newQ(4), 3, 20, 1)
				}
			})
		}
	})
}

// BenchmarkFill: 4 producers on all Ps fill a queue while the consumer
// waits, then it drains what they sent (not timed); ns/op is per value. It
// measures the producers' side alone, where colliding producers contend:
// the list against xsync's UMPSCQueue filled the same way, and the ring (as
// large as the fill, so that it never fills up).
func BenchmarkFill(b *testing.B) {
	const producers, chunk = 4, 1 << 16
	fill := func(b *testing.B, enqueue func(int), drain func()) {
		for i := 0; i < b.N; i += chunk {
			var wg sync.WaitGroup
			for range producers {
				wg.Go(func() {
					for j := range chunk / producers {
						enqueue(j)
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			drain()
			b.StartTimer()
		}
	}
	b.Run("impl=list", func(b *testing.B) {
		q := NewList[int]()
		fill(b, func(v int) { q.TryEnqueue(v) }, func() {
			for range chunk {
				q.TryDequeue()
			}
		})
	})
	b.Run("impl=xsync", func(b *testing.B) {
		q := xsync.NewUMPSCQueue[int]()
		fill(b, q.Enqueue, func() {
			for range chunk {
				q.Dequeue()
			}
		})
	})
	b.Run("impl=ring", func(b *testing.B) {
		q := NewRing[int](chunk)
		buf := make([]int, 256)
		fill(b, func(v int) { q.TryEnqueue(v) }, func() {
			for n := 0; n < chunk; {
				k, _ := q.DequeueBatch(buf)
				n += k
			}
		})
	})
}

// BenchmarkSolo: one goroutine enqueues and dequeues in turn: what the
// queue's own instructions cost per value, with every line in its cache.
func BenchmarkSolo(b *testing.B) {
	b.Run("impl=ring", func(b *testing.B) {
		q := NewRing[int](1024)
		for i := range b.N {
			q.TryEnqueue(i)
			q.TryDequeue()
		}
	})
	b.Run("impl=list", func(b *testing.B) {
		q := NewList[int]()
		for i := range b.N {
			q.TryEnqueue(i)
			q.TryDequeue()
		}
	})
	b.Run("impl=chan", func(b *testing.B) {
		c := make(chan int, 1024)
		for i := range b.N {
			c <- i
			<-c
		}
	})
}

// BenchmarkEnqueue: one producer, nobody consuming, every line in its cache
// (the queue is drained, not timed, after each 1024 values): what a send
// costs at best. "locked" is the two locked instructions of a ring enqueue
// alone, a CAS and an atomic store (an XCHG on amd64), on one word.
func BenchmarkEnqueue(b *testing.B) {
	const chunk = 1024
	run := func(b *testing.B, enqueue func(int) Status, dequeue func() Status) {
		for i := 0; i < b.N; i += chunk {
			for j := range min(chunk, b.N-i) {
				if st := enqueue(j); st != OK {
					b.Fatalf("enqueue: %v", st)
				}
			}
			b.StopTimer()
			for dequeue() == OK {
			}
			b.StartTimer()
		}
	}
	b.Run("impl=ring", func(b *testing.B) {
		q := NewRing[int](chunk)
		run(b, q.TryEnqueue, func() Status { _, st := q.TryDequeue(); return st })
	})
	b.Run("impl=list", func(b *testing.B) {
		q := NewList[int]()
		run(b, q.TryEnqueue, func() Status { _, st := q.TryDequeue(); return st })
	})
	b.Run("impl=locked", func(b *testing.B) {
		var w atomic.Uint64
		for i := range uint64(b.N) {
			w.CompareAndSwap(i, i+1)
			w.Store(i + 1)
		}
	})
}

// BenchmarkDequeue: one consumer drains a queue that holds 1024 values (the
// queue is refilled, not timed, after each 1024): what a receive costs at
// best, by one TryDequeue per value or by batches of 64.
func BenchmarkDequeue(b *testing.B) {
	const chunk = 1024
	run := func(b *testing.B, enqueue func(int) Status, dequeue func() int) {
		for i := 0; i < b.N; i += chunk {
			m := min(chunk, b.N-i)
			b.StopTimer()
			for j := range m {
				if st := enqueue(j); st != OK {
					b.Fatalf("enqueue: %v", st)
				}
			}
			b.StartTimer()
			for n := 0; n < m; {
				k := dequeue()
				if k == 0 {
					b.Fatal("dequeue found nothing")
				}
				n += k
			}
		}
	}
	buf := make([]int, 64)
	b.Run("impl=ring", func(b *testing.B) {
		q := NewRing[int](chunk)
		run(b, q.TryEnqueue, func() int { return one(q.TryDequeue()) })
	})
	b.Run("impl=list", func(b *testing.B) {
		q := NewList[int]()
		run(b, q.TryEnqueue, func() int { return one(q.TryDequeue()) })
	})
	b.Run("impl=ringBatch", func(b *testing.B) {
		q := NewRing[int](chunk)
		run(b, q.TryEnqueue, func() int { n, _ := q.DequeueBatch(buf); return n })
	})
	b.Run("impl=listBatch", func(b *testing.B) {
		q := NewList[int]()
		run(b, q.TryEnqueue, func() int { n, _ := q.DequeueBatch(buf); return n })
	})
}

// one returns how many values a TryDequeue with status st returned.
func one[T any](_ T, st Status) int {
	if st == OK {
		return 1
	}
	return 0
}
