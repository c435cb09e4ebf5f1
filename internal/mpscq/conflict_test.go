package mpscq

import (
	"fmt"
	"reflect"
	"runtime"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// consumerQueue is a queue with every consumer method.
type consumerQueue[T any] interface {
	TryEnqueue(T) Status
	TryDequeue() (T, Status)
	Poll() (T, Status)
	DequeueBatch([]T) (int, Status)
	PollBatch([]T) (int, Status)
}

// raceBatch is the buffer length of the racing consumers' batches: a
// consumer that loses its CAS zeroes at most that many slots.
const raceBatch = 5

// raceOps are the consumer calls two racing consumers make: one kind each
// ("mixed": one takes single values, the other batches).
var raceOps = [][2]string{
	{"TryDequeue", "TryDequeue"},
	{"Poll", "Poll"},
	{"DequeueBatch", "DequeueBatch"},
	{"PollBatch", "PollBatch"},
	{"TryDequeue", "DequeueBatch"},
}

// dequeueBy makes one call of the named consumer method and returns what it
// moved and its status.
func dequeueBy[T any](q consumerQueue[T], op string, buf []T) ([]T, Status) {
	switch op {
	case "TryDequeue", "Poll":
		f := q.TryDequeue
		if op == "Poll" {
			f = q.Poll
		}
		v, st := f()
		if st != OK {
			return nil, st
		}
		buf[0] = v
		return buf[:1], OK
	default:
		f := q.DequeueBatch
		if op == "PollBatch" {
			f = q.PollBatch
		}
		n, st := f(buf)
		if st != OK && n != 0 {
			panic(fmt.Sprintf("%s returned %d values with status %d", op, n, st))
		}
		return buf[:n], st
	}
}

// raceRound fills q with the values of keys 1 to n (mk makes them), lets two
// consumers race, each with its method of ops, until one of them gets
// Conflict or finds the queue empty, then drains the rest alone. It returns
// the key of every value received (key of a zero value: 0) and how many
// calls reported Conflict.
func raceRound[T any](t *testing.T, q consumerQueue[T], n int, ops [2]string, mk func(uint64) T, key func(T) uint64) (got []uint64, conflicts int) {
	t.Helper()
	for i := 1; i <= n; i++ {
		if st := q.TryEnqueue(mk(uint64(i))); st != OK {
			t.Fatalf("TryEnqueue %d: status %d", i, st)
		}
	}
	var part [2][]uint64
	var conf [2]int
	// Both consumers spin until both run, so that their calls overlap.
	var ready atomic.Int32
	var conflicted atomic.Bool
	var done [2]<-chan struct{}
	for c := range 2 {
		done[c] = testutil.Go(t, func() {
			buf := make([]T, raceBatch)
			ready.Add(1)
			for ready.Load() < 2 {
				runtime.Gosched()
			}
			for calls := 0; !conflicted.Load() && calls < 4*n; calls++ {
				vs, st := dequeueBy(q, ops[c], buf)
				switch st {
				case OK:
					for _, v := range vs {
						part[c] = append(part[c], key(v))
					}
				case Conflict:
					conf[c]++
					conflicted.Store(true)
				case Busy:
					t.Errorf("%s: Busy on a queue whose values are all written", ops[c])
					return
				case Empty:
					return
				default:
					t.Errorf("%s: status %d", ops[c], st)
					return
				}
			}
		})
	}
	for c := range 2 {
		testutil.Recv(t, done[c], "a racing consumer to return")
	}
	got = append(part[0], part[1]...)
	buf := make([]T, raceBatch)
	for {
		vs, st := dequeueBy(q, ops[0], buf)
		if st != OK {
			if st != Empty {
				t.Fatalf("draining alone: %s status %d, want OK or Empty", ops[0], st)
			}
			break
		}
		for _, v := range vs {
			got = append(got, key(v))
		}
	}
	return got, conf[0] + conf[1]
}

// checkRace checks the keys received in a round of raceRound over keys 1 to
// n: none twice, and, if lossless, every one; otherwise at most raceBatch
// lost (or received as the zero value) per Conflict.
func checkRace(t *testing.T, got []uint64, n, conflicts int, lossless bool) {
	t.Helper()
	seen := make(map[uint64]bool, n)
	zeros := 0
	for _, k := range got {
		switch {
		case k == 0:
			zeros++
			continue
		case k > uint64(n):
			t.Fatalf("received key %d, never enqueued", k)
		case seen[k]:
			t.Fatalf("value %d received twice", k)
		}
		seen[k] = true
	}
	lost := n - len(seen) // including those received as zero
	if lossless && lost > 0 {
		t.Fatalf("%d values lost (%d received as zero) with %d Conflicts", lost, zeros, conflicts)
	}
	if lost > conflicts*raceBatch {
		t.Fatalf("%d values lost with %d Conflicts: more than %d per Conflict", lost, conflicts, raceBatch)
	}
}

// raceQueues returns the queues two consumers race on: a ring, a list of
// small segments, so that the race crosses segment ends, and a default list.
func raceQueues[T any](n int) map[string]func() consumerQueue[T] {
	return map[string]func() consumerQueue[T]{
		"ring":    func() consumerQueue[T] { return NewRing[T](n) },
		"list":    func() consumerQueue[T] { return NewListSize[T](4) },
		"listDef": func() consumerQueue[T] { return NewList[T]() },
	}
}

// testConsumerRace races two consumers on every queue and every pair of
// methods, at GOMAXPROCS 2 and 4, for rounds until a Conflict has been
// reported (at most maxRounds): no value is received twice, a single
// consumer drains the rest afterwards, and if lossless nothing is lost.
func testConsumerRace[T any](t *testing.T, mk func(uint64) T, key func(T) uint64, lossless bool) {
	const n, maxRounds = 1 << 14, 2000
	for _, procs := range []int{2, 4} {
		t.Run(fmt.Sprintf("procs=%d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			for name, newQ := range raceQueues[T](n) {
				for _, ops := range raceOps {
					t.Run(name+"/"+ops[0]+"-"+ops[1], func(t *testing.T) {
						expired, stop := testutil.Deadline()
						defer stop()
						total := 0
						for round := 0; total == 0; round++ {
							if round == maxRounds {
								t.Fatalf("no Conflict in %d rounds of two consumers racing on %d values", round, n)
							}
							select {
							case <-expired:
								t.Fatalf("timed out after %d rounds without a Conflict", round)
							default:
							}
							got, conflicts := raceRound(t, newQ(), n, ops, mk, key)
							checkRace(t, got, n, conflicts, lossless)
							total += conflicts
						}
					})
				}
			}
		})
	}
}

// TestConsumerRacePointerFree: two consumers at once (a misuse) on values
// without pointers: the consumers only read the slots, so this runs under
// the race detector too (test with pointers: conflict_norace_test.go).
func TestConsumerRacePointerFree(t *testing.T) {
	testConsumerRace(t, func(k uint64) uint64 { return k }, func(v uint64) uint64 { return v }, true)
}

// TestListStalePair: a head and read loaded from two consumers' moves give
// a position past the end of the head segment, which no single consumer
// sees: every consumer method reports Conflict without dequeuing, and the
// list works on once the pair is consistent again.
func TestListStalePair(t *testing.T) {
	q := NewListSize[uint64](4)
	for i := range uint64(12) {
		q.TryEnqueue(i)
	}
	for i := range uint64(5) { // head: the second segment, positions 4 to 7
		if v, st := q.TryDequeue(); st != OK || v != i {
			t.Fatalf("TryDequeue = %d, %d, want %d, OK", v, st, i)
		}
	}
	q.read.Store(9) // as if another consumer had read on into the third segment
	for _, op := range []string{"TryDequeue", "Poll", "DequeueBatch", "PollBatch"} {
		if vs, st := dequeueBy[uint64](q, op, make([]uint64, 4)); st != Conflict {
			t.Fatalf("%s on a stale pair = %v, %d, want Conflict", op, vs, st)
		}
	}
	if q.read.Load() != 9 || q.head.Load().no != 2 {
		t.Fatalf("a Conflict moved read to %d, head to segment %d", q.read.Load(), q.head.Load().no)
	}
	q.read.Store(5)
	buf := make([]uint64, 8)
	if n, st := q.DequeueBatch(buf); st != OK || n != 7 || buf[0] != 5 || buf[6] != 11 {
		t.Fatalf("DequeueBatch after the stale pair = %d %v, %d, want 7 [5 ... 11]", n, buf[:n], st)
	}
	// The batch read the third segment out and went on to the fourth,
	// linked by the third's first claim, and found nothing there.
	if q.head.Load().no != 4 || q.Len() != 0 {
		t.Fatalf("after the batch: head segment %d, Len %d, want 4, 0", q.head.Load().no, q.Len())
	}
}

func TestHasPointers(t *testing.T) {
	type flat struct {
		A int
		B [3]float64
		C struct{ D uint8 }
	}
	type deep struct {
		A int
		B [2]struct{ S string }
	}
	for _, c := range []struct {
		v    any
		want bool
	}{
		{0, false}, {uint64(0), false}, {uintptr(0), false}, {complex64(0), false}, {false, false},
		{flat{}, false}, {[4]int{}, false}, {[0]*int{}, false}, {struct{}{}, false},
		{"", true}, {new(int), true}, {[]int(nil), true}, {map[int]int(nil), true},
		{(chan int)(nil), true}, {func() {}, true}, {unsafe.Pointer(nil), true},
		{deep{}, true}, {[1]any{}, true},
	} {
		if got := hasPointers(reflect.TypeOf(c.v)); got != c.want {
			t.Errorf("hasPointers(%T) = %v, want %v", c.v, got, c.want)
		}
	}
	if !hasPointers(reflect.TypeFor[any]()) || !hasPointers(reflect.TypeFor[error]()) {
		t.Error("hasPointers(interface) = false")
	}
	if NewRing[int](1).pointers || !NewRing[*int](1).pointers || NewList[flat]().pointers || !NewList[string]().pointers {
		t.Error("a queue's pointers flag does not follow its type")
	}
}

// TestZeroing: a dequeued slot is zeroed for a T that holds pointers (the
// garbage collector must not find the value there), and left as it is
// otherwise (nothing for the collector, and nothing a racing consumer could
// lose).
func TestZeroing(t *testing.T) {
	v := 7
	rp := NewRing[*int](4)
	rp.TryEnqueue(&v)
	rp.TryEnqueue(&v)
	rp.TryDequeue()
	rp.DequeueBatch(make([]*int, 4))
	lp := NewListSize[*int](4)
	lp.TryEnqueue(&v)
	lp.TryEnqueue(&v)
	seg := lp.head.Load()
	lp.TryDequeue()
	lp.DequeueBatch(make([]*int, 4))
	if rp.slots[0].val != nil || rp.slots[1].val != nil || seg.slots[0].val != nil || seg.slots[1].val != nil {
		t.Error("a dequeued pointer is still in its slot")
	}
	ri := NewRing[int](4)
	ri.TryEnqueue(7)
	ri.TryEnqueue(8)
	ri.TryDequeue()
	ri.DequeueBatch(make([]int, 4))
	li := NewListSize[int](4)
	li.TryEnqueue(7)
	li.TryEnqueue(8)
	segi := li.head.Load()
	li.TryDequeue()
	li.DequeueBatch(make([]int, 4))
	if ri.slots[0].val != 7 || ri.slots[1].val != 8 || segi.slots[0].val != 7 || segi.slots[1].val != 8 {
		t.Error("a pointer-free slot was zeroed")
	}
}
