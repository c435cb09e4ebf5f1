package oneshot

import (
	"sync"

	"github.com/diatomic-go/diatomic/internal/bubble"
	"github.com/diatomic-go/diatomic/waker"
)

// Parkers are reused through a sync.Pool, so that a Recv that parks does not
// allocate. Who owns a parker: the pool, or the single Recv call that took it.
// A Recv returns its parker only when no wake is pending for it (see the
// invariants in oneshot.go), so a parker taken from the pool holds no token.
//
// testing/synctest ties a channel made inside a bubble to that bubble: using
// it from outside is a fatal error, and blocking on a channel made outside
// the bubble does not count as durably blocked. A goroutine in a bubble
// therefore gets a fresh parker that never enters the pool.
type parker struct {
	*waker.Parker
	pooled bool
}

var parkers = sync.Pool{New: func() any { return &parker{waker.NewParker(), true} }}

func getParker() *parker {
	if bubble.Inside() {
		return &parker{waker.NewParker(), false}
	}
	return parkers.Get().(*parker)
}

func (p *parker) release() {
	if p.pooled {
		parkers.Put(p)
	}
}
