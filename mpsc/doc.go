// Package mpsc provides channels for many senders and one receiver that are
// faster than Go's chan and close themselves when the last sender is done:
// a bounded channel ([New]), an unbounded one ([NewUnbounded]), and the
// capacity-1 channel of non-zero values ([NewSlot]). Closing never panics,
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
//   - No lost values. A send that returns nil has enqueued its value; a send
//     that returns an error (ErrClosed, [ErrFull], ctx.Err()) has not. A
//     send racing with the last Close either enqueues, and its value is
//     received before ErrClosed, or reports ErrClosed.
//   - Order. Values sent by one goroutine are received in the order it sent
//     them. Operations are linearizable: each takes effect at one instant
//     between its call and its return (checked with porcupine). A TrySend
//     reports ErrFull only if the channel held Cap values at some instant
//     during the call, never because of contention with other senders.
//   - Capacity. [Receiver.Cap] reports exactly the capacity passed to New:
//     the ring is an array of the next power of two, but room is counted
//     against the requested capacity. Cap is -1 for an unbounded channel.
//     [Receiver.Len] counts the values in the channel, including those whose
//     send is between claiming a position and writing it. Len and Cap may be
//     called from any goroutine, as len and cap are on a chan.
//   - Blocking. Send waits while a bounded channel is full; Recv and
//     RecvBatch wait while the channel is empty and open. Each has a
//     non-blocking twin that reports instead of waiting: [Sender.TrySend]
//     (ErrFull), [Receiver.TryRecv] and [Receiver.TryRecvBatch] (ErrEmpty);
//     on a Slot, [SlotReceiver.TryRecv] is Recv's. All is Recv in a loop. A waiting goroutine is
//     parked and uses no CPU; a send or receive that finds nobody waiting on
//     the other side pays one atomic load to find out. A Send that finds the
//     channel full, or with fewer than a batch of min(Cap/8, 64) free slots,
//     first yields its P and tries again for as long as the receiver keeps
//     taking values, and parks once the receiver has taken none during three
//     yields in a row; before it parks it takes any free slot, so a Send
//     never parks while there is room. A receive that finds the channel
//     empty yields and looks again twice before it registers to be woken. If
//     it has taken at least 4 values since it last waited (a stream), and
//     its yield found no other goroutine ready to run, it first looks twice
//     more, each time after spinning for a pause that adapts to the senders
//     within fixed bounds: doubled while fewer values than a quarter of the
//     capacity (at most 128) follow it, halved when senders had to wait for
//     room. A receiver on a stream that stops thus spins briefly, for a
//     bounded time, before it parks; one that takes a value per wait, as in
//     request and reply, does not spin, nor does the receiver of a bounded
//     channel of capacity below 128. Parked senders are woken in the order
//     they parked, one per value received.
//   - Cancellation. Blocking calls take a context first. When it ends they
//     return ctx.Err() and leave the channel as if they had not been called.
//     An operation that can complete at once does so even if its context is
//     already done.
//
// # Concurrency contract
//
// Any number of goroutines may use a Sender, and any Sender handle,
// concurrently. A Receiver's receive methods (Recv, TryRecv, RecvBatch,
// TryRecvBatch, and the iterator of All) must be called from one goroutine
// at a time; Close, Len and Cap may be called from any goroutine. On a Slot,
// any number of goroutines may call [SlotSender.TrySend], and
// [SlotReceiver.Recv] must be called from one goroutine at a time; a
// [SlotReceiver.TryRecv] that overlaps another receive is harmless, each
// value going to one of them. No method starts a goroutine.
//
// # Misuse
//
// Misuse panics with a message that starts with "mpsc:" and names the
// mistake, raised before the call touches the channel, so that a program
// that recovers finds the channel as it was and can go on using it:
//
//   - a nil context.Context passed to a blocking call (Send, Recv,
//     RecvBatch, All, SlotReceiver.Recv), whether or not it would block;
//   - a method called on a zero Sender, Receiver, SlotSender or
//     SlotReceiver (one not made by New, NewUnbounded or NewSlot);
//   - a receive on a Receiver that starts while another receive on it is in
//     progress ("mpsc: concurrent receive"), or a SlotReceiver.Recv that
//     would wait while another Recv waits;
//   - New with a capacity below 1 or beyond what a ring can index, and
//     SlotSender.TrySend(0).
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
// TrySend on a Slot that returns true synchronizes before the receive that
// returns its value.
//
// # Implementation
//
// The bounded channel is a ring of our own (internal/mpscq.Ring), the
// bounded queue of Vyukov as in xsync's MPMCQueue, reworked for one
// consumer: the consumer releases slots with one store per receive, or per
// batch, of a tail counter that producers read only when a cached copy says
// the ring is full, and the producers' claim counter carries the closed bit.
// xsync v4's MPMCQueue, the obvious candidate, falls short on two counts:
//
//   - Semantics: its TryEnqueue returns false both when the ring is full and
//     when another producer won a CAS race, so ErrFull would be reported
//     falsely, or a Send would park needlessly (the xsync variant in the
//     benchmarks retries a few times and then parks to check again).
//   - Batching: its consumer must CAS the tail and store every slot's turn,
//     so there is no cheaper batch receive; ours moves a batch with one
//     store. Its capacity is also rounded up to a power of two, which Cap
//     would have to report.
//
// What makes the bounded channel fast with many senders, each measured by
// BenchmarkBounded and BenchmarkRecvBatch against chan and xsync (the
// README gives the figures, with the command and the machine):
//
//   - Senders wait for a batch of free slots rather than take each slot as
//     it is freed (internal/mpscq.Ring.TryEnqueueBatched), and yield up to
//     three times before they park.
//   - A sender whose claim lost a race to another backs off for a bounded
//     pause, at most once per segment's worth of positions (see Send), since
//     two cores claiming in turn from one ring made every claim several
//     times dearer (BenchmarkFill in internal/mpscq).
//   - A receiver that finds nothing and will wait does not read the
//     senders' claim word (internal/mpscq.Ring.Poll).
//   - A receiver on a stream paces its looks (see Blocking above), since
//     each look reads the cache line the sender is writing.
//   - RecvBatch releases a whole batch's room with one store. The receiver
//     then outruns the senders, and what limits them is the send itself: two
//     locked instructions, the claim's CAS and the store that publishes the
//     value (the fence without which the receiver's wake-up could not be one
//     load; BenchmarkEnqueue in internal/mpscq).
//
// The unbounded channel is a list of segments (internal/mpscq.List):
// producers claim slots with a fetch-and-add on a per-segment word that also
// carries the closed bit, the first claim of a segment links the next, slot
// arrays are recycled, a producer far ahead of the receiver yields once per
// segment, a producer that collides with another at the end of a segment
// spins for a bounded pause, and the receiver can poll, which xsync's
// UMPSCQueue cannot (BenchmarkUnbounded compares the two).
//
// The receiver waits on a [waker.WakeSink], senders waiting for room on an
// [eventcount.EventCount].
package mpsc
