package mpsc

import (
	"sync/atomic"

	"github.com/diatomic-go/diatomic/eventcount"
	"github.com/diatomic-go/diatomic/internal/inline"
	"github.com/diatomic-go/diatomic/internal/spin"
)

// inlineBodies is never called: it calls what the generic fast paths call
// of other packages, so that a program's instances of them inline it (see
// package inline).
func inlineBodies(room *eventcount.EventCount, streak *spin.Streak, wait *atomic.Uint32, word *atomic.Uint64, flag *atomic.Bool) {
	room.NotifyN(1)
	streak.Took(1)
	wait.Swap(0)
	inline.Atomics(word, flag)
}

var _ = inlineBodies
