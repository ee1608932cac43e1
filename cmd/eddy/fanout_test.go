package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestServeEventSourceMappingConsumer maps a registered stream consumer
// (enhanced fan-out) to a real python function on the real server: the
// mapping echoes the consumer ARN and the function gets every record, in
// order.
func TestServeEventSourceMappingConsumer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	srv := startChild(t, "serve --listen 127.0.0.1:0 --data-dir "+filepath.Join(dir, "data"))
	defer srv.cmd.Process.Signal(syscall.SIGTERM)
	lc := srv.lambdaClient()
	kc := srv.client()
	createTestStream(t, kc, "s", 2)
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), ConsumerName: aws.String("fn-efo")})
	if err != nil {
		t.Fatal(err)
	}
	consumerARN := aws.ToString(reg.Consumer.ConsumerARN)
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: &consumerARN})
		if err == nil && d.ConsumerDescription.ConsumerStatus == ktypes.ConsumerStatusActive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer not ACTIVE in 30s: %+v %v", d, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	zipped := pythonZip(lambdaKinesisRecorder)
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rec"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: zipped},
		Environment: &types.Environment{Variables: map[string]string{"OUT": out}},
	}); err != nil {
		t.Fatal(err)
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("rec"), EventSourceArn: &consumerARN, StartingPosition: types.EventSourcePositionTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(m.EventSourceArn) != consumerARN {
		t.Fatalf("EventSourceArn %q, want the consumer's %q", aws.ToString(m.EventSourceArn), consumerARN)
	}
	var want []string
	for i := range 20 {
		d := "r" + strconv.Itoa(i)
		// One partition key: every record on one shard, so in order.
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte(d)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, d)
	}
	lines := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Fields(string(b))
	}
	deadline = time.Now().Add(60 * time.Second)
	for len(lines()) < len(want) {
		if time.Now().After(deadline) {
			t.Fatalf("handled %v in 60s", lines())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := lines(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("handled %v, want %v", got, want)
	}
}
