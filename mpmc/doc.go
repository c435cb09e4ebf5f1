// Package mpmc provides a bounded channel for many senders and many
// receivers, the worker-pool channel: any number of goroutines send on
// [Sender] handles and any number receive from [Receiver] handles, with
// contexts, close by the last handle of either end, and a select form.
//
//	tx, rx := mpmc.New[Job](1024)
//	for range workers {
//		w := rx.Clone()
//		go func() {
//			defer w.Close()
//			for job := range w.All(ctx) { // ends once the channel is closed and drained
//				handle(job)
//			}
//		}()
//	}
//	rx.Close() // the workers' clones keep the receiving end open
//	for job := range produce() {
//		if err := tx.Send(ctx, job); err != nil {
//			break // ErrClosed (every worker is gone), or ctx.Err()
//		}
//	}
//	tx.Close() // the last Sender handle: the workers drain and stop
//
// # Semantics
//
//   - Closing. The channel is closed when every [Sender] handle (the one New
//     returned and every [Sender.Clone]) has been closed, or when every
//     [Receiver] handle has. Every value sent before the close is still
//     received, exactly once, by some receiver (unless the receivers are
//     the ones who hung up); after them, receives report [ErrClosed]. A send
//     after the close reports ErrClosed. Close may be called any number of
//     times; any other call on a handle after its own Close panics.
//   - No lost values. A send that returns nil has enqueued its value, which
//     exactly one receive returns; a send that returns an error (ErrClosed,
//     [ErrFull], ctx.Err()) has not. A send racing with the close either
//     enqueues, and its value is received before ErrClosed, or reports
//     ErrClosed.
//   - Order. Values sent by one goroutine are received in the order it sent
//     them (values taken by different receivers are then handled in
//     whatever order those run). Operations are linearizable: each takes
//     effect at one instant between its call and its return (checked with
//     porcupine). TrySend reports ErrFull only if the channel held Cap
//     values at some instant during the call, and TryRecv ErrEmpty only if
//     it held none, never because of contention with other goroutines.
//   - Capacity. [Receiver.Cap] reports exactly the capacity passed to New:
//     the ring is an array of the next power of two, but room is counted
//     against the requested capacity. [Receiver.Len] counts the values in
//     the channel, including those whose send is between claiming a
//     position and writing it.
//   - Blocking. Send waits while the channel is full; Recv, RecvBatch and
//     All wait while it is empty and open. A waiting goroutine is parked
//     and uses no CPU; a send or receive that finds nobody waiting on the
//     other side pays one atomic load to find out. Receivers waiting in
//     Recv are woken in the order they began to wait, one per value;
//     senders waiting for room likewise, one per value received. A Send
//     that finds the channel full first yields its P and tries again while
//     receivers keep taking values, and parks once they have taken none
//     during three yields in a row; while it yields it waits for a run of
//     free slots (an eighth of the capacity, at most 64) rather than
//     taking each slot as a receiver frees it, and so may a Send that finds
//     the channel nearly full, but before it parks it takes any free slot.
//     Likewise a Recv or RecvBatch that
//     finds the channel empty while values stream through it (receivers
//     took values since its handle's last wait) yields its P and looks
//     again, a few times at most, before it parks; meanwhile a send wakes
//     nobody for a value that such a receiver can take (while the channel
//     holds no more values than receivers searching). One that has seen
//     no stream parks at once. A Send or TrySend that finds the channel
//     empty and open, a receiver parked in Recv or RecvBatch and none
//     searching gives its value to the one that waited longest directly,
//     as a chan send does to a blocked receiver, without storing it in the
//     ring (Len never counts it), and wakes nobody else: no handle armed
//     by Ready. A send that finds only handles armed by Ready stores its
//     value and wakes them.
//   - Cancellation. Blocking calls take a context first. When it ends they
//     return ctx.Err() and leave the channel as if they had not been called.
//     A receiver that was chosen to be woken for a value when its context
//     ended passes the wake-up on to the next waiting receiver, and one that
//     was handed a value returns it with a nil error; a handle
//     armed by [Receiver.Ready] whose goroutine took another select case
//     leaves no value behind, since every armed handle is woken. No value is
//     left in the channel while a receiver sleeps. An operation that can
//     complete at once does so even if its context is already done.
//   - Select. [Receiver.Ready] returns a channel for a select that is ready
//     once a value is there or the channel is closed; [Sender.Done] one
//     that is closed once the channel is closed.
//
// # Concurrency contract
//
// Any number of goroutines may use any handle, of either end, concurrently
// (unlike an mpsc.Receiver). A handle must not be used after its own Close
// returned, except for Close, Done, Len and Cap; a goroutine that selects on
// Ready should have a handle of its own. No method starts a goroutine.
// Misuse (a nil context, a zero handle not made by New or Clone, a capacity
// below 1, a handle used after its Close) panics with an "mpmc:" message
// before anything changes, so the channel keeps working after a recover.
//
// # Memory ordering
//
// A successful Send or TrySend synchronizes before the receive that returns
// its value. The Close that closes the channel synchronizes before every
// receive that reports ErrClosed and every send that reports ErrClosed
// because of it, and before the close of Done's channel. A receive
// synchronizes before the Send that was waiting for the room it made, when
// that Send returns.
//
// # Implementation
//
// The ring is internal/mpmcq.Ring: Vyukov's bounded MPMC queue, as in
// xsync v4's MPMCQueue, whose TryEnqueue cannot be used as it is: it returns
// false both when the ring is full and when the caller lost a CAS race, so
// TrySend would report ErrFull falsely. Ours retries a lost race (after one
// yield of its P, which spares the claim word a storm of retries), counts
// room against the exact capacity, carries the closed bit in the producers'
// claim word, moves a batch of values with one claim, and lets a blocking
// send wait for a run of free slots (TryEnqueueBatched). Receivers waiting
// for values and senders waiting for room wait on [eventcount.EventCount]s,
// the receivers with a hand for a send's value (EventCount.CommitHand and
// NotifyHand); a handle armed by Ready waits on a channel of its own.
package mpmc
