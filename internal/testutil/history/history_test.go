package history

import (
	"fmt"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fatalRecorder is a testing.TB whose Fatalf records the message instead of
// ending the test.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}
func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
}

// register is a one-value register: a write of in, or a read (in < 0) that
// returns the last value written as its Output.Vals.
var register = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		if in := input.(int); in >= 0 {
			return true, string(rune('0' + in))
		}
		return output.(Output).Vals == state.(string), state
	},
	DescribeOperation: func(input, output any) string {
		return fmt.Sprintf("op(%d) -> %q", input.(int), output.(Output).Vals)
	},
}

func TestCheck(t *testing.T) {
	op := func(client, in int, vals string, call, ret int64) porcupine.Operation {
		return porcupine.Operation{ClientId: client, Input: in, Output: Output{Vals: vals}, Call: call, Return: ret}
	}
	for _, tc := range []struct {
		name  string
		ops   []porcupine.Operation
		fails bool
	}{
		{"sequential", []porcupine.Operation{op(0, 1, "", 1, 2), op(1, -1, "1", 3, 4)}, false},
		{"overlapping", []porcupine.Operation{op(0, 1, "", 1, 4), op(1, -1, "", 2, 3)}, false},
		{"stale read", []porcupine.Operation{op(0, 1, "", 1, 2), op(1, -1, "", 3, 4)}, true},
	} {
		r := &fatalRecorder{TB: t}
		Check(r, register, tc.ops, tc.name)
		switch {
		case tc.fails && (!strings.HasPrefix(r.msg, tc.name+": history not linearizable:") ||
			!strings.Contains(r.msg, "\n  client 1 [3,4] op(-1) -> \"\"")):
			t.Errorf("%s: Check failed with %q, want the history listed as not linearizable", tc.name, r.msg)
		case !tc.fails && r.msg != "":
			t.Errorf("%s: Check failed a linearizable history: %s", tc.name, r.msg)
		}
	}
}
