// Package vetcopy copies the mpsc types that must not be copied, for
// TestVetReportsCopies: go vet must report every copy below.
package vetcopy

import "github.com/diatomic-go/diatomic/mpsc"

func Copies() {
	_, r := mpsc.New[int](1)
	rc := *r // copy of a Receiver
	_ = rc.Len()

	_, sr := mpsc.NewSlot()
	src := *sr // copy of a SlotReceiver
	_, _ = src.TryRecv()

	s, _ := mpsc.New[int](1)
	sc := *s // copy of a Sender
	_ = sc.TrySend(1)
}
