// Package bubble tells whether the calling goroutine runs in a
// testing/synctest bubble.
//
// synctest ties a channel made inside a bubble to that bubble: using it from
// outside is a fatal error, and blocking on a channel made outside the bubble
// does not count as durably blocked. Packages that pool parkers (whose Park
// blocks on a channel) ask Inside before taking one from a pool shared by
// every goroutine, and make a fresh one instead when it says true.
package bubble

import "time"

// Inside reports whether the calling goroutine runs in a testing/synctest
// bubble: there, and only there, time.Now carries no monotonic clock reading
// (the runtime omits it on purpose for the bubble's fake clock). A wall clock
// set outside the years 1885-2157 also lacks one; that only makes callers
// allocate a parker they could have reused.
func Inside() bool {
	now := time.Now()
	return now == now.Round(0)
}
