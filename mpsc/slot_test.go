package mpsc_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/mpsc"
)

func TestSlot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := timeout(t)
		s, r := mpsc.NewSlot()
		if _, ok := r.TryRecv(); ok {
			t.Fatal("TryRecv on a new slot succeeded")
		}
		if !s.TrySend(5) {
			t.Fatal("TrySend on an empty slot failed")
		}
		if s.TrySend(6) {
			t.Fatal("TrySend on an occupied slot succeeded")
		}
		if v, err := r.Recv(ctx); v != 5 || err != nil {
			t.Fatalf("Recv = %d, %v", v, err)
		}
		got := make(chan uint64, 1)
		go func() { v, _ := r.Recv(ctx); got <- v }()
		blocked(t, got, "Recv on an empty slot")
		if !s.TrySend(7) {
			t.Fatal("TrySend on an empty slot failed")
		}
		if v := unblocked(t, got, "Recv after TrySend"); v != 7 {
			t.Fatalf("Recv = %d, want 7", v)
		}
		cctx, cancel := context.WithCancel(ctx)
		errc := goErr(func() error { _, err := r.Recv(cctx); return err })
		blocked(t, errc, "Recv on an empty slot")
		cancel()
		if err := unblocked(t, errc, "cancelled Recv"); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Recv: %v", err)
		}
		s.TrySend(8)
		if v, ok := r.TryRecv(); v != 8 || !ok {
			t.Fatalf("TryRecv = %d, %v", v, ok)
		}
	})
}

func TestSlotSendZeroPanics(t *testing.T) {
	s, _ := mpsc.NewSlot()
	defer func() {
		if recover() == nil {
			t.Fatal("TrySend(0) did not panic")
		}
	}()
	s.TrySend(0)
}

// TestStressSlot: senders retry TrySend until it succeeds; the receiver
// gets every value exactly once.
func TestStressSlot(t *testing.T) {
	per := 2000
	if testing.Short() {
		per = 200
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, senders := range []int{1, 4, 16} {
			ctx := timeout(t)
			s, r := mpsc.NewSlot()
			var wg sync.WaitGroup
			for p := range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range per {
						for !s.TrySend(uint64(p*per + i + 1)) {
							if ctx.Err() != nil {
								return
							}
							runtime.Gosched() // let the receiver empty the slot
						}
					}
				}()
			}
			seen := make([]bool, senders*per+1)
			for range senders * per {
				v, err := r.Recv(ctx)
				if err != nil {
					t.Fatalf("Recv: %v", err)
				}
				if seen[v] {
					t.Fatalf("value %d received twice", v)
				}
				seen[v] = true
			}
			waitGroup(t, &wg, "senders")
			if _, ok := r.TryRecv(); ok {
				t.Fatal("a value left over")
			}
		}
	})
}
