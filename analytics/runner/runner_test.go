package runner

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/analytics"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

func ptr[T any](v T) *T { return &v }

const (
	appARN = "arn:aws:kinesisanalytics:us-east-1:000000000000:application/app"
	srcARN = "arn:aws:kinesis:us-east-1:000000000000:stream/src"
	dstARN = "arn:aws:kinesis:us-east-1:000000000000:stream/dst"
	errARN = "arn:aws:kinesis:us-east-1:000000000000:stream/err"
)

// clock is a fake clock the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t     *testing.T
	eng   *kinesis.Engine
	meta  storage.MetaStore
	clock *clock
	r     *Runner
	reg   *metrics.Registry
	read  map[string]map[string]string // by stream: next iterator by shard
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	meta := mem.NewMeta()
	kcfg := kinesis.DefaultConfig()
	kcfg.CreateDelay, kcfg.UpdateDelay, kcfg.DeleteDelay = 0, 0, 0
	eng, err := kinesis.New(kcfg, mem.NewLogs(), meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	f := &fixture{t: t, eng: eng, meta: meta, clock: &clock{t: time.Now().UTC()}, reg: metrics.NewRegistry(), read: map[string]map[string]string{}}
	for _, s := range []string{"src", "dst", "err"} {
		if _, err := eng.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr(s), ShardCount: ptr(int32(2))}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []string{"src", "dst", "err"} {
		f.waitActive(s)
	}
	cfg.Kinesis = func(string) (Kinesis, error) { return eng, nil }
	cfg.Meta = meta
	cfg.Now = f.clock.Now
	cfg.Tick = 5 * time.Millisecond
	cfg.Retry = 10 * time.Millisecond
	cfg.Metrics = NewMetrics(f.reg)
	f.r = New(cfg)
	t.Cleanup(func() { f.r.Close() })
	return f
}

func (f *fixture) text() string {
	var b strings.Builder
	f.reg.WriteText(&b)
	return b.String()
}

func (f *fixture) waitActive(name string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, err := f.eng.DescribeStreamSummary(context.Background(), &kds.DescribeStreamSummaryInput{StreamName: ptr(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == kinesis.StatusActive {
			return
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("stream %s not active: %v", name, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) put(data ...string) {
	f.t.Helper()
	var entries []kds.PutRecordsRequestEntry
	for i, d := range data {
		entries = append(entries, kds.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: ptr(fmt.Sprint(i))})
	}
	out, err := f.eng.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr("src"), Records: entries})
	if err != nil || out.FailedRecordCount != 0 {
		f.t.Fatalf("PutRecords: %+v %v", out, err)
	}
}

// records returns what is in stream name past what an earlier call
// returned.
func (f *fixture) records(name string) []string {
	f.t.Helper()
	ctx := context.Background()
	its := f.read[name]
	if its == nil {
		its = map[string]string{}
		shards, err := f.eng.ListShards(ctx, &kds.ListShardsInput{StreamName: ptr(name)})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, sh := range shards.Shards {
			it, err := f.eng.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr(name), ShardId: &sh.ShardId, ShardIteratorType: ptr(kds.ShardIteratorType("TRIM_HORIZON"))})
			if err != nil {
				f.t.Fatal(err)
			}
			its[sh.ShardId] = it.ShardIterator
		}
		f.read[name] = its
	}
	var got []string
	for sh, it := range its {
		out, err := f.eng.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it})
		if err != nil {
			f.t.Fatal(err)
		}
		for _, r := range out.Records {
			got = append(got, strings.TrimSpace(string(r.Data)))
		}
		its[sh] = *out.NextShardIterator
	}
	return got
}

// await collects records of stream name until there are n, and fails
// after 10 s.
func (f *fixture) await(name string, n int) []string {
	f.t.Helper()
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n {
		got = append(got, f.records(name)...)
		if len(got) >= n {
			break
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("%s: %d of %d records: %q", name, len(got), n, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
	slices.Sort(got)
	return got
}

// quiet checks nothing more arrives in name for a while.
func (f *fixture) quiet(name string) {
	f.t.Helper()
	time.Sleep(150 * time.Millisecond)
	if more := f.records(name); len(more) > 0 {
		f.t.Fatalf("%s: unexpected records %q", name, more)
	}
}

var tickerSchema = &kda.SourceSchema{
	RecordFormat: &kda.RecordFormat{RecordFormatType: "JSON",
		MappingParameters: &kda.MappingParameters{JSONMappingParameters: &kda.JSONMappingParameters{RecordRowPath: ptr("$")}}},
	RecordEncoding: ptr("UTF-8"),
	RecordColumns: []kda.RecordColumn{
		{Name: ptr("TICKER_SYMBOL"), Mapping: ptr("$.TICKER_SYMBOL"), SqlType: ptr("VARCHAR(4)")},
		{Name: ptr("PRICE"), Mapping: ptr("$.PRICE"), SqlType: ptr("DOUBLE")},
	},
}

func application(code string, outputs ...kda.OutputDescription) kda.ApplicationDetail {
	return kda.ApplicationDetail{
		ApplicationName: ptr("app"), ApplicationARN: ptr(appARN), ApplicationCode: ptr(code),
		InputDescriptions: []kda.InputDescription{{InputId: ptr("1.1"), NamePrefix: ptr("SOURCE_SQL_STREAM"),
			InAppStreamNames:               []string{"SOURCE_SQL_STREAM_001"},
			KinesisStreamsInputDescription: &kda.ResourceRoleDescription{ResourceARN: ptr(srcARN)},
			InputSchema:                    tickerSchema}},
		OutputDescriptions: outputs,
	}
}

func toStream(name, arn, format string) kda.OutputDescription {
	return kda.OutputDescription{OutputId: ptr("2." + name), Name: ptr(name),
		KinesisStreamsOutputDescription: &kda.ResourceRoleDescription{ResourceARN: ptr(arn)},
		DestinationSchema:               &kda.DestinationSchema{RecordFormatType: format}}
}

const filterCode = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER_SYMBOL", "PRICE" FROM "SOURCE_SQL_STREAM_001" WHERE "PRICE" > 10;`

// TestRunnerFiltersAndResumes: rows go from a Kinesis stream through a
// pump to another, as JSON and CSV; a stop keeps the input's position:
// LAST_STOPPED_POINT reads what came after it, NOW skips it, TRIM_HORIZON
// reads everything again.
func TestRunnerFiltersAndResumes(t *testing.T) {
	f := newFixture(t, Config{})
	ctx := context.Background()
	app := application(filterCode, toStream("DESTINATION_SQL_STREAM", dstARN, "JSON"))
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":5}`, `{"TICKER_SYMBOL":"BBB","PRICE":12.5}`)
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	if got := f.await("dst", 1); !slices.Equal(got, []string{`{"TICKER":"BBB","PRICE":12.5}`}) {
		t.Fatalf("dst: %q", got)
	}
	f.put(`{"TICKER_SYMBOL":"CCC","PRICE":20}`)
	if got := f.await("dst", 1); !slices.Equal(got, []string{`{"TICKER":"CCC","PRICE":20.0}`}) && !slices.Equal(got, []string{`{"TICKER":"CCC","PRICE":20}`}) {
		t.Fatalf("dst: %q", got)
	}
	if err := f.r.Stop(ctx, appARN); err != nil {
		t.Fatal(err)
	}
	f.quiet("dst")

	// Stopped: put two; LAST_STOPPED_POINT reads them only.
	f.put(`{"TICKER_SYMBOL":"DDD","PRICE":30}`, `{"TICKER_SYMBOL":"EEE","PRICE":40}`)
	app.OutputDescriptions = []kda.OutputDescription{toStream("DESTINATION_SQL_STREAM", dstARN, "CSV")}
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionLastStoppedPoint}); err != nil {
		t.Fatal(err)
	}
	got := f.await("dst", 2)
	if len(got) != 2 || !strings.HasPrefix(got[0], "DDD,30") || !strings.HasPrefix(got[1], "EEE,40") {
		t.Fatalf("after LAST_STOPPED_POINT: %q", got)
	}
	f.quiet("dst")
	if err := f.r.Stop(ctx, appARN); err != nil {
		t.Fatal(err)
	}

	// NOW: what was put before the start is not read.
	f.put(`{"TICKER_SYMBOL":"FFF","PRICE":50}`)
	f.clock.Add(time.Second)
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionNow}); err != nil {
		t.Fatal(err)
	}
	f.quiet("dst")
	// ... but what is put after it is (arrival times come from the real
	// clock, which the fake one started at: wait until they pass it).
	for time.Now().Before(f.clock.Now().Add(10 * time.Millisecond)) {
		time.Sleep(10 * time.Millisecond)
	}
	f.put(`{"TICKER_SYMBOL":"GGG","PRICE":60}`)
	if got := f.await("dst", 1); len(got) != 1 || !strings.HasPrefix(got[0], "GGG,60") {
		t.Fatalf("after NOW: %q", got)
	}
	if err := f.r.Stop(ctx, appARN); err != nil {
		t.Fatal(err)
	}

	// TRIM_HORIZON: all of it again (7 records, 6 above 10).
	if err := f.r.Start(ctx, app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	if got := f.await("dst", 6); len(got) != 6 {
		t.Fatalf("after TRIM_HORIZON: %q", got)
	}
	f.quiet("dst")
	text := f.text()
	for _, want := range []string{
		`analytics_input_records_total{application="` + appARN + `"} 7`,
		`analytics_output_records_total{application="` + appARN + `",output="DESTINATION_SQL_STREAM"} 6`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %s:\n%s", want, text)
		}
	}
}

// TestRunnerTumblingWindowOnClock: a tumbling window's rows come out when
// the clock passes its end, without another record.
func TestRunnerTumblingWindowOnClock(t *testing.T) {
	f := newFixture(t, Config{})
	// Start on a whole minute so the 10-second windows are known.
	f.clock.t = f.clock.t.Truncate(time.Minute).Add(time.Minute)
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER, total DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER_SYMBOL", COUNT(*), SUM("PRICE") FROM "SOURCE_SQL_STREAM_001"
GROUP BY "TICKER_SYMBOL", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`
	app := application(code, toStream("DESTINATION_SQL_STREAM", dstARN, "CSV"))
	if err := f.r.Start(context.Background(), app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":1}`, `{"TICKER_SYMBOL":"AAA","PRICE":2}`, `{"TICKER_SYMBOL":"BBB","PRICE":4}`)
	// Wait until the rows were read (the input counter), then see that
	// the window is still open.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(f.text(), `analytics_input_records_total{application="`+appARN+`"} 3`) {
		if time.Now().After(deadline) {
			t.Fatalf("records not read:\n%s", f.text())
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.quiet("dst")
	f.clock.Add(10 * time.Second)
	if got := f.await("dst", 2); !slices.Equal(got, []string{"AAA,2,3.0", "BBB,1,4.0"}) && !slices.Equal(got, []string{"AAA,2,3", "BBB,1,4"}) {
		t.Fatalf("window rows: %q", got)
	}
}

// TestRunnerErrorStream: a record that does not decode becomes a row of
// error_stream, which an output can take.
func TestRunnerErrorStream(t *testing.T) {
	f := newFixture(t, Config{})
	app := application(filterCode, toStream("DESTINATION_SQL_STREAM", dstARN, "JSON"), toStream("error_stream", errARN, "JSON"))
	if err := f.r.Start(context.Background(), app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	f.put(`not json`, `{"TICKER_SYMBOL":"AAA","PRICE":"abc"}`, `{"TICKER_SYMBOL":"BBB","PRICE":11}`)
	if got := f.await("dst", 1); len(got) != 1 || !strings.Contains(got[0], `"BBB"`) {
		t.Fatalf("dst: %q", got)
	}
	errs := f.await("err", 2)
	for _, e := range errs {
		var row map[string]any
		if err := json.Unmarshal([]byte(e), &row); err != nil {
			t.Fatalf("error row %s: %v", e, err)
		}
		for _, col := range []string{"ERROR_TIME", "ERROR_LEVEL", "ERROR_NAME", "MESSAGE", "DATA_ROWTIME", "DATA_ROW", "PUMP_NAME"} {
			if _, ok := row[col]; !ok {
				t.Errorf("error row %s lacks %s", e, col)
			}
		}
	}
	if !strings.Contains(f.text(), `analytics_error_rows_total{application="`+appARN+`"} 2`) {
		t.Errorf("error rows not counted:\n%s", f.text())
	}
}

// TestRunnerReferenceJoin: a reference table read from the object store
// joins the stream.
func TestRunnerReferenceJoin(t *testing.T) {
	objects := map[string]string{"refs/companies.csv": "AAA,Alpha Inc\nBBB,Beta Corp\n"}
	f := newFixture(t, Config{Object: func(_ context.Context, bucket, key string) ([]byte, error) {
		body, ok := objects[bucket+"/"+key]
		if !ok {
			return nil, fmt.Errorf("NoSuchKey: %s/%s", bucket, key)
		}
		return []byte(body), nil
	}})
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(20), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM s."TICKER_SYMBOL", c."Company", s."PRICE" FROM "SOURCE_SQL_STREAM_001" AS s
LEFT JOIN "CompanyName" AS c ON s."TICKER_SYMBOL" = c."Ticker";`
	app := application(code, toStream("DESTINATION_SQL_STREAM", dstARN, "CSV"))
	app.ReferenceDataSourceDescriptions = []kda.ReferenceDataSourceDescription{{ReferenceId: ptr("3.1"), TableName: ptr("CompanyName"),
		S3ReferenceDataSourceDescription: &kda.S3ReferenceDataSource{BucketARN: ptr("arn:aws:s3:::refs"), FileKey: ptr("companies.csv"),
			ReferenceRoleARN: ptr("arn:aws:iam::000000000000:role/r")},
		ReferenceSchema: &kda.SourceSchema{RecordFormat: &kda.RecordFormat{RecordFormatType: "CSV",
			MappingParameters: &kda.MappingParameters{CSVMappingParameters: &kda.CSVMappingParameters{RecordRowDelimiter: ptr("\n"), RecordColumnDelimiter: ptr(",")}}},
			RecordColumns: []kda.RecordColumn{{Name: ptr("Ticker"), SqlType: ptr("VARCHAR(4)")}, {Name: ptr("Company"), SqlType: ptr("VARCHAR(20)")}}}}}
	if err := f.r.Start(context.Background(), app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":1}`, `{"TICKER_SYMBOL":"ZZZ","PRICE":2}`)
	got := f.await("dst", 2)
	if len(got) != 2 || !strings.HasPrefix(got[0], "AAA,Alpha Inc,1") || !strings.HasPrefix(got[1], "ZZZ,,2") {
		t.Fatalf("joined rows: %q", got)
	}
	// A missing object keeps the application from starting.
	delete(objects, "refs/companies.csv")
	if err := f.r.Start(context.Background(), app, nil); err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
		t.Fatalf("start without the reference object: %v", err)
	}
}

// fnInvoker answers invocations with a Go function.
type fnInvoker func(fn string, payload []byte) ([]byte, error)

func (f fnInvoker) Invoke(_ context.Context, fn string, payload []byte) ([]byte, string, error) {
	res, err := f(fn, payload)
	if err != nil {
		return nil, "", err
	}
	return res, "", nil
}

// TestRunnerLambdaPreprocessAndOutput: the preprocessing function gets the
// documented event and its Ok / Dropped / ProcessingFailed answers are
// honoured; a Lambda output gets the rows and what it answers
// DeliveryFailed for is sent again.
func TestRunnerLambdaPreprocessAndOutput(t *testing.T) {
	var mu sync.Mutex
	var delivered []string
	failedOnce := map[string]bool{}
	inv := fnInvoker(func(fn string, payload []byte) ([]byte, error) {
		switch {
		case strings.HasSuffix(fn, ":pre"):
			var ev analytics.PreprocessEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			if ev.ApplicationARN != appARN || ev.StreamARN != srcARN || ev.InvocationID == "" {
				return nil, fmt.Errorf("event %+v", ev)
			}
			var ans analytics.PreprocessResponse
			for _, r := range ev.Records {
				if r.Metadata.ShardID == "" || r.Metadata.SequenceNumber == "" || r.Metadata.PartitionKey == "" {
					return nil, fmt.Errorf("record metadata %+v", r.Metadata)
				}
				var in map[string]any
				json.Unmarshal(r.Data, &in)
				switch in["TICKER_SYMBOL"] {
				case "DROP":
					ans.Records = append(ans.Records, analytics.PreprocessResult{RecordID: r.RecordID, Result: "Dropped"})
				case "FAIL":
					ans.Records = append(ans.Records, analytics.PreprocessResult{RecordID: r.RecordID, Result: "ProcessingFailed", Data: r.Data})
				default: // the function doubles the price
					in["PRICE"] = in["PRICE"].(float64) * 2
					data, _ := json.Marshal(in)
					ans.Records = append(ans.Records, analytics.PreprocessResult{RecordID: r.RecordID, Result: "Ok", Data: data})
				}
			}
			return json.Marshal(ans)
		case strings.HasSuffix(fn, ":out"):
			var ev outputEvent
			if err := json.Unmarshal(payload, &ev); err != nil {
				return nil, err
			}
			ans := outputAnswer{}
			mu.Lock()
			defer mu.Unlock()
			for _, r := range ev.Records {
				res := "Ok"
				if !failedOnce[string(r.Data)] { // each record fails once
					failedOnce[string(r.Data)] = true
					res = "DeliveryFailed"
				} else {
					delivered = append(delivered, strings.TrimSpace(string(r.Data)))
				}
				ans.Records = append(ans.Records, struct {
					RecordID string `json:"recordId"`
					Result   string `json:"result"`
				}{r.RecordID, res})
			}
			return json.Marshal(ans)
		}
		return nil, fmt.Errorf("no function %s", fn)
	})
	f := newFixture(t, Config{Invoker: inv})
	app := application(filterCode, kda.OutputDescription{OutputId: ptr("2.1"), Name: ptr("DESTINATION_SQL_STREAM"),
		LambdaOutputDescription: &kda.ResourceRoleDescription{ResourceARN: ptr("arn:aws:lambda:us-east-1:000000000000:function:out")},
		DestinationSchema:       &kda.DestinationSchema{RecordFormatType: "CSV"}}, toStream("error_stream", errARN, "JSON"))
	app.InputDescriptions[0].InputProcessingConfigurationDescription = &kda.InputProcessingConfigurationDescription{
		InputLambdaProcessorDescription: &kda.InputLambdaProcessorDescription{ResourceARN: ptr("arn:aws:lambda:us-east-1:000000000000:function:pre")}}
	if err := f.r.Start(context.Background(), app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	f.put(`{"TICKER_SYMBOL":"AAA","PRICE":6}`, `{"TICKER_SYMBOL":"DROP","PRICE":50}`, `{"TICKER_SYMBOL":"FAIL","PRICE":50}`, `{"TICKER_SYMBOL":"BBB","PRICE":4}`)
	errs := f.await("err", 1)
	// DATA_ROW holds the record's bytes hex-encoded.
	if !strings.Contains(errs[0], hex.EncodeToString([]byte(`"FAIL"`))) || !strings.Contains(errs[0], "Lambda_Processing_Failed") {
		t.Errorf("error row %s", errs[0])
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		got := slices.Sorted(slices.Values(delivered))
		mu.Unlock()
		if slices.Equal(got, []string{"AAA,12.0"}) || slices.Equal(got, []string{"AAA,12"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the output function got %q", got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunnerBackPressure: while an output fails, the application reads
// at most a batch ahead of the rows it could not write (nothing piles up
// in memory); once the output takes rows again, every one is written.
func TestRunnerBackPressure(t *testing.T) {
	var mu sync.Mutex
	down := true
	got := 0
	inv := fnInvoker(func(fn string, payload []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return nil, fmt.Errorf("output down")
		}
		var ev outputEvent
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, err
		}
		ans := outputAnswer{}
		for _, r := range ev.Records {
			got++
			ans.Records = append(ans.Records, struct {
				RecordID string `json:"recordId"`
				Result   string `json:"result"`
			}{r.RecordID, "Ok"})
		}
		return json.Marshal(ans)
	})
	f := newFixture(t, Config{Invoker: inv})
	app := application(filterCode, kda.OutputDescription{OutputId: ptr("2.1"), Name: ptr("DESTINATION_SQL_STREAM"),
		LambdaOutputDescription: &kda.ResourceRoleDescription{ResourceARN: ptr("arn:aws:lambda:us-east-1:000000000000:function:out")},
		DestinationSchema:       &kda.DestinationSchema{RecordFormatType: "JSON"}})
	const total = 4 * readBatch
	for i := 0; i < total; i += 500 {
		var recs []string
		for j := range 500 {
			recs = append(recs, fmt.Sprintf(`{"TICKER_SYMBOL":"T%d","PRICE":%d}`, (i+j)%10, 11+(i+j)%5))
		}
		f.put(recs...)
	}
	if err := f.r.Start(context.Background(), app, map[string]string{"1.1": kda.PositionTrimHorizon}); err != nil {
		t.Fatal(err)
	}
	// The first batch is pushed and its rows wait for the output; the
	// reader holds one more batch and waits to hand it over. Reads are
	// counted by the reader.
	read := func() int {
		var n int
		for _, line := range strings.Split(f.text(), "\n") {
			if rest, ok := strings.CutPrefix(line, `analytics_input_records_total{application="`+appARN+`"} `); ok {
				fmt.Sscan(rest, &n)
			}
		}
		return n
	}
	deadline := time.Now().Add(10 * time.Second)
	for read() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing read")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if n := read(); n > 2*readBatch {
		t.Fatalf("%d records read while the output was down; at most two batches (%d) should be: one pushed, one held", n, 2*readBatch)
	}
	mu.Lock()
	down = false
	mu.Unlock()
	for deadline := time.Now().Add(30 * time.Second); ; {
		mu.Lock()
		n := got
		mu.Unlock()
		if n >= total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d rows written after the output came back", n, total)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
