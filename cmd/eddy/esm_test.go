package main

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A python Kinesis handler appending each record's data to $OUT.
const lambdaKinesisRecorder = `import base64, os

def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        for r in event["Records"]:
            f.write(base64.b64decode(r["kinesis"]["data"]).decode() + "\n")
`

// lambdaClient returns a Lambda client of c with the tests' credentials.
func (c *child) lambdaClient() *lambda.Client {
	return lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

// pythonZip returns a function zip holding src as app.py.
func pythonZip(src string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("app.py")
	f.Write([]byte(src))
	zw.Close()
	return buf.Bytes()
}

// TestServeEventSourceMappingRestart maps a stream to a function on the
// real server, restarts the server on the same data directory, and finds
// the mapping resuming after the last handled record: every record once,
// in order.
func TestServeEventSourceMappingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.txt")
	args := "serve --listen 127.0.0.1:0 --data-dir " + filepath.Join(dir, "data")
	srv := startChild(t, args)
	lc := (*child).lambdaClient
	kc := srv.client()
	createTestStream(t, kc, "s", 1)
	zipped := pythonZip(lambdaKinesisRecorder)
	if _, err := lc(srv).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rec"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: zipped},
		Environment: &types.Environment{Variables: map[string]string{"OUT": out}},
	}); err != nil {
		t.Fatal(err)
	}
	m, err := lc(srv).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("rec"), EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		StartingPosition: types.EventSourcePositionTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(c *kinesis.Client, from, n int) {
		for i := from; i < from+n; i++ {
			if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("r" + strconv.Itoa(i))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	lines := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Fields(string(b))
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not in 60s (seen %v)", what, lines())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	put(kc, 0, 5)
	waitUntil("first records", func() bool { return len(lines()) == 5 })
	// LastProcessingResult turns OK once the batch is checkpointed.
	waitUntil("checkpoint", func() bool {
		g, err := lc(srv).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
		return err == nil && aws.ToString(g.LastProcessingResult) == "OK"
	})
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	srv = startChild(t, args)
	g, err := lc(srv).GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: m.UUID})
	if err != nil || aws.ToString(g.State) != "Enabled" {
		t.Fatalf("mapping after restart: %+v %v", g, err)
	}
	put(srv.client(), 5, 5)
	waitUntil("records after restart", func() bool { return len(lines()) >= 10 })
	var want []string
	for i := 0; i < 10; i++ {
		want = append(want, "r"+strconv.Itoa(i))
	}
	if got := lines(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("handled %v, want %v", got, want)
	}
	// The mapping's metrics are on the server's /metrics (counted since
	// the restart): at least one invocation, no errors, nothing filtered.
	labels := `{function="arn:aws:lambda:us-east-1:000000000000:function:rec",uuid="` + aws.ToString(m.UUID) + `"}`
	code, body := get(t, "http://"+srv.admin+"/metrics")
	if code != 200 || !strings.Contains(body, "lambda_esm_errors_total"+labels+" 0\n") ||
		!strings.Contains(body, "lambda_esm_filtered_records_total"+labels+" 0\n") ||
		!strings.Contains(body, "lambda_esm_invocations_total"+labels+" ") || strings.Contains(body, "lambda_esm_invocations_total"+labels+" 0\n") {
		t.Errorf("/metrics: %d\n%s", code, body)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
}
