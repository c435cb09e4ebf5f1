package oneshot

import "sync/atomic"

// inlineBodies is never called: it calls the methods of the atomic that the
// generic send and receive call, so that a program's instances of them
// inline these (see package internal/inline).
func inlineBodies(state *atomic.Uint32) { state.And(state.Or(state.Load())) }

var _ = inlineBodies
