package main

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// printTable writes one run's results for people.
func printTable(w io.Writer, r *Result) {
	fmt.Fprintf(w, "\n%s (%s)\n", r.Label, r.Endpoint)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\trecords\tseconds\trecords/s\tMB/s\tp50 ms\tp99 ms\tp99.9 ms\tmax ms\tserver CPU µs/record\t")
	tput := func(name string, t *Throughput) {
		if t == nil {
			return
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n", name, t.Records, t.Seconds, num(t.RecordsPerSec), t.MBPerSec,
			t.Latency.P50, t.Latency.P99, t.Latency.P999, t.Latency.Max, cpuCell(t.ServerCPUPerRecord))
	}
	c := r.Config
	tput(fmt.Sprintf("PutRecords (%d shards, %d clients x %d x %d B)", c.Shards, c.Clients, c.Batch, c.Size), r.Put)
	tput("GetRecords (read-back, request latency)", r.Get)
	e2e := func(name string, e *EndToEnd) {
		if e == nil {
			return
		}
		if e.Skipped != "" {
			fmt.Fprintf(tw, "%s\tskipped: %s\t\t\t\t\t\t\t\t\t\n", name, e.Skipped)
			return
		}
		fmt.Fprintf(tw, "%s\t%d\t\t%d/s\t\t%.2f\t%.2f\t%.2f\t%.2f\t\t\n", name, e.Latency.N, e.Rate, e.Latency.P50, e.Latency.P99, e.Latency.P999, e.Latency.Max)
		fmt.Fprintf(tw, "  of which the PutRecord call\t%d\t\t\t\t%.2f\t%.2f\t%.2f\t%.2f\t\t\n", e.Put.N, e.Put.P50, e.Put.P99, e.Put.P999, e.Put.Max)
	}
	e2e("put-to-visible (GetRecords poll every "+c.PollInterval+" when idle)", r.Visible)
	e2e("put-to-delivery (SubscribeToShard)", r.EFO)
	tw.Flush()
	if m := r.Memory; m != nil {
		fmt.Fprintf(w, "memory: %d concurrent PutRecords of %d x %d B: %d of %d records acknowledged in %.1f s, %d request errors; "+
			"server RSS %.0f MB before, peak %.0f MB, %.0f MB after; survived %v, responsive %v\n",
			m.Clients, m.Batch, m.RecordBytes, m.Acked, m.Sent, m.Seconds, m.RequestErrors, m.RSSBeforeMB, m.PeakRSSMB, m.RSSAfterMB, m.Survived, m.Responsive)
		if m.FirstError != "" {
			fmt.Fprintf(w, "  first error: %s\n", m.FirstError)
		}
	}
	fmt.Fprintln(w, "verification (every acknowledged record read back once, intact):")
	ver := func(name string, v *Verify) {
		if v != nil {
			fmt.Fprintf(w, "  %-8s %s\n", name, v)
		}
	}
	ver("put", r.PutCheck)
	if r.Visible != nil && r.Visible.Skipped == "" {
		ver("visible", &r.Visible.Verify)
	}
	if r.EFO != nil && r.EFO.Skipped == "" {
		ver("efo", &r.EFO.Verify)
	}
	if r.Memory != nil {
		ver("memory", r.Memory.Verify)
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
}

func cpuCell(us float64) string {
	if us < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", us)
}

// num formats x with thousands separators above 1,000 and a few
// significant digits below.
func num(x float64) string {
	switch {
	case math.IsNaN(x):
		return "-"
	case math.Abs(x) >= 1000:
		s := strconv.FormatInt(int64(math.Round(x)), 10)
		neg := strings.HasPrefix(s, "-")
		s = strings.TrimPrefix(s, "-")
		var b strings.Builder
		for i, r := range s {
			if i > 0 && (len(s)-i)%3 == 0 {
				b.WriteByte(',')
			}
			b.WriteRune(r)
		}
		if neg {
			return "-" + b.String()
		}
		return b.String()
	case math.Abs(x) >= 100:
		return strconv.FormatFloat(x, 'f', 0, 64)
	case math.Abs(x) >= 10:
		return strconv.FormatFloat(x, 'f', 1, 64)
	default:
		return strconv.FormatFloat(x, 'f', 2, 64)
	}
}
