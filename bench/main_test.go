package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// tinyConfig runs every case a few iterations: enough to go through every
// code path, parking included, in a fraction of a second.
func tinyConfig(t *testing.T) *config {
	t.Helper()
	if err := setBenchtime("5x"); err != nil {
		t.Fatal(err)
	}
	return &config{
		benchtime: "5x",
		idle:      10 * time.Millisecond,
		count:     1,
		procs:     []int{runtime.GOMAXPROCS(0)},
		producers: []int{1, 3},
		waiters:   []int{1, 3},
		run:       regexp.MustCompile(""),
		format:    "table",
	}
}

// gobenchLine is what benchstat parses: name-procs, iterations, value unit
// pairs.
var gobenchLine = regexp.MustCompile(`^Benchmark[A-Za-z]+(/[a-z]+=[^/\s]+)+-\d+\t\d+(\t[0-9.]+ [A-Za-z0-9.%/-]+)+$`)

func TestEveryScenarioRunsAndRenders(t *testing.T) {
	cfg := tinyConfig(t)
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rs := runScenario(s, cfg)
			if len(rs) == 0 {
				t.Fatal("no cases")
			}
			for _, r := range rs {
				if r.err != nil {
					t.Errorf("%s %s: %v", r.param, r.impl, r.err)
				} else if len(r.samples) != cfg.count || r.samples[0].n == 0 {
					t.Errorf("%s %s: samples %+v", r.param, r.impl, r.samples)
				}
			}
			if s.baseline != "" && !hasImpl(rs, s.baseline) {
				t.Errorf("baseline %q is not a contender", s.baseline)
			}

			var table bytes.Buffer
			if err := writeResults(&table, s, cfg, rs); err != nil {
				t.Fatal(err)
			}
			out := table.String()
			if !strings.Contains(out, s.title) {
				t.Errorf("table lacks its title:\n%s", out)
			}
			for _, r := range rs {
				if !strings.Contains(out, r.impl) {
					t.Errorf("table lacks %s:\n%s", r.impl, out)
				}
			}
			if s.baseline != "" && !strings.Contains(out, "1.00x") {
				t.Errorf("table lacks the baseline's own ratio:\n%s", out)
			}

			gcfg := *cfg
			gcfg.format = "gobench"
			var gb bytes.Buffer
			if err := writeResults(&gb, s, &gcfg, rs); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(gb.String()), "\n")
			if len(lines) != len(rs) {
				t.Errorf("%d gobench lines for %d cases", len(lines), len(rs))
			}
			for _, l := range lines {
				if !gobenchLine.MatchString(l) {
					t.Errorf("not a benchmark line: %q", l)
				}
			}
		})
	}
}

func hasImpl(rs []result, impl string) bool {
	for _, r := range rs {
		if r.impl == impl {
			return true
		}
	}
	return false
}

func TestRunWritesHeaderTablesAndChart(t *testing.T) {
	chart := filepath.Join(t.TempDir(), "mpsc.svg")
	var out, errOut bytes.Buffer
	err := run(&out, &errOut, []string{"-run=^MPSC", "-benchtime=5x", "-producers=1,2", "-procs=1,2", "-chart=" + chart})
	if err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"machine: ", "go: " + runtime.Version(), "GOMAXPROCS=1,2", "## MPSC throughput, bounded", "## MPSC throughput, unbounded", "chart: " + chart} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "## Ping-pong") {
		t.Errorf("-run did not filter the scenarios:\n%s", out.String())
	}
	svg, err := os.ReadFile(chart)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte("mpsc.Unbounded")) {
		t.Errorf("chart is not an SVG of the MPSC results: %.200s", svg)
	}
}

func TestRunWithoutMPSCWritesNoChart(t *testing.T) {
	chart := filepath.Join(t.TempDir(), "mpsc.svg")
	var out, errOut bytes.Buffer
	if err := run(&out, &errOut, []string{"-run=^PingPong$", "-benchtime=5x", "-format=gobench", "-chart=" + chart}); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	if _, err := os.Stat(chart); !os.IsNotExist(err) {
		t.Errorf("chart written without MPSC results: %v", err)
	}
	if !strings.HasPrefix(out.String(), "goos: ") || !strings.Contains(out.String(), "BenchmarkPingPong/impl=chan-") {
		t.Errorf("not benchstat input:\n%s", out.String())
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-procs=0"},
		{"-producers=1,x"},
		{"-format=csv"},
		{"-run=("},
		{"-count=0"},
		{"-benchtime=soon"},
		{"extra"},
	} {
		var out, errOut bytes.Buffer
		if err := run(&out, &errOut, args); err == nil {
			t.Errorf("run(%q) accepted bad flags", args)
		}
	}
}

// TestRoundsInterleaveCases checks that runScenario measures every case once
// per round, in order, rather than every sample of one case before the next.
func TestRoundsInterleaveCases(t *testing.T) {
	cfg := tinyConfig(t)
	cfg.count = 3
	var order []string
	latCase := func(impl string) benchCase {
		return benchCase{impl: impl, lat: func(time.Duration) (percentiles, error) {
			order = append(order, impl)
			return percentiles{p50: time.Microsecond, p99: time.Microsecond, p999: time.Microsecond, n: 1}, nil
		}}
	}
	s := &scenario{name: "Order", baseline: "a", cases: func(*config) []benchCase {
		return []benchCase{latCase("a"), latCase("b")}
	}}
	rs := runScenario(s, cfg)
	if got, want := strings.Join(order, ""), "ababab"; got != want {
		t.Errorf("measured in the order %q, want %q", got, want)
	}
	if len(rs) != 2 || len(rs[0].samples) != 3 || len(rs[1].samples) != 3 {
		t.Errorf("got %d results, want 2 of 3 samples each", len(rs))
	}
}

// TestRatioOfPairsRounds checks that a ratio divides samples of the same
// round: here the contender is 10% slower than the baseline in two rounds
// of three, and its median is below the baseline's only because the
// machine was faster during its fastest round.
func TestRatioOfPairsRounds(t *testing.T) {
	ns := func(xs ...float64) *result {
		r := &result{}
		for _, x := range xs {
			r.samples = append(r.samples, sample{ns: x})
		}
		return r
	}
	base, r := ns(100, 200, 300), ns(110, 180, 330)
	f := func(s sample) float64 { return s.ns }
	got, ok := ratioOf(r, base, f)
	if !ok || got < 1.099 || got > 1.101 {
		t.Errorf("ratioOf = %v, %v; want 1.10, true", got, ok)
	}
	if _, ok := ratioOf(r, ns(0, 1, 1), f); ok {
		t.Error("ratioOf divided by a zero baseline")
	}
	if _, ok := ratioOf(r, ns(), f); ok {
		t.Error("ratioOf of a baseline without samples reported a ratio")
	}
	if got, _ := ratioOf(ns(1, 3), ns(1, 1), f); got != 2 {
		t.Errorf("ratioOf of an even count = %v, want 2 (the mean of the middle two)", got)
	}
}
