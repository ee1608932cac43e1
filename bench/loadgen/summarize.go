package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// -summarize reads the JSON lines of many runs (other lines are skipped),
// groups them by label in the order labels first appear, and prints a
// Markdown table of each metric's median per label with its ratio to the
// first label's. With -emulators it also checks the goals for the
// first label against the named emulators.

// metric is one row of the summary.
type metric struct {
	name   string
	higher bool // higher is better
	get    func(*Result) (float64, bool)
}

var metrics = []metric{
	{"PutRecords records/s", true, func(r *Result) (float64, bool) { return put(r, func(t *Throughput) float64 { return t.RecordsPerSec }) }},
	{"PutRecords MB/s", true, func(r *Result) (float64, bool) { return put(r, func(t *Throughput) float64 { return t.MBPerSec }) }},
	{"PutRecords request p50 ms", false, func(r *Result) (float64, bool) { return put(r, func(t *Throughput) float64 { return t.Latency.P50 }) }},
	{"PutRecords request p99 ms", false, func(r *Result) (float64, bool) { return put(r, func(t *Throughput) float64 { return t.Latency.P99 }) }},
	{"PutRecords request p99.9 ms", false, func(r *Result) (float64, bool) { return put(r, func(t *Throughput) float64 { return t.Latency.P999 }) }},
	{"server CPU µs per record put", false, func(r *Result) (float64, bool) {
		if r.Put == nil || r.Put.ServerCPUPerRecord < 0 {
			return 0, false
		}
		return r.Put.ServerCPUPerRecord, true
	}},
	{"GetRecords records/s", true, func(r *Result) (float64, bool) { return get(r, func(t *Throughput) float64 { return t.RecordsPerSec }) }},
	{"GetRecords MB/s", true, func(r *Result) (float64, bool) { return get(r, func(t *Throughput) float64 { return t.MBPerSec }) }},
	{"put-to-visible p50 ms", false, func(r *Result) (float64, bool) { return e2e(r.Visible, func(l Latency) float64 { return l.P50 }) }},
	{"put-to-visible p99 ms", false, func(r *Result) (float64, bool) { return e2e(r.Visible, func(l Latency) float64 { return l.P99 }) }},
	{"put-to-visible p99.9 ms", false, func(r *Result) (float64, bool) { return e2e(r.Visible, func(l Latency) float64 { return l.P999 }) }},
	{"put-to-delivery (SubscribeToShard) p50 ms", false, func(r *Result) (float64, bool) { return e2e(r.EFO, func(l Latency) float64 { return l.P50 }) }},
	{"put-to-delivery (SubscribeToShard) p99 ms", false, func(r *Result) (float64, bool) { return e2e(r.EFO, func(l Latency) float64 { return l.P99 }) }},
	{"put-to-delivery (SubscribeToShard) p99.9 ms", false, func(r *Result) (float64, bool) { return e2e(r.EFO, func(l Latency) float64 { return l.P999 }) }},
	{"memory test: server peak RSS MB", false, func(r *Result) (float64, bool) {
		if r.Memory == nil || r.Memory.PeakRSSMB == 0 {
			return 0, false
		}
		return r.Memory.PeakRSSMB, true
	}},
	{"memory test: seconds", false, func(r *Result) (float64, bool) {
		if r.Memory == nil || r.Memory.Acked == 0 {
			return 0, false
		}
		return r.Memory.Seconds, true
	}},
}

func put(r *Result, f func(*Throughput) float64) (float64, bool) {
	if r.Put == nil || r.Put.Records == 0 {
		return 0, false
	}
	return f(r.Put), true
}

func get(r *Result, f func(*Throughput) float64) (float64, bool) {
	if r.Get == nil || r.Get.Records == 0 {
		return 0, false
	}
	return f(r.Get), true
}

func e2e(e *EndToEnd, f func(Latency) float64) (float64, bool) {
	if e == nil || e.Skipped != "" || e.Latency.N == 0 {
		return 0, false
	}
	return f(e.Latency), true
}

// group is every run of one label.
type group struct {
	label string
	runs  []*Result
}

// readResults parses the JSON lines in r that hold a label.
func readResults(r io.Reader) ([]*group, error) {
	var groups []*group
	byLabel := map[string]*group{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var res Result
		if err := json.Unmarshal(line, &res); err != nil || res.Label == "" {
			continue
		}
		g := byLabel[res.Label]
		if g == nil {
			g = &group{label: res.Label}
			byLabel[res.Label] = g
			groups = append(groups, g)
		}
		g.runs = append(g.runs, &res)
	}
	return groups, sc.Err()
}

func (g *group) median(m metric) float64 {
	var xs []float64
	for _, r := range g.runs {
		if x, ok := m.get(r); ok {
			xs = append(xs, x)
		}
	}
	return median(xs)
}

func summarizeFiles(w io.Writer, files []string, emulators []string) error {
	var all []*group
	add := func(r io.Reader) error {
		gs, err := readResults(r)
		for _, g := range gs {
			if i := indexOf(all, g.label); i >= 0 {
				all[i].runs = append(all[i].runs, g.runs...)
			} else {
				all = append(all, g)
			}
		}
		return err
	}
	if len(files) == 0 {
		if err := add(os.Stdin); err != nil {
			return err
		}
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		err = add(fh)
		fh.Close()
		if err != nil {
			return err
		}
	}
	if len(all) == 0 {
		return fmt.Errorf("no results in %v", files)
	}
	summarize(w, all)
	if len(emulators) > 0 {
		goals(w, all, emulators)
	}
	return nil
}

func indexOf(gs []*group, label string) int {
	for i, g := range gs {
		if g.label == label {
			return i
		}
	}
	return -1
}

// summarize prints the Markdown table.
func summarize(w io.Writer, gs []*group) {
	ref := gs[0]
	fmt.Fprintf(w, "| median of runs (ratio to %s) |", ref.label)
	for _, g := range gs {
		fmt.Fprintf(w, " %s |", g.label)
	}
	fmt.Fprint(w, "\n|---|")
	for range gs {
		fmt.Fprint(w, "---|")
	}
	fmt.Fprint(w, "\n| runs: throughput and latency, memory test |")
	for _, g := range gs {
		var tl, mem int
		for _, r := range g.runs {
			if r.Put != nil || r.Visible != nil || r.EFO != nil {
				tl++
			}
			if r.Memory != nil {
				mem++
			}
		}
		fmt.Fprintf(w, " %d, %d |", tl, mem)
	}
	fmt.Fprintln(w)
	for _, m := range metrics {
		r := ref.median(m)
		fmt.Fprintf(w, "| %s |", m.name)
		for i, g := range gs {
			v := g.median(m)
			switch {
			case math.IsNaN(v) && strings.HasPrefix(m.name, "put-to-delivery") && g.efoSkipped() != "":
				if strings.Contains(m.name, "p50") {
					fmt.Fprintf(w, " %s |", g.efoSkipped())
				} else {
					fmt.Fprint(w, " |")
				}
			case math.IsNaN(v):
				fmt.Fprint(w, " - |")
			case i == 0 || math.IsNaN(r) || r == 0:
				fmt.Fprintf(w, " %s |", num(v))
			default:
				fmt.Fprintf(w, " %s (%s) |", num(v), ratio(v/r))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, "| memory test: survived, answering |")
	for _, g := range gs {
		var n, ok int
		for _, r := range g.runs {
			if r.Memory != nil {
				n++
				if r.Memory.Survived && r.Memory.Responsive {
					ok++
				}
			}
		}
		fmt.Fprintf(w, " %s |", countCell(ok, n))
	}
	fmt.Fprint(w, "\n| memory test: records acknowledged, kept |")
	for _, g := range gs {
		var sent, acked, kept int64
		for _, r := range g.runs {
			if m := r.Memory; m != nil {
				sent += m.Sent
				acked += m.Acked
				if m.Verify != nil {
					kept += m.Verify.Acked - m.Verify.Lost
				}
			}
		}
		if sent == 0 {
			fmt.Fprint(w, " - |")
		} else {
			fmt.Fprintf(w, " %d / %d, %d |", acked, sent, kept)
		}
	}
	fmt.Fprint(w, "\n| verification, all runs: lost / duplicated / corrupt |")
	for _, g := range gs {
		var v Verify
		for _, r := range g.runs {
			for _, x := range []*Verify{r.PutCheck, verifyOf(r.Visible), verifyOf(r.EFO), memVerify(r.Memory)} {
				if x != nil {
					v.Acked += x.Acked
					v.Lost += x.Lost
					v.Duplicated += x.Duplicated
					v.Corrupt += x.Corrupt
				}
			}
		}
		fmt.Fprintf(w, " %d / %d / %d of %s |", v.Lost, v.Duplicated, v.Corrupt, count(v.Acked))
	}
	fmt.Fprintln(w)
}

// efoSkipped returns why SubscribeToShard was skipped when every run with
// it skipped it, else "".
func (g *group) efoSkipped() string {
	why := ""
	for _, r := range g.runs {
		if r.EFO == nil {
			continue
		}
		if r.EFO.Skipped == "" {
			return ""
		}
		why = r.EFO.Skipped
	}
	return why
}

func verifyOf(e *EndToEnd) *Verify {
	if e == nil || e.Skipped != "" {
		return nil
	}
	return &e.Verify
}

func memVerify(m *Memory) *Verify {
	if m == nil {
		return nil
	}
	return m.Verify
}

func countCell(ok, n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d of %d", ok, n)
}

// count writes n with thousands separators.
func count(n int64) string {
	if n < 1000 {
		return fmt.Sprint(n)
	}
	return num(float64(n))
}

// ratio writes x as "2.5x" at or above 1, and as "1/40" below.
func ratio(x float64) string {
	switch {
	case x >= 1:
		return num(x) + "x"
	case x > 0:
		return "1/" + num(1/x)
	default:
		return "0"
	}
}

// goals checks the goals for the first label (Eddy durable)
// against the named emulators.
func goals(w io.Writer, gs []*group, emulators []string) {
	eddy := gs[0]
	byName := func(m string) metric {
		for _, x := range metrics {
			if x.name == m {
				return x
			}
		}
		panic(m)
	}
	rps, cpu := byName("PutRecords records/s"), byName("server CPU µs per record put")
	var fast *group
	for _, e := range emulators {
		if i := indexOf(gs, e); i >= 0 && (fast == nil || gs[i].median(rps) > fast.median(rps)) {
			fast = gs[i]
		}
	}
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	fmt.Fprintf(w, "\nGoals for %s:\n", eddy.label)
	if fast != nil && !math.IsNaN(eddy.median(rps)) && !math.IsNaN(fast.median(rps)) {
		x := eddy.median(rps) / fast.median(rps)
		fmt.Fprintf(w, "- durable ingest >= 20x the faster emulator (%s) in records/s: %s vs %s records/s = %sx: %s\n",
			fast.label, num(eddy.median(rps)), num(fast.median(rps)), num(x), met(x >= 20))
		y := fast.median(cpu) / eddy.median(cpu)
		fmt.Fprintf(w, "- server CPU per record <= 1/40 of %s's: %s vs %s µs = 1/%s: %s\n",
			fast.label, num(eddy.median(cpu)), num(fast.median(cpu)), num(y), met(y >= 40))
	}
	if p99 := eddy.median(byName("put-to-visible p99 ms")); !math.IsNaN(p99) {
		fmt.Fprintf(w, "- put-to-visible p99 <= 5 ms: %s ms: %s\n", num(p99), met(p99 <= 5))
	}
	var peak float64
	var sent, kept int64
	n := 0
	for _, r := range eddy.runs {
		if m := r.Memory; m != nil {
			n++
			peak = math.Max(peak, m.PeakRSSMB)
			sent += m.Sent
			if m.Verify != nil {
				kept += m.Verify.Acked - m.Verify.Lost - m.Verify.Corrupt
			}
		}
	}
	if n > 0 {
		fmt.Fprintf(w, "- memory test RSS <= 512 MB with every record kept: highest peak %s MB over %d runs, %d of %d records kept: %s\n",
			num(peak), n, kept, sent, met(peak <= 512 && kept == sent))
	}
	fmt.Fprintf(w, "(medians; the emulators: %s)\n", strings.Join(emulators, ", "))
}
