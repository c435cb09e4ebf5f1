// Package oneshot provides a channel that carries exactly one value from one
// sender to one receiver, for the price of a single allocation.
//
// It is the Go counterpart of tokio's sync::oneshot: a request carries a
// *Sender for its reply, the requester waits on the *Receiver.
//
//	tx, rx := oneshot.New[int]()
//	go func() { tx.Send(compute()) }()
//	v, err := rx.Recv(ctx) // the value, ErrClosed, or ctx.Err()
//
// # Concurrency contract
//
// A Sender and its Receiver may be used from two different goroutines at the
// same time. Each side belongs to one goroutine at a time: two goroutines
// must not call methods of the same Sender (or of the same Receiver)
// concurrently; the race detector reports it.
//
// Misuse panics with an "oneshot: " message before it changes anything, so
// the channel works as before after a recover: a nil ctx, and a Sender or
// Receiver that New did not make (a zero value, or a nil pointer). A half used
// after it finished is not misuse: a second Send reports ErrAlreadySent, a
// receive after the value was taken reports ErrClosed, and Close after Close
// does nothing.
//
// New makes the only allocation of a channel's life. A Recv that has to wait
// parks on a [waker.Parker] taken from a pool and puts it back, clean, before
// it returns, so no path allocates in the steady state. A parked Recv uses no
// CPU and is visible to the race detector and to testing/synctest (inside a
// synctest bubble it parks on a parker of its own, made in the bubble).
//
// # Memory ordering
//
// A Send that returns nil synchronizes before the Recv or TryRecv that returns
// its value. Sender.Close synchronizes before the Recv or TryRecv that returns
// ErrClosed because of it. Receiver.Close synchronizes before a Send that
// returns ErrClosed and before a Closed that reports true.
//
// # Cancellation
//
// A Recv whose ctx ends returns ctx.Err() and leaves the channel as it found
// it: a value sent later is kept for the next Recv or TryRecv. When the value
// arrives just as ctx ends, Recv returns whichever it saw first; a value that
// is already there is returned even if ctx is already done.
package oneshot
