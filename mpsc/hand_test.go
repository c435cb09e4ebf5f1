package mpsc

import (
	"sync"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/mpscq"
)

// TestSendHandsToParkedRecv: a Send to a channel whose receiver is parked in
// a receive gives it the value directly (waker.WakeSource.Hand): the ring is
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
				if r.c.hasHanded {
					t.Fatal("the channel still holds the handed value")
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
		if r.c.hasHanded || len(got) != 0 {
			t.Fatalf("the Send handed its value past the stalled head (received %d values)", len(got))
		}
		q.write(1)
		r.c.wakeRecv.Wake() // the stalled send's notification
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
		if r.c.hasHanded {
			t.Fatal("a value was handed after a Close returned")
		}
		synctest.Wait()
		r.c.wakeRecv.Wake() // the first close's wake-up
		synctest.Wait()
		if err := <-errc; err != ErrClosed {
			t.Fatalf("Recv = %v, want ErrClosed", err)
		}
	})
}
