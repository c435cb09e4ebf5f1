package notify

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/internal/spin"
	"github.com/diatomic-go/diatomic/internal/waitlist"
)

// The algorithm of tokio's sync::Notify (tokio/src/sync/notify.rs): a state
// word that is EMPTY, WAITING or NOTIFIED, and a FIFO list of waiters under a
// mutex that is only taken when somebody waits. It differs in three ways:
//
//   - Notified registers the handle in the list at once (tokio's
//     Notified::enable). NotifyAll therefore only has to empty the list, needs
//     no call counter, and is a single atomic load when the list is empty.
//   - NotifyOne and NotifyLast that find a permit already stored return after
//     one atomic load (tokio spends a CAS there). Go's atomics are
//     sequentially consistent, so this is a valid linearization point: a
//     permit was stored at that instant and permits do not add up.
//   - A handle that took a stored permit and is cancelled passes it on, like
//     a handle chosen by NotifyOne and cancelled before it returned.
//
// State word:
//
//	stEmpty     no permit, no handle registered
//	stWaiting   at least one handle is in the list
//	stNotified  a permit is stored, the list is empty
//
// Invariants:
//   - Outside critical sections of mu, state is stWaiting if and only if the
//     list is non-empty. Entering and leaving stWaiting happen only with mu
//     held; without mu, state moves only between stEmpty and stNotified
//     (NotifyOne/NotifyLast store a permit with a CAS, Wait takes it with a
//     CAS).
//   - A live record (between its registration and the end of its wait or
//     cancellation) is either in the list with kind == kindNone, or out of
//     it with kind set by whoever took it out, who wakes its token exactly
//     once, in the same critical section of mu. So, under mu, a record out
//     of the list holds its token, or its owner consumed it (a Park, or a
//     receive from Notified.Ready): a withdrawal tells which with TryPark,
//     and passes the notification on only if the token was still there.
//   - A record goes back to records only once its token is consumed, so a
//     reused record holds no token and receives no late wake.
//   - list, records (but for the lock-free Put) and the kind and Waker of
//     every record are guarded by mu.
//
// Waking under mu: the token's Wake is a non-blocking send on a channel of
// capacity 1 that is empty, and runs no code of the user's. A
// Waker given to Notified.Register is woken there too, which its contract
// (never block) allows; it must not call back into the Notify.
//
// Synctest: records are kept per Notify (not in a pool shared by every
// goroutine), so their channels are used only by the goroutines that use the
// Notify; like a channel, one used in a testing/synctest bubble must stay in
// it. Nothing here knows about bubbles.

// Notify wakes goroutines waiting for an event that carries no data, and
// keeps at most one permit for a waiter to come: see the package
// documentation for the semantics and the memory ordering.
//
// The zero value is ready to use. All methods may be called concurrently. A
// Notify must not be copied after first use.
type Notify struct {
	state atomic.Uint32
	bet   spin.Bet // whether a wait yields before it registers

	mu      sync.Mutex     // guards list, records and the listed records
	list    waitlist.List  // registration order: the front is the oldest
	records waitlist.Cache // records for reuse
}

const (
	stEmpty uint32 = iota
	stWaiting
	stNotified
)

// kind records which notification took a record out of the list
// (waitlist.Waiter.Kind).
type kind = uint8

const (
	kindNone  kind = iota // still listed
	kindFirst             // NotifyOne, or a stored permit: passed on if cancelled
	kindLast              // NotifyLast: passed on, newest first, if cancelled
	kindAll               // NotifyAll: dropped if cancelled
)

// NotifyOne wakes the waiter that registered first, or, if nobody is
// registered, stores a permit for the next Wait (or Notified). Permits do not
// add up: at most one is stored. A handle taken with Notified and not yet
// waited on counts as a registered waiter.
//
// With a permit already stored it is a single atomic load.
func (n *Notify) NotifyOne() {
	if n.state.Load() != stNotified {
		n.notify(kindFirst)
	}
}

// NotifyLast is NotifyOne waking the waiter that registered last instead of
// the first one.
func (n *Notify) NotifyLast() {
	if n.state.Load() != stNotified {
		n.notify(kindLast)
	}
}

// Outlined slow path to allow inlining of the fast path.
func (n *Notify) notify(k kind) {
	for {
		switch n.state.Load() {
		case stNotified:
			return
		case stEmpty:
			hook(stepEmptyLoaded)
			// Storing the permit: the Wait whose CAS takes it reads this
			// write, so this call synchronizes before that Wait returns. A
			// CAS, not a store: a registration may have left stEmpty since
			// the load.
			if n.state.CompareAndSwap(stEmpty, stNotified) {
				return
			}
		default:
			n.mu.Lock()
			n.notifyLocked(k)
			n.mu.Unlock()
			return
		}
	}
}

// notifyLocked takes the first (or last) record out of the list and wakes
// it; with the list empty it stores the permit. mu must be held.
func (n *Notify) notifyLocked(k kind) {
	w := n.list.Front()
	if k == kindLast {
		w = n.list.Back()
	}
	if w == nil {
		// The list is empty, so state is stEmpty or stNotified and only
		// the lock-free CASes move it: a Store linearizes like their CAS.
		n.state.Store(stNotified)
		return
	}
	n.unlink(w)
	w.Kind = k
	w.Wake()
}

// NotifyAll wakes every handle registered before the call (the goroutines
// blocked in Wait and the handles taken with Notified but not waited on yet),
// and none registered after. It stores no permit.
//
// With nobody registered it is a single atomic load.
func (n *Notify) NotifyAll() {
	if n.state.Load() == stWaiting {
		n.notifyAll()
	}
}

// Outlined slow path to allow inlining of the fast path.
func (n *Notify) notifyAll() {
	n.mu.Lock()
	if n.list.Len() > 0 {
		n.state.Store(stEmpty) // leaving stWaiting, with mu held
	}
	for w := n.list.TakeAll(); w != nil; {
		next := w.Detach() // before the wake: the woken owner may reuse w
		w.Kind = kindAll
		w.Wake()
		w = next
	}
	n.mu.Unlock()
}

// Wait blocks until a notification arrives or ctx is done: it consumes a
// stored permit, or registers and waits for NotifyOne, NotifyLast or
// NotifyAll. Wait(ctx) is Notified().Wait(ctx), with a fast path: a Wait that
// finds a permit takes it with one CAS, allocates nothing, and returns nil
// even if ctx is already done.
//
// If ctx ends first, Wait returns ctx.Err() and leaves nothing registered; a
// notification that chose this waiter as ctx ended is passed on to the next
// waiter (or stored as the permit) if it came from NotifyOne or NotifyLast.
//
// A nil ctx panics, before anything changes, even if a permit is stored.
func (n *Notify) Wait(ctx context.Context) error {
	if ctx == nil {
		panic(errNilContext)
	}
	if n.takePermit() {
		return nil
	}
	return n.wait(ctx)
}

// TryWait takes the stored permit, if there is one, and reports whether it
// did. It never waits and never registers: a notification that NotifyOne,
// NotifyLast or NotifyAll delivers to a registered waiter is not a permit,
// and TryWait cannot take it. It is Wait without its blocking part: a
// TryWait that returns true synchronizes after the NotifyOne or NotifyLast
// that stored the permit.
func (n *Notify) TryWait() bool {
	return n.takePermit()
}

// takePermit takes the stored permit, if any, and reports whether it did.
// The CAS reads the write of the notifier that stored the permit, which
// therefore synchronizes before the return of the Wait that took it; being
// a CAS from stNotified, only one of several takers can succeed.
func (n *Notify) takePermit() bool {
	if n.state.Load() != stNotified {
		return false
	}
	hook(stepPermitLoaded)
	return n.state.CompareAndSwap(stNotified, stEmpty)
}

// step names a point of the protocol where tests interleave goroutines
// (see hook).
type step uint8

const (
	stepPermitLoaded step = iota + 1 // takePermit loaded stNotified
	stepEmptyLoaded                  // notify loaded stEmpty
)

// Outlined slow path to allow inlining of the fast path.
func (n *Notify) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	default:
	}
	// Perhaps yield before registering (see spin.Bet), unless others are
	// waiting already: in a hand-off the notifier is often ready to run on
	// this P (this goroutine has typically just woken it). If it notifies
	// now, it finds nobody registered and stores the permit, which this
	// Wait takes after the yield: no lock, no list, no wake on either side
	// (BenchmarkHandoff measures it).
	if n.state.Load() != stWaiting && n.bet.Yield(n.takePermit) {
		return nil
	}
	return n.waitOn(ctx, n.register())
}

// waitOn waits on the registration w and gives it back to records.
func (n *Notify) waitOn(ctx context.Context, w *waiter) error {
	// Park may yield once before blocking: a notifier that is ready to run
	// (typically the goroutine this one just woke) then often gets in
	// first, and its wake is a buffered send instead of a park and an
	// unpark.
	if err := w.Token.Park(ctx); err != nil {
		n.withdraw(w)
		return err
	}
	// The notifier woke w under mu and no longer touches it.
	n.records.Put(w)
	return nil
}

// Notified registers interest in the next notification now, so that the
// caller can check its condition and then wait without missing a
// notification made in between:
//
//	h := n.Notified()
//	if ready() {
//		h.Cancel()
//		return nil
//	}
//	return h.Wait(ctx)
//
// From this call on the handle counts as a waiter: NotifyAll wakes it, and
// NotifyOne or NotifyLast may choose it. If a permit is stored, the handle
// takes it and its Wait returns at once. The handle must be finished with a
// call of Wait or Cancel; see [Notified].
func (n *Notify) Notified() *Notified {
	return &Notified{n: n, w: n.register()}
}

// register lists a record for the caller, or gives it the stored permit.
func (n *Notify) register() *waiter {
	n.mu.Lock()
	w := n.records.GetLocked()
	for {
		st := n.state.Load()
		if st == stNotified {
			if n.state.CompareAndSwap(stNotified, stEmpty) {
				// The permit is ours: as if NotifyOne had chosen us.
				w.Kind = kindFirst
				w.Token.Wake()
				break
			}
			continue // a Wait took it meanwhile
		}
		// Entering stWaiting needs a CAS: a lock-free NotifyOne may store a
		// permit at the same time.
		if st == stWaiting || n.state.CompareAndSwap(stEmpty, stWaiting) {
			n.list.PushBack(w)
			break
		}
	}
	n.mu.Unlock()
	return w
}

// withdraw takes back a registration whose wait gave up, or that is
// cancelled, leaving the Notify as if it had never been made, and gives the
// record back to records. mu must not be held.
func (n *Notify) withdraw(w *waiter) {
	n.mu.Lock()
	switch k := w.Kind; k {
	case kindNone:
		n.unlink(w)
	case kindFirst, kindLast:
		// Chosen by NotifyOne or NotifyLast (or it took the permit): woken
		// under mu, so the token is there unless the owner received it
		// from Ready. Still there: not delivered, pass it on.
		if w.Token.TryPark() {
			n.notifyLocked(k)
		}
	case kindAll:
		w.Token.TryPark() // dropped: nobody else was waiting for it
	}
	n.records.PutLocked(w)
	n.mu.Unlock()
}

// unlink removes w from the list, leaving stWaiting if it was the last one.
// mu must be held.
func (n *Notify) unlink(w *waiter) {
	n.list.Remove(w)
	if n.list.Len() == 0 {
		n.state.Store(stEmpty) // leaving stWaiting, with mu held
	}
}

type waiter = waitlist.Waiter
