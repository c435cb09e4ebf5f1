package main

import (
	"cmp"
	"flag"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A scenario is one job done by every contender; it becomes one table.
type scenario struct {
	name     string // CamelCase, for -run and the Benchmark name
	title    string // one line above the table
	baseline string // the contender the ratios are relative to
	cases    func(cfg *config) []benchCase
}

// A benchCase is one contender in one configuration of a scenario. Exactly
// one of bench, cpu and lat is set.
type benchCase struct {
	param string // "producers=4", or "" when the scenario has one configuration
	impl  string // contender name, no spaces
	bench func(b *testing.B)
	// cpu parks a receiver for d and returns the process CPU time used
	// meanwhile, in percent of one core.
	cpu func(d time.Duration) (float64, error)
	// lat runs a light-load scenario for about d and returns the
	// percentiles of its latency.
	lat func(d time.Duration) (percentiles, error)
}

// A sample is one measurement of one case.
type sample struct {
	ns, allocs, bytes float64 // per op
	n                 int
	cpu               float64 // percent of one core, for cpu cases
	lat               percentiles
}

// A result is every sample of one case at one GOMAXPROCS.
type result struct {
	procs       int
	param, impl string
	isCPU       bool
	isLat       bool
	samples     []sample
	err         error
}

// median returns the sample with the median time (or CPU) of r; for a
// latency case, each percentile is the median of that percentile.
func (r *result) median() sample {
	s := slices.Clone(r.samples)
	slices.SortFunc(s, func(a, b sample) int { return cmp.Compare(a.ns+a.cpu, b.ns+b.cpu) })
	m := s[len(s)/2]
	if r.isLat {
		mid := func(f func(sample) time.Duration) time.Duration {
			slices.SortFunc(s, func(a, b sample) int { return cmp.Compare(f(a), f(b)) })
			return f(s[len(s)/2])
		}
		m.lat.p50 = mid(func(x sample) time.Duration { return x.lat.p50 })
		m.lat.p99 = mid(func(x sample) time.Duration { return x.lat.p99 })
		m.lat.p999 = mid(func(x sample) time.Duration { return x.lat.p999 })
	}
	return m
}

// ratioOf returns the median, over the rounds, of f of r's sample divided
// by f of base's sample of the same round: the ratio of two contenders
// measured side by side, so that a drift of the machine's speed from one
// round to the next divides out instead of landing on one contender. ok is
// false if a round has no baseline figure to divide by.
func ratioOf(r, base *result, f func(sample) float64) (ratio float64, ok bool) {
	n := min(len(r.samples), len(base.samples))
	if n == 0 {
		return 0, false
	}
	rs := make([]float64, n)
	for i := range n {
		b := f(base.samples[i])
		if b <= 0 {
			return 0, false
		}
		rs[i] = f(r.samples[i]) / b
	}
	slices.Sort(rs)
	if n%2 == 0 {
		return (rs[n/2-1] + rs[n/2]) / 2, true
	}
	return rs[n/2], true
}

// config is what the flags select.
type config struct {
	benchtime string        // testing's -benchtime: a duration, or a count "100x"
	idle      time.Duration // idle-receiver and light-load measuring window
	count     int           // samples per case
	procs     []int
	producers []int
	waiters   []int
	run       *regexp.Regexp
	format    string // "table" or "gobench"
	chart     string
}

// failure records why a benchmark function gave up, since testing.Benchmark
// discards the message of b.Fatal.
var failure struct {
	sync.Mutex
	err error
}

// fail records err and stops the benchmark; call it from the benchmark
// goroutine only.
func fail(b *testing.B, err error) {
	failure.Lock()
	failure.err = err
	failure.Unlock()
	b.Fatal(err)
}

// setBenchtime sets the measuring time used by testing.Benchmark.
func setBenchtime(bt string) error {
	if flag.Lookup("test.benchtime") == nil {
		testing.Init()
	}
	return flag.Set("test.benchtime", bt)
}

// measure runs c once and returns its sample.
func measure(c benchCase, cfg *config) (sample, error) {
	if c.cpu != nil {
		pct, err := c.cpu(cfg.idle)
		return sample{cpu: pct, n: 1}, err
	}
	if c.lat != nil {
		p, err := c.lat(cfg.idle)
		return sample{lat: p, n: p.n}, err
	}
	failure.Lock()
	failure.err = nil
	failure.Unlock()
	r := testing.Benchmark(c.bench)
	if r.N == 0 {
		failure.Lock()
		defer failure.Unlock()
		if failure.err != nil {
			return sample{}, failure.err
		}
		return sample{}, fmt.Errorf("benchmark failed")
	}
	return sample{
		ns:     float64(r.T.Nanoseconds()) / float64(r.N),
		allocs: float64(r.MemAllocs) / float64(r.N),
		bytes:  float64(r.MemBytes) / float64(r.N),
		n:      r.N,
	}, nil
}

// runScenario measures every case of s at every GOMAXPROCS of cfg, and
// restores GOMAXPROCS. The count measurements of a case are taken in
// rounds, each round measuring every case of the GOMAXPROCS once, so that
// the i-th samples of a contender and of its baseline were taken side by
// side, in the same state of a machine whose speed drifts (see ratioOf).
func runScenario(s *scenario, cfg *config) []result {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var out []result
	for _, p := range cfg.procs {
		runtime.GOMAXPROCS(p)
		cases := s.cases(cfg)
		res := make([]result, len(cases))
		for i, c := range cases {
			res[i] = result{procs: p, param: c.param, impl: c.impl, isCPU: c.cpu != nil, isLat: c.lat != nil}
		}
		for range cfg.count {
			for i, c := range cases {
				if res[i].err != nil {
					continue
				}
				smp, err := measure(c, cfg)
				if err != nil {
					res[i].err = err
					continue
				}
				res[i].samples = append(res[i].samples, smp)
			}
		}
		out = append(out, res...)
	}
	return out
}

// parseInts parses a comma-separated list of positive integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// perGoroutine splits n operations between k goroutines: the share of
// goroutine i.
func perGoroutine(n, k, i int) int {
	share := n / k
	if i == 0 {
		share += n % k
	}
	return share
}
