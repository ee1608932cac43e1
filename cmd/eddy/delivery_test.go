package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/jackc/pgx/v5"

	"github.com/eddy-streams/eddy/internal/pgtest"
)

func (c *child) firehoseClient() *fhsdk.Client {
	return fhsdk.New(fhsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

func (c *child) s3Client() *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.s3), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

// deliveredLines returns the newline-separated records of every GZIP
// object under prefix in bucket, and the objects' keys.
func deliveredLines(ctx context.Context, t *testing.T, sc *s3.Client, bucket, prefix string) (lines, keys []string) {
	t.Helper()
	out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return nil, nil
	}
	for _, o := range out.Contents {
		keys = append(keys, *o.Key)
		got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(got.Body)
		got.Body.Close()
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", *o.Key, err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", *o.Key, err)
		}
		lines = append(lines, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	return lines, keys
}

func createGzipDeliveryStream(ctx context.Context, t *testing.T, fh *fhsdk.Client, name string) {
	t.Helper()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String(name),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out"),
			Prefix: aws.String("logs/"), CompressionFormat: fhtypes.CompressionFormatGzip,
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true),
				Processors: []fhtypes.Processor{{Type: fhtypes.ProcessorTypeAppendDelimiterToRecord}}},
		}}); err != nil {
		t.Fatal(err)
	}
}

func putNumbered(ctx context.Context, t *testing.T, fh *fhsdk.Client, name string, from, n int) []string {
	t.Helper()
	var want []string
	for i := from; i < from+n; i += 100 {
		var recs []fhtypes.Record
		for j := i; j < min(i+100, from+n); j++ {
			d := fmt.Sprintf("record-%05d", j)
			recs = append(recs, fhtypes.Record{Data: []byte(d)})
			want = append(want, d)
		}
		out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String(name), Records: recs})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("PutRecordBatch: %+v %v", out, err)
		}
		// A call the SDK retried may have been applied twice (at least
		// once): say so, with why the first attempt failed.
		if res, ok := retry.GetAttemptResults(out.ResultMetadata); ok && len(res.Results) > 1 {
			t.Logf("PutRecordBatch of records %d-%d took %d attempts; the first failed with %v", i, i+len(recs)-1, len(res.Results), res.Results[0].Err)
		}
	}
	return want
}

// waitDelivered waits until the objects under logs/ hold every record of
// want (each once at least) and returns the object keys.
func waitDelivered(ctx context.Context, t *testing.T, sc *s3.Client, want []string) []string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		lines, keys := deliveredLines(ctx, t, sc, "out", "logs/")
		seen := map[string]bool{}
		for _, l := range lines {
			seen[l] = true
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(s string) bool { return seen[s] })
		if len(missing) == 0 {
			for l := range seen {
				if !slices.Contains(want, l) {
					t.Fatalf("delivered %q, never put", l)
				}
			}
			return keys
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s, %d of %d records not delivered (e.g. %s); objects %v", len(missing), len(want), missing[0], keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeDeliveryToEmbeddedS3: records put through the SDK reach GZIP
// objects of the embedded S3 endpoint, named as Firehose names them, read
// back through the S3 SDK.
func TestServeDeliveryToEmbeddedS3(t *testing.T) {
	ctx := testContext(t)
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-listen 127.0.0.1:0")
	sc := c.s3Client()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	fh := c.firehoseClient()
	createGzipDeliveryStream(ctx, t, fh, "clicks")
	want := putNumbered(ctx, t, fh, "clicks", 0, 250)
	out, err := fh.PutRecord(ctx, &fhsdk.PutRecordInput{DeliveryStreamName: aws.String("clicks"), Record: &fhtypes.Record{Data: []byte("one-more")}})
	if err != nil || aws.ToString(out.RecordId) == "" {
		t.Fatalf("PutRecord: %+v %v", out, err)
	}
	want = append(want, "one-more")
	keys := waitDelivered(ctx, t, sc, want)
	// <prefix>yyyy/MM/dd/HH/<name>-<version>-yyyy-MM-dd-HH-mm-ss-<uuid>.gz
	re := regexp.MustCompile(`^logs/\d{4}/\d{2}/\d{2}/\d{2}/clicks-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.gz$`)
	for _, k := range keys {
		if !re.MatchString(k) {
			t.Errorf("object key %q is not as Firehose names objects", k)
		}
		// Content-Encoding of the CompressionFormat, as Firehose sets it.
		head, err := sc.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("out"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(head.ContentEncoding); got != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want gzip", k, got)
		}
	}
	// The delivery metrics count what the objects hold (once the pipeline
	// has seen the write succeed: the objects are visible a moment
	// before). That is 251 records unless the SDK retried a PutRecordBatch
	// that had been applied: the Go transport can close a connection
	// while the SDK reads a 200 answer (aws/aws-sdk-go-v2#2737, retried
	// since #2949), and a retried batch is delivered twice, as Firehose's
	// at-least-once delivery allows.
	for deadline := time.Now().Add(30 * time.Second); ; {
		lines, _ := deliveredLines(ctx, t, sc, "out", "logs/")
		metric := fmt.Sprintf(`firehose_delivery_records_total{delivery_stream="clicks",destination="S3"} %d`, len(lines))
		code, body := get(t, "http://"+c.admin+"/metrics")
		if code == 200 && strings.Contains(body, metric) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics: %d, want %s\n%s", code, metric, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeDeliveryKill9WhileDestinationDown: records acknowledged while
// the bucket does not exist wait in the delivery stream; a kill -9 loses
// none of them, and the restarted server delivers them all once the bucket
// exists.
func TestServeDeliveryKill9WhileDestinationDown(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --data-dir " + filepath.Join(dir, "data")
	c := startChild(t, args)
	fh := c.firehoseClient()
	createGzipDeliveryStream(ctx, t, fh, "orders")
	want := putNumbered(ctx, t, fh, "orders", 0, 300)
	c.cmd.Process.Kill()
	c.cmd.Wait()

	c = startChild(t, args)
	sc := c.s3Client()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	want = append(want, putNumbered(ctx, t, c.firehoseClient(), "orders", 300, 50)...)
	waitDelivered(ctx, t, sc, want)
}

// TestServeDeliveryToHTTPEndpoint: an HTTP endpoint that fails its first
// requests, then acknowledges as the Firehose HTTP endpoint delivery
// protocol says, receives every record put, with the protocol's headers.
func TestServeDeliveryToHTTPEndpoint(t *testing.T) {
	ctx := testContext(t)
	var mu sync.Mutex
	var got []string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		requests++
		if requests <= 2 {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		var body struct {
			RequestID string `json:"requestId"`
			Records   []struct {
				Data []byte `json:"data"`
			} `json:"records"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.Header.Get("X-Amz-Firehose-Request-Id") != body.RequestID ||
			r.Header.Get("X-Amz-Firehose-Access-Key") != "sekrit" || r.Header.Get("X-Amz-Firehose-Protocol-Version") != "1.0" {
			t.Errorf("request: %v, headers %v", err, r.Header)
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		for _, rec := range body.Records {
			got = append(got, string(rec.Data))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"requestId":%q,"timestamp":%d}`, body.RequestID, time.Now().UnixMilli())
	}))
	defer srv.Close()
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-listen 127.0.0.1:0")
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("hooks"),
		HttpEndpointDestinationConfiguration: &fhtypes.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &fhtypes.HttpEndpointConfiguration{Url: aws.String(srv.URL), AccessKey: aws.String("sekrit")},
			BufferingHints:        &fhtypes.HttpEndpointBufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			RetryOptions:          &fhtypes.HttpEndpointRetryOptions{DurationInSeconds: aws.Int32(60)},
			S3Configuration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
				BucketARN: aws.String("arn:aws:s3:::backup")},
		}}); err != nil {
		t.Fatal(err)
	}
	want := putNumbered(ctx, t, fh, "hooks", 0, 120)
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		seen := map[string]bool{}
		for _, g := range got {
			seen[g] = true
		}
		n, reqs := len(seen), requests
		mu.Unlock()
		if n == len(want) {
			for _, w := range want {
				if !seen[w] {
					t.Fatalf("%s not delivered", w)
				}
			}
			if reqs < 3 {
				t.Fatalf("%d requests: the failing ones were not retried", reqs)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s the endpoint has %d of %d records (%d requests)", n, len(want), reqs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestServeDeliveryToRedshiftPostgreSQL: a delivery stream with a Redshift
// destination, played by a real PostgreSQL, stages its buffer in the
// embedded S3 endpoint and COPYs the JSON records into the table by column
// name.
func TestServeDeliveryToRedshiftPostgreSQL(t *testing.T) {
	pg := pgtest.Start(t)
	ctx := testContext(t)
	conn, err := pgx.Connect(ctx, pg.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE events (id bigint, name text)`); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-listen 127.0.0.1:0")
	if _, err := c.s3Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("stage")}); err != nil {
		t.Fatal(err)
	}
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("warehouse"),
		RedshiftDestinationConfiguration: &fhtypes.RedshiftDestinationConfiguration{
			RoleARN:        aws.String("arn:aws:iam::000000000000:role/r"),
			ClusterJDBCURL: aws.String(fmt.Sprintf("jdbc:redshift://%s:%d/postgres", pg.Host, pg.Port)),
			Username:       aws.String(pg.User), Password: aws.String(pg.Password),
			CopyCommand: &fhtypes.CopyCommand{DataTableName: aws.String("events"), DataTableColumns: aws.String("id,name"),
				CopyOptions: aws.String("JSON 'auto'")},
			S3Configuration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
				BucketARN:      aws.String("arn:aws:s3:::stage"),
				BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)}},
		}}); err != nil {
		t.Fatal(err)
	}
	var recs []fhtypes.Record
	for i := range 40 {
		recs = append(recs, fhtypes.Record{Data: fmt.Appendf(nil, `{"id":%d,"name":"user-%d"}`+"\n", i, i)})
	}
	if out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("warehouse"), Records: recs}); err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("PutRecordBatch: %+v %v", out, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		var n, sum int64
		var bad int64
		err := conn.QueryRow(ctx, `SELECT count(DISTINCT id), coalesce(sum(DISTINCT id), 0), count(*) FILTER (WHERE name <> 'user-' || id) FROM events`).Scan(&n, &sum, &bad)
		if err != nil {
			t.Fatal(err)
		}
		if bad != 0 {
			t.Fatalf("%d rows whose name does not match their id", bad)
		}
		if n == 40 && sum == 40*39/2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s the table has %d distinct ids of 40", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A Firehose transformation function: upper-cases records and gives each
// the partition key "kind" (the text before its first "-"); drops records
// starting with "drop", fails those starting with "bad".
// createTransform creates the Python function "upper" running
// firehoseTransform.
func createTransform(ctx context.Context, t *testing.T, c *child) *lambda.CreateFunctionOutput {
	t.Helper()
	fn, err := c.lambdaClient().CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("upper"), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &ltypes.FunctionCode{ZipFile: pythonZip(firehoseTransform)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return fn
}

const firehoseTransform = `import base64

def handler(event, context):
    out = []
    for r in event["records"]:
        d = base64.b64decode(r["data"]).decode()
        if d.startswith("drop"):
            out.append({"recordId": r["recordId"], "result": "Dropped"})
        elif d.startswith("bad"):
            out.append({"recordId": r["recordId"], "result": "ProcessingFailed", "data": r["data"]})
        else:
            out.append({"recordId": r["recordId"], "result": "Ok",
                        "data": base64.b64encode((d.upper() + "\n").encode()).decode(),
                        "metadata": {"partitionKeys": {"kind": d.split("-")[0]}}})
    return {"records": out}
`

// TestServeDeliveryLambdaTransformAndPartitions: a Python function as the
// delivery stream's Lambda processor (run by the real server) transforms,
// drops and fails records; the Ok ones land under the prefix of their
// partition key from the function, the failed one in the
// processing-failed error output.
func TestServeDeliveryLambdaTransformAndPartitions(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-listen 127.0.0.1:0")
	sc := c.s3Client()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	fn := createTransform(ctx, t, c)
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("kinds"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out"),
			Prefix:                           aws.String("logs/kind=!{partitionKeyFromLambda:kind}/"),
			ErrorOutputPrefix:                aws.String("errors/!{firehose:error-output-type}/"),
			CompressionFormat:                fhtypes.CompressionFormatGzip,
			BufferingHints:                   &fhtypes.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(0)},
			DynamicPartitioningConfiguration: &fhtypes.DynamicPartitioningConfiguration{Enabled: aws.Bool(true)},
			ProcessingConfiguration: &fhtypes.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []fhtypes.Processor{{
				Type:       fhtypes.ProcessorTypeLambda,
				Parameters: []fhtypes.ProcessorParameter{{ParameterName: fhtypes.ProcessorParameterNameLambdaArn, ParameterValue: fn.FunctionArn}},
			}}},
		}}); err != nil {
		t.Fatal(err)
	}
	var recs []fhtypes.Record
	for _, d := range []string{"a-1", "b-1", "drop-1", "a-2", "bad-1"} {
		recs = append(recs, fhtypes.Record{Data: []byte(d)})
	}
	if out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("kinds"), Records: recs}); err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
		t.Fatalf("PutRecordBatch: %+v %v", out, err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		a, _ := deliveredLines(ctx, t, sc, "out", "logs/kind=a/")
		b, _ := deliveredLines(ctx, t, sc, "out", "logs/kind=b/")
		errs, _ := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("out"), Prefix: aws.String("errors/processing-failed/")})
		if strings.Join(a, ",") == "A-1,A-2" && strings.Join(b, ",") == "B-1" && errs != nil && len(errs.Contents) == 1 {
			got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("out"), Key: errs.Contents[0].Key})
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				ErrorCode string `json:"errorCode"`
				RawData   []byte `json:"rawData"`
				LambdaArn string `json:"lambdaArn"`
			}
			if err := json.NewDecoder(got.Body).Decode(&doc); err != nil {
				t.Fatal(err)
			}
			got.Body.Close()
			if doc.ErrorCode != "Lambda.ProcessingFailedStatus" || string(doc.RawData) != "bad-1" || doc.LambdaArn != aws.ToString(fn.FunctionArn) {
				t.Fatalf("error document %+v", doc)
			}
			all, _ := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("out")})
			if n := len(all.Contents); n != 3 {
				t.Fatalf("%d objects, want one per kind and one error object", n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s: kind=a %v, kind=b %v, error objects %v", a, b, errs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeDeliveryToLocalDirectory: with --s3-bucket-dir and no S3 at
// all, a delivery stream's GZIP objects are files under the directory,
// at their object keys, holding every record.
func TestServeDeliveryToLocalDirectory(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-bucket-dir out="+dir)
	fh := c.firehoseClient()
	createGzipDeliveryStream(ctx, t, fh, "local")
	want := putNumbered(ctx, t, fh, "local", 0, 300)
	re := regexp.MustCompile(`^logs/\d{4}/\d{2}/\d{2}/\d{2}/local-1-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.gz$`)
	for deadline := time.Now().Add(60 * time.Second); ; {
		var got []string
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") { // a file being written
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			if !re.MatchString(filepath.ToSlash(rel)) {
				t.Fatalf("file %s is not at an object key Firehose would write", rel)
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			zr, err := gzip.NewReader(f)
			if err != nil {
				return err
			}
			data, err := io.ReadAll(zr)
			if err != nil {
				return err
			}
			got = append(got, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if slices.Equal(slices.Compact(got), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60s the directory holds %d distinct records of %d", len(slices.Compact(got)), len(want))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
