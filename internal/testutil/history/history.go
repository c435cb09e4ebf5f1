// Package history records the histories of concurrent channel calls that
// the linearizability tests of mpmc and mpsc check with porcupine: one
// counter stamps every call and return, and an error that is not one of the
// channel's sentinels is recorded as ErrCancelled.
package history

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/diatomic-go/diatomic/internal/testutil"
)

// Output is the outcome of one call, as the models compare it.
type Output struct {
	Vals string // values received, one byte each
	Err  error  // nil, one of the channel's sentinels, or ErrCancelled
}

// ErrCancelled stands for any ctx.Err().
var ErrCancelled = errors.New("cancelled")

// A Recorder collects a history. Sentinels lists the channel's errors
// (ErrClosed, ErrFull, ErrEmpty); any other error is recorded as
// ErrCancelled. Any goroutine may call Do.
type Recorder struct {
	Sentinels []error

	clock atomic.Int64
	mu    sync.Mutex
	ops   []porcupine.Operation
}

// Do runs f as the call in of client, and records it with its output.
func (h *Recorder) Do(client int, in any, f func() Output) Output {
	call := h.clock.Add(1)
	out := f()
	ret := h.clock.Add(1)
	if out.Err != nil && !slices.Contains(h.Sentinels, out.Err) {
		out.Err = ErrCancelled
	}
	h.mu.Lock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: client, Input: in, Call: call, Output: out, Return: ret})
	h.mu.Unlock()
	return out
}

// Ops returns the history recorded so far.
func (h *Recorder) Ops() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ops
}

// OpCtx returns a context for one blocking call: mostly unbounded in
// practice (testutil.Timeout), sometimes already done, sometimes ending
// soon, so that cancellation lands at every stage of a wait.
func OpCtx(rng *rand.Rand) (context.Context, context.CancelFunc) {
	switch rng.IntN(4) {
	case 0:
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx, cancel
	case 1:
		return context.WithTimeout(context.Background(), time.Duration(rng.IntN(50))*time.Microsecond)
	}
	return context.WithTimeout(context.Background(), testutil.Timeout)
}

// Single is the output of a receive of one value.
func Single(v byte, err error) Output {
	if err != nil {
		return Output{Err: err}
	}
	return Output{Vals: string([]byte{v})}
}

// Check fails the test if ops is not linearizable with respect to model, or
// if porcupine cannot tell within testutil.Timeout, and then lists the
// history, one operation a line; what names the history in the message.
func Check(t testing.TB, model porcupine.Model, ops []porcupine.Operation, what string) {
	t.Helper()
	res, _ := porcupine.CheckOperationsVerbose(model, ops, testutil.Timeout)
	if res == porcupine.Ok {
		return
	}
	var sb strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&sb, "\n  client %d [%d,%d] %s", op.ClientId, op.Call, op.Return, model.DescribeOperation(op.Input, op.Output))
	}
	if res == porcupine.Illegal {
		t.Fatalf("%s: history not linearizable:%s", what, sb.String())
		return
	}
	t.Fatalf("%s: porcupine could not decide within %v whether the history is linearizable:%s", what, testutil.Timeout, sb.String())
}
