package eventcount_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/diatomic-go/diatomic/eventcount"
)

// The reference model: what the package documentation promises, written as
// plainly as possible. A waiter slot is idle, prepared (with a flag saying
// whether a notification has released it since), or parked in a FIFO queue.
// Odd slots park in CommitHand, with a hand; even ones in Commit.
type refModel struct {
	prepared map[int]bool // slot -> released by a notification since Prepare
	ctxDone  map[int]bool // prepared slots whose context is already done
	queue    []int        // parked slots, longest-parked first
}

// notify applies NotifyOne (all == false) or NotifyAll and returns the
// parked slots it wakes. Prepared slots are released by NotifyAll, and by a
// NotifyOne that finds nobody parked.
func (m *refModel) notify(all bool) []int {
	var woken []int
	switch {
	case all:
		woken, m.queue = m.queue, nil
	case len(m.queue) > 0:
		return []int{m.popHead()}
	}
	for s := range m.prepared {
		m.prepared[s] = true
	}
	return woken
}

// notifyN applies NotifyN(n), which is n NotifyOnes in a row, and returns
// the parked slots it wakes.
func (m *refModel) notifyN(n int) []int {
	var woken []int
	for range n {
		woken = append(woken, m.notify(false)...)
	}
	return woken
}

// hasHand reports whether slot s parks in CommitHand.
func hasHand(s int) bool { return s%2 == 1 }

// notifyHand applies NotifyHand and returns the slot handed a value, or -1:
// the longest-parked slot if it has a hand, and otherwise nobody, without
// releasing any prepared slot.
func (m *refModel) notifyHand() int {
	if len(m.queue) == 0 || !hasHand(m.queue[0]) {
		return -1
	}
	return m.popHead()
}

func (m *refModel) popHead() int {
	s := m.queue[0]
	m.queue = m.queue[1:]
	return s
}

// commit reports how a Commit of prepared slot s ends: at once with nil
// (released), at once with the cancellation, or parked.
func (m *refModel) commit(s int) (returns bool, err error) {
	released, done := m.prepared[s], m.ctxDone[s]
	delete(m.prepared, s)
	delete(m.ctxDone, s)
	switch {
	case released:
		return true, nil
	case done:
		return true, context.Canceled
	}
	m.queue = append(m.queue, s)
	return false, nil
}

func (m *refModel) waiters() int { return len(m.prepared) + len(m.queue) }

// Operations, one byte each (the slot is the next byte).
const (
	opPrepare = iota
	opCommit
	opCancel
	opCancelCtx
	opNotifyOne
	opNotifyAll
	opNotifyN    // NotifyN(the next byte, mod refSlots)
	opNotifyHand // NotifyHand, handing the index of the operation
	numOps
)

const refSlots = 6

type result struct {
	slot   int
	err    error
	handed bool // CommitHand reported a value handed
	v      int  // the value in the hand
}

// FuzzReference drives an EventCount and the reference model with the same
// sequence of operations, each from its own goroutine, and after each one
// lets every goroutine settle (synctest.Wait) and compares who returned,
// with what, and Waiters().
func FuzzReference(f *testing.F) {
	for _, seed := range [][]byte{
		{opPrepare, 0, opCommit, 0, opNotifyOne, 0},
		{opPrepare, 0, opPrepare, 1, opCommit, 1, opCommit, 0, opNotifyOne, 0, opNotifyOne, 0},
		{opPrepare, 0, opPrepare, 1, opNotifyOne, 0, opCommit, 0, opCancelCtx, 1, opCommit, 1},
		{opPrepare, 0, opPrepare, 1, opNotifyOne, 0, opCancel, 0, opCommit, 1, opPrepare, 2, opCommit, 2},
		{opPrepare, 0, opCommit, 0, opPrepare, 1, opNotifyAll, 0, opCommit, 1, opPrepare, 2, opCommit, 2},
		{opPrepare, 0, opCommit, 0, opPrepare, 1, opCommit, 1, opCancelCtx, 0, opNotifyOne, 0},
		{opPrepare, 0, opCancelCtx, 0, opCommit, 0, opPrepare, 1, opCancel, 1},
		{opPrepare, 0, opNotifyOne, 0, opCancelCtx, 0, opCommit, 0},
		{opPrepare, 3, opCommit, 3, opPrepare, 4, opCommit, 4, opPrepare, 5, opCommit, 5,
			opCancelCtx, 4, opNotifyOne, 0, opNotifyOne, 0, opNotifyOne, 0},
		{opPrepare, 0, opCommit, 0, opPrepare, 1, opCommit, 1, opPrepare, 2, opCommit, 2,
			opPrepare, 3, opNotifyN, 0, opNotifyN, 2, opNotifyN, 5, opCommit, 3},
		{opPrepare, 0, opCommit, 0, opPrepare, 1, opCommit, 1, opCancelCtx, 0, opNotifyN, 1},
		{opPrepare, 1, opCommit, 1, opPrepare, 0, opCommit, 0, opPrepare, 3, opCommit, 3,
			opNotifyHand, 0, opNotifyHand, 0, opNotifyOne, 0, opNotifyHand, 0},
		{opPrepare, 1, opNotifyHand, 0, opCommit, 1, opPrepare, 3, opNotifyHand, 0, opCancelCtx, 3,
			opCommit, 3, opNotifyHand, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		synctest.Test(t, func(t *testing.T) { runReference(t, ops) })
	})
}

func runReference(t *testing.T, ops []byte) {
	var ec eventcount.EventCount
	m := refModel{prepared: map[int]bool{}, ctxDone: map[int]bool{}}
	tickets := make([]eventcount.Ticket, refSlots)
	ctxs := make([]context.Context, refSlots)
	cancels := make([]context.CancelFunc, refSlots)
	parked := map[int]bool{}
	results := make(chan result, refSlots)
	var log []string

	commit := func(s int) {
		ctx, tk := ctxs[s], tickets[s]
		if !hasHand(s) {
			go func() { results <- result{slot: s, err: ec.Commit(ctx, tk)} }()
			return
		}
		go func() {
			h := new(int)
			handed, err := ec.CommitHand(ctx, tk, h)
			results <- result{s, err, handed, *h}
		}()
	}
	handedTo, handedV := -1, 0 // the slot the last NotifyHand handed a value to
	// settle waits for every goroutine to block, then checks that exactly
	// the slots in want returned, with nil, or the cancellation if failed,
	// and handed a value only if a NotifyHand handed it one.
	settle := func(want []int, failed bool) {
		t.Helper()
		synctest.Wait()
		var got []int
		for len(results) > 0 {
			r := <-results
			if (r.err != nil) != failed || (failed && !errors.Is(r.err, context.Canceled)) {
				t.Fatalf("after %v: slot %d returned %v", log, r.slot, r.err)
			}
			if want := r.slot == handedTo; r.handed != want || want && r.v != handedV {
				t.Fatalf("after %v: slot %d returned handed=%v with %d, want handed=%v with %d", log, r.slot, r.handed, r.v, want, handedV)
			}
			got = append(got, r.slot)
			delete(parked, r.slot)
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Fatalf("after %v: returned %v, want %v", log, got, want)
		}
		if w, mw := ec.Waiters(), m.waiters(); w != mw {
			t.Fatalf("after %v: Waiters() = %d, want %d", log, w, mw)
		}
		if p := ec.Parked(); p != len(m.queue) {
			t.Fatalf("after %v: Parked() = %d, want %d", log, p, len(m.queue))
		}
		if err := ec.CheckInvariants(); err != nil {
			t.Fatalf("after %v: %v", log, err)
		}
		handedTo = -1
	}

	for i := 0; i+1 < len(ops); i += 2 {
		op, s := int(ops[i])%numOps, int(ops[i+1])%refSlots
		_, isPrepared := m.prepared[s]
		switch {
		case op == opPrepare && !isPrepared && !parked[s]:
			tickets[s] = ec.Prepare()
			ctxs[s], cancels[s] = context.WithCancel(context.Background())
			m.prepared[s] = false
		case op == opCommit && isPrepared:
			log = append(log, fmt.Sprintf("Commit(%d)", s))
			commit(s)
			switch returns, err := m.commit(s); {
			case !returns:
				parked[s] = true
				settle(nil, false)
			default:
				settle([]int{s}, err != nil)
			}
			continue
		case op == opCancel && isPrepared:
			ec.Cancel(tickets[s])
			delete(m.prepared, s)
			delete(m.ctxDone, s)
		case op == opCancelCtx && (isPrepared || parked[s]):
			cancels[s]()
			log = append(log, fmt.Sprintf("CancelCtx(%d)", s))
			if parked[s] {
				m.queue = slices.DeleteFunc(m.queue, func(q int) bool { return q == s })
				settle([]int{s}, true)
			} else {
				m.ctxDone[s] = true
				settle(nil, false)
			}
			continue
		case op == opNotifyOne:
			ec.NotifyOne()
			log = append(log, "NotifyOne")
			settle(m.notify(false), false)
			continue
		case op == opNotifyAll:
			ec.NotifyAll()
			log = append(log, "NotifyAll")
			settle(m.notify(true), false)
			continue
		case op == opNotifyN:
			ec.NotifyN(s)
			log = append(log, fmt.Sprintf("NotifyN(%d)", s))
			settle(m.notifyN(s), false)
			continue
		case op == opNotifyHand:
			v := i
			ok := ec.NotifyHand(func(h any) { *h.(*int) = v })
			log = append(log, fmt.Sprintf("NotifyHand(%d)", v))
			handedTo, handedV = m.notifyHand(), v
			if ok != (handedTo >= 0) {
				t.Fatalf("after %v: NotifyHand reported %v", log, ok)
			}
			var want []int
			if handedTo >= 0 {
				want = []int{handedTo}
			}
			settle(want, false)
			continue
		default:
			continue // not applicable in this state
		}
		log = append(log, fmt.Sprintf("op%d(%d)", op, s))
		settle(nil, false)
	}

	// Wind down: end every prepared ticket, release every parked waiter.
	for s := range m.prepared {
		ec.Cancel(tickets[s])
	}
	m.prepared = map[int]bool{}
	woken := m.notify(true)
	ec.NotifyAll()
	settle(woken, false)
	for _, cancel := range cancels {
		if cancel != nil {
			cancel()
		}
	}
}
