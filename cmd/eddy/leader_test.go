package main

import (
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
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

	"github.com/eddy-streams/eddy/internal/natstest"
)

// dirRecords returns how many times each record appears in the GZIP
// objects of a --s3-bucket-dir directory.
func dirRecords(t *testing.T, dir string) map[string]int {
	t.Helper()
	got := map[string]int{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") { // a file being written
			return err
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
		for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			got[l]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestServeClusterDeliveryFailover runs two Eddy nodes on one JetStream
// store, writing to one bucket directory (as two nodes would to one S3
// bucket): a DirectPut delivery stream's pipeline runs on one node only,
// and when that node is SIGKILLed the other takes it over from the
// checkpoint, so every record is delivered, once.
func TestServeClusterDeliveryFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	srv := natstest.Embedded(t)
	root, prefix, dir := newRootKey(t), "L"+strconv.Itoa(os.Getpid()), t.TempDir()
	args := func(node string) string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --replicas 1 --nats-prefix %s --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s --s3-bucket-dir out=%s --node-id %s --lease-ttl 1s",
			srv.URL, prefix, root, t.TempDir(), dir, node)
	}
	nodes := map[string]*child{"a": startChild(t, args("a")), "b": startChild(t, args("b"))}
	ctx := testContext(t)
	createGzipDeliveryStream(ctx, t, nodes["a"].firehoseClient(), "fo")
	want := putNumbered(ctx, t, nodes["b"].firehoseClient(), "fo", 0, 300)
	waitAll := func(want []string) map[string]int {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; {
			got := dirRecords(t, dir)
			missing := 0
			for _, w := range want {
				if got[w] == 0 {
					missing++
				}
			}
			if missing == 0 {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("after 60s %d of %d records are not delivered", missing, len(want))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitAll(want)
	time.Sleep(200 * time.Millisecond) // the checkpoint of what was delivered; and a second delivery, if any
	checkOnce(t, dir, want)
	// Which node leads the stream's job: the one that said so.
	leader := ""
	for name, c := range nodes {
		if strings.Contains(c.stderr.String(), "msg=leader component=cluster node="+name+" job=firehose/") {
			if leader != "" {
				t.Fatalf("both nodes lead the delivery stream")
			}
			leader = name
		}
	}
	if leader == "" {
		t.Fatal("no node says it leads the delivery stream")
	}
	other := map[string]string{"a": "b", "b": "a"}[leader]
	nodes[leader].cmd.Process.Signal(syscall.SIGKILL)
	nodes[leader].cmd.Wait()
	killed := time.Now()
	want = append(want, putNumbered(ctx, t, nodes[other].firehoseClient(), "fo", 300, 300)...)
	waitAll(want)
	t.Logf("node %s killed; node %s delivered the rest %v later", leader, other, time.Since(killed))
	if !strings.Contains(nodes[other].stderr.String(), "msg=leader component=cluster node="+other+" job=firehose/") {
		t.Fatalf("node %s delivered without saying it leads", other)
	}
	time.Sleep(500 * time.Millisecond) // anything delivered twice would show now
	checkOnce(t, dir, want)
}

// checkOnce fails unless the directory holds each record of want once, and
// nothing else.
func checkOnce(t *testing.T, dir string, want []string) {
	t.Helper()
	got := dirRecords(t, dir)
	twice := 0
	for _, w := range want {
		if got[w] != 1 {
			twice++
		}
	}
	if twice > 0 || len(got) != len(want) {
		t.Fatalf("%d of %d records not delivered exactly once; %d distinct records delivered", twice, len(want), len(got))
	}
}

// TestServeClusterMappingFailover runs two Eddy nodes on one JetStream
// store with an event source mapping whose function records each record:
// only one node polls the stream, and when it is SIGKILLed mid-backlog the
// other goes on from the checkpoints: every record handled, none twice but
// for the batches in flight at the kill (at least once).
func TestServeClusterMappingFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	srv := natstest.Embedded(t)
	root, prefix, out := newRootKey(t), "M"+strconv.Itoa(os.Getpid()), filepath.Join(t.TempDir(), "out.txt")
	args := func(node string) string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --replicas 1 --nats-prefix %s --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s --node-id %s --lease-ttl 1s",
			srv.URL, prefix, root, t.TempDir(), node)
	}
	nodes := map[string]*child{"a": startChild(t, args("a")), "b": startChild(t, args("b"))}
	ctx := testContext(t)
	kc := nodes["a"].client()
	createTestStream(t, kc, "s", 2)
	const n = 300
	var entries []ktypes.PutRecordsRequestEntry
	for i := range n {
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
	if _, err := nodes["a"].lambdaClient().CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("rec"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: zipped},
		Environment: &types.Environment{Variables: map[string]string{"OUT": out}},
	}); err != nil {
		t.Fatal(err)
	}
	// A function's code zip is kept in the data directory of the node it
	// was sent to: send it to node b too.
	if _, err := nodes["b"].lambdaClient().UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("rec"), ZipFile: zipped}); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes["b"].lambdaClient().CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("rec"), EventSourceArn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"),
		StartingPosition: types.EventSourcePositionTrimHorizon, BatchSize: aws.Int32(5),
	}); err != nil {
		t.Fatal(err)
	}
	lines := func() []string {
		b, _ := os.ReadFile(out)
		return strings.Fields(string(b))
	}
	counts := func() map[string]int {
		m := map[string]int{}
		for _, l := range lines() {
			m[l]++
		}
		return m
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
	waitUntil("a part of the backlog", func() bool { return len(lines()) >= 60 })
	for r, c := range counts() {
		if c > 1 {
			t.Fatalf("record %s handled %d times before any failure: both nodes poll", r, c)
		}
	}
	leader := ""
	for name, c := range nodes {
		if strings.Contains(c.stderr.String(), "msg=leader component=cluster node="+name+" job=lambda/esm/") {
			if leader != "" {
				t.Fatal("both nodes lead the mapping")
			}
			leader = name
		}
	}
	if leader == "" {
		t.Fatal("no node says it leads the mapping")
	}
	nodes[leader].cmd.Process.Signal(syscall.SIGKILL)
	nodes[leader].cmd.Wait()
	before := len(lines())
	waitUntil("every record after the kill", func() bool { return len(counts()) == n })
	if before >= n {
		t.Logf("the kill came after the last record (%d lines): the failover was not mid-run", before)
	}
	twice := 0
	for i := range n {
		c := counts()["r"+strconv.Itoa(i)]
		if c == 0 {
			t.Fatalf("r%d never handled", i)
		}
		twice += c - 1
	}
	// In flight at the kill: at most a batch of 5 per shard.
	if twice > 10 {
		t.Fatalf("%d records handled twice: more than the batches in flight at the kill", twice)
	}
	t.Logf("killed node %s after %d lines; %d records handled again by the new leader", leader, before, twice)
}
