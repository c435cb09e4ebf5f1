// Package mpsc provides channels for many senders and one receiver that are
// faster than Go's chan, close themselves when the last sender is done, and
// never panic: a bounded channel ([New]), an unbounded one ([NewUnbounded]),
// and the capacity-1 channel of non-zero values ([NewSlot]).
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
//     close, or on a closed handle, reports ErrClosed: nothing panics, and
//     Close may be called any number of times.
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
//     send is between claiming a position and writing it.
//   - Blocking. Send waits while a bounded channel is full; Recv and
//     RecvBatch wait while the channel is empty and open. A waiting
//     goroutine is parked and uses no CPU; a send or receive that finds
//     nobody waiting on the other side pays one atomic load to find out.
//     A Send that finds the channel full, or with fewer than a batch of
//     min(Cap/8, 64) free slots, first yields its P and tries again for as
//     long as the receiver keeps taking values, and parks once the receiver
//     has taken none during three yields in a row; before it parks it takes
//     any free slot, so a Send never parks while there is room. A receive
//     that finds the channel empty yields and looks again twice before it
//     registers to be woken. If it has taken at least 4 values since it
//     last waited (a stream), and its yield found no other goroutine ready
//     to run, it first looks twice more, each time after spinning for a
//     pause that adapts to the senders: between 0.25µs and 5.7µs (on the
//     benchmark machine), doubled while fewer values than a quarter of the
//     capacity (at most 128) follow it, halved when senders had to wait
//     for room. A receiver on a stream that stops thus spends up to about
//     11µs of CPU before it parks; one that takes a value per wait, as in
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
// concurrently. A Receiver's methods must be called from one goroutine at a
// time, except Close and Cap, which any goroutine may call. The same holds
// for [SlotSender] and [SlotReceiver]. No method starts a goroutine.
//
// # Memory ordering
//
// A successful Send or TrySend synchronizes before the Recv, TryRecv,
// RecvBatch or All step that returns its value. The Close that closes the
// channel (the last Sender.Close, or Receiver.Close) synchronizes before
// every receive that reports ErrClosed and every send that reports ErrClosed
// because of it. A receive synchronizes before the Send that was waiting for
// the room it made, when that Send returns. A TrySend on a Slot that returns
// true synchronizes before the receive that returns its value.
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
// Measured with go test -run XXX -bench 'Bounded|RecvBatch|Unbounded'
// -benchtime=1s ./mpsc on a 2-core AMD EPYC, Go 1.26, capacity 1024, one run
// (the machine is shared and runs vary, the ratios less), per value, with
// 1/4/16/64 senders:
//
//   - Recv: chan 39.8/35.4/36.3/39.6 ns, ours 14.4/14.8/15.0/15.2 ns (2.4 to
//     2.8x chan). Senders wait for a batch of free slots rather than take
//     each slot as it is freed (internal/mpscq.Ring.TryEnqueueBatched), and
//     yield up to three times before they park; a sender whose claim lost a
//     race to another backs off for 10-15µs, at most once per 1024
//     positions (see Send), since two cores claiming in turn from one ring
//     made every claim several times dearer; a receiver that finds nothing
//     and will wait does not read the senders' claim word
//     (internal/mpscq.Ring.Poll); and a receiver on a stream paces its
//     looks (see Blocking above), since each look reads the cache line the
//     sender is writing: with one sender, 19.5 ns per value before.
//   - RecvBatch (up to 256 values per call): chan, taking what it can
//     without blocking, 39.1/34.9/35.6/38.2 ns, ours 14.1/15.4/16.4/20.4 ns
//     (2.8/2.3/2.2/1.9x; with one sender the receiver took 106 values per
//     call, and 5 before it paced, at 24-25 ns per value). The receiver
//     then outruns the senders, and what limits them is the send itself:
//     two locked instructions, the claim's CAS and the store that publishes
//     the value (an XCHG on amd64, and the fence without which the
//     receiver's wake-up could not be one load): one sender with every
//     cache line to itself and nobody receiving spends 12 ns per value in
//     the queue, 9.7 of them in those two instructions (BenchmarkEnqueue in
//     internal/mpscq). Three times chan's throughput would be 12-13 ns per
//     value from send to receive.
//   - The unbounded channel is a list of segments of 1024 slots
//     (internal/mpscq.List): producers claim slots with a fetch-and-add on a
//     per-segment word that also carries the closed bit, the first claim of
//     a segment links the next, slot arrays are recycled, a producer far
//     ahead of the receiver yields once per segment, a producer that
//     collides with another at the end of a segment spins for 10-15µs,
//     and the receiver can poll, which xsync's UMPSCQueue cannot. Recv
//     (a second run; the first crossed into a slow stretch): UMPSCQueue
//     22.9/19.5/19.2/19.4 ns, ours 15.0/14.6/14.9/14.3 ns (1.3 to 1.5x its
//     throughput).
//
// In stretches when the machine's cross-core transfers are slower (chan at
// 42-64 ns), the same command measured, with one sender, Recv 21-24 ns
// (1.7-2.0x chan), RecvBatch 14-21 ns, and the unbounded channel 32-36 ns
// against UMPSCQueue's 33-38 ns (1.0-1.2x); with a fixed 1.4µs pause
// instead of the adaptive one, 35 ns, 35 ns, and 0.8x.
//
// The receiver waits on a [waker.WakeSink], senders waiting for room on an
// [eventcount.EventCount].
package mpsc
