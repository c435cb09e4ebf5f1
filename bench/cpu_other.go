//go:build !unix

package main

import (
	"errors"
	"time"
)

// cpuTime is not available: the idle scenario reports an error.
func cpuTime() (time.Duration, error) {
	return 0, errors.New("process CPU time needs getrusage (unix only)")
}
