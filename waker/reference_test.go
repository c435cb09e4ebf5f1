package waker

import "testing"

// reference is the sequential specification every primitive shares: at most
// one waker registered; a notify wakes it once and unregisters it.
type reference struct {
	registered int // index of the registered waker, -1 for none
	wakes      [3]int
}

func (r *reference) register(i int) { r.registered = i }
func (r *reference) unregister()    { r.registered = -1 }
func (r *reference) notify() {
	if r.registered >= 0 {
		r.wakes[r.registered]++
		r.registered = -1
	}
}

// FuzzReference drives each primitive with a random sequence of register
// (one of three wakers), unregister and notify, and compares the wakes each
// waker received, and the registered state, with the reference after every
// step.
func FuzzReference(f *testing.F) {
	f.Add([]byte{0, 6, 1, 2, 6, 6, 3, 4, 5, 6})
	f.Add([]byte{0, 0, 0, 6, 1, 7, 6, 2, 1, 0, 6})
	f.Add([]byte{6, 6, 0, 7, 7, 6, 1, 6})
	f.Fuzz(func(t *testing.T, ops []byte) {
		for _, tg := range targets {
			impl := tg.new()
			ref := reference{registered: -1}
			var ws [3]counter
			for step, op := range ops {
				switch op % 8 {
				case 0, 1, 2, 3, 4, 5:
					i := int(op%8) % 3
					if !impl.register(&ws[i]) {
						t.Fatalf("%s: step %d: register refused with no concurrent wake", tg.name, step)
					}
					ref.register(i)
				case 6:
					impl.notify()
					ref.notify()
				case 7:
					impl.unregister()
					ref.unregister()
				}
				for i := range ws {
					if got := int(ws[i].n.Load()); got != ref.wakes[i] {
						t.Fatalf("%s: step %d (op %d): waker %d woken %d times, reference %d",
							tg.name, step, op%8, i, got, ref.wakes[i])
					}
				}
				if got, want := impl.registered(), ref.registered >= 0; got != want {
					t.Fatalf("%s: step %d: registered = %v, reference %v", tg.name, step, got, want)
				}
			}
		}
	})
}
