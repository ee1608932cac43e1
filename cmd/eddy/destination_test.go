package main

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/internal/s3test"
)

// A python Kinesis handler failing on every batch.
const lambdaAlwaysFails = `def handler(event, context):
    raise Exception("boom")
`

// TestServeS3Destination runs the real server with --s3-endpoint naming
// an S3-compatible server: a batch whose retries are exhausted is written
// to the bucket under aws/lambda/<UUID>/<shard>/..., and the same mapping
// on a server without --s3-endpoint is refused.
func TestServeS3Destination(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	s3srv := s3test.Start(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-endpoint "+s3srv.Endpoint+" --s3-access-key-id AKID --s3-secret-access-key secret")
	lc := (*child).lambdaClient
	kc := srv.client()
	createTestStream(t, kc, "s", 1)
	zipped := pythonZip(lambdaAlwaysFails)
	createFn := func(c *child) {
		if _, err := lc(c).CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("fails"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: zipped},
		}); err != nil {
			t.Fatal(err)
		}
	}
	mapping := &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("fails"), EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		StartingPosition: types.EventSourcePositionTrimHorizon, MaximumRetryAttempts: aws.Int32(0),
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String("arn:aws:s3:::" + s3srv.Bucket)}},
	}
	createFn(srv)
	m, err := lc(srv).CreateEventSourceMapping(ctx, mapping)
	if err != nil {
		t.Fatal(err)
	}
	put, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r0")})
	if err != nil {
		t.Fatal(err)
	}
	keys := s3srv.WaitForObjects(t, 1)
	prefix := "aws/lambda/" + aws.ToString(m.UUID) + "/shardId-000000000000/"
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix) {
		t.Fatalf("keys %q, want one under %s", keys, prefix)
	}
	body, _ := s3srv.Object(t, keys[0])
	var rec struct {
		RequestContext struct {
			Condition string `json:"condition"`
		} `json:"requestContext"`
		KinesisBatchInfo struct {
			StartSequenceNumber string `json:"startSequenceNumber"`
		} `json:"KinesisBatchInfo"`
		Payload string `json:"payload"`
	}
	if err := json.Unmarshal(body, &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.Condition != "RetryAttemptsExhausted" || rec.KinesisBatchInfo.StartSequenceNumber != aws.ToString(put.SequenceNumber) ||
		!strings.Contains(rec.Payload, `"eventSource":"aws:kinesis"`) {
		t.Fatalf("object %s", body)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	// Without --s3-endpoint, the mapping is refused.
	plain := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	createFn(plain)
	_, err = lc(plain).CreateEventSourceMapping(ctx, mapping)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || !strings.Contains(ae.ErrorMessage(), "--s3-endpoint") {
		t.Fatalf("CreateEventSourceMapping without --s3-endpoint: %v", err)
	}
	plain.cmd.Process.Signal(syscall.SIGTERM)
}
