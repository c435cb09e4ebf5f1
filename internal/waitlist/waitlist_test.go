package waitlist

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func order(l *List) []*Waiter {
	var out []*Waiter
	for w := l.Front(); w != nil; w = w.Next() {
		out = append(out, w)
	}
	return out
}

func wantOrder(t *testing.T, l *List, want ...*Waiter) {
	t.Helper()
	got := order(l)
	if len(got) != len(want) || l.Len() != len(want) {
		t.Fatalf("list has %d records (Len %d), want %d", len(got), l.Len(), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("record %d is %p, want %p", i, got[i], want[i])
		}
	}
	if err := CheckList(l, func(*Waiter) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

func TestListPushRemove(t *testing.T) {
	var l List
	var c Cache
	a, b, d := c.GetLocked(), c.GetLocked(), c.GetLocked()
	l.PushBack(a)
	l.PushBack(b)
	l.PushBack(d)
	wantOrder(t, &l, a, b, d)
	if l.Front() != a || l.Back() != d {
		t.Fatal("Front or Back wrong")
	}
	l.Remove(b) // middle
	wantOrder(t, &l, a, d)
	l.Remove(d) // tail
	wantOrder(t, &l, a)
	l.PushBack(b)
	l.Remove(a) // head
	wantOrder(t, &l, b)
	l.Remove(b)
	wantOrder(t, &l)
	if l.Front() != nil || l.Back() != nil {
		t.Fatal("an empty list has a Front or Back")
	}
}

func TestTakeAllDetach(t *testing.T) {
	var l List
	var c Cache
	ws := []*Waiter{c.GetLocked(), c.GetLocked(), c.GetLocked()}
	for _, w := range ws {
		l.PushBack(w)
	}
	i := 0
	for w := l.TakeAll(); w != nil; i++ {
		if w != ws[i] {
			t.Fatalf("chain record %d is %p, want %p", i, w, ws[i])
		}
		next := w.Detach()
		if w.Next() != nil || w.prev != nil {
			t.Fatal("Detach left links in place")
		}
		w = next
	}
	if i != 3 {
		t.Fatalf("chain of %d records, want 3", i)
	}
	wantOrder(t, &l)
}

func TestCheckListCatchesBrokenLinks(t *testing.T) {
	var l List
	var c Cache
	a, b := c.GetLocked(), c.GetLocked()
	l.PushBack(a)
	l.PushBack(b)
	b.prev = nil
	if CheckList(&l, func(*Waiter) error { return nil }) == nil {
		t.Fatal("a broken prev link was not reported")
	}
	b.prev = a
	l.n = 3
	if CheckList(&l, func(*Waiter) error { return nil }) == nil {
		t.Fatal("a wrong Len was not reported")
	}
}

type nopWaker struct{}

func (*nopWaker) Wake() {}

func TestCacheReuses(t *testing.T) {
	var c Cache
	a, b := c.GetLocked(), c.GetLocked()
	if a == b || a.Token.ch == nil {
		t.Fatal("GetLocked on an empty cache must make distinct records with a Token")
	}
	a.Kind, a.Waker = 2, &nopWaker{}
	c.PutLocked(a)
	b.Kind = 1
	c.Put(b)
	if c.CountLocked() != 2 {
		t.Fatalf("%d records cached, want 2", c.CountLocked())
	}
	got := map[*Waiter]bool{c.GetLocked(): true, c.GetLocked(): true}
	if !got[a] || !got[b] {
		t.Fatal("the cache did not hand back the records put in it")
	}
	if a.Kind != 0 || a.Waker != nil || b.Kind != 0 || a.free != nil || b.free != nil {
		t.Fatal("a record came back from the cache with its owner's fields set")
	}
	if c.CountLocked() != 0 {
		t.Fatal("the cache is not empty after both records were taken")
	}
}
