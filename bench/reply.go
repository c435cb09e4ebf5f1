package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/diatomic-go/diatomic/oneshot"
)

// replyCases: a client sends requests to a server goroutine over a Go
// channel (common to both contenders), each carrying a fresh reply channel,
// and waits for the replies with a cancellable context. outstanding=1 is a
// sequence of calls; outstanding=64 hands 64 requests over at once and then
// collects the replies, so that the reply channels dominate. One op is one
// request and its reply, channel creation included.
func replyCases(*config) []benchCase {
	var cs []benchCase
	for _, outstanding := range []int{1, 64} {
		param := fmt.Sprintf("outstanding=%d", outstanding)
		cs = append(cs,
			benchCase{param: param, impl: "chan", bench: func(b *testing.B) {
				benchReply(b, outstanding,
					func() chan int { return make(chan int, 1) },
					func(ch chan int, v int) { ch <- v },
					func(ctx context.Context, ch chan int) (int, error) {
						select {
						case v := <-ch:
							return v, nil
						case <-ctx.Done():
							return 0, ctx.Err()
						}
					})
			}},
			benchCase{param: param, impl: "oneshot", bench: func(b *testing.B) {
				type pair struct {
					tx *oneshot.Sender[int]
					rx *oneshot.Receiver[int]
				}
				benchReply(b, outstanding,
					func() pair {
						tx, rx := oneshot.New[int]()
						return pair{tx, rx}
					},
					func(p pair, v int) { _ = p.tx.Send(v) },
					func(ctx context.Context, p pair) (int, error) { return p.rx.Recv(ctx) })
			}},
		)
	}
	return cs
}

// benchReply runs b.N requests, outstanding at a time, through a server
// goroutine that answers each with its index in the batch.
func benchReply[R any](b *testing.B, outstanding int, mk func() R, reply func(R, int), await func(context.Context, R) (int, error)) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	requests := make(chan []R)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for batch := range requests {
			for i, r := range batch {
				reply(r, i)
			}
		}
	}()
	defer func() { close(requests); <-done }()
	buf := make([]R, outstanding)
	b.ResetTimer()
	for n := 0; n < b.N; n += outstanding {
		batch := buf[:min(outstanding, b.N-n)]
		for i := range batch {
			batch[i] = mk()
		}
		requests <- batch
		for i, r := range batch {
			v, err := await(ctx, r)
			if err == nil && v != i {
				err = errors.New("wrong reply")
			}
			if err != nil {
				fail(b, err)
			}
		}
	}
}
