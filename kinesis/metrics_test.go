package kinesis

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
)

func scrape(t *testing.T, r *metrics.Registry) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func wantLines(t *testing.T, text string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(text, "\n"+l+"\n") {
			t.Errorf("no line %q in:\n%s", l, text)
		}
	}
}

func TestMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	env := newEnv(t, func(c *Config) { c.Metrics = reg; c.Limits = LimitsAWS })
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	e.createStream("quiet", 1, ModeProvisioned, nil)
	put(t, e, "s", "a", "bb") // 2 records, 1+6 + 2+7 bytes
	putN(t, e, "s", 1000, 10) // 998 fit in the second, 2 throttled
	_, err := e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
	wantCode(t, err, "ProvisionedThroughputExceededException")
	env.clock.Advance(2 * time.Second)
	it, _ := e.getShardIterator(ctx, "s", shardID(0), IterTrimHorizon, nil, nil)
	res, err := e.getRecords(ctx, it, 2, nil)
	if err != nil || len(res.Records) != 2 {
		t.Fatalf("get: %v, %d records", err, len(res.Records))
	}
	text := scrape(t, reg)
	wantLines(t, text,
		`kinesis_incoming_records_total{region="us-east-1",stream="s"} 1000`,
		`kinesis_incoming_bytes_total{region="us-east-1",stream="s"} `+itoa(16+998*11),
		`kinesis_put_records_records_total{region="us-east-1",stream="s",result="successful"} 1000`,
		`kinesis_put_records_records_total{region="us-east-1",stream="s",result="throttled"} 2`,
		`kinesis_put_records_success_total{region="us-east-1",stream="s"} 1`,
		`kinesis_put_record_success_total{region="us-east-1",stream="s"} 0`,
		`kinesis_write_provisioned_throughput_exceeded_total{region="us-east-1",stream="s"} 3`,
		`kinesis_put_records_latency_seconds_count{region="us-east-1",stream="s"} 2`,
		`kinesis_put_record_latency_seconds_count{region="us-east-1",stream="s"} 1`,
		`kinesis_get_records_success_total{region="us-east-1",stream="s"} 1`,
		`kinesis_get_records_records_total{region="us-east-1",stream="s"} 2`,
		`kinesis_get_records_bytes_total{region="us-east-1",stream="s"} 16`,
		`kinesis_get_records_iterator_age_milliseconds{region="us-east-1",stream="s"} 2000`,
		`eddy_streams{region="us-east-1"} 2`,
		`eddy_open_shards{region="us-east-1"} 2`,
	)
	if strings.Contains(text, "kinesis_shard_") {
		t.Fatalf("shard-level metrics without enhanced monitoring:\n%s", text)
	}
	// Enhanced monitoring publishes the chosen shard-level metrics.
	if _, err := e.EnableEnhancedMonitoring(ctx, &kds.EnableEnhancedMonitoringInput{StreamName: ptr("s"),
		ShardLevelMetrics: []kds.MetricsName{"IncomingRecords", "OutgoingRecords", "ReadProvisionedThroughputExceeded"}}); err != nil {
		t.Fatal(err)
	}
	text = scrape(t, reg)
	wantLines(t, text,
		`kinesis_shard_incoming_records_total{region="us-east-1",shard="shardId-000000000000",stream="s"} 1000`,
		`kinesis_shard_outgoing_records_total{region="us-east-1",shard="shardId-000000000000",stream="s"} 2`,
	)
	if strings.Contains(text, "kinesis_shard_incoming_bytes_total") || strings.Contains(text, `stream="quiet",shard`) {
		t.Fatalf("metrics that were not enabled:\n%s", text)
	}
	// Throttled reads count. (The clock has not moved since the read, whose
	// bytes are not paid for yet.)
	for range 6 {
		_, err := e.getRecords(ctx, res.Next, 1, nil)
		wantCode(t, err, "ProvisionedThroughputExceededException")
	}
	wantLines(t, scrape(t, reg), `kinesis_read_provisioned_throughput_exceeded_total{region="us-east-1",stream="s"} 6`,
		`kinesis_shard_read_provisioned_throughput_exceeded_total{region="us-east-1",shard="shardId-000000000000",stream="s"} 6`)
	// A deleted stream's series go.
	if err := e.deleteStream("s"); err != nil {
		t.Fatal(err)
	}
	if text := scrape(t, reg); strings.Contains(text, `stream="s"`) {
		t.Fatalf("deleted stream still has series:\n%s", text)
	}
}

func TestSubscribeMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	env := newEnv(t, func(c *Config) { c.Metrics = reg })
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	arn := register(t, e, "s", "c")
	c := startSub(t, e, arn, shardID(0), IterTrimHorizon, nil)
	defer c.cancel()
	put(t, e, "s", "a", "b")
	waitFor(t, "two records", func() bool { return len(c.data()) == 2 })
	wantLines(t, scrape(t, reg),
		`kinesis_subscribe_to_shard_event_records_total{region="us-east-1",stream="s",consumer="c"} 2`,
		`kinesis_subscribe_to_shard_event_bytes_total{region="us-east-1",stream="s",consumer="c"} 14`,
		`kinesis_subscribe_to_shard_event_millis_behind_latest{region="us-east-1",stream="s",consumer="c"} 0`,
	)
}

func itoa(n int) string { return strconv.Itoa(n) }
