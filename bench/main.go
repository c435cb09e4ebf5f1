// Command bench measures the structures of package diatomic side by side
// with what Go programs use today for the same jobs: channels, sync.Cond,
// and peer libraries. Every scenario runs for every contender in one
// process, and prints one table (or Go benchmark lines for benchstat).
//
//	go -C bench run .                       # quick: well under a minute
//	go -C bench run . -long                 # longer measurements
//	go -C bench run . -procs=1,2,4 -producers=1,8,64
//	go -C bench run . -format=gobench -count=6 > new.txt && benchstat new.txt
//
// See README.md for the scenarios, the contenders and the figures.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"time"
)

// scenarios in the order they run and print.
var scenarios = []*scenario{
	{name: "NotifyNobody", baseline: "sync.Cond.Signal", cases: nobodyCases,
		title: "Dummy notify: a notification nobody waits for (callers=all: every P at once)"},
	{name: "Handoff", baseline: "chan", cases: func(*config) []benchCase { return signalCases(benchHandoff) },
		title: "Signal handoff: a producer counts items and signals, the consumer drains the count or waits; one op is one item"},
	{name: "PingPong", baseline: "chan", cases: func(*config) []benchCase { return signalCases(benchPingPong) },
		title: "Ping-pong latency: two goroutines signal each other in turn; one op is one round trip"},
	{name: "MPSCBounded", baseline: "chan", cases: func(cfg *config) []benchCase {
		return throughputCases(boundedImpls, cfg.producers, 1)
	}, title: fmt.Sprintf("MPSC throughput, bounded (capacity %d), one receiver; one op is one value", capacity)},
	{name: "MPSCUnbounded", baseline: "chan", cases: func(cfg *config) []benchCase {
		return throughputCases(unboundedImpls, cfg.producers, 1)
	}, title: fmt.Sprintf("MPSC throughput, unbounded, one receiver; one op is one value (chan: capacity %d, for reference)", capacity)},
	{name: "SendLatency", baseline: "chan", cases: func(cfg *config) []benchCase {
		return sendLatencyCases(cfg.producers)
	}, title: fmt.Sprintf("Saturated send: P producers send without pause into a bounded channel (capacity %d) that one receiver drains; duration of one Send", capacity)},
	{name: "LatencyMPSC", baseline: "chan", cases: func(*config) []benchCase {
		return latencyCases(latencyImpls, 1)
	}, title: fmt.Sprintf("Light load: each of P producers sleeps P x %v between sends, one receiver; send-to-receive latency (capacity %d)", latencyGap, capacity)},
	{name: "BatchRecv", baseline: "chan", cases: func(cfg *config) []benchCase {
		return throughputCases(batchImpls, cfg.producers, batchSize)
	}, title: fmt.Sprintf("Batch receive: up to %d values per receive (bounded: capacity %d); one op is one value", batchSize, capacity)},
	{name: "MPMCPool", baseline: "chan", cases: poolCases,
		title: fmt.Sprintf("Worker pool: producers send to consumers through one bounded channel (capacity %d), shape = producers x consumers; one op is one value", capacity)},
	{name: "LatencyMPMC", baseline: "chan", cases: func(*config) []benchCase {
		return latencyCases(latencyPoolImpls, latencyConsumers)
	}, title: fmt.Sprintf("Light load, worker pool: each of P producers sleeps P x %v between sends, %d consumers share one channel; send-to-receive latency (capacity %d)", latencyGap, latencyConsumers, capacity)},
	{name: "RequestReply", baseline: "chan", cases: replyCases,
		title: "Oneshot request/reply: a fresh reply channel per request to a server goroutine; one op is one request and its reply"},
	{name: "Broadcast", baseline: "sync.Cond", cases: broadcastCases,
		title: "Broadcast to N waiters: each generation wakes every waiter and waits for all to see it; one op is one generation"},
	{name: "IdleCPU", cases: idleCases,
		title: fmt.Sprintf("Idle receiver: process CPU time while one receiver waits on an empty contender (mpmc: %d sharing one Receiver; nothing: no receiver)", idleMPMCReceivers)},
}

func main() {
	if err := run(os.Stdout, os.Stderr, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags turns the command line into a config.
func parseFlags(args []string, errOut io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	long := fs.Bool("long", false, "measure longer: -benchtime=1s -idle=2s")
	benchtime := fs.String("benchtime", "", "time per measurement, or an iteration count such as 100x (default 50ms, 1s with -long)")
	idle := fs.Duration("idle", 0, "idle-receiver and light-load measuring window (default 1s, 2s with -long)")
	count := fs.Int("count", 1, "measurements per case, in rounds of every case; tables show the median figure and the median of the ratios of each round, -format=gobench prints each")
	procs := fs.String("procs", fmt.Sprint(runtime.GOMAXPROCS(0)), "GOMAXPROCS values to sweep, comma-separated")
	producers := fs.String("producers", "1,4,16,64", "producer counts of the MPSC and batch scenarios")
	waiters := fs.String("waiters", "1,4,16", "waiter counts of the broadcast scenario")
	runRE := fs.String("run", "", "run only the scenarios whose name matches this regular expression")
	format := fs.String("format", "table", "output format: table, or gobench (Go benchmark lines for benchstat)")
	chart := fs.String("chart", "mpsc.svg", "where to write the MPSC throughput chart (.svg, .png or .pdf) when the MPSC scenarios run; empty: no chart")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg := &config{benchtime: "50ms", idle: time.Second, count: *count, format: *format, chart: *chart}
	if *long {
		cfg.benchtime, cfg.idle = "1s", 2*time.Second
	}
	if *benchtime != "" {
		cfg.benchtime = *benchtime
	}
	if *idle > 0 {
		cfg.idle = *idle
	}
	var err error
	if cfg.procs, err = parseInts(*procs); err != nil {
		return nil, fmt.Errorf("-procs: %w", err)
	}
	if cfg.producers, err = parseInts(*producers); err != nil {
		return nil, fmt.Errorf("-producers: %w", err)
	}
	if cfg.waiters, err = parseInts(*waiters); err != nil {
		return nil, fmt.Errorf("-waiters: %w", err)
	}
	if cfg.run, err = regexp.Compile(*runRE); err != nil {
		return nil, fmt.Errorf("-run: %w", err)
	}
	if cfg.format != "table" && cfg.format != "gobench" {
		return nil, fmt.Errorf("-format: want table or gobench, not %q", cfg.format)
	}
	if cfg.count < 1 {
		return nil, fmt.Errorf("-count: want at least 1")
	}
	if err := setBenchtime(cfg.benchtime); err != nil {
		return nil, fmt.Errorf("-benchtime: %w", err)
	}
	return cfg, nil
}

// run parses args, runs the selected scenarios, writes their results to out
// as each finishes, and then the chart.
func run(out, errOut io.Writer, args []string) error {
	cfg, err := parseFlags(args, errOut)
	if err != nil {
		return err
	}
	writeHeader(out, cfg)
	byScenario := map[string][]result{}
	titles := map[string]string{}
	failed := 0
	for _, s := range scenarios {
		if !cfg.run.MatchString(s.name) {
			continue
		}
		rs := runScenario(s, cfg)
		for _, r := range rs {
			if r.err != nil {
				failed++
			}
		}
		byScenario[s.name], titles[s.name] = rs, chartTitle(s)
		if err := writeResults(out, s, cfg, rs); err != nil {
			return err
		}
	}
	if cfg.chart != "" {
		wrote, err := writeChart(cfg.chart, byScenario, titles, cfg.procs)
		if err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		if wrote {
			note := out
			if cfg.format == "gobench" {
				note = errOut
			}
			fmt.Fprintf(note, "\nchart: %s\n", cfg.chart)
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d cases failed", failed)
	}
	return nil
}

// chartTitle names a panel of the chart.
func chartTitle(s *scenario) string {
	if s.name == "MPSCBounded" {
		return fmt.Sprintf("MPSC bounded (capacity %d)", capacity)
	}
	return "MPSC unbounded"
}
