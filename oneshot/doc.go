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
// # Select
//
// Both ends take part in a Go select. [Receiver.Ready] returns a channel that
// becomes ready once the value is there or the sender closed, then
// [Receiver.TryRecv] takes it; [Sender.Done] returns a channel closed once the
// receiver hung up, for a producer to give up early:
//
//	for {
//		v, err := rx.TryRecv()
//		if !errors.Is(err, oneshot.ErrEmpty) {
//			fmt.Println(v, err) // the value, or ErrClosed
//			break
//		}
//		select {
//		case <-rx.Ready(): // then TryRecv again
//		case <-timer.C:
//			rx.Close() // TryRecv reports ErrClosed, tx.Done() is closed
//		}
//	}
//
// Each Ready arms the channel anew. A Ready channel whose select took
// another case costs the sender at most one wake-up, and never loses or
// duplicates the value. [Receiver.Register] and [Receiver.Unregister] make
// the same registration with a custom [waker.Waker], the hook of a set of
// sources served by one goroutine.
//
// # Concurrency contract
//
// A Sender and its Receiver may be used from two different goroutines at the
// same time. Each side belongs to one goroutine at a time: two goroutines
// must not call methods of the same Sender (or of the same Receiver)
// concurrently; the race detector reports it. Ready, Register and Unregister
// belong to the receiving side, Done to the sending side.
//
// Misuse panics with an "oneshot: " message before it changes anything, so
// the channel works as before after a recover: a nil ctx, a nil Waker, and a
// Sender or Receiver that New did not make (a zero value, or a nil pointer).
// A half used after it finished is not misuse: a second Send reports
// ErrAlreadySent, a receive after the value was taken reports ErrClosed, and
// Close after Close does nothing.
//
// New makes the only allocation of a channel's life unless a side has to
// wait: the receiver waits on a [waker.Parker] inside the channel, which
// makes its channel only when a Recv really blocks (not when the value comes
// while it yields) or when Ready first registers; the sender's Done
// makes its channel on first use. Nothing else allocates, and no pool is
// involved. A blocked Recv waits on that channel, so it uses no CPU and is
// visible to the race detector and to testing/synctest.
//
// # Memory ordering
//
// A Send that returns nil synchronizes before the Recv or TryRecv that returns
// its value. Sender.Close synchronizes before the Recv or TryRecv that returns
// ErrClosed because of it. A Send or Sender.Close synchronizes before the
// receive from a Ready channel (or the Wake of a registered Waker) that it
// made ready. Receiver.Close synchronizes before a Send that returns
// ErrClosed, before a Closed that reports true and before the receive from
// the Done channel that it closed.
//
// # Cancellation
//
// A Recv whose ctx ends returns ctx.Err() and leaves the value to come for
// the next Recv, TryRecv or Ready; its registration stays armed for them, at
// the cost of one wake-up nobody waits for when the sender finishes. When the value arrives just as ctx
// ends, Recv returns the value; a value that is already there is returned
// even if ctx is already done.
//
// # Implementation
//
// The protocol, its state word and its invariants are described at the top
// of oneshot.go; the SPIN model models/oneshot.pml checks it, with the select
// and Register registrations and Done (see models/oneshot.md).
package oneshot
