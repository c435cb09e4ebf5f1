package mpmc

import (
	"sync/atomic"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/inline"
)

// inlineBodies is never called: it calls what the generic send and receive
// paths call of other packages, so that a program's instances of them
// inline it (see package inline).
func inlineBodies(ec *eventcount.EventCount, count *atomic.Int64, word *atomic.Uint64, flag *atomic.Bool) {
	ec.NotifyOne()
	ec.NotifyN(1)
	ec.NotifyHand(func(any) {})
	count.Add(count.Load())
	inline.Atomics(word, flag)
}

var _ = inlineBodies
