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
// a receive gives it the value directly, on the channel's hand: the ring is
// not touched, and the value is received. A receiver that is not parked gets
// its values through the ring.
func TestSendHandsToParkedRecv(t *testing.T) {
	for _, batch := range []bool{false, true} {
		name := "Recv"
		if batch {
			name = "RecvBatch"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, r := New[int](4)
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
				if n := r.c.ring.Released(); n != 0 {
					t.Fatalf("the handed value went through the ring: %d positions released", n)
				}
				if len(r.c.hand) != 0 || r.c.waiting.Load() != recvIdle {
					t.Fatalf("after the receive: %d handoffs on hand, wait word %d; want 0, recvIdle", len(r.c.hand), r.c.waiting.Load())
				}
				// Not parked: through the ring.
				if err := s.TrySend(8); err != nil {
					t.Fatal(err)
				}
				if v, err := r.Recv(ctx); err != nil || v != 8 {
					t.Fatalf("Recv = %d, %v; want 8", v, err)
				}
				if n := r.c.ring.Released(); n != 1 {
					t.Fatalf("%d positions released, want the one of the value sent while nobody waited", n)
				}
			})
		})
	}
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
	v, st := q.TryDequeue()
	buf[0] = v
	return 1, st
}
func (q *stalledQueue) PollBatch(buf []int) (int, mpscq.Status) {
	v, st := q.Poll()
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
// returns at once, seeing the bit). A Send that begins then must report
// ErrClosed and hand nothing, and the receive, woken by the close, sees it.
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
		r.c.wake() // the first close's wake-up
		synctest.Wait()
		if err := <-errc; err != ErrClosed {
			t.Fatalf("Recv = %v, want ErrClosed", err)
		}
	})
}

// TestCancelRacesHandOff: a receive whose ctx ends while a send takes its
// parked wait and hands it the value returns that value; one that withdrew
// first returns ctx.Err(), and the value is then in the channel. Either way
// the value is received exactly once, and the wait word and hand are left
// clean for the next wait.
func TestCancelRacesHandOff(t *testing.T) {
	s, r := New[int](4)
	var handed, cancelled int
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
			handed++
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
	t.Logf("%d values received by the racing receive, %d after it was cancelled", handed, cancelled)
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
