package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/eddy-streams/eddy/agent"
	"github.com/eddy-streams/eddy/metrics"
)

// TestAgentChild runs `eddy agent` with the arguments in EDDY_AGENT_ARGS;
// it does nothing unless a test starts it as a child process.
func TestAgentChild(t *testing.T) {
	args := os.Getenv("EDDY_AGENT_ARGS")
	if args == "" {
		t.Skip("run by other tests as a child process")
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}

func startAgent(t *testing.T, cfg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAgentChild$")
	cmd.Env = append(os.Environ(), "EDDY_AGENT_ARGS=agent --config "+cfg)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestAgentRotationAndKill9 appends lines to a log while it is rotated by
// rename and by copytruncate, SIGKILLs the agent and restarts it twice,
// and checks that every line reached the one-shard stream, in order per
// file; duplicates are counted and reported. The flow starts at
// END_OF_FILE, so lines written while the agent was dead arrive only
// through the checkpoints.
func TestAgentRotationAndKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and the agent")
	}
	putEnv(t)
	srv := startChild(t, "serve --data-dir "+t.TempDir()+" --listen 127.0.0.1:0")
	c := srv.client()
	ctx := testContext(t)
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("logs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	cfgPath := filepath.Join(dir, "agent.json")
	ckpt := filepath.Join(dir, "checkpoints")
	cfg := map[string]any{
		"options": agent.Options{CheckpointFile: ckpt, KinesisEndpoint: "http://" + srv.addr,
			AccessKeyID: "AKID", SecretAccessKey: "secret", CheckpointInterval: 50 * time.Millisecond},
		"flows": []map[string]any{{"FilePattern": filepath.Join(dir, "app.log*"), "Kind": agent.KinesisStream, "Destination": "logs",
			"InitialPosition": agent.EndOfFile, "PartitionKeyOption": agent.PartitionKeyDeterministic,
			"BufferAge": int64(50 * time.Millisecond), "PollInterval": int64(20 * time.Millisecond)}},
	}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, cfgPath)
	// The first scan is done once the empty log is checkpointed.
	waitFor(t, "the first checkpoint", func() bool {
		b, _ := os.ReadFile(ckpt)
		return strings.Contains(string(b), "app.log")
	})

	n := 0
	write := func(count int) {
		f, err := os.OpenFile(log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		for range count {
			fmt.Fprintf(f, "line %06d\n", n)
			n++
		}
		f.Close()
	}
	lines := func() []string {
		var out []string
		for _, r := range readShardData(t, c, "logs") {
			out = append(out, strings.TrimSuffix(r, "\n"))
		}
		return out
	}
	waitAll := func(upTo int) {
		waitFor(t, fmt.Sprintf("lines 0 to %d", upTo-1), func() bool {
			seen := map[string]bool{}
			for _, l := range lines() {
				seen[l] = true
			}
			for i := range upTo {
				if !seen[fmt.Sprintf("line %06d", i)] {
					return false
				}
			}
			return true
		})
	}
	write(500) // file A: lines 0-499
	// A is read, acknowledged and checkpointed (500 lines of 12 bytes)
	// before the first kill: none of its lines may be sent again.
	waitFor(t, "file A's checkpoint", func() bool {
		b, _ := os.ReadFile(ckpt)
		return strings.Contains(string(b), `"offset": 6000`)
	})
	os.Rename(log, log+".1") // rotation by rename
	write(500)               // file B: lines 500-
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	write(300) // B, while the agent is dead
	a = startAgent(t, cfgPath)
	waitAll(n)
	// Rotation by copytruncate: B is copied to app.log.2 (a new file, read
	// again: its lines are counted as duplicates) and truncated.
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(log+".2", data, 0o644)
	os.Truncate(log, 0)
	write(400) // file C: lines 1300-
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	write(300)
	a = startAgent(t, cfgPath)
	waitAll(n)
	a.Process.Signal(syscall.SIGTERM)
	if err := a.Wait(); err != nil {
		t.Errorf("agent after SIGTERM: %v", err)
	}

	// Order per file: the first arrival of each line of a file comes after
	// the first arrival of the file's previous lines.
	first := map[int]int{}
	count := map[int]int{}
	for pos, l := range lines() {
		var i int
		if _, err := fmt.Sscanf(l, "line %06d", &i); err != nil {
			t.Fatalf("unexpected record %q", l)
		}
		if _, ok := first[i]; !ok {
			first[i] = pos
		}
		count[i]++
	}
	dups := 0
	for _, r := range [][2]int{{0, 500}, {500, 1300}, {1300, n}} {
		for i := r[0]; i < r[1]; i++ {
			if count[i] == 0 {
				t.Errorf("line %d never arrived", i)
				continue
			}
			dups += count[i] - 1
			if i < 500 && count[i] > 1 {
				t.Errorf("line %d of file A, checkpointed before the kills, arrived %d times", i, count[i])
			}
			if i > r[0] && count[i-1] > 0 && first[i] < first[i-1] {
				t.Errorf("line %d arrived before line %d of the same file", i, i-1)
			}
		}
	}
	t.Logf("%d lines written, %d duplicates (800 of them are copytruncate's copy)", n, dups)
}

// readShardData returns the data of every record of the stream's shards,
// shard after shard, in sequence order.
func readShardData(t *testing.T, c *kinesis.Client, stream string) []string {
	t.Helper()
	ctx := testContext(t)
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			res, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Records {
				out = append(out, string(r.Data))
			}
			if len(res.Records) == 0 {
				break
			}
			iter = res.NextShardIterator
		}
	}
	return out
}

// TestAgentDeliveryStreamMultiLine ships a log with a header, multi-line
// records and an oversized one into an Eddy delivery stream (delivered to
// the embedded S3): the header is skipped, each record holds its lines,
// the oversized one is cut with the terminator, and the agent's metrics
// and progress line count them.
func TestAgentDeliveryStreamMultiLine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	ctx := testContext(t)
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-listen 127.0.0.1:0")
	sc := c.s3Client()
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("out")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.firehoseClient().CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("app"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out"),
			Prefix: aws.String("logs/"), CompressionFormat: fhtypes.CompressionFormatGzip,
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
		}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	big := "2024-01-01 big " + strings.Repeat("x", 200) + "\n"
	want := []string{
		"2024-01-01 first\n  at a\n  at b\n",
		"2024-01-01 second\n",
		big[:100-len("<CUT>\n")] + "<CUT>\n",
		"2024-01-01 last\n  at c\n",
	}
	// The header lines look like record starts: only skipHeaderLines drops them.
	content := "2024-01-01 header 1\n2024-01-01 header 2\n" + want[0] + want[1] + big + want[3]
	if err := os.WriteFile(filepath.Join(dir, "app.log"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := metrics.NewRegistry()
	var logBuf lockedBuffer
	actx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- agent.Run(actx, agent.Options{CheckpointFile: filepath.Join(dir, "ckpt"), FirehoseEndpoint: "http://" + c.addr,
			AccessKeyID: "AKID", SecretAccessKey: "secret", Metrics: reg, Logger: slog.New(slog.NewTextHandler(&logBuf, nil))},
			[]agent.FlowOptions{{FilePattern: filepath.Join(dir, "*.log"), Kind: agent.DeliveryStream, Destination: "app",
				SkipHeaderLines: 2, MultiLineStartPattern: `^\d{4}-\d{2}-\d{2} `, MaxRecordSize: 100, TruncatedRecordTerminator: "<CUT>\n",
				BufferAge: 50 * time.Millisecond, PollInterval: 20 * time.Millisecond}})
	}()
	var got string
	waitFor(t, "the delivered records", func() bool {
		got = deliveredContent(ctx, t, sc)
		return len(got) >= len(strings.Join(want, ""))
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != len(strings.Join(want, "")) {
		t.Errorf("delivered %q, want the records %q", got, want)
	}
	for _, w := range want {
		if strings.Count(got, w) != 1 {
			t.Errorf("record %q delivered %d times in %q", w, strings.Count(got, w), got)
		}
	}
	var text strings.Builder
	reg.WriteText(&text)
	for _, m := range []string{"AWSKinesisAgent_RecordSendAttempts", "AWSKinesisAgent_BytesSent"} {
		if !strings.Contains(text.String(), m+"{") {
			t.Errorf("metric %s missing:\n%s", m, text.String())
		}
	}
	if !strings.Contains(logBuf.String(), "Tailer Progress: Tailer has parsed 4 records") ||
		!strings.Contains(logBuf.String(), "has successfully sent 4 records to destination.") {
		t.Errorf("no final progress line:\n%s", logBuf.String())
	}
}

// deliveredContent concatenates every GZIP object of the bucket "out".
func deliveredContent(ctx context.Context, t *testing.T, sc *s3.Client) string {
	t.Helper()
	out, err := sc.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("out")})
	if err != nil {
		return ""
	}
	var all strings.Builder
	for _, o := range out.Contents {
		got, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("out"), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(got.Body)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(zr)
		got.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		all.Write(b)
	}
	return all.String()
}
