package notify_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/diatomic-go/diatomic/notify"
)

type how uint8

const (
	byFirst how = iota + 1 // NotifyOne or a permit
	byLast                 // NotifyLast
	byAll                  // NotifyAll
)

// reference is the specification of a Notify driven from one goroutine:
// the permit, the registration order, and who was notified how.
type reference struct {
	permit bool
	list   []int       // registered handles, oldest first
	chosen map[int]how // notified handles not finished yet
}

func (r *reference) notifyOne(h how) {
	if len(r.list) == 0 {
		r.permit = true
		return
	}
	i := 0
	if h == byLast {
		i = len(r.list) - 1
	}
	r.chosen[r.list[i]] = h
	r.list = slices.Delete(r.list, i, i+1)
}

func (r *reference) notifyAll() {
	for _, id := range r.list {
		r.chosen[id] = byAll
	}
	r.list = r.list[:0]
}

func (r *reference) register(id int) {
	if r.permit {
		r.permit = false
		r.chosen[id] = byFirst
		return
	}
	r.list = append(r.list, id)
}

// finish ends handle id as Wait with a done context or Cancel does, and
// reports whether it had been notified.
func (r *reference) finish(id int, cancel bool) bool {
	h, ok := r.chosen[id]
	if !ok {
		r.list = slices.DeleteFunc(r.list, func(x int) bool { return x == id })
		return false
	}
	delete(r.chosen, id)
	if cancel && h != byAll {
		r.notifyOne(h) // passed on
	}
	return true
}

// FuzzSequential drives a Notify and the reference with the same operations
// from one goroutine and compares, after each one, every handle's state and
// the permit.
func FuzzSequential(f *testing.F) {
	f.Add([]byte{3, 3, 3, 0, 1, 4, 0, 5, 0, 5, 1})
	f.Add([]byte{0, 3, 3, 2, 0, 4, 4, 6, 6})
	f.Add([]byte{3, 0, 12, 3, 3, 1, 4, 0, 4, 0, 6})
	f.Add([]byte{3, 3, 2, 3, 0, 4, 4, 7, 6, 6, 1, 3, 7})
	f.Fuzz(func(t *testing.T, ops []byte) {
		var n notify.Notify
		ref := reference{chosen: map[int]how{}}
		type live struct {
			id int
			h  *notify.Notified
		}
		var hs []live
		for i, op := range ops {
			pick := int(op>>3) % max(len(hs), 1)
			switch op % 8 {
			case 0:
				n.NotifyOne()
				ref.notifyOne(byFirst)
			case 1:
				n.NotifyLast()
				ref.notifyOne(byLast)
			case 2:
				n.NotifyAll()
				ref.notifyAll()
			case 3:
				if len(hs) < 6 {
					hs = append(hs, live{i, n.Notified()})
					ref.register(i)
				}
			case 4, 5:
				if len(hs) == 0 {
					continue
				}
				l := hs[pick]
				hs = slices.Delete(hs, pick, pick+1)
				if op%8 == 4 {
					l.h.Cancel()
					ref.finish(l.id, true)
					break
				}
				err := l.h.Wait(cancelled)
				if want := ref.finish(l.id, false); (err == nil) != want || (err != nil && !errors.Is(err, context.Canceled)) {
					t.Fatalf("op %d: handle %d Wait = %v, notified %v", i, l.id, err, want)
				}
			case 6:
				err := n.Wait(cancelled)
				if (err == nil) != ref.permit {
					t.Fatalf("op %d: Wait = %v, permit %v", i, err, ref.permit)
				}
				ref.permit = false
			case 7:
				if len(hs) == 0 || ref.chosen[hs[pick].id] == 0 {
					continue // Wait would block
				}
				l := hs[pick]
				hs = slices.Delete(hs, pick, pick+1)
				if err := l.h.Wait(cancelled); err != nil {
					t.Fatalf("op %d: Wait of a notified handle = %v, want nil at once", i, err)
				}
				ref.finish(l.id, false)
			}
			if err := notify.CheckInvariants(&n); err != nil {
				t.Fatalf("op %d: %v", i, err)
			}
			if notify.HasPermit(&n) != ref.permit || notify.Registered(&n) != len(ref.list) {
				t.Fatalf("op %d: permit %v, %d registered; want %v, %d", i,
					notify.HasPermit(&n), notify.Registered(&n), ref.permit, len(ref.list))
			}
			for _, l := range hs {
				if got, want := notify.Chosen(l.h), ref.chosen[l.id] != 0; got != want {
					t.Fatalf("op %d: handle %d chosen = %v, want %v", i, l.id, got, want)
				}
				if got, want := notify.Woken(l.h), ref.chosen[l.id] != 0; got != want {
					t.Fatalf("op %d: handle %d woken = %v, want %v", i, l.id, got, want)
				}
			}
		}
		for _, l := range hs {
			l.h.Cancel()
		}
	})
}
