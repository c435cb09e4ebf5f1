package waker

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// Baselines live beside the benchmarks they compare with: a non-blocking send
// on a full channel and sync.Cond.Signal with no waiter for a notification
// nobody waits for; a buffered and an unbuffered channel for signalling and
// ping-pong.

func BenchmarkNotifyNobody(b *testing.B) {
	// Direct calls, as in user code, so that the fast paths inline, and a
	// b.N loop, whose counter stays in a register: b.Loop's bookkeeping
	// would cost as much as the operation measured.
	b.Run("impl=WakeSource", func(b *testing.B) {
		b.ReportAllocs()
		src := NewWakeSink().Source()
		for range b.N {
			src.Wake()
		}
	})
	b.Run("impl=DiatomicWaker", func(b *testing.B) {
		b.ReportAllocs()
		var w DiatomicWaker
		for range b.N {
			w.Wake()
		}
	})
	b.Run("impl=SpmcWaker", func(b *testing.B) {
		b.ReportAllocs()
		var w SpmcWaker
		for range b.N {
			w.Wake()
		}
	})
	b.Run("impl=AtomicWaker", func(b *testing.B) {
		b.ReportAllocs()
		var w AtomicWaker
		for range b.N {
			w.Wake()
		}
	})
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		full := make(chan struct{}, 1)
		full <- struct{}{}
		for range b.N {
			select {
			case full <- struct{}{}:
			default:
			}
		}
	})
	b.Run("impl=cond", func(b *testing.B) {
		b.ReportAllocs()
		cond := sync.NewCond(new(sync.Mutex))
		for range b.N {
			cond.Signal()
		}
	})
}

// BenchmarkNotifyNobodyParallel is the dummy notification from every P at
// once, on one shared primitive.
func BenchmarkNotifyNobodyParallel(b *testing.B) {
	var aw AtomicWaker
	var sw SpmcWaker
	var dw DiatomicWaker
	full := make(chan struct{}, 1)
	full <- struct{}{}
	cond := sync.NewCond(new(sync.Mutex))
	for _, bc := range []struct {
		name string
		f    func()
	}{
		{"impl=DiatomicWaker", dw.Wake},
		{"impl=SpmcWaker", sw.Wake},
		{"impl=AtomicWaker", aw.Wake},
		{"impl=chan", func() {
			select {
			case full <- struct{}{}:
			default:
			}
		}},
		{"impl=cond", cond.Signal},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					bc.f()
				}
			})
		})
	}
}

// BenchmarkRegisterNotifyConsume: register the same waker, notify, take the
// token. The channel baseline is the same signal through a buffered channel.
func BenchmarkRegisterNotifyConsume(b *testing.B) {
	b.Run("impl=WakeSink", func(b *testing.B) {
		b.ReportAllocs()
		s := NewWakeSink()
		src := s.Source()
		p := NewParker()
		for b.Loop() {
			s.Register(p)
			src.Wake()
			if !p.TryPark() {
				b.Fatal("no token after notify")
			}
		}
	})
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		ch := make(chan struct{}, 1)
		for b.Loop() {
			select {
			case ch <- struct{}{}:
			default:
			}
			select {
			case <-ch:
			default:
				b.Fatal("no token after send")
			}
		}
	})
}

// BenchmarkPrimitives is the table of the three primitives, one operation
// each: register (a new waker, alternating two), re-register (the same
// waker), wake (register + wake), overwrite (register a second waker over a
// registered one).
func BenchmarkPrimitives(b *testing.B) {
	w1, w2 := new(counter), new(counter)
	for _, tg := range targets {
		b.Run("impl="+tg.name+"/op=register", func(b *testing.B) {
			b.ReportAllocs()
			t := tg.new()
			ws := [2]Waker{w1, w2}
			i := 0
			for b.Loop() {
				t.register(ws[i&1])
				t.unregister()
				i++
			}
		})
		b.Run("impl="+tg.name+"/op=reregister", func(b *testing.B) {
			b.ReportAllocs()
			t := tg.new()
			for b.Loop() {
				t.register(w1)
			}
		})
		b.Run("impl="+tg.name+"/op=wake", func(b *testing.B) {
			b.ReportAllocs()
			t := tg.new()
			for b.Loop() {
				t.register(w1)
				t.notify()
			}
		})
		b.Run("impl="+tg.name+"/op=overwrite", func(b *testing.B) {
			b.ReportAllocs()
			t := tg.new()
			ws := [2]Waker{w1, w2}
			i := 0
			for b.Loop() {
				t.register(ws[i&1])
				i++
			}
		})
	}
}

// BenchmarkPingPong bounces a ball between two goroutines; one op is a round
// trip.
func BenchmarkPingPong(b *testing.B) {
	b.Run("impl=WakeSink", func(b *testing.B) {
		b.ReportAllocs()
		a, c := NewWakeSink(), NewWakeSink()
		srcA, srcC := a.Source(), c.Source()
		var ball atomic.Int64
		ctx := context.Background()
		n := int64(b.N)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := int64(1); i <= n; i++ {
				_ = c.Wait(ctx, func() bool { return ball.Load() == 2*i-1 })
				ball.Add(1)
				srcA.Wake()
			}
		}()
		b.ResetTimer()
		for i := int64(1); i <= n; i++ {
			ball.Add(1)
			srcC.Wake()
			_ = a.Wait(ctx, func() bool { return ball.Load() == 2*i })
		}
		<-done
	})
	b.Run("impl=chan", func(b *testing.B) {
		b.ReportAllocs()
		ping, pong := make(chan int), make(chan int)
		n := b.N
		go func() {
			for range n {
				pong <- 1 + <-ping
			}
		}()
		b.ResetTimer()
		for i := range n {
			ping <- i
			<-pong
		}
	})
}

// BenchmarkSetWait: one goroutine waits on n sources, one of them ready at a
// time (a different one each round): it makes the source ready, waits, and
// drains what the wait reports. impl=set is a Set over WakeSink sources;
// impl=reflect.Select is reflect.Select over n channels of capacity 1, the
// standard library's dynamic select. The Set's cost per wake-up stays flat in
// n; reflect.Select's grows with it.
func BenchmarkSetWait(b *testing.B) {
	for _, n := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("n=%d/impl=set", n), func(b *testing.B) {
			var set Set[int]
			boxes := make([]*box, n)
			for i := range boxes {
				boxes[i] = newBox()
				set.Add(i, boxes[i].src)
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				boxes[i].put(1)
				k, err := set.Wait(ctx)
				if err != nil || boxes[k].drain() != 1 {
					b.Fatalf("Wait = %d, %v: not the source made ready", k, err)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/impl=reflect.Select", n), func(b *testing.B) {
			cases := make([]reflect.SelectCase, n)
			chans := make([]chan struct{}, n)
			for i := range cases {
				chans[i] = make(chan struct{}, 1)
				cases[i] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(chans[i])}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				chans[i] <- struct{}{}
				if k, _, ok := reflect.Select(cases); k != i || !ok {
					b.Fatalf("reflect.Select = %d, want %d", k, i)
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}
