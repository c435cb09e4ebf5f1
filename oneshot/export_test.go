package oneshot

// Waiting reports whether r has published a waiter (a waiting Recv, a Ready
// channel or a registered Waker) and the sender has not finished yet.
func Waiting[T any](r *Receiver[T]) bool {
	return r.c.state.Load()&(rxWaiting|settled) == rxWaiting
}

// Stored returns the value slot as it is, for checking that dropped values
// are cleared. Only for a quiescent channel.
func Stored[T any](r *Receiver[T]) T { return r.c.value }

// DoneMade reports whether the sender's Done channel was made.
func DoneMade[T any](s *Sender[T]) bool { return s.c.done != nil }
