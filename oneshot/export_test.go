package oneshot

// Waiting reports whether a Recv on r is registered to be woken.
func Waiting[T any](r *Receiver[T]) bool { return r.c.state.Load()&rxWaiting != 0 }

// Stored returns the value slot as it is, for checking that dropped values
// are cleared. Only for a quiescent channel.
func Stored[T any](r *Receiver[T]) T { return r.c.value }
