package delivery

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/metrics"
)

func TestPipelineMetrics(t *testing.T) {
	e := newEnv(t)
	reg := metrics.NewRegistry()
	m := NewMetrics(reg)
	p := e.pipeline(Hints{Size: 1 << 20, Interval: 60 * time.Second})
	p.Metrics = m.For("d", "S3")
	e.put(t, "abc", "de")
	step(t, p)
	e.clock.Advance(45 * time.Second)
	step(t, p)
	if got := p.Metrics.freshness.Value(); got != 45 {
		t.Fatalf("data freshness %v, want 45 (seconds since the oldest undelivered record arrived)", got)
	}
	e.clock.Advance(15 * time.Second)
	step(t, p)
	var out bytes.Buffer
	if err := reg.WriteText(&out); err != nil {
		t.Fatal(err)
	}
	labels := `{delivery_stream="d",destination="S3"}`
	for _, want := range []string{
		"firehose_delivery_records_total" + labels + " 2\n",
		"firehose_delivery_bytes_total" + labels + " 5\n",
		"firehose_read_records_total" + labels + " 2\n",
		"firehose_read_bytes_total" + labels + " 5\n",
		"firehose_delivery_data_freshness_seconds" + labels + " 0\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("missing %q in\n%s", want, out.String())
		}
	}
	m.Forget("d", "S3")
	out.Reset()
	reg.WriteText(&out)
	if strings.Contains(out.String(), labels) {
		t.Errorf("series left after Forget:\n%s", out.String())
	}
}
