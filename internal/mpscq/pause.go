package mpscq

import "runtime"

// Pause spins for spins rounds of arithmetic, keeping its P and touching no
// shared memory, and reports true; when this is the only P it returns false
// at once.
//
// Deprecated: the queues no longer spin; Pause is kept only for package
// mpsc's receiver until it stops calling it, and will be removed then.
func Pause(spins int) bool {
	if runtime.GOMAXPROCS(0) == 1 {
		return false
	}
	var x uint32
	spin(spins, &x)
	return true
}

// spin computes for n rounds without touching memory, and stores the result
// in *x so that the loop is not optimized away.
//
//go:noinline
func spin(n int, x *uint32) {
	v := uint32(n)
	for range n {
		v = v*1664525 + 1013904223
	}
	*x = v
}
