package mpmc_test

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
	"github.com/diatomic-go/diatomic/mpmc"
)

// The sequential specification: a FIFO queue of at most capacity values,
// the counts of open handles of each end, and a closed flag.
type linState struct {
	q         string // the values, one byte each (values are 1..255)
	senders   int
	receivers int
	closed    bool
}

type linOp uint8

const (
	opTrySend linOp = iota
	opSend
	opTryRecv
	opRecv
	opRecvBatch
	opTryRecvBatch
	opCloseSender
	opCloseReceiver
)

type linInput struct {
	op linOp
	v  byte // sends: the value; batches: len(buf)
}

type linOutput = history.Output

const linSenders, linReceivers = 3, 3

func linModel(capacity int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return linState{senders: linSenders, receivers: linReceivers} },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(linState), input.(linInput), output.(linOutput)
			full := len(s.q) >= capacity
			switch in.op {
			case opTrySend, opSend:
				switch {
				case out.Err == nil:
					if s.closed || full {
						return false, s
					}
					s.q += string(in.v)
					return true, s
				case out.Err == mpmc.ErrClosed:
					return s.closed, s
				case out.Err == mpmc.ErrFull:
					return in.op == opTrySend && !s.closed && full, s
				default: // a cancelled Send found the channel full
					return in.op == opSend && !s.closed && full, s
				}
			case opCloseSender:
				s.senders--
				s.closed = s.closed || s.senders == 0
				return true, s
			case opCloseReceiver:
				s.receivers--
				s.closed = s.closed || s.receivers == 0
				return true, s
			default: // receives
				batch := in.op == opRecvBatch || in.op == opTryRecvBatch
				try := in.op == opTryRecv || in.op == opTryRecvBatch
				switch {
				case out.Err == nil:
					n := len(out.Vals)
					if n == 0 || n > 1 && !batch || batch && n > int(in.v) {
						return false, s
					}
					if !strings.HasPrefix(s.q, out.Vals) {
						return false, s
					}
					s.q = s.q[n:]
					return true, s
				case out.Err == mpmc.ErrClosed:
					return s.closed && s.q == "", s
				case out.Err == mpmc.ErrEmpty:
					return try && !s.closed && s.q == "", s
				default:
					return !try && !s.closed && s.q == "", s
				}
			}
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(linInput), output.(linOutput)
			return fmt.Sprintf("op%d(%d) -> %v %v", in.op, in.v, []byte(out.Vals), out.Err)
		},
	}
}

// linHistory runs linSenders senders and linReceivers receivers, each on a
// clone of its own, and returns the history. Senders send 5 values each and
// close their handle; receivers make 6 receives of random kinds, and one
// of them (with receiverCloses) then closes its handle; the others drain
// until ErrClosed and close theirs.
func linHistory(capacity int, receiverCloses bool, seed uint64) []porcupine.Operation {
	tx, rx := mpmc.New[byte](capacity)
	h := history.Recorder{Sentinels: []error{mpmc.ErrClosed, mpmc.ErrFull, mpmc.ErrEmpty}}
	var wg sync.WaitGroup
	for p := range linSenders {
		s := tx.Clone()
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, uint64(p)))
			for i := range 5 {
				in := linInput{op: opTrySend, v: byte(p*5 + i + 1)}
				if rng.IntN(2) == 0 {
					in.op = opSend
				}
				h.Do(p, in, func() linOutput {
					if in.op == opTrySend {
						return linOutput{Err: s.TrySend(in.v)}
					}
					ctx, cancel := history.OpCtx(rng)
					defer cancel()
					return linOutput{Err: s.Send(ctx, in.v)}
				})
			}
			h.Do(p, linInput{op: opCloseSender}, func() linOutput { s.Close(); return linOutput{} })
		})
	}
	tx.Close() // the model counts the clones only
	for k := range linReceivers {
		r := rx.Clone()
		client := linSenders + k
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(seed, 100+uint64(k)))
			buf := make([]byte, 3)
			recv := func(in linInput, ctx context.Context) linOutput {
				return h.Do(client, in, func() linOutput {
					switch in.op {
					case opTryRecv:
						return history.Single(r.TryRecv())
					case opRecv:
						return history.Single(r.Recv(ctx))
					case opTryRecvBatch:
						n, err := r.TryRecvBatch(buf[:in.v])
						return linOutput{Vals: string(buf[:n]), Err: err}
					default:
						n, err := r.RecvBatch(ctx, buf[:in.v])
						return linOutput{Vals: string(buf[:n]), Err: err}
					}
				})
			}
			for range 6 {
				in := linInput{op: []linOp{opTryRecv, opRecv, opRecvBatch, opTryRecvBatch}[rng.IntN(4)], v: byte(1 + rng.IntN(3))}
				ctx, cancel := history.OpCtx(rng)
				recv(in, ctx)
				cancel()
			}
			if receiverCloses && k == 0 {
				h.Do(client, linInput{op: opCloseReceiver}, func() linOutput { r.Close(); return linOutput{} })
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), testutil.Timeout)
			defer cancel()
			for {
				out := recv(linInput{op: opRecv}, ctx)
				if out.Err == mpmc.ErrClosed || out.Err == history.ErrCancelled {
					break
				}
			}
			h.Do(client, linInput{op: opCloseReceiver}, func() linOutput { r.Close(); return linOutput{} })
		})
	}
	rx.Close()
	wg.Wait()
	return h.Ops()
}

// TestLinearizable checks, with porcupine, that concurrent histories of
// TrySend, Send, TryRecv, Recv, RecvBatch, TryRecvBatch and the Close of
// either end's handles, with cancellations, on several goroutines of each
// side, are linearizable with respect to linModel.
func TestLinearizable(t *testing.T) {
	rounds := 40
	if testing.Short() {
		rounds = 8
	}
	testutil.ForEachProcs(t, func(t *testing.T) {
		for _, c := range []int{1, 2, 5} {
			model := linModel(c)
			for _, receiverCloses := range []bool{false, true} {
				for i := range rounds {
					ops := linHistory(c, receiverCloses, uint64(i))
					history.Check(t, model, ops, fmt.Sprintf("cap=%d receiverCloses=%v seed=%d", c, receiverCloses, i))
				}
			}
		}
	})
}
