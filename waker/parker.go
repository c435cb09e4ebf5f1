package waker

import (
	"context"
	"sync/atomic"

	"github.com/diatomic-go/diatomic/internal/spin"
)

// Parker: a binary semaphore whose token lives in an atomic word while
// nobody is blocked, so that Wake and a Park that finds the token are one
// atomic operation each, and that goes through a channel only to wake a
// goroutine that is blocked, or once C has been called.
//
// State word:
//
//	pEmpty   no token, nobody blocked
//	pToken   a token is stored
//	pParked  a Park is blocked (or about to block) on ch
//	pChan    channel mode, entered by C for good: tokens travel through ch
//
// Invariants:
//   - ch is set once, by NewParker or else by the first Park that blocks or
//     the first C, before that call moves the state to pParked or pChan;
//     Wake, TryPark and parkChan read it only after loading one of these
//     states.
//   - A send on ch happens only after a CAS from pParked to pEmpty (exactly
//     one per blocked Park, so ch, of capacity 1, never blocks it): the token
//     then travels in the channel, not in the state word. In channel mode
//     sends are non-blocking.
//   - Only the parking goroutine moves the state out of pToken (consuming
//     the token) or into pParked.
//   - In channel mode the state never changes again.
const (
	pEmpty uint32 = iota
	pToken
	pParked
	pChan
)

// Parker is the Waker of one goroutine: a binary semaphore whose Wake stores
// a token and whose Park takes it.
//
// Wakes coalesce: any number of Wake calls made while no goroutine is parked
// leave a single token, which the next Park consumes without blocking. A Park
// therefore never misses a Wake made before it, which is what makes the
// register / check / park sequence of [WakeSink.Wait] free of lost wake-ups.
//
// A blocked Park waits on a channel, so it uses no CPU and is visible to the
// race detector and to testing/synctest. While nobody is blocked, Wake and
// Park are one atomic operation each.
//
// A call to Wake synchronizes before the return of the Park, TryPark or
// receive from C that consumes the token it stored (or a token it coalesced
// into).
//
// The zero value is ready to use, with no token stored; its channel is made
// by the first Park that blocks or the first C. Any number of goroutines may
// call Wake concurrently; Park and TryPark must be called by one goroutine at
// a time (a second concurrent Park panics).
type Parker struct {
	state atomic.Uint32
	bet   spin.Bet                      // whether a Park yields before it blocks
	ch    atomic.Pointer[chan struct{}] // capacity 1; carries the token to a blocked Park
}

// NewParker returns a Parker with no token stored, its channel already made.
func NewParker() *Parker {
	p := new(parkerAndChan)
	p.c = make(chan struct{}, 1)
	p.ch.Store(&p.c)
	return &p.Parker
}

// parkerAndChan lets NewParker allocate a Parker and the word its ch points
// to at once.
type parkerAndChan struct {
	Parker
	c chan struct{}
}

// channel returns ch, making it if no call did yet. The CAS makes one
// channel win even if two calls race (a misuse that the state then reports).
func (p *Parker) channel() chan struct{} {
	if c := p.ch.Load(); c != nil {
		return *c
	}
	c := make(chan struct{}, 1)
	if p.ch.CompareAndSwap(nil, &c) {
		return c
	}
	return *p.ch.Load()
}

// Wake stores the token, waking the goroutine blocked in Park if there is
// one. It never blocks. If the token is already stored, Wake does nothing.
func (p *Parker) Wake() {
	for {
		switch s := p.state.Load(); s {
		case pToken:
			return // coalesce with the stored token
		case pEmpty:
			if p.state.CompareAndSwap(pEmpty, pToken) {
				return
			}
		case pParked:
			// The CAS makes us the only sender for this Park: the
			// channel is empty, so the send does not block. The token
			// goes to the parked goroutine through the channel.
			if p.state.CompareAndSwap(pParked, pEmpty) {
				*p.ch.Load() <- struct{}{}
				return
			}
		default: // pChan
			select {
			case *p.ch.Load() <- struct{}{}:
			default:
			}
			return
		}
	}
}

// Park consumes the token, blocking until one is stored or ctx is done.
//
// It returns nil when it consumed the token, and ctx.Err() when ctx ended
// first; a Park that returns an error consumes no token, and a token already
// stored is taken even if ctx is already done.
//
// A Park that finds no token may yield the processor once
// (runtime.Gosched) before it blocks: in a hand-off the goroutine that will
// call Wake is often ready to run on this P, because the caller just woke
// it, and if it calls Wake meanwhile the token is handed over without
// either goroutine blocking. It yields while such yields find the token,
// and after one that did not, before only a few of the next blocking Parks
// (a bounded share of them): a goroutine woken by idle producers parks at
// once and is woken onto the waker's P.
//
// Park panics if ctx is nil, leaving the Parker as it was.
func (p *Parker) Park(ctx context.Context) error {
	checkContext(ctx, "Parker.Park")
	if p.state.Load() == pToken && p.state.CompareAndSwap(pToken, pEmpty) {
		return nil
	}
	return p.parkSlow(ctx)
}

// parkSlow is the outlined slow path of Park (allowing the fast path to be
// inlined); it may yield once before it blocks, as the Parker's Bet
// decides.
func (p *Parker) parkSlow(ctx context.Context) error {
	yielded := false
	for {
		switch p.state.Load() {
		case pToken:
			if p.state.CompareAndSwap(pToken, pEmpty) {
				return nil
			}
		case pParked:
			panic("waker: concurrent Park on the same Parker")
		case pChan:
			return p.parkChan(ctx)
		case pEmpty:
			if !yielded {
				// Perhaps yield once before blocking (see spin.Bet):
				// the goroutine that will wake this one may be ready on
				// this P. If it calls Wake meanwhile, the token is here
				// when the loop looks again, and neither side touches
				// the channel.
				yielded = true
				p.bet.Yield(p.tokenStored)
				continue
			}
			// Announce the park; a Wake from now on sends on ch, which
			// exists before the CAS publishes it.
			ch := p.channel()
			if !p.state.CompareAndSwap(pEmpty, pParked) {
				continue
			}
			done := ctx.Done()
			if done == nil {
				// Cannot be cancelled: a plain receive is cheaper than a
				// select.
				<-ch
				return nil
			}
			select {
			case <-ch:
				return nil
			case <-done:
			}
			hook(hookParkCancelled)
			if p.state.CompareAndSwap(pParked, pEmpty) {
				return ctx.Err() // withdrawn: no token consumed
			}
			// A Wake moved pParked to pEmpty and is sending: the token
			// wins over the cancellation.
			<-ch
			return nil
		}
	}
}

// tokenStored reports whether a token is stored; Park's bet asks it after
// its yield.
func (p *Parker) tokenStored() bool { return p.state.Load() == pToken }

func (p *Parker) parkChan(ctx context.Context) error {
	ch := *p.ch.Load() // set before the state became pChan
	select {
	case <-ch:
		return nil
	default:
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		// Prefer a token that became ready together with ctx.
		select {
		case <-ch:
			return nil
		default:
			return ctx.Err()
		}
	}
}

// TryPark consumes the token if one is stored and reports whether it did.
func (p *Parker) TryPark() bool {
	if p.state.CompareAndSwap(pToken, pEmpty) {
		return true
	}
	if p.state.Load() != pChan {
		return false
	}
	select {
	case <-*p.ch.Load(): // set before the state became pChan
		return true
	default:
		return false
	}
}

// C returns the channel on which the token is delivered, for use in a select
// statement: a receive from C consumes the token exactly as Park does.
//
// The first call switches the Parker to channel mode for good: from then on
// every Wake is a non-blocking channel send, as with a plain channel of
// capacity 1. C must be called by the goroutine that parks (or before any
// goroutine parks or calls TryPark), and not while a Park is blocked.
func (p *Parker) C() <-chan struct{} {
	if p.state.Load() != pChan {
		p.enterChan()
	}
	return *p.ch.Load() // set before the state became pChan
}

// enterChan switches to channel mode: the first call of C. Outlined slow
// path to allow inlining of the fast path.
func (p *Parker) enterChan() {
	for {
		switch s := p.state.Load(); s {
		case pChan:
			return
		case pParked:
			panic("waker: Parker.C called while a Park is blocked")
		default:
			// The channel exists before the CAS publishes channel mode.
			ch := p.channel()
			if p.state.CompareAndSwap(s, pChan) {
				if s == pToken {
					// Move the stored token into the channel, unless a
					// Wake in channel mode already put one there.
					select {
					case ch <- struct{}{}:
					default:
					}
				}
				return
			}
		}
	}
}
