// Command eventloop serves a changing set of mailboxes from one goroutine.
//
// A select statement waits on a set of channels fixed at compile time;
// reflect.Select takes a dynamic set but scans it on every call. Here the
// loop waits on a waker.Set: each mailbox joins it as a waker.Source (its
// WakeSink paired with the predicate "a message or the close is pending"),
// and each wake-up names the mailbox that is ready. The cost of a wait does
// not grow with the number of mailboxes, and mailboxes come and go while the
// loop runs: other goroutines hand new ones to the loop through a control
// source in the same set.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"sync"

	"github.com/diatomic-go/diatomic/waker"
)

// mailbox is a source of messages: producers Post, the loop drains.
type mailbox struct {
	id   int
	sink waker.WakeSink
	src  waker.WakeSource

	mu     sync.Mutex // guards msgs and closed
	msgs   []string
	closed bool
}

func newMailbox(id int) *mailbox {
	m := &mailbox{id: id}
	m.src = m.sink.Source()
	return m
}

// Post adds a message; it wakes after unlocking, so that the loop's check
// after registering sees the message or the loop is woken.
func (m *mailbox) Post(msg string) {
	m.mu.Lock()
	m.msgs = append(m.msgs, msg)
	m.mu.Unlock()
	m.src.Wake()
}

// Close says no message will follow.
func (m *mailbox) Close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.src.Wake()
}

func (m *mailbox) drain() (msgs []string, closed bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	msgs, m.msgs = m.msgs, nil
	return msgs, m.closed
}

// pending says whether drain would return something; it takes nothing, as
// the predicate of a waker.SinkSource must.
func (m *mailbox) pending() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.msgs) > 0 || m.closed
}

// control is the key of the loop's own source, which delivers new mailboxes.
const control = -1

var errClosed = errors.New("eventloop: Add after Close")

// loop serves mailboxes from one goroutine.
type loop struct {
	sink    waker.WakeSink // woken by Add and Close
	mu      sync.Mutex     // guards added and closing
	added   []*mailbox
	closing bool

	// Owned by the goroutine in run.
	set   waker.Set[int]
	boxes map[int]*mailbox
}

func newLoop() *loop {
	l := &loop{boxes: map[int]*mailbox{}}
	l.set.Add(control, waker.SinkSource(&l.sink, l.pending))
	return l
}

// Add hands m to the loop; any goroutine may call it until Close.
func (l *loop) Add(m *mailbox) error {
	l.mu.Lock()
	if l.closing {
		l.mu.Unlock()
		return errClosed
	}
	l.added = append(l.added, m)
	l.mu.Unlock()
	l.sink.Source().Wake()
	return nil
}

// Close says no mailbox will be added: run returns once every mailbox added
// is closed and drained.
func (l *loop) Close() {
	l.mu.Lock()
	l.closing = true
	l.mu.Unlock()
	l.sink.Source().Wake()
}

func (l *loop) pending() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.added) > 0 || l.closing
}

// run serves the mailboxes, calling handle for each message in the order of
// its mailbox, until Close was called and every mailbox added is closed and
// drained.
func (l *loop) run(ctx context.Context, handle func(id int, msg string)) error {
	closing := false
	for !closing || len(l.boxes) > 0 {
		id, err := l.set.Wait(ctx)
		if err != nil {
			return err
		}
		if id == control {
			l.mu.Lock()
			added := l.added
			l.added, closing = nil, l.closing
			l.mu.Unlock()
			for _, m := range added {
				l.boxes[m.id] = m
				l.set.Add(m.id, waker.SinkSource(&m.sink, m.pending))
			}
			if closing {
				// Nothing will come through the control source any more.
				l.set.Remove(control)
			}
			continue
		}
		// Drain what Wait reported; the next Wait watches it again.
		m := l.boxes[id]
		msgs, closed := m.drain()
		for _, msg := range msgs {
			handle(id, msg)
		}
		if closed {
			l.set.Remove(id)
			delete(l.boxes, id)
		}
	}
	return nil
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
			if err := l.Add(m); err != nil {
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
	fmt.Fprintln(w, "its wait returned when the last mailbox was done")
	return nil
}
