package waker

import "context"

// Parker is the Waker of one goroutine: a binary semaphore whose Wake stores
// a token and whose Park takes it.
//
// Wakes coalesce: any number of Wake calls made while no goroutine is parked
// leave a single token, which the next Park consumes without blocking. A Park
// therefore never misses a Wake made before it, which is what makes the
// register / check / park sequence of [WakeSink.Wait] free of lost wake-ups.
//
// A Parker is backed by a channel of capacity 1, so it is visible to the race
// detector and to testing/synctest, and a parked goroutine uses no CPU.
//
// A call to Wake synchronizes before the return of the Park (or the receive
// from C) that consumes the token it stored.
//
// A Parker must be created with [NewParker]. Any number of goroutines may call
// Wake concurrently; Park is meant for one goroutine at a time (several
// goroutines parking on one Parker each take distinct tokens, which is rarely
// what is wanted).
type Parker struct {
	ch chan struct{} // capacity 1: holds the token
}

// NewParker returns a Parker with no token stored.
func NewParker() *Parker {
	p := new(Parker)
	p.init()
	return p
}

func (p *Parker) init() { p.ch = make(chan struct{}, 1) }

// Wake stores the token, waking the goroutine parked in Park if there is one.
// It never blocks. If the token is already stored, Wake does nothing.
func (p *Parker) Wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

// Park consumes the token, blocking until one is stored or ctx is done.
//
// It returns nil when it consumed the token, and ctx.Err() when ctx ended
// first; a token is never consumed by a Park that returns an error, and a
// token already stored is taken even if ctx is already done.
func (p *Parker) Park(ctx context.Context) error {
	select {
	case <-p.ch:
		return nil
	default:
	}
	return p.parkSlow(ctx)
}

// Outlined slow path to allow inlining of the fast path.
func (p *Parker) parkSlow(ctx context.Context) error {
	select {
	case <-p.ch:
		return nil
	case <-ctx.Done():
		// The token and ctx may have become ready together: prefer the
		// token, so that a wake is never dropped by a racing cancellation.
		select {
		case <-p.ch:
			return nil
		default:
			return ctx.Err()
		}
	}
}

// TryPark consumes the token if one is stored and reports whether it did.
func (p *Parker) TryPark() bool {
	select {
	case <-p.ch:
		return true
	default:
		return false
	}
}

// C returns the channel on which the token is delivered, for use in a select
// statement: a receive from C consumes the token exactly as Park does.
func (p *Parker) C() <-chan struct{} { return p.ch }
