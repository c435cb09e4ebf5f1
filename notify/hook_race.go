//go:build race

package notify

// testHook, set only by tests, runs at the protocol steps named by step. It
// exists only in race-detector builds, where the tests that interleave those
// steps run; other builds compile hook to nothing (hook_norace.go).
var testHook func(step)

func hook(s step) {
	if testHook != nil {
		testHook(s)
	}
}
