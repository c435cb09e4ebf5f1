package waker

// noCopy may be embedded into structs which must not be copied after first
// use; go vet's copylocks check reports copies. The three wakers and Set hold
// one (WakeSink through its DiatomicWaker).
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
