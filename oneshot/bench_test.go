package oneshot_test

import (
	"context"
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
