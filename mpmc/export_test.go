package mpmc

// SetSearchHook sets searchHook for a test and returns a func that removes
// it.
func SetSearchHook(f func(ending bool)) (restore func()) {
	searchHook = f
	return func() { searchHook = nil }
}
