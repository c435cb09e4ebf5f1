package oneshot_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/oneshot"
)

// cancelled is a context that is already done.
var cancelled = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

type result struct {
	v   int
	err error
}

func wantResult(t *testing.T, what string, v int, err error, wantV int, wantErr error) {
	t.Helper()
	if !errors.Is(err, wantErr) || v != wantV {
		t.Fatalf("%s = (%d, %v), want (%d, %v)", what, v, err, wantV, wantErr)
	}
}

func TestSequential(t *testing.T) {
	// Each case drives one channel from one goroutine and checks every
	// result; "recv" must not block (a bounded context fails it if it does).
	type step struct {
		op   string
		v    int
		want error
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"send then recv", []step{
			{"tryrecv", 0, oneshot.ErrEmpty}, {"send", 7, nil}, {"recv", 7, nil},
			{"recv", 0, oneshot.ErrClosed}, {"tryrecv", 0, oneshot.ErrClosed},
		}},
		{"send then tryrecv", []step{{"send", 3, nil}, {"tryrecv", 3, nil}, {"tryrecv", 0, oneshot.ErrClosed}}},
		{"send twice", []step{{"send", 1, nil}, {"send", 2, oneshot.ErrAlreadySent}, {"recv", 1, nil}, {"send", 3, oneshot.ErrAlreadySent}}},
		{"sender close", []step{{"txclose", 0, nil}, {"recv", 0, oneshot.ErrClosed}, {"send", 1, oneshot.ErrClosed}, {"tryrecv", 0, oneshot.ErrClosed}}},
		{"close after send keeps the value", []step{{"send", 5, nil}, {"txclose", 0, nil}, {"recv", 5, nil}}},
		{"receiver close", []step{{"closed", 0, nil}, {"rxclose", 0, nil}, {"closed", 1, nil}, {"send", 1, oneshot.ErrClosed}, {"recv", 0, oneshot.ErrClosed}}},
		{"receiver close drops the value", []step{{"send", 9, nil}, {"rxclose", 0, nil}, {"closed", 1, nil}, {"tryrecv", 0, oneshot.ErrClosed}}},
		{"receiver close after recv", []step{{"send", 9, nil}, {"recv", 9, nil}, {"rxclose", 0, nil}, {"rxclose", 0, nil}, {"recv", 0, oneshot.ErrClosed}}},
		{"cancelled recv then send", []step{{"cancelled", 0, context.Canceled}, {"send", 4, nil}, {"cancelled", 4, nil}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tx, rx := oneshot.New[int]()
			for i, s := range tc.steps {
				var v int
				var err error
				switch s.op {
				case "send":
					err = tx.Send(s.v)
				case "txclose":
					tx.Close()
				case "rxclose":
					rx.Close()
				case "closed":
					if got := tx.Closed(); got != (s.v == 1) {
						t.Fatalf("step %d: Closed() = %v", i, got)
					}
					continue
				case "recv":
					v, err = rx.Recv(testutil.Context(t))
				case "cancelled":
					v, err = rx.Recv(cancelled)
				case "tryrecv":
					v, err = rx.TryRecv()
				}
				if s.op != "send" {
					wantResult(t, s.op, v, err, s.v, s.want)
				} else if !errors.Is(err, s.want) {
					t.Fatalf("step %d: Send = %v, want %v", i, err, s.want)
				}
				if oneshot.Waiting(rx) {
					t.Fatalf("step %d: a registration was left behind", i)
				}
			}
		})
	}
}

func TestDroppedValueIsCleared(t *testing.T) {
	x := 1
	for _, finish := range []func(*oneshot.Receiver[*int]){
		func(rx *oneshot.Receiver[*int]) { rx.Close() },
		func(rx *oneshot.Receiver[*int]) { _, _ = rx.TryRecv() },
	} {
		tx, rx := oneshot.New[*int]()
		if err := tx.Send(&x); err != nil {
			t.Fatal(err)
		}
		finish(rx)
		if oneshot.Stored(rx) != nil {
			t.Fatal("the value is still referenced by the channel")
		}
	}
	// A Send that loses against Receiver.Close drops its value too.
	tx, rx := oneshot.New[*int]()
	rx.Close()
	if err := tx.Send(&x); !errors.Is(err, oneshot.ErrClosed) || oneshot.Stored(rx) != nil {
		t.Fatalf("Send after Close = %v, value kept: %v", err, oneshot.Stored(rx) != nil)
	}
}

// recvAsync starts a Recv in a new goroutine and returns where its result
// arrives.
func recvAsync(ctx context.Context, rx *oneshot.Receiver[int]) <-chan result {
	ch := make(chan result, 1)
	go func() {
		v, err := rx.Recv(ctx)
		ch <- result{v, err}
	}()
	return ch
}

func TestRecvBlocksUntil(t *testing.T) {
	for _, tc := range []struct {
		name    string
		finish  func(tx *oneshot.Sender[int])
		v       int
		wantErr error
	}{
		{"send", func(tx *oneshot.Sender[int]) { _ = tx.Send(42) }, 42, nil},
		{"sender close", func(tx *oneshot.Sender[int]) { tx.Close() }, 0, oneshot.ErrClosed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tx, rx := oneshot.New[int]()
				got := recvAsync(testutil.Context(t), rx)
				synctest.Wait() // the receiver is durably blocked
				select {
				case r := <-got:
					t.Fatalf("Recv returned %v before the sender acted", r)
				default:
				}
				if !oneshot.Waiting(rx) {
					t.Fatal("a parked Recv is not registered")
				}
				tc.finish(tx)
				synctest.Wait()
				select {
				case r := <-got:
					wantResult(t, "Recv", r.v, r.err, tc.v, tc.wantErr)
				default:
					t.Fatal("Recv still blocked after the sender acted: its wake-up was lost")
				}
				if oneshot.Waiting(rx) {
					t.Fatal("registration left behind")
				}
			})
		})
	}
}

func TestRecvCancellationLeavesTheValue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tx, rx := oneshot.New[int]()
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		r := <-recvAsync(ctx, rx) // fake time: returns after exactly 1s
		wantResult(t, "Recv", r.v, r.err, 0, context.DeadlineExceeded)
		if d := time.Since(start); d != time.Second {
			t.Fatalf("Recv gave up after %v, want 1s", d)
		}
		if tx.Closed() {
			t.Fatal("a cancelled Recv hung up")
		}
		if !oneshot.Waiting(rx) {
			t.Fatal("a cancelled Recv withdrew its registration: the next receive must arm it again")
		}
		if err := tx.Send(5); err != nil {
			t.Fatalf("Send after a cancelled Recv: %v", err)
		}
		v, err := rx.Recv(cancelled) // a value already there beats ctx
		wantResult(t, "Recv", v, err, 5, nil)
	})
}

func TestRecvCancelRacesSend(t *testing.T) {
	// The cancellation and the Send race on purpose: whoever wins, the value
	// is received exactly once and Recv never reports ErrEmpty (which a
	// wake-up taken before the state word says the sender finished would
	// cause).
	raceRounds(t, 5000, 500, func(t *testing.T, i int, _ <-chan struct{}) {
		tx, rx := oneshot.New[int]()
		ctx, cancel := context.WithCancel(context.Background())
		got := recvAsync(ctx, rx)
		done := testutil.Go(t, func() {
			if i%2 == 0 {
				runtime.Gosched()
			}
			if err := tx.Send(i); err != nil {
				t.Errorf("Send: %v", err)
			}
		})
		cancel()
		r := testutil.Recv(t, got, "Recv")
		testutil.Recv(t, done, "Send")
		switch {
		case r.err == nil:
			wantResult(t, "Recv", r.v, r.err, i, nil)
			v, err := rx.TryRecv()
			wantResult(t, "TryRecv after Recv", v, err, 0, oneshot.ErrClosed)
		case errors.Is(r.err, context.Canceled):
			v, err := rx.TryRecv()
			wantResult(t, "TryRecv after a cancelled Recv", v, err, i, nil)
		default:
			t.Fatalf("Recv = %v", r.err)
		}
	})
}

// waitRegistered spins until a Recv on rx is registered, failing the test
// after testutil.Timeout.
func waitRegistered(t testing.TB, rx *oneshot.Receiver[int]) {
	deadline := time.Now().Add(testutil.Timeout)
	for !oneshot.Waiting(rx) {
		if time.Now().After(deadline) {
			t.Errorf("no Recv registered within %v", testutil.Timeout)
			return
		}
		runtime.Gosched()
	}
}

// TestBubbles alternates parking Recvs outside and inside synctest bubbles.
// Inside, a Recv must be durably blocked (synctest.Wait returns), so it must
// not park on a channel made outside; outside, a channel made in a bubble
// would be a fatal error, so none may be shared between channels.
func TestBubbles(t *testing.T) {
	outside := func() {
		tx, rx := oneshot.New[int]()
		done := testutil.Go(t, func() {
			waitRegistered(t, rx)
			_ = tx.Send(1)
		})
		r := testutil.Recv(t, recvAsync(testutil.Context(t), rx), "a parked Recv")
		wantResult(t, "Recv", r.v, r.err, 1, nil)
		testutil.Recv(t, done, "sender")
	}
	// synctest.Wait cannot be bounded from inside the bubble: a real-time
	// watchdog turns a hang into a failure.
	watchdog := time.AfterFunc(testutil.Timeout, func() {
		panic("synctest.Wait hung: a Recv in a bubble is not durably blocked")
	})
	defer watchdog.Stop()
	for range 3 {
		outside()
		synctest.Test(t, func(t *testing.T) {
			tx, rx := oneshot.New[int]()
			got := recvAsync(testutil.Context(t), rx)
			synctest.Wait() // hangs if the Recv is not durably blocked
			_ = tx.Send(2)
			if r := testutil.Recv(t, got, "the Recv in a bubble"); r.v != 2 || r.err != nil {
				t.Fatalf("Recv = %v", r)
			}
		})
	}
	outside()
}
