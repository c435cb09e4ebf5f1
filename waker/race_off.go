//go:build !race

package waker

const raceEnabled = false
