package oneshot_test

import (
	"context"
	"errors"
	"testing"

	"github.com/diatomic-go/diatomic/oneshot"
)

// Sinks make every channel escape to the heap, as it does when it is handed
// to another goroutine in real use.
var (
	chanSink    chan int
	oneshotSink *oneshot.Receiver[int]
)

// BenchmarkSameGoroutine: create a channel, send one value, receive it, all
// in one goroutine. Baseline: make(chan int, 1).
func BenchmarkSameGoroutine(b *testing.B) {
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			ch := make(chan int, 1)
			chanSink = ch
			ch <- i
			if <-ch != i {
				b.Fatal("wrong value")
			}
		}
	})
	b.Run("impl=oneshot", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		for i := 0; b.Loop(); i++ {
			tx, rx := oneshot.New[int]()
			oneshotSink = rx
			_ = tx.Send(i)
			if v, _ := rx.Recv(ctx); v != i {
				b.Fatal("wrong value")
			}
		}
	})
}

// batch is how many channels cross to the sending goroutine at once in
// BenchmarkTwoGoroutines, so that handing them over costs little per channel.
const batch = 64

// BenchmarkTwoGoroutines: one goroutine creates channels and receives from
// them, another sends on them. The receiver parks whenever it overtakes the
// sender. Baseline: make(chan int, 1). ns/op is per channel.
func BenchmarkTwoGoroutines(b *testing.B) {
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		work := make(chan []chan int)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for chs := range work {
				for i, ch := range chs {
					ch <- i
				}
			}
		}()
		chs := make([]chan int, batch)
		for n := 0; n < b.N; n += batch {
			for i := range chs {
				chs[i] = make(chan int, 1)
			}
			work <- chs
			for i, ch := range chs {
				if <-ch != i {
					b.Fatal("wrong value")
				}
			}
		}
		close(work)
		<-done
	})
	b.Run("impl=oneshot", func(b *testing.B) {
		b.ReportAllocs()
		ctx := context.Background()
		work := make(chan []*oneshot.Sender[int])
		done := make(chan struct{})
		go func() {
			defer close(done)
			for txs := range work {
				for i, tx := range txs {
					_ = tx.Send(i)
				}
			}
		}()
		txs := make([]*oneshot.Sender[int], batch)
		rxs := make([]*oneshot.Receiver[int], batch)
		for n := 0; n < b.N; n += batch {
			for i := range txs {
				txs[i], rxs[i] = oneshot.New[int]()
			}
			work <- txs
			for i, rx := range rxs {
				if v, _ := rx.Recv(ctx); v != i {
					b.Fatal("wrong value")
				}
			}
		}
		close(work)
		<-done
	})
}

// selectRecv is the select loop of a receiver that also waits for ctx:
// TryRecv, and on ErrEmpty a select on Ready and ctx.Done().
func selectRecv(ctx context.Context, rx *oneshot.Receiver[int]) (int, error) {
	for {
		v, err := rx.TryRecv()
		if !errors.Is(err, oneshot.ErrEmpty) {
			return v, err
		}
		select {
		case <-rx.Ready():
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// round is what the answering side of BenchmarkPingPong needs for one round
// trip: where the ping arrives and where the pong goes.
type round struct {
	ping *oneshot.Receiver[int]
	pong *oneshot.Sender[int]
}

// BenchmarkPingPong: two goroutines take turns, each waiting for the
// other's message, so every receive waits. ns/op is per round trip.
// Baseline: two unbuffered chans, each side selecting on the chan and
// ctx.Done(). impl=ready: each side selects on Ready and ctx.Done(), a new
// pair of oneshots per round trip (made in batches that cross to the other
// side once per batch rounds). impl=recv: the same with Recv(ctx).
func BenchmarkPingPong(b *testing.B) {
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		ctx, cancel := context.WithCancel(context.Background())
		ping, pong := make(chan int), make(chan int)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				select {
				case v := <-ping:
					select {
					case pong <- v:
					case <-ctx.Done():
						return
					}
				case <-ctx.Done():
					return
				}
			}
		}()
		for i := 0; b.Loop(); i++ {
			select {
			case ping <- i:
			case <-ctx.Done():
			}
			select {
			case v := <-pong:
				if v != i {
					b.Fatal("wrong value")
				}
			case <-ctx.Done():
			}
		}
		cancel()
		<-done
	})
	for _, impl := range []struct {
		name string
		recv func(context.Context, *oneshot.Receiver[int]) (int, error)
	}{
		{"ready", selectRecv},
		{"recv", func(ctx context.Context, rx *oneshot.Receiver[int]) (int, error) { return rx.Recv(ctx) }},
	} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			b.ReportAllocs()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			rounds := make(chan []round)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for rs := range rounds {
					for _, r := range rs {
						v, err := impl.recv(ctx, r.ping)
						if err != nil {
							return
						}
						_ = r.pong.Send(v)
					}
				}
			}()
			pings := make([]*oneshot.Sender[int], batch)
			pongs := make([]*oneshot.Receiver[int], batch)
			for n := 0; n < b.N; n += batch {
				rs := make([]round, batch)
				for k := range rs {
					pings[k], rs[k].ping = oneshot.New[int]()
					rs[k].pong, pongs[k] = oneshot.New[int]()
				}
				rounds <- rs
				for k := range rs {
					_ = pings[k].Send(n + k)
					if v, err := impl.recv(ctx, pongs[k]); v != n+k || err != nil {
						b.Fatalf("pong = (%d, %v)", v, err)
					}
				}
			}
			close(rounds)
			<-done
		})
	}
}
