package producermetrics_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/client/producer"
	"github.com/eddy-streams/eddy/client/producer/producermetrics"
	"github.com/eddy-streams/eddy/metrics"
)

func TestExport(t *testing.T) {
	reg := metrics.NewRegistry()
	m := producermetrics.New(reg)
	d := producer.Dimensions{StreamName: "orders", ShardID: "shardId-000000000001"}
	m.Add(producer.UserRecordsPut, d, 3)
	m.Add(producer.UserRecordsPut, d, 2)
	m.Add(producer.ErrorsByCode, producer.Dimensions{StreamName: "orders", ErrorCode: "ProvisionedThroughputExceededException"}, 1)
	m.Observe(producer.BufferingTime, d, 50) // ms
	m.Observe(producer.RetriesPerRecord, d, 2)
	m.Set(producer.UserRecordsPending, producer.Dimensions{StreamName: "orders"}, 7)
	m.Add("NotAMetric", d, 1) // ignored
	var buf bytes.Buffer
	if err := reg.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`kpl_user_records_put_total{stream="orders",shard="shardId-000000000001"} 5`,
		`kpl_errors_by_code_total{stream="orders",shard="",error_code="ProvisionedThroughputExceededException"} 1`,
		`kpl_buffering_time_seconds_bucket{stream="orders",le="0.05"} 1`,
		`kpl_buffering_time_seconds_bucket{stream="orders",le="0.025"} 0`,
		`kpl_buffering_time_seconds_sum{stream="orders"} 0.05`,
		`kpl_retries_per_record_bucket{stream="orders",le="2"} 1`,
		`kpl_user_records_pending{stream="orders"} 7`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %s in\n%s", want, out)
		}
	}
}
