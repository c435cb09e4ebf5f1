package mpsc_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/diatomic-go/diatomic/internal/testutil"
	"github.com/diatomic-go/diatomic/internal/testutil/history"
	"github.com/diatomic-go/diatomic/mpsc"
)

// The sequential specification the concurrent histories are checked
// against: a FIFO queue of at most capacity values, a count of open sender
// handles, and a closed flag.
type linState struct {
	q       string // the values, one byte each (values are 1..255)
	handles int    // open sender handles
	closed  bool
}

type linOp uint8

const (
	opTrySend linOp = iota
	opSend
	opTryRecv
	opRecv
	opRecvBatch
	opCloseHandle // a sender closes its handle
	opCloseRecv   // the receiver closes
)

type linInput struct {
	op linOp
	v  byte // opTrySend, opSend: the value; opRecvBatch: len(buf)
}

type linOutput = history.Output

// linModel is the specification of a channel of the given capacity whose
// history starts with handles open sender handles.
func linModel(capacity, handles int) porcupine.Model {
	full := func(s linState) bool { return capacity != unbounded && len(s.q) >= capacity }
	return porcupine.Model{
		Init: func() any { return linState{handles: handles} },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(linState), input.(linInput), output.(linOutput)
			switch in.op {
			case opTrySend, opSend:
				switch {
				case out.Err == nil:
					if s.closed || full(s) {
						return false, s
					}
					s.q += string(in.v)
					return true, s
				case out.Err == mpsc.ErrClosed:
					return s.closed, s
				case out.Err == mpsc.ErrFull:
					return in.op == opTrySend && !s.closed && full(s), s
				default: // a cancelled Send found the channel full
					return in.op == opSend && !s.closed && full(s), s
				}
			case opTryRecv, opRecv, opRecvBatch:
				switch {
				case out.Err == nil:
					// The oldest values, at least one, at most
					// len(buf) for a batch.
					n := len(out.Vals)
					if n == 0 || n > 1 && in.op != opRecvBatch || n > int(in.v) && in.op == opRecvBatch {
						return false, s
					}
					if !strings.HasPrefix(s.q, out.Vals) {
						return false, s
					}
					s.q = s.q[n:]
					return true, s
				case out.Err == mpsc.ErrClosed:
					return s.closed && s.q == "", s
				case out.Err == mpsc.ErrEmpty:
					return in.op == opTryRecv && !s.closed && s.q == "", s
				default: // a cancelled receive found the channel empty and open
					return in.op != opTryRecv && !s.closed && s.q == "", s
				}
			case opCloseHandle:
				s.handles--
				s.closed = s.closed || s.handles == 0
				return true, s
			default: // opCloseRecv
				s.closed = true
				return true, s
			}
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(linInput), output.(linOutput)
			return fmt.Sprintf("op%d(%d) -> %v %v", in.op, in.v, []byte(out.Vals), out.Err)
		},
	}
}

const linProducers = 3

// linHistory runs linProducers senders, each on its own clone which it
// closes when done, and one receiver against a channel, and returns the
// history and the number of sender handles it starts with. With
// receiverCloses, two more goroutines close the receiving end at once as
// the receiver starts, each then trying two sends on a clone of its own
// before closing that: two Closes race, and a send made after either
// returned must fail. The receiver closes it too, midway. Either way the
// receiver then drains until ErrClosed.
func linHistory(t *testing.T, capacity int, receiverCloses bool, seed uint64) ([]porcupine.Operation, int) {
	s, r := newChan[byte](capacity)
	h := history.Recorder{Sentinels: []error{mpsc.ErrClosed, mpsc.ErrFull, mpsc.ErrEmpty}}
	var wg sync.WaitGroup
	handles := linProducers
	start := make(chan struct{}) // releases the closers when the receiver starts
	for k := range 2 {
		if !receiverCloses {
			break
		}
		handles++
		c := s.Clone()
		client := linProducers + 1 + k
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start // closed unconditionally below, before any wait that could fail
			h.Do(client, linInput{op: opCloseRecv}, func() linOutput { r.Close(); return linOutput{} })
			for i := range 2 {
				in := linInput{op: opTrySend, v: byte(linProducers*6 + k*2 + i + 1)}
				h.Do(client, in, func() linOutput { return linOutput{Err: c.TrySend(in.v)} })
			}
			h.Do(client, linInput{op: opCloseHandle}, func() linOutput { c.Close(); return linOutput{} })
		}()
	}
	for p := range linProducers {
		c := s.Clone()
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(p)))
			for i := range 6 {
				in := linInput{op: opTrySend, v: byte(p*6 + i + 1)}
				if rng.IntN(2) == 0 {
					in.op = opSend
				}
				h.Do(p, in, func() linOutput {
					if in.op == opTrySend {
						return linOutput{Err: c.TrySend(in.v)}
					}
					ctx, cancel := history.OpCtx(rng)
					defer cancel()
					return linOutput{Err: c.Send(ctx, in.v)}
				})
			}
			h.Do(p, linInput{op: opCloseHandle}, func() linOutput { c.Close(); return linOutput{} })
		}()
	}
	s.Close() // the original handle; the model starts with the clones' count
	rng := rand.New(rand.NewPCG(seed, 99))
	buf := make([]byte, 3)
	recv := func(in linInput, ctx context.Context) linOutput {
		return h.Do(linProducers, in, func() linOutput {
			switch in.op {
			case opTryRecv:
				v, err := r.TryRecv()
				return history.Single(v, err)
			case opRecv:
				return history.Single(r.Recv(ctx))
			default:
				n, err := r.RecvBatch(ctx, buf[:in.v])
				return linOutput{Vals: string(buf[:n]), Err: err}
			}
		})
	}
	close(start)
	for range 10 {
		in := linInput{op: []linOp{opTryRecv, opRecv, opRecvBatch}[rng.IntN(3)], v: byte(1 + rng.IntN(3))}
		ctx, cancel := history.OpCtx(rng)
		recv(in, ctx)
		cancel()
	}
	if receiverCloses {
		h.Do(linProducers, linInput{op: opCloseRecv}, func() linOutput { r.Close(); return linOutput{} })
	}
	for {
		if recv(linInput{op: opRecv}, timeout(t)).Err == mpsc.ErrClosed {
			break
		}
	}
	wg.Wait()
	return h.Ops(), handles
}

// TestLinearizable checks, with porcupine, that concurrent histories of
// TrySend, Send, TryRecv, Recv, RecvBatch and both kinds of Close (with
// cancellations, and two receiver Closes at once) are linearizable with
// respect to linModel.
func TestLinearizable(t *testing.T) {
	rounds := 60
	if testing.Short() {
		rounds = 10
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1, 2, 5, unbounded} {
			for _, receiverCloses := range []bool{false, true} {
				for i := range rounds {
					ops, handles := linHistory(t, c, receiverCloses, uint64(i))
					model := linModel(c, handles)
					history.Check(t, model, ops, fmt.Sprintf("cap=%d receiverCloses=%v seed=%d", c, receiverCloses, i))
				}
			}
		}
	})
}
