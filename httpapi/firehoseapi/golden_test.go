package firehoseapi

// Golden request/response files for every operation. One scenario
// (goldenScenario) runs in order against one service: in-memory storage
// and a fake clock, so every answer (RecordIds and timestamps included) is
// the same on every run. Each exchange is written to
// testdata/golden/<Operation>/<case>.json.txt (the format of
// httpapi/kinesisapi/testdata/golden/README.md, JSON 1.1 only).
//
//	go test ./httpapi/firehoseapi -run Golden           compare
//	go test ./httpapi/firehoseapi -run Golden -update   rewrite

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/eddy-streams/eddy/internal/goldenfile"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	fh "github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage/mem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "testdata/golden"

var goldenStart = time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

const unverifiedAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/firehose/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=0000000000000000000000000000000000000000000000000000000000000000"

type step struct {
	op, name, note, body string
	advance              time.Duration
}

const s3Dest = `"ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::bucket"`

var goldenScenario = []step{
	{op: "CreateDeliveryStream", name: "ok", note: "ExtendedS3 with processing, dynamic partitioning and backup; CREATING for 5 s", body: `{"DeliveryStreamName":"events",` + s3Dest + `,
		"Prefix":"data/!{partitionKeyFromQuery:k}/","ErrorOutputPrefix":"errors/","BufferingHints":{"SizeInMBs":64,"IntervalInSeconds":60},"CompressionFormat":"GZIP",
		"ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"MetadataExtraction","Parameters":[{"ParameterName":"MetadataExtractionQuery","ParameterValue":"{k:.k}"},{"ParameterName":"JsonParsingEngine","ParameterValue":"JQ-1.6"}]}]},
		"DynamicPartitioningConfiguration":{"Enabled":true},"S3BackupMode":"Enabled","S3BackupConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::backup"}},
		"Tags":[{"Key":"team","Value":"a"}]}`},
	{op: "CreateDeliveryStream", name: "http-endpoint", note: "stream-sourced, HTTP endpoint; the access key is not described", body: `{"DeliveryStreamName":"to-http","DeliveryStreamType":"KinesisStreamAsSource",
		"KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","RoleARN":"arn:aws:iam::000000000000:role/r"},
		"HttpEndpointDestinationConfiguration":{"EndpointConfiguration":{"Url":"https://example.com/in","Name":"sink","AccessKey":"secret"},
		"RequestConfiguration":{"ContentEncoding":"GZIP","CommonAttributes":[{"AttributeName":"a","AttributeValue":"b"}]},
		"RetryOptions":{"DurationInSeconds":60},"S3BackupMode":"FailedDataOnly","S3Configuration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}}}`},
	{op: "CreateDeliveryStream", name: "exists", body: `{"DeliveryStreamName":"events",` + s3Dest + `}}`},
	{op: "CreateDeliveryStream", name: "invalid", note: "model violations", body: `{"DeliveryStreamName":"bad name",` + s3Dest + `,"BufferingHints":{"SizeInMBs":0},"CompressionFormat":"BZIP2"}}`},
	{op: "CreateDeliveryStream", name: "two-destinations", body: `{"DeliveryStreamName":"x",` + s3Dest + `},"S3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::b"}}`},
	{op: "DescribeDeliveryStream", name: "creating", body: `{"DeliveryStreamName":"events"}`},
	{op: "PutRecord", name: "creating", note: "not ACTIVE yet", body: `{"DeliveryStreamName":"events","Record":{"Data":"eyJrIjoiYSJ9"}}`},
	{op: "DescribeDeliveryStream", name: "ok", advance: 5 * time.Second, body: `{"DeliveryStreamName":"events"}`},
	{op: "DescribeDeliveryStream", name: "http-endpoint", body: `{"DeliveryStreamName":"to-http","Limit":1}`},
	{op: "DescribeDeliveryStream", name: "after-destination", body: `{"DeliveryStreamName":"events","ExclusiveStartDestinationId":"destinationId-000000000001"}`},
	{op: "DescribeDeliveryStream", name: "not-found", body: `{"DeliveryStreamName":"nope"}`},
	{op: "ListDeliveryStreams", name: "ok", body: `{}`},
	{op: "ListDeliveryStreams", name: "page", body: `{"Limit":1}`},
	{op: "ListDeliveryStreams", name: "by-type", body: `{"DeliveryStreamType":"KinesisStreamAsSource"}`},
	{op: "ListDeliveryStreams", name: "bad-type", body: `{"DeliveryStreamType":"Other"}`},
	{op: "PutRecord", name: "ok", body: `{"DeliveryStreamName":"events","Record":{"Data":"eyJrIjoiYSJ9"}}`},
	{op: "PutRecord", name: "stream-sourced", body: `{"DeliveryStreamName":"to-http","Record":{"Data":"eA=="}}`},
	{op: "PutRecord", name: "not-found", body: `{"DeliveryStreamName":"nope","Record":{"Data":"eA=="}}`},
	{op: "PutRecord", name: "no-record", body: `{"DeliveryStreamName":"events"}`},
	{op: "PutRecordBatch", name: "ok", body: `{"DeliveryStreamName":"events","Records":[{"Data":"YQ=="},{"Data":"Yg=="},{"Data":""}]}`},
	{op: "PutRecordBatch", name: "empty", body: `{"DeliveryStreamName":"events","Records":[]}`},
	{op: "PutRecordBatch", name: "not-found", body: `{"DeliveryStreamName":"nope","Records":[{"Data":"YQ=="}]}`},
	{op: "TagDeliveryStream", name: "ok", body: `{"DeliveryStreamName":"events","Tags":[{"Key":"env","Value":"test"},{"Key":"team","Value":"b"}]}`},
	{op: "TagDeliveryStream", name: "aws-prefix", body: `{"DeliveryStreamName":"events","Tags":[{"Key":"aws:x","Value":"y"}]}`},
	{op: "TagDeliveryStream", name: "not-found", body: `{"DeliveryStreamName":"nope","Tags":[{"Key":"a"}]}`},
	{op: "ListTagsForDeliveryStream", name: "ok", body: `{"DeliveryStreamName":"events"}`},
	{op: "ListTagsForDeliveryStream", name: "page", body: `{"DeliveryStreamName":"events","Limit":1,"ExclusiveStartTagKey":"env"}`},
	{op: "ListTagsForDeliveryStream", name: "not-found", body: `{"DeliveryStreamName":"nope"}`},
	{op: "UntagDeliveryStream", name: "ok", body: `{"DeliveryStreamName":"events","TagKeys":["team"]}`},
	{op: "UntagDeliveryStream", name: "not-found", body: `{"DeliveryStreamName":"nope","TagKeys":["team"]}`},
	{op: "StartDeliveryStreamEncryption", name: "ok", body: `{"DeliveryStreamName":"events","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK","KeyARN":"arn:aws:kms:us-east-1:000000000000:key/k"}}`},
	{op: "StartDeliveryStreamEncryption", name: "stream-sourced", body: `{"DeliveryStreamName":"to-http"}`},
	{op: "StartDeliveryStreamEncryption", name: "no-key-arn", body: `{"DeliveryStreamName":"events","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`},
	{op: "PutRecord", name: "encrypted", body: `{"DeliveryStreamName":"events","Record":{"Data":"eA=="}}`},
	{op: "StopDeliveryStreamEncryption", name: "ok", body: `{"DeliveryStreamName":"events"}`},
	{op: "StopDeliveryStreamEncryption", name: "not-found", body: `{"DeliveryStreamName":"nope"}`},
	{op: "UpdateDestination", name: "ok", note: "merged into the ExtendedS3 destination", advance: time.Second, body: `{"DeliveryStreamName":"events","CurrentDeliveryStreamVersionId":"1",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"v2/","BufferingHints":{"SizeInMBs":128,"IntervalInSeconds":60}}}`},
	{op: "UpdateDestination", name: "partial-hints", note: "SizeInMBs without IntervalInSeconds", body: `{"DeliveryStreamName":"events","CurrentDeliveryStreamVersionId":"2",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"BufferingHints":{"SizeInMBs":64}}}`},
	{op: "UpdateDestination", name: "stale-version", body: `{"DeliveryStreamName":"events","CurrentDeliveryStreamVersionId":"1",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"v3/"}}`},
	{op: "UpdateDestination", name: "backup-disable", body: `{"DeliveryStreamName":"events","CurrentDeliveryStreamVersionId":"2",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"S3BackupMode":"Disabled"}}`},
	{op: "UpdateDestination", name: "incomplete-type-change", note: "another type without its required members", body: `{"DeliveryStreamName":"to-http","CurrentDeliveryStreamVersionId":"1",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"Prefix":"p/"}}`},
	{op: "UpdateDestination", name: "to-http", note: "another type: nothing merged", body: `{"DeliveryStreamName":"to-http","CurrentDeliveryStreamVersionId":"1",
		"DestinationId":"destinationId-000000000001","ExtendedS3DestinationUpdate":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::c"}}`},
	{op: "DescribeDeliveryStream", name: "updated", body: `{"DeliveryStreamName":"events"}`},
	{op: "DescribeDeliveryStream", name: "type-changed", body: `{"DeliveryStreamName":"to-http"}`},
	{op: "DeleteDeliveryStream", name: "ok", body: `{"DeliveryStreamName":"to-http","AllowForceDelete":true}`},
	{op: "DeleteDeliveryStream", name: "not-found", body: `{"DeliveryStreamName":"to-http"}`},
}

type goldenRun struct {
	srv   *httpapi.Server
	clock *kinesis.FakeClock
	files map[string]string
	codes map[string][]int
}

func newGoldenRun(t *testing.T) *goldenRun {
	t.Helper()
	clk := kinesis.NewFakeClock(goldenStart)
	cfg := fh.DefaultConfig()
	cfg.Clock, cfg.CreateDelay = clk, 5*time.Second
	svc, err := fh.New(cfg, mem.NewMeta(), mem.NewLogs())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
	if err != nil {
		t.Fatal(err)
	}
	return &goldenRun{srv: srv, clock: clk, files: map[string]string{}, codes: map[string][]int{}}
}

func (r *goldenRun) run(t *testing.T, s step) {
	if s.advance > 0 {
		r.clock.Advance(s.advance)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(s.body)); err != nil {
		t.Fatalf("%s/%s: body: %v", s.op, s.name, err)
	}
	body := compact.Bytes()
	now := r.clock.Now()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804."+s.op)
	req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", unverifiedAuth)
	rec := httptest.NewRecorder()
	r.srv.ServeHTTP(rec, req)
	res := rec.Result()
	r.codes[s.op] = append(r.codes[s.op], res.StatusCode)

	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s: %s\n", s.op, s.name, s.note)
	fmt.Fprintf(&b, "# clock %s\n", now.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString("\n--- request\nPOST /\nContent-Type: application/x-amz-json-1.1\n")
	fmt.Fprintf(&b, "X-Amz-Target: Firehose_20150804.%s\n\n", s.op)
	b.WriteString(goldenfile.RenderJSON(body))
	b.WriteString("\n--- response\n")
	fmt.Fprintf(&b, "%d %s\n", res.StatusCode, http.StatusText(res.StatusCode))
	b.WriteString(goldenfile.RenderHeaders(res.Header, "x-amzn-requestid", "x-amz-id-2", "date"))
	b.WriteString("\n")
	b.WriteString(goldenfile.RenderJSON(rec.Body.Bytes()))
	r.files[filepath.Join(s.op, s.name+".json.txt")] = b.String()
}

func TestGolden(t *testing.T) {
	first, again := newGoldenRun(t), newGoldenRun(t)
	for _, s := range goldenScenario {
		first.run(t, s)
		again.run(t, s)
	}
	for _, op := range Service(nil).Operations {
		codes := first.codes[op.Name]
		if !slices.Contains(codes, 200) {
			t.Errorf("%s: no successful exchange in the scenario", op.Name)
		}
		if !slices.ContainsFunc(codes, func(c int) bool { return c >= 400 }) {
			t.Errorf("%s: no failing exchange in the scenario", op.Name)
		}
	}
	goldenfile.Check(t, goldenDir, first.files, again.files, *update)
}
