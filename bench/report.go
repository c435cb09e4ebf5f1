package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// cpuModel returns the processor's model name from /proc/cpuinfo, or
// "unknown" where there is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), "model name") {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// writeHeader describes the machine and the run.
func writeHeader(w io.Writer, cfg *config) {
	if cfg.format == "gobench" {
		fmt.Fprintf(w, "goos: %s\ngoarch: %s\npkg: github.com/diatomic-go/diatomic/bench\ncpu: %s\ngo: %s\n",
			runtime.GOOS, runtime.GOARCH, cpuModel(), runtime.Version())
		return
	}
	fmt.Fprintf(w, "machine: %s, %d logical CPUs, %s/%s\n", cpuModel(), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "go: %s, GOMAXPROCS=%s\n", runtime.Version(), joinInts(cfg.procs))
	fmt.Fprintf(w, "benchtime: %s per case, median of %d; idle window %v\n", cfg.benchtime, cfg.count, cfg.idle)
	fmt.Fprintln(w, "vs: ns/op (or latency) divided by the baseline's at the same configuration, measured in the same round; median over the rounds (0.50x = twice as fast)")
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// writeResults prints the results of one scenario in cfg.format.
func writeResults(w io.Writer, s *scenario, cfg *config, rs []result) error {
	if cfg.format == "gobench" {
		writeGobench(w, s, rs)
		return nil
	}
	return writeTable(w, s, cfg, rs)
}

// writeTable prints one table: a row per case, the ratio to the baseline of
// the same GOMAXPROCS and configuration.
func writeTable(w io.Writer, s *scenario, cfg *config, rs []result) error {
	fmt.Fprintf(w, "\n## %s\n", s.title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	sweep := len(cfg.procs) > 1
	var head []string
	if sweep {
		head = append(head, "procs")
	}
	if rs[0].param != "" {
		head = append(head, strings.SplitN(rs[0].param, "=", 2)[0])
	}
	head = append(head, "contender")
	switch {
	case rs[0].isCPU:
		head = append(head, "CPU (% of one core)")
	case rs[0].isLat:
		head = append(head, "p50 µs", "p99 µs", "p99.9 µs", "p50 vs "+s.baseline, "p99 vs "+s.baseline)
	default:
		head = append(head, "ns/op", "allocs/op", "vs "+s.baseline)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")

	base := map[string]*result{} // procs/param -> the baseline's result
	for i := range rs {
		if r := &rs[i]; r.impl == s.baseline && r.err == nil {
			base[fmt.Sprint(r.procs, r.param)] = r
		}
	}
	ratio := func(key string, f func(sample) float64, r *result) string {
		if b, ok := base[key]; ok {
			if x, ok := ratioOf(r, b, f); ok {
				return fmt.Sprintf("%.2fx", x)
			}
		}
		return "-"
	}
	prev := ""
	for _, r := range rs {
		// A blank line between configurations keeps the ratios readable.
		key := fmt.Sprint(r.procs, r.param)
		if key != prev && prev != "" {
			fmt.Fprintln(tw, strings.Repeat("\t", len(head)))
		}
		prev = key
		var row []string
		if sweep {
			row = append(row, fmt.Sprint(r.procs))
		}
		if r.param != "" {
			row = append(row, strings.SplitN(r.param, "=", 2)[1])
		}
		row = append(row, r.impl)
		switch {
		case r.err != nil:
			row = append(row, "error: "+r.err.Error())
		case r.isCPU:
			row = append(row, fmt.Sprintf("%.2f%%", r.median().cpu))
		case r.isLat:
			m := r.median()
			row = append(row, formatUs(m.lat.p50), formatUs(m.lat.p99), formatUs(m.lat.p999),
				ratio(key, func(s sample) float64 { return float64(s.lat.p50) }, &r),
				ratio(key, func(s sample) float64 { return float64(s.lat.p99) }, &r))
		default:
			m := r.median()
			row = append(row, formatNs(m.ns), formatAllocs(m.allocs),
				ratio(key, func(s sample) float64 { return s.ns }, &r))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	return tw.Flush()
}

// formatNs prints three significant digits, as benchstat does.
func formatNs(ns float64) string {
	switch {
	case ns < 10:
		return fmt.Sprintf("%.2f", ns)
	case ns < 100:
		return fmt.Sprintf("%.1f", ns)
	}
	return fmt.Sprintf("%.0f", ns)
}

// formatUs prints a duration in microseconds, three significant digits.
func formatUs(d time.Duration) string {
	return formatNs(float64(d) / float64(time.Microsecond))
}

// formatAllocs prints whole numbers as such: goroutine start-up amortized
// over millions of operations is not an allocation per operation.
func formatAllocs(a float64) string {
	if s := fmt.Sprintf("%.2f", a); !strings.HasSuffix(s, ".00") {
		return s
	}
	return fmt.Sprintf("%.0f", a)
}

// writeGobench prints every sample as a line of `go test -bench` output, so
// that benchstat can read and compare runs.
func writeGobench(w io.Writer, s *scenario, rs []result) {
	for _, r := range rs {
		name := "Benchmark" + s.name
		if r.param != "" {
			name += "/" + r.param
		}
		name += fmt.Sprintf("/impl=%s-%d", r.impl, r.procs)
		if r.err != nil {
			fmt.Fprintf(w, "--- FAIL: %s\n    %v\n", name, r.err)
			continue
		}
		for _, smp := range r.samples {
			if r.isCPU {
				fmt.Fprintf(w, "%s\t%d\t%.3f %%cpu\n", name, smp.n, smp.cpu)
				continue
			}
			if r.isLat {
				fmt.Fprintf(w, "%s\t%d\t%d p50-ns\t%d p99-ns\t%d p99.9-ns\n", name, smp.n,
					smp.lat.p50.Nanoseconds(), smp.lat.p99.Nanoseconds(), smp.lat.p999.Nanoseconds())
				continue
			}
			fmt.Fprintf(w, "%s\t%d\t%.2f ns/op\t%.0f B/op\t%.2f allocs/op\n", name, smp.n, smp.ns, smp.bytes, smp.allocs)
		}
	}
}
