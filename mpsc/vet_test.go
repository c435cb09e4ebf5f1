package mpsc_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestVetReportsCopies: go vet's copylocks check reports a copy of a
// Receiver, a SlotReceiver or a Sender (testdata/vetcopy copies each once).
// A copied Receiver would receive into the original's fields and lose
// values. It runs the go command found on PATH, the one running the tests.
func TestVetReportsCopies(t *testing.T) {
	out, err := exec.Command("go", "vet", "-copylocks", "./testdata/vetcopy").CombinedOutput()
	if err == nil {
		t.Fatalf("go vet reported no copy in testdata/vetcopy:\n%s", out)
	}
	for _, want := range []string{
		"vetcopy.go:9:8: assignment copies lock value to rc",
		"vetcopy.go:13:9: assignment copies lock value to src",
		"vetcopy.go:17:8: assignment copies lock value to sc",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("go vet did not report %q; it said:\n%s", want, out)
		}
	}
}
