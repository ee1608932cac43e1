package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	pq "github.com/parquet-go/parquet-go"

	"github.com/eddy-streams/eddy/internal/versitytest"
)

// startWithVersity starts eddy serve delivering to srv (--s3-endpoint and
// its root credentials), with extra flags.
func startWithVersity(t *testing.T, srv *versitytest.Server, extra string) *child {
	t.Helper()
	return startChild(t, fmt.Sprintf("serve --listen 127.0.0.1:0 --s3-endpoint %s --s3-access-key-id %s --s3-secret-access-key %s %s",
		srv.Endpoint, srv.AccessKey, srv.SecretKey, extra))
}

// objectsUnder lists the keys under prefix in bucket.
func objectsUnder(ctx context.Context, t *testing.T, sc *s3.Client, bucket, prefix string) []string {
	t.Helper()
	out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("list s3://%s/%s: %v", bucket, prefix, err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// TestServeDeliveryToVersityGW: a GZIP delivery stream's objects land in
// a bucket of a real S3-compatible server (versitygw) through
// --s3-endpoint; read back with the S3 SDK and gunzipped they hold every
// record put, once, byte for byte, and carry Content-Encoding gzip. The
// AWS CLI lists and copies them from the same server.
func TestServeDeliveryToVersityGW(t *testing.T) {
	ctx := testContext(t)
	srv := versitytest.Start(t)
	srv.CreateBucket(t, "out")
	c := startWithVersity(t, srv, "--in-memory")
	fh := c.firehoseClient()
	createGzipDeliveryStream(ctx, t, fh, "clicks")
	want := putNumbered(ctx, t, fh, "clicks", 0, 1000)
	sc := srv.Client()
	keys := waitDelivered(ctx, t, sc, want)
	// Record count and bytes: every record put is there, byte for byte.
	// Delivery is at least once; a record delivered twice is logged (now
	// and then a PutRecordBatch lands twice in the stream's log, without
	// any error: see docs/FIREHOSE.md).
	lines, _ := deliveredLines(ctx, t, sc, "out", "logs/")
	if len(lines) != len(want) {
		t.Logf("%d records delivered, %d put", len(lines), len(want))
	}
	slices.Sort(lines)
	lines = slices.Compact(lines)
	if got, exp := strings.Join(lines, "\n"), strings.Join(want, "\n"); got != exp {
		t.Errorf("delivered records differ from those put: %d distinct, %d bytes; want %d, %d bytes", len(lines), len(got), len(want), len(exp))
	}
	for _, k := range keys {
		head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("out"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(head.ContentEncoding); got != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want gzip", k, got)
		}
	}

	// The AWS CLI (Debian's, as interop/run.sh uses) sees the same objects.
	cli := "/usr/bin/aws"
	if _, err := os.Stat(cli); err != nil {
		t.Logf("no %s: the AWS CLI part is skipped", cli)
		return
	}
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID="+srv.AccessKey, "AWS_SECRET_ACCESS_KEY="+srv.SecretKey,
		"AWS_DEFAULT_REGION="+srv.Region, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_PAGER=")
	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, cli, append([]string{"--endpoint-url", srv.Endpoint}, args...)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	ls := aws("s3", "ls", "--recursive", "s3://out/logs/")
	for _, k := range keys {
		if !strings.Contains(ls, k) {
			t.Errorf("aws s3 ls does not list %s:\n%s", k, ls)
		}
	}
	dst := filepath.Join(t.TempDir(), "object.gz")
	aws("s3", "cp", "s3://out/"+keys[0], dst)
	out, err := exec.CommandContext(ctx, "gzip", "-dc", dst).Output()
	if err != nil {
		t.Fatalf("gzip -dc of the object aws s3 cp fetched: %v", err)
	}
	if n := strings.Count(string(out), "record-"); n == 0 {
		t.Errorf("the object aws s3 cp fetched holds no records: %q", out)
	}
}

// TestServeDeliveryToVersityGWRestarted: versitygw stops while records are
// being delivered and starts again: every record acknowledged meanwhile
// reaches the bucket (at least once).
func TestServeDeliveryToVersityGWRestarted(t *testing.T) {
	ctx := testContext(t)
	srv := versitytest.Start(t)
	srv.CreateBucket(t, "out")
	c := startWithVersity(t, srv, "--in-memory")
	fh := c.firehoseClient()
	createGzipDeliveryStream(ctx, t, fh, "orders")
	sc := srv.Client()
	want := putNumbered(ctx, t, fh, "orders", 0, 300)
	waitDelivered(ctx, t, sc, want)
	srv.Stop(t)
	want = append(want, putNumbered(ctx, t, fh, "orders", 300, 300)...)
	// The delivery is failing now: wait until it has tried (the attempts
	// counter moves past the successes) before restarting.
	for deadline := time.Now().Add(60 * time.Second); ; {
		code, body := get(t, "http://"+c.admin+"/metrics")
		if code == 200 && metricValue(body, `firehose_delivery_attempts_total{delivery_stream="orders",destination="S3"}`) >
			metricValue(body, `firehose_delivery_success_total{delivery_stream="orders",destination="S3"}`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no failed delivery attempt while versitygw was down:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.Restart(t)
	waitDelivered(ctx, t, sc, want)
}

// metricValue is the value of a Prometheus sample line, 0 when absent.
func metricValue(body, series string) float64 {
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			var f float64
			fmt.Sscan(v, &f)
			return f
		}
	}
	return 0
}

// TestServeParquetDeliveryToVersityGW: JSON records converted to Parquet
// land in versitygw as Parquet files a Parquet reader reads back, a row
// per record.
func TestServeParquetDeliveryToVersityGW(t *testing.T) {
	ctx := testContext(t)
	srv := versitytest.Start(t)
	srv.CreateBucket(t, "out")
	glue := t.TempDir()
	if err := os.MkdirAll(filepath.Join(glue, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	schema := `{"Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}]}`
	if err := os.WriteFile(filepath.Join(glue, "db", "events.json"), []byte(schema), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startWithVersity(t, srv, "--in-memory --glue-schema-dir "+glue)
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("events"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out"),
			Prefix:         aws.String("parquet/"),
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(0)},
			DataFormatConversionConfiguration: &fhtypes.DataFormatConversionConfiguration{Enabled: aws.Bool(true),
				SchemaConfiguration: &fhtypes.SchemaConfiguration{DatabaseName: aws.String("db"), TableName: aws.String("events"),
					RoleARN: aws.String("arn:aws:iam::000000000000:role/r")},
				InputFormatConfiguration: &fhtypes.InputFormatConfiguration{Deserializer: &fhtypes.Deserializer{
					OpenXJsonSerDe: &fhtypes.OpenXJsonSerDe{}}},
				OutputFormatConfiguration: &fhtypes.OutputFormatConfiguration{Serializer: &fhtypes.Serializer{
					ParquetSerDe: &fhtypes.ParquetSerDe{}}},
			},
		}}); err != nil {
		t.Fatal(err)
	}
	const n = 500
	for i := 0; i < n; i += 250 {
		var recs []fhtypes.Record
		for j := i; j < i+250; j++ {
			recs = append(recs, fhtypes.Record{Data: fmt.Appendf(nil, `{"id": %d, "name": "user-%d"}`, j, j)})
		}
		out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("events"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("PutRecordBatch: %+v %v", out, err)
		}
	}
	sc := srv.Client()
	type row struct {
		ID   int64  `parquet:"id"`
		Name string `parquet:"name"`
	}
	var rows []row
	for deadline := time.Now().Add(60 * time.Second); ; {
		rows = rows[:0]
		for _, k := range objectsUnder(ctx, t, sc, "out", "parquet/") {
			got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("out"), Key: aws.String(k)})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(got.Body)
			got.Body.Close()
			if enc := aws.ToString(got.ContentEncoding); enc != "" {
				t.Errorf("%s: Content-Encoding %q on a Parquet object", k, enc)
			}
			f, err := pq.OpenFile(bytes.NewReader(body), int64(len(body)))
			if err != nil {
				t.Fatalf("%s is not a Parquet file: %v", k, err)
			}
			r := pq.NewGenericReader[row](f)
			buf := make([]row, f.NumRows())
			m, err := r.Read(buf)
			if err != nil && err != io.EOF {
				t.Fatalf("%s: read rows: %v", k, err)
			}
			rows = append(rows, buf[:m]...)
			r.Close()
		}
		// Delivery is at least once, and the SDK sends a batch again when
		// it loses its connection while reading the answer
		// (aws-sdk-go-v2#2737): a batch may land twice, each copy whole.
		slices.SortFunc(rows, func(a, b row) int { return int(a.ID - b.ID) })
		rows = slices.Compact(rows)
		if len(rows) >= n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s, %d of %d distinct rows delivered", len(rows), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(rows) != n {
		t.Fatalf("%d distinct rows, want %d", len(rows), n)
	}
	for i, r := range rows {
		if r.ID != int64(i) || r.Name != fmt.Sprintf("user-%d", i) {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
}

// TestServeSourceBackupToVersityGW: with S3BackupMode Enabled, every
// source record, as put, reaches the S3BackupConfiguration's bucket and
// prefix (GZIP, by its own hints), while the Lambda processor's output
// reaches the destination: the records it drops or fails are in the
// backup.
func TestServeSourceBackupToVersityGW(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	srv := versitytest.Start(t)
	srv.CreateBucket(t, "out")
	srv.CreateBucket(t, "backup")
	c := startWithVersity(t, srv, "--in-memory")
	fn := createTransform(ctx, t, c)
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("kinds"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out"),
			Prefix: aws.String("logs/"), ErrorOutputPrefix: aws.String("errors/"),
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []fhtypes.Processor{{
				Type:       fhtypes.ProcessorTypeLambda,
				Parameters: []fhtypes.ProcessorParameter{{ParameterName: fhtypes.ProcessorParameterNameLambdaArn, ParameterValue: fn.FunctionArn}},
			}}},
			S3BackupMode: fhtypes.S3BackupModeEnabled,
			S3BackupConfiguration: &fhtypes.S3DestinationConfiguration{
				RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::backup"),
				Prefix: aws.String("source/"), CompressionFormat: fhtypes.CompressionFormatGzip,
				BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			},
		}}); err != nil {
		t.Fatal(err)
	}
	var recs []fhtypes.Record
	// Each ends with a newline, so that objects' contents split into
	// records (the records may be read, and so buffered, apart).
	for _, d := range []string{"a-1", "drop-1", "b-1", "bad-1"} {
		recs = append(recs, fhtypes.Record{Data: []byte(d + "\n")})
	}
	if out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("kinds"), Records: recs}); err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("PutRecordBatch: %+v %v", out, err)
	}
	sc := srv.Client()
	for deadline := time.Now().Add(60 * time.Second); ; {
		delivered := sortedLines(readAll(ctx, t, sc, "out", "logs/"))
		backup := sortedLines(readAll(ctx, t, sc, "backup", "source/"))
		if delivered == "A-1,B-1" && backup == "a-1,b-1,bad-1,drop-1" {
			for _, key := range objectsUnder(ctx, t, sc, "backup", "source/") {
				head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("backup"), Key: aws.String(key)})
				if err != nil {
					t.Fatal(err)
				}
				if got := aws.ToString(head.ContentEncoding); got != "gzip" {
					t.Errorf("backup %s: Content-Encoding %q, want gzip", key, got)
				}
				if !strings.HasSuffix(key, ".gz") {
					t.Errorf("backup object %s: want the .gz of its CompressionFormat", key)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: delivered %q, backup %q", delivered, backup)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// sortedLines returns the non-empty lines of s, sorted, joined by commas.
func sortedLines(s string) string {
	lines := slices.DeleteFunc(strings.Split(s, "\n"), func(l string) bool { return l == "" })
	slices.Sort(lines)
	return strings.Join(lines, ",")
}

// readAll returns the bodies of the objects under prefix, in key order,
// gunzipped when their Content-Encoding is gzip.
func readAll(ctx context.Context, t *testing.T, sc *s3.Client, bucket, prefix string) string {
	t.Helper()
	var sb strings.Builder
	for _, k := range objectsUnder(ctx, t, sc, bucket, prefix) {
		got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = got.Body
		if aws.ToString(got.ContentEncoding) == "gzip" {
			zr, err := gzip.NewReader(got.Body)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			r = zr
		}
		b, err := io.ReadAll(r)
		got.Body.Close()
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		sb.Write(b)
	}
	return sb.String()
}
