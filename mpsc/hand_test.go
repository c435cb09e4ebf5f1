package mpsc

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/mpscq"
	"github.com/diatomic-go/diatomic/internal/testutil"
)

// TestSendHandsToParkedRecv: a Send to a channel whose receiver is parked in
// a receive gives it the value directly, on the channel's hand: the queue is
// not touched, and the value is received. A receiver that is not parked gets
// its values through the queue. Bounded and unbounded, Recv and RecvBatch.
func TestSendHandsToParkedRecv(t *testing.T) {
	for _, unbounded := range []bool{false, true} {
		for _, batch := range []bool{false, true} {
			t.Run(fmt.Sprintf("unbounded=%v/batch=%v", unbounded, batch), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					testHandsToParkedRecv(t, unbounded, batch)
				})
			})
		}
	}
}

func testHandsToParkedRecv(t *testing.T, isUnbounded, batch bool) {
	q := &countingQueue{}
	c := &channel[int]{q: q}
	if isUnbounded {
		q.queue = mpscq.NewList[int]()
	} else {
		ring := mpscq.NewRing[int](4)
		q.queue, c.ring = ring, ring
	}
	s, r := newChannel(c)
	ctx := timeout(t)
	got := make(chan int, 1)
	go func() {
		if batch {
			buf := make([]int, 4)
			n, err := r.RecvBatch(ctx, buf)
			if err != nil || n != 1 {
				t.Errorf("RecvBatch = %d, %v; want 1, nil", n, err)
			}
			got <- buf[0]
			return
		}
		v, err := r.Recv(ctx)
		if err != nil {
			t.Errorf("Recv: %v", err)
		}
		got <- v
	}()
	synctest.Wait() // parked
	if err := s.Send(ctx, 7); err != nil {
		t.Fatal(err)
	}
	synctest.Wait()
	if v := <-got; v != 7 {
		t.Fatalf("received %d, want 7", v)
	}
	if n := q.enqueued.Load(); n != 0 {
		t.Fatalf("the handed value went through the queue: %d enqueues", n)
	}
	if len(r.c.hand) != 0 || r.c.waiting.Load() != recvIdle {
		t.Fatalf("after the receive: %d handoffs on hand, wait word %d; want 0, recvIdle", len(r.c.hand), r.c.waiting.Load())
	}
	// Not parked: through the queue.
	if err := s.TrySend(8); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Recv(ctx); err != nil || v != 8 {
		t.Fatalf("Recv = %d, %v; want 8", v, err)
	}
	if n := q.enqueued.Load(); n != 1 {
		t.Fatalf("%d enqueues, want the one of the value sent while nobody waited", n)
	}
}

// countingQueue is a channel's queue that counts the enqueues that
// succeed.
type countingQueue struct {
	queue[int]
	enqueued atomic.Int64
}

func (q *countingQueue) TryEnqueue(v int) mpscq.Status {
	return q.count(q.queue.TryEnqueue(v))
}

func (q *countingQueue) TryEnqueueBatched(v int) mpscq.Status {
	return q.count(q.queue.TryEnqueueBatched(v))
}

func (q *countingQueue) count(st mpscq.Status) mpscq.Status {
	if st == mpscq.OK {
		q.enqueued.Add(1)
	}
	return st
}

// stalledQueue is a queue whose head position is claimed by a send that
// has not written it yet: Poll and TryDequeue see nothing until write, and
// Len counts it, as mpscq's queues do.
type stalledQueue struct {
	mu      sync.Mutex
	stalled bool  // the head position is claimed, not written
	vals    []int // the head's value (once written) and those behind it
	closed  bool
}

func (q *stalledQueue) TryEnqueue(v int) mpscq.Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return mpscq.Closed
	}
	q.vals = append(q.vals, v)
	return mpscq.OK
}
func (q *stalledQueue) TryEnqueueBatched(v int) mpscq.Status { return q.TryEnqueue(v) }
func (q *stalledQueue) TryDequeue() (int, mpscq.Status) {
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case q.stalled:
		return 0, mpscq.Busy
	case len(q.vals) == 0 && q.closed:
		return 0, mpscq.Closed
	case len(q.vals) == 0:
		return 0, mpscq.Empty
	}
	v := q.vals[0]
	q.vals = q.vals[1:]
	return v, mpscq.OK
}
func (q *stalledQueue) Poll() (int, mpscq.Status) {
	v, st := q.TryDequeue()
	if st == mpscq.Busy {
		st = mpscq.Empty
	}
	return v, st
}
func (q *stalledQueue) DequeueBatch(buf []int) (int, mpscq.Status) {
	return batchOf(buf, q.TryDequeue)
}
func (q *stalledQueue) PollBatch(buf []int) (int, mpscq.Status) {
	return batchOf(buf, q.Poll)
}

// batchOf is a batch of at most one value, from dequeue.
func batchOf(buf []int, dequeue func() (int, mpscq.Status)) (int, mpscq.Status) {
	v, st := dequeue()
	if st != mpscq.OK {
		return 0, st
	}
	buf[0] = v
	return 1, st
}
func (q *stalledQueue) Close() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	was := q.closed
	q.closed = true
	return !was
}
func (q *stalledQueue) Closed() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.closed
}
func (q *stalledQueue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.stalled {
		return len(q.vals) + 1
	}
	return len(q.vals)
}
func (q *stalledQueue) Cap() int { return -1 }

// write finishes the stalled send: its value goes to the head.
func (q *stalledQueue) write(v int) {
	q.mu.Lock()
	q.stalled = false
	q.vals = append([]int{v}, q.vals...)
	q.mu.Unlock()
}

// TestHandDeclinedBehindStalledSend: a receive parked on a queue whose head
// is claimed but not written sees nothing, yet values may wait behind that
// head. A Send then declines the hand-off and enqueues behind them (else its
// value would jump values that completed sends left in the queue, its own
// sender's earlier ones among them), and the receive gets every value in
// queue order once the stalled send writes and wakes it.
func TestHandDeclinedBehindStalledSend(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := &stalledQueue{stalled: true, vals: []int{2}} // 2: a completed send behind the head
		s, r := newChannel(&channel[int]{q: q})
		ctx := timeout(t)
		got := make(chan int, 3)
		go func() {
			for range 3 {
				v, err := r.Recv(ctx)
				if err != nil {
					t.Errorf("Recv: %v", err)
					return
				}
				got <- v
			}
		}()
		synctest.Wait() // parked: the head is not written
		if err := s.Send(ctx, 3); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if len(got) != 0 {
			t.Fatalf("the Send handed its value past the stalled head (received %d values)", len(got))
		}
		q.write(1)
		r.c.wake() // the stalled send's wake, after its write
		synctest.Wait()
		for want := 1; want <= 3; want++ {
			if v := <-got; v != want {
				t.Fatalf("received %d, want %d", v, want)
			}
		}
	})
}

// TestHandToClosedChannel: a receive stays parked on a closed channel
// between the close's closed bit and its wake-up (a second Close meanwhile
// returns at once, seeing the bit). A Send that begins then takes the wait,
// and must report ErrClosed and hand nothing; its token wakes the receive,
// which sees the close. The first close's wake-up then finds no wait to
// take.
func TestHandToClosedChannel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := &stalledQueue{}
		s, r := newChannel(&channel[int]{q: q})
		ctx := timeout(t)
		errc := make(chan error, 1)
		go func() {
			_, err := r.Recv(ctx)
			errc <- err
		}()
		synctest.Wait() // parked
		q.Close()       // the close's bit, before its wake-up
		r.Close()       // a second Close: returns at once
		if err := s.Send(ctx, 1); err != ErrClosed {
			t.Fatalf("Send after Close returned = %v, want ErrClosed", err)
		}
		synctest.Wait()
		if err := <-errc; err != ErrClosed {
			t.Fatalf("Recv = %v, want ErrClosed", err)
		}
		r.c.wake() // the first close's wake-up
		if len(r.c.hand) != 0 || r.c.waiting.Load() != recvIdle {
			t.Fatalf("after the close's wake-up: %d handoffs on hand, wait word %d; want 0, recvIdle", len(r.c.hand), r.c.waiting.Load())
		}
	})
}

// TestCancelRacesHandOff: a parked receive whose ctx ends while a send
// comes, on its own goroutine, either returns the value (handed, or found
// by its last look) or returns ctx.Err(), and then the value is in the
// channel: received exactly once either way, with the wait word and hand
// left clean for the next wait. Which way each round goes is up to the
// scheduler (the log says how often each happened); the window in which a
// send takes the wait of a receive that saw its ctx end is driven
// deterministically by TestCancelledWaitTakesHandedValue.
func TestCancelRacesHandOff(t *testing.T) {
	s, r := New[int](4)
	var received, cancelled int
	for i := range 2000 {
		ctx, cancel := context.WithCancel(timeout(t))
		res := make(chan error, 1)
		var got int
		go func() {
			v, err := r.Recv(ctx)
			got = v
			res <- err
		}()
		waitParked(t, r)
		go cancel()
		if err := s.Send(timeout(t), i); err != nil {
			t.Fatal(err)
		}
		err := testutil.Recv(t, res, "the racing receive to return")
		switch {
		case err == nil:
			if got != i {
				t.Fatalf("round %d: Recv = %d, want %d", i, got, i)
			}
			received++
		case errors.Is(err, context.Canceled):
			if v, err := r.TryRecv(); err != nil || v != i {
				t.Fatalf("round %d: the receive was cancelled, and TryRecv = %d, %v; want %d", i, v, err, i)
			}
			cancelled++
		default:
			t.Fatalf("round %d: Recv: %v", i, err)
		}
		if v, err := r.TryRecv(); err != ErrEmpty {
			t.Fatalf("round %d: a second value %d, %v: want ErrEmpty", i, v, err)
		}
		if len(r.c.hand) != 0 || r.c.waiting.Load() != recvIdle {
			t.Fatalf("round %d: %d handoffs on hand, wait word %d; want 0, recvIdle", i, len(r.c.hand), r.c.waiting.Load())
		}
		cancel()
	}
	t.Logf("%d values received by the racing receive, %d after it was cancelled", received, cancelled)
}

// TestCancelledWaitTakesHandedValue: a parked receive whose ctx ends, and
// whose wait a send takes and hands its value to before the receive
// withdraws (the hook runs the send at that step), returns the value: the
// withdrawal's CAS fails, and the receive takes the handoff. A withdrawal
// that did not check would return ctx.Err() and leave the value on hand,
// where no receive would ever find it.
func TestCancelledWaitTakesHandedValue(t *testing.T) {
	s, r := New[int](4)
	testHook = func(p hookPoint) {
		if p == hookRecvCancelled {
			if err := s.TrySend(7); err != nil {
				t.Errorf("TrySend in the hook: %v", err)
			}
		}
	}
	defer func() { testHook = nil }()
	ctx, cancel := context.WithCancel(timeout(t))
	res := testutil.GoErr(func() error {
		v, err := r.Recv(ctx)
		if err == nil && v != 7 {
			return fmt.Errorf("Recv = %d, want 7", v)
		}
		return err
	})
	waitParked(t, r)
	cancel()
	if err := testutil.Recv(t, res, "the cancelled receive to return"); err != nil {
		t.Fatalf("Recv, its value handed while it withdrew: %v; want the value", err)
	}
	if v, err := r.TryRecv(); err != ErrEmpty {
		t.Fatalf("TryRecv after = %d, %v; want ErrEmpty", v, err)
	}
}

// waitParked returns once a receive on r has parked, and fails the test if
// none has within testutil.Timeout.
func waitParked[T any](t *testing.T, r *Receiver[T]) {
	t.Helper()
	expired, stop := testutil.Deadline()
	defer stop()
	for r.c.waiting.Load() != recvParked {
		select {
		case <-expired:
			t.Fatal("the receive did not park")
		default:
			runtime.Gosched()
		}
	}
}

// countWaker counts its wake-ups.
type countWaker struct{ n atomic.Int32 }

func (w *countWaker) Wake() { w.n.Add(1) }

// TestWaitingRecvDisarmsRegister: a receive that waits withdraws the waker
// that Register armed, so that once it returns nothing is registered: a
// later send wakes no one, although it does wake the sink.
func TestWaitingRecvDisarmsRegister(t *testing.T) {
	s, r := New[int](4)
	w := new(countWaker)
	r.Register(w)
	res := testutil.GoErr(func() error {
		_, err := r.Recv(timeout(t))
		return err
	})
	waitParked(t, r)
	if err := s.TrySend(1); err != nil {
		t.Fatal(err)
	}
	if err := testutil.Recv(t, res, "the receive to return"); err != nil {
		t.Fatalf("Recv: %v", err)
	}
	if err := s.TrySend(2); err != nil {
		t.Fatal(err)
	}
	if n := w.n.Load(); n != 0 {
		t.Fatalf("the waker registered before a receive that waited was woken %d times after it; want 0", n)
	}
}

// TestConflictInWaitLeavesNoWait: a receive whose look after announcing its
// wait finds that another receive took the position (mpscq.Conflict: a
// misuse) panics, and withdraws its wait first: a program that recovers
// finds no wait announced and no handoff owed, and the channel works on.
func TestConflictInWaitLeavesNoWait(t *testing.T) {
	q := &conflictQueue{queue: mpscq.NewRing[int](4)}
	c := &channel[int]{q: q}
	q.c = c
	s, r := newChannel(c)
	func() {
		defer func() {
			if p := recover(); p != panicConcurrentRecv {
				t.Fatalf("Recv whose look conflicted: recovered %v, want the %q panic", p, panicConcurrentRecv)
			}
		}()
		r.Recv(timeout(t))
		t.Fatal("Recv whose look conflicted returned")
	}()
	if len(c.hand) != 0 || c.waiting.Load() != recvIdle {
		t.Fatalf("after the panic: %d handoffs on hand, wait word %d; want 0, recvIdle", len(c.hand), c.waiting.Load())
	}
	for i := range 3 {
		res := testutil.GoErr(func() error {
			v, err := r.Recv(timeout(t))
			if err == nil && v != i {
				return fmt.Errorf("Recv = %d, want %d", v, i)
			}
			return err
		})
		waitParked(t, r)
		if err := s.TrySend(i); err != nil {
			t.Fatal(err)
		}
		if err := testutil.Recv(t, res, "a receive after the recovered panic"); err != nil {
			t.Fatal(err)
		}
	}
}

// conflictQueue is a ring whose Poll reports Conflict once, the first time
// it is called while the channel's receiver is looking after announcing
// its wait.
type conflictQueue struct {
	queue[int]
	c     *channel[int]
	fired bool
}

func (q *conflictQueue) Poll() (int, mpscq.Status) {
	if !q.fired && q.c.waiting.Load() == recvLooking {
		q.fired = true
		return 0, mpscq.Conflict
	}
	return q.queue.Poll()
}
