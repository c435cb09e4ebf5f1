// Command eventloop serves a changing set of mailboxes from one goroutine.
//
// A select statement waits on a set of channels fixed at compile time;
// reflect.Select takes a dynamic set but rebuilds and scans it on every call.
// Here each mailbox has a waker.WakeSink, and the loop registers on it a
// custom waker.Waker whose Wake pushes the mailbox's id into the loop's own
// queue (an unbounded mpsc channel). The loop then only ever waits on that
// queue, and each wake-up names the mailbox that is ready: the cost of a wait
// does not grow with the number of mailboxes, and mailboxes come and go while
// the loop runs.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"sync"

	"github.com/diatomic-go/diatomic/mpsc"
	"github.com/diatomic-go/diatomic/waker"
)

// mailbox is a source of messages: producers Post, the loop drains.
type mailbox struct {
	id   int
	sink *waker.WakeSink
	src  waker.WakeSource

	mu     sync.Mutex // guards msgs and closed
	msgs   []string
	closed bool
}

func newMailbox(id int) *mailbox {
	m := &mailbox{id: id, sink: waker.NewWakeSink()}
	m.src = m.sink.Source()
	return m
}

// Post adds a message; it notifies after unlocking, so that the loop's
// re-check after registering sees the message or the loop is woken.
func (m *mailbox) Post(msg string) {
	m.mu.Lock()
	m.msgs = append(m.msgs, msg)
	m.mu.Unlock()
	m.src.Notify()
}

// Close says no message will follow.
func (m *mailbox) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.src.Notify()
}

func (m *mailbox) drain() (msgs []string, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs, m.msgs = m.msgs, nil
	return msgs, m.closed
}

func (m *mailbox) pending() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs) > 0 || m.closed
}

// readyWaker is the custom Waker: it queues the id of its mailbox. Wake
// never blocks (the queue is unbounded), as a Waker must not. It has a
// pointer receiver, which makes it comparable, as wakers must be.
type readyWaker struct {
	id    int
	queue *mpsc.Sender[event]
}

func (w *readyWaker) Wake() {
	// ErrClosed only after the mailbox's last message was served; nothing
	// is waiting for this wake-up then.
	_ = w.queue.TrySend(event{ready: w.id})
}

// event is what the loop's queue carries: a mailbox to add, or the id of a
// mailbox that is ready.
type event struct {
	add   *mailbox
	waker *readyWaker
	ready int
}

// loop serves mailboxes from one goroutine.
type loop struct {
	tx *mpsc.Sender[event]
	rx *mpsc.Receiver[event]
	// Owned by the goroutine in run.
	boxes  map[int]*mailbox
	wakers map[int]*readyWaker
}

func newLoop() *loop {
	tx, rx := mpsc.NewUnbounded[event]()
	return &loop{tx: tx, rx: rx, boxes: map[int]*mailbox{}, wakers: map[int]*readyWaker{}}
}

// Add hands m to the loop; any goroutine may call it until Close. The waker
// holds its own Sender handle, closed once m is closed and drained.
func (l *loop) Add(ctx context.Context, m *mailbox) error {
	w := &readyWaker{id: m.id, queue: l.tx.Clone()}
	return l.tx.Send(ctx, event{add: m, waker: w})
}

// Close says no mailbox will be added. The loop's queue closes itself when
// the last Sender handle closes: Add's own, and then each mailbox's once it
// is done, which ends run.
func (l *loop) Close() { l.tx.Close() }

// run serves the mailboxes, calling handle for each message in the order of
// its mailbox, until every mailbox added is closed and drained.
func (l *loop) run(ctx context.Context, handle func(id int, msg string)) error {
	for ev := range l.rx.All(ctx) {
		id := ev.ready
		if ev.add != nil {
			id = ev.add.id
			l.boxes[id], l.wakers[id] = ev.add, ev.waker
		}
		l.serve(id, handle)
	}
	return ctx.Err()
}

// serve drains mailbox id, then registers its waker and checks once more:
// a Post after the drain either shows up in that check or wakes the waker.
func (l *loop) serve(id int, handle func(int, string)) {
	m := l.boxes[id]
	if m == nil {
		return // a wake-up that raced with the mailbox's last drain
	}
	for {
		msgs, closed := m.drain()
		for _, msg := range msgs {
			handle(id, msg)
		}
		if closed {
			m.sink.Unregister()
			l.wakers[id].queue.Close()
			delete(l.boxes, id)
			delete(l.wakers, id)
			return
		}
		m.sink.Register(l.wakers[id])
		if !m.pending() {
			return
		}
	}
}

const perMailbox = 5

// produce posts perMailbox messages to m, then closes it.
func produce(m *mailbox) {
	for k := range perMailbox {
		m.Post(fmt.Sprintf("m%d-%d", m.id, k))
	}
	m.Close()
}

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	l := newLoop()
	got := map[int][]string{} // written by the loop goroutine only
	firstMessage := make(chan struct{})
	var once sync.Once
	done := make(chan error, 1)
	go func() {
		done <- l.run(ctx, func(id int, msg string) {
			got[id] = append(got[id], msg)
			once.Do(func() { close(firstMessage) })
		})
	}()

	var producers sync.WaitGroup
	add := func(ids ...int) error {
		for _, id := range ids {
			m := newMailbox(id)
			if err := l.Add(ctx, m); err != nil {
				return err
			}
			producers.Go(func() { produce(m) })
		}
		return nil
	}
	if err := add(0, 1, 2); err != nil {
		return err
	}
	<-firstMessage // the loop is serving: add two more mailboxes now
	if err := add(3, 4); err != nil {
		return err
	}
	l.Close()
	producers.Wait()
	if err := <-done; err != nil {
		return err
	}

	ids := make([]int, 0, len(got))
	for id := range got {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		inOrder := true
		for k, msg := range got[id] {
			inOrder = inOrder && msg == fmt.Sprintf("m%d-%d", id, k)
		}
		fmt.Fprintf(w, "mailbox %d: %d messages, in order: %v\n", id, len(got[id]), inOrder)
	}
	fmt.Fprintf(w, "one goroutine served %d mailboxes, two of them added while it ran;\n", len(ids))
	fmt.Fprintln(w, "its queue closed itself when the last mailbox was done")
	return nil
}
