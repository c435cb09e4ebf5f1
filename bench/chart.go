package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// chartScenarios are the scenarios the chart shows, one panel each.
var chartScenarios = []string{"MPSCBounded", "MPSCUnbounded"}

// writeChart draws, in the format its extension names (svg, png, pdf), throughput (million values per second) against the
// number of producers, one line per contender: a panel per scenario of
// chartScenarios, a row of panels per GOMAXPROCS. It reports false when
// there is nothing to draw.
func writeChart(path string, byScenario map[string][]result, titles map[string]string, procs []int) (bool, error) {
	var rows [][]*plot.Plot
	for _, p := range procs {
		var row []*plot.Plot
		for _, name := range chartScenarios {
			rs := byScenario[name]
			if len(rs) == 0 {
				continue
			}
			plt, err := throughputPlot(rs, p, fmt.Sprintf("%s, GOMAXPROCS=%d", titles[name], p), name == "MPSCUnbounded")
			if err != nil {
				return false, err
			}
			row = append(row, plt)
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		return false, nil
	}
	cols := len(rows[0])
	const panelW, panelH = 6 * vg.Inch, 4.5 * vg.Inch
	format := strings.TrimPrefix(filepath.Ext(path), ".")
	img, err := draw.NewFormattedCanvas(panelW*vg.Length(cols), panelH*vg.Length(len(rows)), format)
	if err != nil {
		return false, err
	}
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: len(rows), Cols: cols, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align(rows, tiles, dc)
	for i, row := range rows {
		for j, plt := range row {
			plt.Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return false, err
	}
	if _, err := img.WriteTo(f); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}

// throughputPlot is one panel: the results of one scenario at GOMAXPROCS p.
// The chan of the unbounded panel is the bounded reference, and says so.
func throughputPlot(rs []result, p int, title string, unbounded bool) (*plot.Plot, error) {
	plt := plot.New()
	plt.Title.Text = title
	plt.X.Label.Text = "producers"
	plt.Y.Label.Text = "million values / s (higher is better)"
	plt.Legend.Top = true
	plt.Legend.Left = true
	plt.Legend.XOffs = vg.Millimeter * 3

	var order []string
	points := map[string]plotter.XYs{}
	var ticks []plot.Tick
	seen := map[int]bool{}
	for _, r := range rs {
		if r.procs != p || r.err != nil {
			continue
		}
		n, err := strconv.Atoi(strings.TrimPrefix(r.param, "producers="))
		if err != nil {
			return nil, fmt.Errorf("chart: unexpected configuration %q", r.param)
		}
		if _, ok := points[r.impl]; !ok {
			order = append(order, r.impl)
		}
		points[r.impl] = append(points[r.impl], plotter.XY{X: float64(n), Y: 1e3 / r.median().ns})
		if !seen[n] {
			seen[n] = true
			ticks = append(ticks, plot.Tick{Value: float64(n), Label: strconv.Itoa(n)})
		}
	}
	plt.X.Tick.Marker = plot.ConstantTicks(ticks)
	if len(ticks) > 1 {
		plt.X.Scale = plot.LogScale{} // producer counts grow geometrically
	}
	var args []any
	for _, impl := range order {
		label := impl
		if impl == chanImpl.name && unbounded {
			label = fmt.Sprintf("chan (capacity %d, reference)", capacity)
		}
		args = append(args, label, points[impl])
	}
	if err := plotutil.AddLinePoints(plt, args...); err != nil {
		return nil, err
	}
	// Room above the highest point for the legend, one line per contender.
	plt.Y.Min, plt.Y.Max = 0, plt.Y.Max*(1.2+0.12*float64(len(order)))
	plt.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ts := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ts {
			if ts[i].Label != "" {
				ts[i].Label = strconv.FormatFloat(ts[i].Value, 'f', -1, 64)
			}
		}
		return ts
	})
	return plt, nil
}
