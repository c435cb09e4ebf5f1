// Package mpsc provides channels for many senders and one receiver that are
// faster than Go's chan and close themselves when the last sender is done:
// a bounded channel ([New]), an unbounded one ([NewUnbounded]), and the
// capacity-1 channel of uint64 values ([NewSlot]). Closing never panics,
// nor does sending on a closed channel: the only panics are those of misuse
// (see Misuse below).
//
//	tx, rx := mpsc.New[Job](1024)
//	for range workers {
//		w := tx.Clone()
//		go func() {
//			defer w.Close()
//			for job := range produce() {
//				if err := w.Send(ctx, job); err != nil {
//					return // ErrClosed, or ctx.Err()
//				}
//			}
//		}()
//	}
//	tx.Close() // the clones keep the channel open
//	for job := range rx.All(ctx) { // ends once every clone is closed and the channel drained
//		handle(job)
//	}
//
// # Semantics
//
//   - Closing. The channel is closed when every [Sender] handle (the one New
//     returned and every [Sender.Clone]) has been closed, or when the
//     [Receiver] closes it. Every value sent before the close is still
//     delivered; after them, receives report [ErrClosed]. A send after the
//     close, or on a closed handle, reports ErrClosed rather than panicking,
//     and Close may be called any number of times, from any goroutine.
//     Either end closes a Slot ([SlotSender.Close], [SlotReceiver.Close]).
//   - No lost values. A send that returns nil has enqueued its value; a send
//     that returns an error (ErrClosed, [ErrFull], ctx.Err()) has not. A
//     send racing with the last Close either enqueues, and its value is
//     received before ErrClosed, or reports ErrClosed.
//   - Order. Values sent by one goroutine are received in the order it sent
//     them. Operations are linearizable: each takes effect at one instant
//     between its call and its return (checked with porcupine). A TrySend
//     reports ErrFull only if the channel held Cap values at some instant
//     during the call, never because of contention with other senders.
//   - Capacity. [Receiver.Cap] reports exactly the capacity passed to New,
//     -1 for an unbounded channel. [Receiver.Len] counts the values in the
//     channel. Both may be called from any goroutine, as len and cap are.
//   - Blocking. Send waits while a bounded channel is full; Recv and
//     RecvBatch wait while the channel is empty and open. Each has a
//     non-blocking twin that reports instead of waiting: [Sender.TrySend]
//     (ErrFull), [Receiver.TryRecv] and [Receiver.TryRecvBatch] (ErrEmpty);
//     on a Slot, [SlotReceiver.TryRecv] is Recv's, and
//     [SlotSender.TrySend] the only send. All is Recv in a loop. A waiting
//     goroutine is parked and uses no CPU; a send or receive that finds
//     nobody waiting on the other side pays atomic loads to find out (a
//     receive one; a channel's send three, a Slot's one). A send that finds the receiver parked
//     and the channel empty hands it the value directly, as a chan send
//     does to a blocked receiver.
//     Before it parks, a waiter may yield its processor a bounded number of
//     times, when the other side is running (values stream in, the
//     receiver frees room, a hand-off); no wait spins, but one pause does:
//     a RecvBatch that keeps finding its senders' latest values reads
//     again no sooner than a microsecond after its last read, even if
//     values are there (see [Receiver.RecvBatch]). Parked senders are
//     woken in the order they parked, one per value received.
//   - Select. [Receiver.Ready] and [SlotReceiver.Ready] return a channel
//     that is ready once a value is there (or the channel is closed), for
//     a select beside other cases; TryRecv then takes the value. A wake-up
//     may be spurious but is never lost. [Sender.Done] and [SlotSender.Done]
//     are closed once the channel is. [Receiver.Register] and
//     [SlotReceiver.Register] wake a [waker.Waker] instead, for one
//     goroutine that serves many sources (see [waker.Set]). None of them
//     starts a goroutine or, after its first call, allocates.
//   - Cancellation. Blocking calls take a context first. When it ends they
//     return ctx.Err() and leave the channel as if they had not been called.
//     An operation that can complete at once does so even if its context is
//     already done (a paced RecvBatch after its pause, which does not look
//     at the context).
//
// # Concurrency contract
//
// Any number of goroutines may use a Sender, and any Sender handle,
// concurrently, and Sender.Done too. A Receiver's receive methods (Recv,
// TryRecv, RecvBatch, TryRecvBatch, the iterator of All, Ready, Register
// and Unregister) must be called from one goroutine at a time; Close, Len
// and Cap may be called from any goroutine. On a Slot, any number of
// goroutines may call [SlotSender.TrySend], Close and Done, and
// [SlotReceiver.Recv], Ready, Register and Unregister must be called from
// one goroutine at a time; SlotReceiver.Close may be called from any
// goroutine, and a [SlotReceiver.TryRecv] that overlaps another receive is
// harmless, each value going to one of them.
//
// # Misuse
//
// Misuse panics with a message that starts with "mpsc:" and names the
// mistake, raised before the call changes the channel, so that a program
// that recovers can go on using it:
//
//   - a nil context.Context passed to a blocking call (Send, Recv,
//     RecvBatch, All, SlotReceiver.Recv), whether or not it would block;
//   - a method called on a zero Sender, Receiver, SlotSender or
//     SlotReceiver (one not made by New, NewUnbounded or NewSlot);
//   - two receives on one Receiver at once ("mpsc: concurrent receive"): a
//     receive, Ready, Register or Unregister that would wait or register
//     while another waits or registers, or one of two receives that take
//     the same value (the other returns it); a TryRecv or TryRecvBatch that
//     overlaps a waiting receive without taking its value is harmless. The
//     same holds on a SlotReceiver. With values that hold pointers, the
//     value two overlapping receives raced for may be lost; with others,
//     nothing is;
//   - New with a capacity below 1 or beyond what a ring can index,
//     SlotSender.TrySend of 0 or ^uint64(0) (the values a Slot reserves
//     for empty and closed), and Register with a nil Waker (a Waker that
//     is not comparable panics with package waker's message).
//
// Receiver and SlotReceiver must not be copied: go vet reports a copy.
//
// # Memory ordering
//
// A successful Send or TrySend synchronizes before the Recv, TryRecv,
// RecvBatch, TryRecvBatch or All step that returns its value. The Close
// that closes the channel (the last Sender.Close, or Receiver.Close)
// synchronizes before every receive that reports ErrClosed and every send
// that reports ErrClosed because of it. A receive synchronizes before the
// Send that was waiting for the room it made, when that Send returns. A
// TrySend on a Slot that returns nil synchronizes before the receive that
// returns its value, and the Close that closed a Slot before every receive
// and TrySend that reports ErrClosed.
//
// # Implementation
//
// The bounded channel is a ring (internal/mpscq/ring.go: Vyukov's bounded
// queue, as in xsync's MPMCQueue, reworked for one consumer; the file says
// why not xsync's own), the unbounded one a list of segments
// (internal/mpscq/list.go). mpsc/chan.go makes them awaitable: a receiver
// that waits announces it in a word of the channel and parks on a chan of
// its own, to which a send hands its value when the channel is empty;
// Ready and Register arm a [waker.WakeSink]; senders waiting for room wait
// on an [eventcount.EventCount]; and internal/spin holds the waiting
// policy. models/mpsc_close.pml checks the close, a blocked Send, the
// receiver's drain, its wait and the hand-off; models/mpsc_list.pml the unbounded queue's claims,
// links and close; models/mpsc_select.pml Ready's arming (mpsc/select.go);
// models/mpsc_slot.pml the Slot's value word and close (mpsc/slot.go).
// The README and bench/README.md give the figures.
package mpsc
