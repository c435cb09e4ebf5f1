package testutil

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestIntendedInlining fails if one of the fast paths below stops being
// inlinable: a notification that finds nobody waiting (or a permit already
// stored) is one atomic load only while it inlines into the caller. Names
// are written as in the compiler's -m output. It runs the go command found
// on PATH, the one running the tests; `go build -gcflags=-m=2 PKG` tells why
// a function no longer inlines.
func TestIntendedInlining(t *testing.T) {
	const module = "github.com/diatomic-go/diatomic/"
	want := map[string][]string{
		"waker": {
			"(*AtomicWaker).Wake",
			"(*AtomicWaker).Take",
			"(*SpmcWaker).Wake",
			"(*SpmcWaker).Take",
			"(*DiatomicWaker).Wake",
			"(*DiatomicWaker).Take",
			"WakeSource.Wake",
			"(*Parker).Wake",
		},
		"eventcount": {
			"(*EventCount).NotifyOne",
			"(*EventCount).NotifyAll",
		},
		"notify": {
			"(*Notify).NotifyOne",
			"(*Notify).NotifyLast",
			"(*Notify).NotifyAll",
			"(*Notify).TryWait",
		},
	}
	for pkg, funcs := range want {
		out, err := exec.Command("go", "build", "-gcflags=-m", module+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go build -gcflags=-m %s: %v\n%s", pkg, err, out)
		}
		for _, f := range funcs {
			re := regexp.MustCompile(`(?m): can inline ` + regexp.QuoteMeta(f) + `( |$)`)
			if !re.Match(out) {
				t.Errorf("%s.%s is no longer inlinable", pkg, f)
			}
		}
	}
}
