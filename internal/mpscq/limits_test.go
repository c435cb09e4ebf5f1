package mpscq

import (
	"strings"
	"testing"
	"unsafe"
)

// mustPanic runs f and returns its panic message, failing if it does not
// panic with a string.
func mustPanic(t *testing.T, what string, f func()) string {
	t.Helper()
	var msg any
	func() {
		defer func() { msg = recover() }()
		f()
	}()
	s, ok := msg.(string)
	if !ok {
		t.Fatalf("%s: recovered %v (%T), want a panic with a message", what, msg, msg)
	}
	return s
}

// TestRingCapacityLimit: a capacity whose slot array could never be
// allocated panics with an mpsc: message naming the limit, not with the
// runtime's makeslice error; a ring made afterwards works.
func TestRingCapacityLimit(t *testing.T) {
	for _, c := range []struct {
		name string
		new  func()
	}{
		{"int 1<<62", func() { NewRing[int](1 << 62) }},
		{"int maxint", func() { NewRing[int](int(^uint(0) >> 1)) }},
		{"int 1<<44", func() { NewRing[int](1 << 44) }},
		{"64KiB 1<<32", func() { NewRing[[64 << 10]byte](1 << 32) }},
	} {
		msg := mustPanic(t, c.name, c.new)
		if !strings.HasPrefix(msg, "mpsc: ") || !strings.Contains(msg, "2^47 bytes") {
			t.Errorf("%s: panic %q, want an mpsc: message naming the 2^47-byte limit", c.name, msg)
		}
	}
	q := NewRing[int](3)
	if st := q.TryEnqueue(1); st != OK {
		t.Fatalf("TryEnqueue on a ring made after the panics: %d", st)
	}
	if v, st := q.TryDequeue(); st != OK || v != 1 {
		t.Fatalf("TryDequeue = %d, %d", v, st)
	}
}

// TestRingSlotsBoundary checks the limit itself without allocating: the
// largest power of two of slots within MaxRingBytes is accepted, one slot
// more is not.
func TestRingSlotsBoundary(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) == 8 && MaxRingBytes != 1<<47 {
		t.Fatalf("MaxRingBytes = %d on a 64-bit platform, want 2^47", MaxRingBytes)
	}
	for _, size := range []uint64{8, 16, 24, 4096, 64<<10 + 8} {
		max := uint64(1)
		for max*2 <= MaxRingBytes/size {
			max *= 2
		}
		if n, ok := ringSlots(max, size); !ok || n != max {
			t.Errorf("size %d: ringSlots(%d) = %d, %v; want %d, true", size, max, n, ok, max)
		}
		if n, ok := ringSlots(max+1, size); ok {
			t.Errorf("size %d: ringSlots(%d) = %d, true; want false", size, max+1, n)
		}
	}
	if n, ok := ringSlots(1<<63-1, 16); ok {
		t.Errorf("ringSlots(maxint) = %d, true", n)
	}
}
