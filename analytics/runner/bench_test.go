package runner

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// benchApp runs code over b.N stock-ticker records (100 tickers) put
// beforehand into a durable 4-shard stream (segment logs, bbolt
// metadata, as eddy serve keeps them), from TRIM_HORIZON, and reports
// input rows/s and CPU µs per row from the application's start until
// every record was read and its rows written to the output stream.
func benchApp(b *testing.B, code string) {
	dir := b.TempDir()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer meta.Close()
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay, kcfg.UpdateDelay, kcfg.DeleteDelay = 0, 0, 0
	eng, err := kinesis.New(kcfg, logs, meta)
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	ctx := context.Background()
	for name, shards := range map[string]int32{"src": 4, "dst": 4} {
		if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr(name), ShardCount: ptr(shards)}); err != nil {
			b.Fatal(err)
		}
		for {
			out, err := eng.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr(name)})
			if err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	sectors := []string{"TECHNOLOGY", "RETAIL", "ENERGY", "HEALTHCARE", "FINANCIAL"}
	for i := 0; i < b.N; i += 500 {
		n := min(500, b.N-i)
		entries := make([]kds.PutRecordsRequestEntry, n)
		for j := range n {
			k := i + j
			data := fmt.Sprintf(`{"TICKER_SYMBOL":"T%02d","SECTOR":"%s","CHANGE":%d.25,"PRICE":%d.5}`, k%100, sectors[k%5], k%7-3, 10+k%90)
			entries[j] = kds.PutRecordsRequestEntry{Data: []byte(data), PartitionKey: ptr(fmt.Sprint(k % 100))}
		}
		if out, err := eng.PutRecords(ctx, &kds.PutRecordsInput{StreamName: ptr("src"), Records: entries}); err != nil || out.FailedRecordCount != 0 {
			b.Fatalf("PutRecords: %v", err)
		}
	}
	reg := metrics.NewRegistry()
	r := New(Config{Kinesis: func(string) (Kinesis, error) { return eng, nil }, Meta: meta, Tick: 100 * time.Millisecond, Metrics: NewMetrics(reg)})
	defer r.Close()
	app := kda.ApplicationDetail{
		ApplicationName: ptr("bench"), ApplicationARN: ptr(appARN), ApplicationCode: ptr(code),
		InputDescriptions: []kda.InputDescription{{InputId: ptr("1.1"), NamePrefix: ptr("SOURCE_SQL_STREAM"),
			KinesisStreamsInputDescription: &kda.ResourceRoleDescription{ResourceARN: ptr(srcARN)},
			InputSchema: &kda.SourceSchema{
				RecordFormat: &kda.RecordFormat{RecordFormatType: "JSON",
					MappingParameters: &kda.MappingParameters{JSONMappingParameters: &kda.JSONMappingParameters{RecordRowPath: ptr("$")}}},
				RecordColumns: []kda.RecordColumn{
					{Name: ptr("TICKER_SYMBOL"), Mapping: ptr("$.TICKER_SYMBOL"), SqlType: ptr("VARCHAR(4)")},
					{Name: ptr("SECTOR"), Mapping: ptr("$.SECTOR"), SqlType: ptr("VARCHAR(16)")},
					{Name: ptr("CHANGE"), Mapping: ptr("$.CHANGE"), SqlType: ptr("REAL")},
					{Name: ptr("PRICE"), Mapping: ptr("$.PRICE"), SqlType: ptr("REAL")},
				}}}},
		OutputDescriptions: []kda.OutputDescription{toStream("DESTINATION_SQL_STREAM", dstARN, "JSON")},
	}
	want := fmt.Sprintf(`analytics_input_records_total{application="%s"} %d`, appARN, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	if err := r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		b.Fatal(err)
	}
	for {
		var sb strings.Builder
		reg.WriteText(&sb)
		if strings.Contains(sb.String(), want) {
			break
		}
		if time.Since(start) > 5*time.Minute {
			b.Fatalf("not read in 5 minutes:\n%s", sb.String())
		}
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/row")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkTumblingDurable: COUNT, SUM and AVG per ticker per 10-second
// tumbling window.
func BenchmarkTumblingDurable(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), n INTEGER, total REAL, average REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER_SYMBOL", COUNT(*), SUM("PRICE"), AVG("PRICE") FROM "SOURCE_SQL_STREAM_001"
GROUP BY "TICKER_SYMBOL", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`)
}

// BenchmarkSlidingDurable: AVG of the price per ticker over the last 10
// seconds, one output row (written to the output stream) per input row.
func BenchmarkSlidingDurable(b *testing.B) {
	benchApp(b, `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER_SYMBOL", AVG("PRICE") OVER W FROM "SOURCE_SQL_STREAM_001"
WINDOW W AS (PARTITION BY "TICKER_SYMBOL" RANGE INTERVAL '10' SECOND PRECEDING);`)
}
