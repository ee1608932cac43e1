package channels

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"
	"github.com/klauspost/compress/zstd"

	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/internal/s3test"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

// fakeClock is the pipelines' clock: data freshness passes when the test
// says so.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// world is an engine with an ON_DEMAND stream "src" and a channel "ch"
// from it to the S3-compatible server's bucket.
type world struct {
	regions *kinesis.Regions
	eng     *kinesis.Engine
	meta    storage.MetaStore
	s3      *s3test.Server
	sink    *s3sink.Sink
	clock   *fakeClock
	channel kds.ChannelDescription
}

func newWorld(t *testing.T, format kds.RecordFormatType, compression kds.S3CompressionType) *world {
	return newWorldWith(t, format, compression, nil)
}

// newWorldWith is newWorld with the CreateChannel request changed by mut.
func newWorldWith(t *testing.T, format kds.RecordFormatType, compression kds.S3CompressionType, mut func(*kds.CreateChannelInput)) *world {
	t.Helper()
	logs, meta := mem.NewLogs(), mem.NewMeta()
	regions, err := kinesis.OpenRegions(kinesis.DefaultConfig(), logs, meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { regions.Close() })
	eng := regions.Default()
	ctx := context.Background()
	if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("src"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(kinesis.ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	srv := s3test.Start(t)
	scfg := s3sink.DefaultConfig()
	scfg.Endpoint = srv.Endpoint
	sink, err := s3sink.New(scfg)
	if err != nil {
		t.Fatal(err)
	}
	in := &kds.CreateChannelInput{
		ChannelName: ptr("ch"), ServiceExecutionRoleARN: ptr("arn:aws:iam::000000000000:role/r"),
		StreamConfigurationList: []kds.ChannelStreamConfiguration{{
			StreamARN:           ptr("arn:aws:kinesis:us-east-1:000000000000:stream/src"),
			RecordConfiguration: &kds.RecordConfiguration{RecordFormatType: &format},
		}},
		S3DestinationConfiguration: &kds.S3DestinationConfiguration{StorageConfiguration: &kds.S3StorageConfiguration{
			BucketARN: ptr("arn:aws:s3:::" + srv.Bucket), ExpectedBucketOwner: ptr("000000000000"), CompressionType: &compression,
		}},
	}
	if mut != nil {
		mut(in)
	}
	out, err := eng.CreateChannel(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return &world{regions: regions, eng: eng, meta: meta, s3: srv, sink: sink,
		clock: &fakeClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}, channel: out.ChannelDescription}
}

func (w *world) start(t *testing.T) *Runner {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Objects = w.sink
	cfg.Poll, cfg.Idle, cfg.RetryEvery = 20*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
	cfg.Clock = w.clock
	r, err := New(cfg, w.regions, w.meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func (w *world) put(t *testing.T, data ...string) []kds.PutRecordsResultEntry {
	t.Helper()
	var recs []kds.PutRecordsRequestEntry
	for i, d := range data {
		recs = append(recs, kds.PutRecordsRequestEntry{Data: []byte(d), PartitionKey: ptr(fmt.Sprintf("pk-%d", i))})
	}
	out, err := w.eng.PutRecords(context.Background(), &kds.PutRecordsInput{StreamName: ptr("src"), Records: recs})
	if err != nil || out.FailedRecordCount != 0 {
		t.Fatalf("put: %v, %+v", err, out)
	}
	return out.Records
}

// waitCommitted waits until the channel's checkpoint of every shard of
// recs is at its last record: delivered objects are acknowledged before
// the checkpoint moves, so a Runner stopped in between delivers them again
// (at least once).
func (w *world) waitCommitted(t *testing.T, recs []kds.PutRecordsResultEntry) {
	t.Helper()
	last := map[string]string{}
	for _, r := range recs {
		last[r.ShardId] = r.SequenceNumber
	}
	prefix := w.channel.ChannelARN + "/" + w.channel.ChannelId + "/"
	deadline := time.Now().Add(30 * time.Second)
	for {
		done := 0
		err := w.meta.View(func(tx storage.MetaTx) error {
			for shard, seq := range last {
				b, err := tx.Get(CheckpointTable, prefix+shard)
				if err != nil {
					continue
				}
				var cp struct {
					Seq string `json:"seq"`
				}
				if json.Unmarshal(b, &cp) == nil && cp.Seq == seq {
					done++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if done == len(last) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoints of %d of %d shards committed after 30s", done, len(last))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// delivered advances the pipelines' clock past the data freshness until
// the bucket holds objects (outside the dead-letter prefix) whose records
// number want in all, and returns the records by key.
func (w *world) delivered(t *testing.T, want int, skip map[string]bool) map[string][]string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := map[string][]string{}
		n := 0
		for _, k := range w.s3.Keys(t) {
			if skip[k] || strings.HasPrefix(k, "kinesis-channel-errors/") || strings.HasPrefix(k, "errors/") {
				continue
			}
			body, _ := w.s3.Object(t, k)
			lines := readObject(t, k, body)
			got[k] = lines
			n += len(lines)
		}
		if n >= want {
			if n > want {
				t.Fatalf("%d records delivered, want %d: %v", n, want, got)
			}
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d records delivered after 30s", n, want)
		}
		w.clock.Advance(301 * time.Second)
		time.Sleep(20 * time.Millisecond) // poll interval of the wait
	}
}

// readObject decompresses a .gz object and splits it into its
// newline-terminated records.
func readObject(t *testing.T, key string, body []byte) []string {
	t.Helper()
	if strings.HasSuffix(key, ".zst") {
		// With the standard tool where it is installed.
		var err error
		if path, lookErr := exec.LookPath("zstd"); lookErr == nil {
			cmd := exec.Command(path, "-d", "-c")
			cmd.Stdin = bytes.NewReader(body)
			body, err = cmd.Output()
		} else {
			var d *zstd.Decoder
			if d, err = zstd.NewReader(nil); err == nil {
				body, err = d.DecodeAll(body, nil)
				d.Close()
			}
		}
		if err != nil {
			t.Fatalf("%s: zstd: %v", key, err)
		}
	}
	if strings.HasSuffix(key, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		t.Fatalf("%s: %q does not end with a newline", key, body)
	}
	return strings.Split(string(body[:len(body)-1]), "\n")
}

// TestChannelDeliversToS3: records put to the ON_DEMAND stream arrive in
// the bucket under the default key template, one per line, gzip'd; a
// record that is not JSON goes to the dead-letter prefix instead.
func TestChannelDeliversToS3(t *testing.T) {
	w := newWorld(t, kds.RecordFormatTypeJSON, kds.S3CompressionTypeGzip)
	w.start(t)
	start := w.clock.Now()
	var want []string
	for i := range 20 {
		want = append(want, fmt.Sprintf(`{"n":%d}`, i))
	}
	w.put(t, append(slices.Clone(want[:10]), "not json")...)
	w.put(t, want[10:]...)

	got := w.delivered(t, len(want), nil)
	id := w.channel.ChannelId
	keyRE := regexp.MustCompile(`^kinesis-channel/ch/` + id + `/(\d{4})/(\d{2})/(\d{2})/(\d{2})/ch-` + id +
		`-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-f]{16}\.gz$`)
	var all []string
	for k, lines := range got {
		m := keyRE.FindStringSubmatch(k)
		if m == nil {
			t.Fatalf("key %s does not follow the default template", k)
		}
		if m[1] != m[5] || m[2] != m[6] || m[3] != m[7] || m[4] != m[8] {
			t.Fatalf("key %s: folder and name times differ", k)
		}
		at, err := time.Parse("2006-01-02-15-04", strings.Join(m[5:10], "-"))
		if err != nil || at.Before(start.Truncate(time.Minute)) || at.After(w.clock.Now()) {
			t.Fatalf("key %s: time %v not when it was written (%v..%v)", k, at, start, w.clock.Now())
		}
		all = append(all, lines...)
	}
	slices.Sort(all)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatalf("delivered %q, want %q", all, want)
	}

	// The dead letter.
	deadline := time.Now().Add(30 * time.Second)
	var dlq []string
	for {
		dlq = nil
		for _, k := range w.s3.Keys(t) {
			if strings.HasPrefix(k, "kinesis-channel-errors/ch/"+id+"/validation-failed/") {
				dlq = append(dlq, k)
			}
		}
		if len(dlq) > 0 || time.Now().After(deadline) {
			break
		}
		w.clock.Advance(301 * time.Second)
		time.Sleep(20 * time.Millisecond)
	}
	if len(dlq) != 1 {
		t.Fatalf("dead-letter objects %q, want 1", dlq)
	}
	body, _ := w.s3.Object(t, dlq[0])
	var doc struct {
		ErrorCode string `json:"errorCode"`
		RawData   string `json:"rawData"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("dead letter %q: %v", body, err)
	}
	if raw, _ := base64.StdEncoding.DecodeString(doc.RawData); doc.ErrorCode != CodeInvalidJSON || string(raw) != "not json" {
		t.Fatalf("dead letter %s", body)
	}
}

// TestChannelResumesFromCheckpoint: a Runner started again over the same
// store delivers only the records put since, not those delivered before
// (the channel starts where it became ACTIVE, so without checkpoints the
// first records would be delivered again).
func TestChannelResumesFromCheckpoint(t *testing.T) {
	w := newWorld(t, kds.RecordFormatTypeString, kds.S3CompressionTypeNone)
	r := w.start(t)
	recs := w.put(t, "a", "b", "c")
	first := w.delivered(t, 3, nil)
	w.waitCommitted(t, recs)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for k := range first {
		seen[k] = true
		if !strings.HasSuffix(k, "-"+k[len(k)-16:]) || strings.Contains(k, ".") {
			t.Fatalf("uncompressed object %s: want no extension", k)
		}
	}

	w.put(t, "d", "e")
	w.start(t)
	second := w.delivered(t, 2, seen)
	var got []string
	for _, lines := range second {
		got = append(got, lines...)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"d", "e"}) {
		t.Fatalf("after restart delivered %q, want [d e]", got)
	}
}

// TestChannelTemplateZstdAndUpdate: an OutputKeyTemplate with the stream
// name, ZSTD objects read back with the zstd tool, an invalid UTF-8 STRING
// record under ErrorOutputPrefix, and an UpdateChannel that restarts the
// delivery with the new data freshness from where it was.
func TestChannelTemplateZstdAndUpdate(t *testing.T) {
	w := newWorldWith(t, kds.RecordFormatTypeString, kds.S3CompressionTypeZstd, func(in *kds.CreateChannelInput) {
		in.S3DestinationConfiguration.StorageConfiguration.OutputKeyTemplate = ptr("data/!{stream-name}/!{yy}!{MM}!{dd}/!{HH}!{mm}/part!{extension}")
		in.S3DestinationConfiguration.DeadLetterQueueS3Configuration = &kds.DeadLetterQueueS3Configuration{
			BucketARN: ptr("arn:aws:s3:::" + w0bucket), ExpectedBucketOwner: ptr("000000000000"), ErrorOutputPrefix: ptr("errors/"),
		}
	})
	w.start(t)
	recs := w.put(t, "héllo", "\xff\xfe", "world")
	first := w.delivered(t, 2, nil)
	keyRE := regexp.MustCompile(`^data/src/\d{6}/\d{4}/part-[0-9a-f]{16}\.zst$`)
	var got []string
	seen := map[string]bool{}
	for k, lines := range first {
		if !keyRE.MatchString(k) {
			t.Fatalf("key %s does not follow the template", k)
		}
		seen[k] = true
		got = append(got, lines...)
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"héllo", "world"}) {
		t.Fatalf("delivered %q", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		var dlq []string
		for _, k := range w.s3.Keys(t) {
			if strings.HasPrefix(k, "errors/validation-failed/") {
				dlq = append(dlq, k)
			}
		}
		if len(dlq) == 1 {
			body, _ := w.s3.Object(t, dlq[0])
			if !strings.Contains(string(body), `"errorCode":"`+CodeInvalidUTF8+`"`) {
				t.Fatalf("dead letter %s", body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("dead letters %q", dlq)
		}
		w.clock.Advance(301 * time.Second)
		time.Sleep(20 * time.Millisecond)
	}

	// Freshness 900 s: records put after the update wait for it.
	w.waitCommitted(t, recs)
	before := w.clock.Now()
	if _, err := w.eng.UpdateChannel(context.Background(), &kds.UpdateChannelInput{ChannelARN: ptr(w.channel.ChannelARN),
		S3DestinationConfiguration: &kds.S3DestinationUpdateInput{DataFreshnessInSeconds: ptr[int32](900)}}); err != nil {
		t.Fatal(err)
	}
	w.put(t, "again")
	second := w.delivered(t, 1, seen)
	for k, lines := range second {
		if !slices.Equal(lines, []string{"again"}) {
			t.Fatalf("after the update delivered %q", lines)
		}
		// The key's minute is when the object was written: not before
		// 900 s after the record could first be read.
		at, err := time.Parse("060102/1504", strings.Join(strings.Split(k, "/")[2:4], "/"))
		if err != nil {
			t.Fatal(err)
		}
		if at.Before(before.Add(900 * time.Second).Truncate(time.Minute)) {
			t.Fatalf("object %s written before the new data freshness (900 s after %v)", k, before)
		}
	}
}

// w0bucket is the bucket every s3test server starts with.
const w0bucket = "eddy-test"

func ptr[T any](v T) *T { return &v }

// TestChannelDeliversToS3Tables: a channel to S3 Tables whose table bucket
// is a local directory creates its table (columns inferred from the
// records) and appends the stream's JSON records as rows, read back with
// iceberg-go's scanner; a record that is not JSON goes to the dead-letter
// bucket.
func TestChannelDeliversToS3Tables(t *testing.T) {
	lake := t.TempDir()
	w := newWorldWith(t, kds.RecordFormatTypeGSRJSON, kds.S3CompressionTypeGzip, func(in *kds.CreateChannelInput) {
		none := kds.S3TablesCompressionTypeZstd
		in.S3DestinationConfiguration = nil
		in.S3TablesDestinationConfiguration = &kds.S3TablesDestinationConfiguration{
			DeadLetterQueueS3Configuration: &kds.DeadLetterQueueS3Configuration{BucketARN: ptr("arn:aws:s3:::" + "eddy-test"), ExpectedBucketOwner: ptr("000000000000")},
			S3TablesConfigurationList: []kds.S3TablesConfiguration{{TableBucketARN: ptr("arn:aws:s3tables:us-east-1:000000000000:bucket/lake"),
				Namespace: ptr("events"), TableName: ptr("clicks"), CompressionType: &none}},
		}
	})
	cfg := DefaultConfig()
	cfg.Objects = w.sink
	cfg.Poll, cfg.Idle, cfg.RetryEvery = 20*time.Millisecond, 20*time.Millisecond, 20*time.Millisecond
	cfg.Clock = w.clock
	cfg.BucketDir = func(b string) (string, bool) { return lake, b == "lake" }
	r, err := New(cfg, w.regions, w.meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	w.clock.Advance(2 * time.Second) // CREATING -> ACTIVE
	r.Wake()
	time.Sleep(100 * time.Millisecond)
	// Half the records carry the Glue Schema Registry header (version 3,
	// no compression, a schema version id), half are plain JSON.
	var data []string
	for i := range 20 {
		doc := fmt.Sprintf(`{"user": "u%d", "n": %d}`, i, i)
		if i%2 == 0 {
			doc = "\x03\x00" + strings.Repeat("\x11", 16) + doc
		}
		data = append(data, doc)
	}
	recs := w.put(t, append(data, "not json")...)
	deadline := time.Now().Add(30 * time.Second)
	var rows []string
	for {
		w.clock.Advance(301 * time.Second)
		rows = tableRows(t, lake, "events", "clicks")
		if len(rows) >= 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(rows) != 20 {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	for i := range 20 {
		if want := fmt.Sprintf("u%d|%d", i, i); !slices.Contains(rows, want) {
			t.Errorf("row %s missing from %v", want, rows)
		}
	}
	w.waitCommitted(t, recs)
	var dead int
	for _, k := range w.s3.Keys(t) {
		if strings.HasPrefix(k, "kinesis-channel-errors/") {
			dead++
		}
	}
	if dead != 1 {
		t.Errorf("%d dead-letter objects, want 1", dead)
	}
}

// tableRows scans a table of the warehouse with iceberg-go: each row's
// values joined by "|"; nil while the table does not exist.
func tableRows(t *testing.T, wh, db, name string) []string {
	cat, err := hadoop.NewCatalog("reader", wh, iceberggo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.LoadTable(context.Background(), table.Identifier{db, name})
	if err != nil {
		return nil
	}
	at, err := tbl.Scan().ToArrowTable(context.Background())
	if err != nil {
		return nil
	}
	defer at.Release()
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	var out []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			var vals []string
			for c := 0; c < int(rec.NumCols()); c++ {
				vals = append(vals, rec.Column(c).ValueStr(r))
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	return out
}
