package testutil

import (
	"os/exec"
	"regexp"
	"testing"
)

// CheckInlined fails t unless the compiler reports every function in funcs
// (written as in its -m output: "(*T).Method", "T.Method" or "Func") as
// inlinable in the package pkg, an import path. It guards fast paths whose
// cost is one atomic load only while they inline into the caller. It runs
// the go command found on PATH, which is the one running the tests.
func CheckInlined(t *testing.T, pkg string, funcs ...string) {
	t.Helper()
	out, err := exec.Command("go", "build", "-gcflags=-m", pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m %s: %v\n%s", pkg, err, out)
	}
	for _, f := range funcs {
		re := regexp.MustCompile(`(?m): can inline ` + regexp.QuoteMeta(f) + `( |$)`)
		if !re.Match(out) {
			t.Errorf("%s is no longer inlinable (go build -gcflags=-m=2 %s tells why)", f, pkg)
		}
	}
}
