package main

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestRecordRoundTrip(t *testing.T) {
	cd, err := newCodec(42, 100)
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 100)
	for _, id := range []uint64{0, 1, 255, 256, 1 << 40} {
		cd.fill(b, id, 12345)
		stamp(b, 678)
		gotID, sent, err := cd.parse(b)
		if err != nil || gotID != id || sent != 678 {
			t.Errorf("id %d: parse = %d, %d, %v", id, gotID, sent, err)
		}
	}
	cd.fill(b, 7, 0)
	b[50]++
	if _, _, err := cd.parse(b); err == nil {
		t.Error("a changed byte was not noticed")
	}
	cd.fill(b, 7, 0)
	if _, _, err := cd.parse(b[:99]); err == nil {
		t.Error("a short record was not noticed")
	}
	other, _ := newCodec(43, 100)
	if _, _, err := other.parse(b); !errors.Is(err, errForeign) {
		t.Errorf("another run's record: %v, want errForeign", err)
	}
	if _, err := newCodec(1, headerSize-1); err == nil {
		t.Error("a record smaller than its header was accepted")
	}
}

func TestLedger(t *testing.T) {
	l := newLedger(6)
	for _, id := range []uint64{0, 1, 2, 3} {
		l.ack(id)
	}
	// 0 read once, 1 twice, 2 never, 3 three times, 4 read but never
	// acknowledged, 9 out of range, one damaged record.
	for _, id := range []uint64{0, 1, 1, 3, 3, 3, 4, 9} {
		l.see(id)
	}
	l.damaged()
	got := l.result()
	want := Verify{Acked: 4, Read: 9, Lost: 1, Duplicated: 3, Unacked: 1, Corrupt: 2}
	if got != want {
		t.Errorf("result = %+v, want %+v", got, want)
	}
	if got.OK() {
		t.Error("OK with losses")
	}
	if !(Verify{Acked: 3, Read: 3, Unacked: 2}).OK() {
		t.Error("not OK without loss, duplicate or damage")
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 1000; i++ {
		d = append(d, time.Duration(1001-i)*time.Millisecond)
	}
	l := summarizeLatency(d)
	if l.N != 1000 || l.P50 != 500 || l.P99 != 990 || l.P999 != 999 || l.Max != 1000 {
		t.Errorf("summary = %+v", l)
	}
	one := []time.Duration{time.Millisecond}
	for _, q := range []float64{0.001, 0.5, 1} {
		if p := percentile(one, q); p != time.Millisecond {
			t.Errorf("percentile of one value at %v = %v", q, p)
		}
	}
	if (summarizeLatency(nil) != Latency{}) {
		t.Error("summary of nothing is not zero")
	}
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median = %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median = %v", m)
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median of nothing is not NaN")
	}
}

func TestProcParsing(t *testing.T) {
	// The command name may hold spaces and parentheses.
	stat := []byte("1234 (my (odd) prog) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 100 1000 50\n")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3250*time.Millisecond {
		t.Errorf("cpu = %v, %v; want 3.25s", cpu, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Error("garbage parsed")
	}
	status := []byte("Name:\teddy\nVmHWM:\t   20480 kB\nVmRSS:\t    1024 kB\n")
	if h, r := parseStatusKB(status, "VmHWM:"), parseStatusKB(status, "VmRSS:"); h != 20480 || r != 1024 {
		t.Errorf("VmHWM %d VmRSS %d", h, r)
	}
	if parseStatusKB(status, "VmSwap:") != 0 {
		t.Error("a missing key is not 0")
	}
}

func TestNumAndRatio(t *testing.T) {
	for x, want := range map[float64]string{1234567: "1,234,567", -1234: "-1,234", 123.4: "123", 12.34: "12.3", 1.234: "1.23", math.NaN(): "-"} {
		if got := num(x); got != want {
			t.Errorf("num(%v) = %q, want %q", x, got, want)
		}
	}
	for x, want := range map[float64]string{2.5: "2.50x", 0.025: "1/40.0", 1: "1.00x"} {
		if got := ratio(x); got != want {
			t.Errorf("ratio(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestSummarize(t *testing.T) {
	in := `progress lines and tables are skipped
{"label":"eddy","put":{"records":100,"records_per_s":1000,"server_cpu_us_per_record":2},"put_verify":{"acked":100}}
{"label":"emu","put":{"records":10,"records_per_s":10,"server_cpu_us_per_record":100},"efo":{"skipped":"not implemented (X)"}}
{"label":"eddy","put":{"records":100,"records_per_s":3000,"server_cpu_us_per_record":4},"put_verify":{"acked":100}}
{"label":"eddy","put":{"records":100,"records_per_s":2000,"server_cpu_us_per_record":3},"visible":{"latency":{"n":5,"p99_ms":4}}}
{"label":"eddy","memory":{"sent":100,"acked":100,"peak_rss_mb":200,"survived":true,"responsive":true,"verify":{"acked":100}}}
`
	gs, err := readResults(strings.NewReader(in))
	if err != nil || len(gs) != 2 || gs[0].label != "eddy" || len(gs[0].runs) != 4 || len(gs[1].runs) != 1 {
		t.Fatalf("groups: %v, %v", gs, err)
	}
	if m := gs[0].median(metrics[0]); m != 2000 {
		t.Errorf("median records/s = %v", m)
	}
	var out bytes.Buffer
	summarize(&out, gs)
	goals(&out, gs, []string{"emu"})
	s := out.String()
	for _, want := range []string{
		"| PutRecords records/s | 2,000 | 10.0 (1/200) |",
		"| server CPU µs per record put | 3.00 | 100 (33.3x) |",
		"not implemented (X)",
		"| memory test: survived, answering | 1 of 1 | - |",
		"200x: met",
		"1/33.3: MISSED",
		"put-to-visible p99 <= 5 ms: 4.00 ms: met",
		"100 of 100 records kept: met",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}
