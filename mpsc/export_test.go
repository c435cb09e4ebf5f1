package mpsc

// SetReadyHook makes f run at Ready's two steps around its registration:
// before (false) and after (true). Tests only; nil removes it.
func SetReadyHook(f func(afterRegister bool)) {
	if f == nil {
		testHook = nil
		return
	}
	testHook = func(p hookPoint) { f(p == hookAfterRegister) }
}
