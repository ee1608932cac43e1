package main

import (
	"fmt"
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

// A python Kinesis handler appending each record's data to $OUT, slowly
// enough that a kill lands in the middle of the run.
const lambdaSlowRecorder = `import base64, os, time

def handler(event, context):
    with open(os.environ["OUT"], "a") as f:
        for r in event["Records"]:
            f.write(base64.b64decode(r["kinesis"]["data"]).decode() + "\n")
    time.sleep(0.05)
`

// TestServeEventSourceMappingKill9 kills the real server with SIGKILL
// while a mapping works through a backlog, starts it again on the same
// data directory, and finds every record handled at least once, none
// skipped, in order of first handling.
func TestServeEventSourceMappingKill9(t *testing.T) {
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
	createTestStream(t, kc, "s", 2)
	// 300 records, acknowledged before the mapping exists, under two
	// partition keys (even and odd numbers).
	const n = 300
	var entries []ktypes.PutRecordsRequestEntry
	for i := 0; i < n; i++ {
		entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("k" + strconv.Itoa(i%2)), Data: []byte("r" + strconv.Itoa(i))})
	}
	for len(entries) > 0 {
		res, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries[:100]})
		if err != nil || aws.ToInt32(res.FailedRecordCount) != 0 {
			t.Fatalf("put: %v %+v", err, res)
		}
		entries = entries[100:]
	}
	zipped := pythonZip(lambdaSlowRecorder)
	if _, err := lc(srv).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rec"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: zipped},
		Environment: &types.Environment{Variables: map[string]string{"OUT": out}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc(srv).CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("rec"), EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(5),
	}); err != nil {
		t.Fatal(err)
	}
	lines := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Fields(string(b))
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not in 90s (%d lines)", what, len(lines()))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitUntil("a part of the backlog", func() bool { return len(lines()) >= 40 })
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	before := len(lines())

	srv = startChild(t, args)
	distinct := func() map[string]bool {
		m := map[string]bool{}
		for _, l := range lines() {
			m[l] = true
		}
		return m
	}
	waitUntil("every record after the restart", func() bool { return len(distinct()) == n })
	if before >= n {
		t.Logf("the kill came after the last record (%d lines): the restart was not mid-run", before)
	}
	// At least once, nothing skipped, and per partition key (even and odd
	// numbers) the first handling of each record in put order.
	last := map[int]int{0: -1, 1: -1}
	seen := map[string]bool{}
	for _, l := range lines() {
		if seen[l] {
			continue
		}
		seen[l] = true
		i, err := strconv.Atoi(strings.TrimPrefix(l, "r"))
		if err != nil || i < 0 || i >= n {
			t.Fatalf("unexpected line %q", l)
		}
		if i <= last[i%2] {
			t.Fatalf("r%d first handled after r%d of the same key", i, last[i%2])
		}
		last[i%2] = i
	}
	for i := 0; i < n; i++ {
		if !seen[fmt.Sprintf("r%d", i)] {
			t.Fatalf("r%d never handled", i)
		}
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
}
