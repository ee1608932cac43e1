package main

import (
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
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
	cmd.Env = append(os.Environ(), "EDDY_AGENT_ARGS=agent --checkpoint-interval 50ms --config "+cfg)
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
	// agent.json as the Kinesis Agent reads it; buffers and polls short.
	cfg := fmt.Sprintf(`{
  "checkpointFile": %q,
  "kinesis.endpoint": "http://%s",
  "awsAccessKeyId": "AKID",
  "awsSecretAccessKey": "secret",
  "flows": [
    {
      "filePattern": %q,
      "kinesisStream": "logs",
      "initialPosition": "END_OF_FILE",
      "partitionKeyOption": "DETERMINISTIC",
      "maxBufferAgeMillis": 1000,
      "minTimeBetweenFilePollsMillis": 20
    }
  ]
}`, ckpt, srv.addr, filepath.Join(dir, "app.log*"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
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
	rot := newLogrotate(t, dir, log)
	rot.rename() // rotation by rename: app.log -> app.log.1
	write(500)   // file B: lines 500-
	a.Process.Signal(syscall.SIGKILL)
	a.Wait()
	write(300) // B, while the agent is dead
	a = startAgent(t, cfgPath)
	waitAll(n)
	// Rotation by copytruncate: app.log.1 (A) becomes app.log.2, B is
	// copied to app.log.1 (a new file, read again: its lines are counted
	// as duplicates) and truncated.
	rot.copyTruncate()
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

// logrotate rotates one log the way Debian's logrotate does, by running it
// with a generated configuration when it is installed (CI requires it:
// EDDY_REQUIRE_LOGROTATE), else by doing its operations in the test.
type logrotate struct {
	t        *testing.T
	bin      string
	dir, log string
}

func newLogrotate(t *testing.T, dir, log string) *logrotate {
	r := &logrotate{t: t, dir: dir, log: log}
	for _, p := range []string{"/usr/sbin/logrotate", "/sbin/logrotate"} {
		if _, err := os.Stat(p); err == nil {
			r.bin = p
			break
		}
	}
	if r.bin == "" {
		if p, err := exec.LookPath("logrotate"); err == nil {
			r.bin = p
		}
	}
	if r.bin == "" {
		if os.Getenv("EDDY_REQUIRE_LOGROTATE") != "" {
			t.Fatal("logrotate is not installed (scripts/install-test-deps.sh installs it) and EDDY_REQUIRE_LOGROTATE is set")
		}
		t.Log("logrotate is not installed: the test rotates the log itself")
	}
	return r
}

// run runs logrotate -f with the directives for the log.
func (r *logrotate) run(directives string) {
	r.t.Helper()
	conf := filepath.Join(r.dir, "logrotate.conf")
	body := fmt.Sprintf("%s {\n  rotate 9\n  missingok\n  nocompress\n%s}\n", r.log, directives)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		r.t.Fatal(err)
	}
	out, err := exec.Command(r.bin, "-f", "-s", filepath.Join(r.dir, "logrotate.state"), conf).CombinedOutput()
	if err != nil {
		r.t.Fatalf("logrotate: %v\n%s", err, out)
	}
}

// shift renames log.N to log.N+1, as logrotate does before rotating.
func (r *logrotate) shift() {
	for i := 8; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", r.log, i), fmt.Sprintf("%s.%d", r.log, i+1))
	}
}

// rename rotates by renaming the log to log.1 (logrotate's default); the
// writer creates the log again.
func (r *logrotate) rename() {
	r.t.Helper()
	if r.bin != "" {
		r.run("")
		return
	}
	r.shift()
	if err := os.Rename(r.log, r.log+".1"); err != nil {
		r.t.Fatal(err)
	}
}

// copyTruncate rotates by copying the log to log.1 and truncating it
// (logrotate's copytruncate).
func (r *logrotate) copyTruncate() {
	r.t.Helper()
	if r.bin != "" {
		r.run("  copytruncate\n")
		return
	}
	r.shift()
	data, err := os.ReadFile(r.log)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(r.log+".1", data, 0o644); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Truncate(r.log, 0); err != nil {
		r.t.Fatal(err)
	}
}

// TestAgentConvertersAndFooter runs `eddy agent` on an agent.json with two
// flows into one stream: LOGTOJSON (AWS's documented example line becomes
// the documented JSON; a line that does not match is skipped), and
// ADDEC2METADATA with fileFooterPattern (a JSON line gets the instance's
// fields, a line that is not JSON fails conversion and is sent as read, as
// the Kinesis Agent sends it; the footer line ends the file: what follows
// it is never sent).
func TestAgentConvertersAndFooter(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	putEnv(t)
	t.Setenv("EDDY_EC2_INSTANCE_ID", "i-0123456789abcdef0")
	t.Setenv("EDDY_EC2_REGION", "us-east-1")
	ctx := testContext(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	c := srv.client()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("logs"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	const apache = `64.242.88.10 - - [07/Mar/2004:16:10:02 -0800] "GET /mailman/listinfo/hsdivision HTTP/1.1" 200 6291`
	const apacheJSON = `{"host":"64.242.88.10","ident":null,"authuser":null,"datetime":"07/Mar/2004:16:10:02 -0800","request":"GET /mailman/listinfo/hsdivision HTTP/1.1","response":"200","bytes":"6291"}`
	os.WriteFile(filepath.Join(dir, "access.log"), []byte(apache+"\nnot an apache line\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "events.log"), []byte("{\"a\":\"1\"}\nplain text\n--END--\n{\"after\":\"footer\"}\n"), 0o644)
	cfgPath := filepath.Join(dir, "agent.json")
	cfg := fmt.Sprintf(`{
  "checkpointFile": %q,
  "kinesis.endpoint": "http://%s",
  "log.statusReportingPeriodSeconds": 1,
  "flows": [
    {"filePattern": %q, "kinesisStream": "logs", "initialPosition": "START_OF_FILE",
     "maxBufferAgeMillis": 1000, "minTimeBetweenFilePollsMillis": 20,
     "dataProcessingOptions": [{"optionName": "LOGTOJSON", "logFormat": "COMMONAPACHELOG"}]},
    {"filePattern": %q, "kinesisStream": "logs", "initialPosition": "START_OF_FILE",
     "maxBufferAgeMillis": 1000, "minTimeBetweenFilePollsMillis": 20, "fileFooterPattern": "^--END--$",
     "dataProcessingOptions": [{"optionName": "ADDEC2METADATA", "logFormat": "RFC3339SYSLOG"}]}
  ]
}`, filepath.Join(dir, "ckpt"), srv.addr, filepath.Join(dir, "access.log"), filepath.Join(dir, "events.log"))
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	actx, stop := context.WithCancel(ctx)
	var out, logs lockedBuffer
	done := make(chan error, 1)
	go func() { done <- runAgent(actx, []string{"--config", cfgPath}, &out, &logs) }()
	var got []string
	waitFor(t, "four records", func() bool {
		got = readShardData(t, c, "logs")
		return len(got) >= 4
	})
	// Lines appended after the footer are not read either.
	f, _ := os.OpenFile(filepath.Join(dir, "events.log"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{\"later\":\"1\"}\n")
	f.Close()
	time.Sleep(300 * time.Millisecond) // 15 polls
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got = readShardData(t, c, "logs")
	var ec2, plain, footer, apacheGot int
	for _, r := range got {
		switch {
		case r == apacheJSON+"\n":
			apacheGot++
		case strings.HasPrefix(r, `{"a":"1","privateIp":null,"availabilityZone":null,"instanceId":"i-0123456789abcdef0",`):
			ec2++
		case r == "plain text\n":
			plain++
		case r == "--END--\n":
			footer++
		default:
			t.Errorf("unexpected record %q", r)
		}
	}
	if apacheGot != 1 || ec2 != 1 || plain != 1 || footer != 1 || len(got) != 4 {
		t.Errorf("records %q: want the converted Apache line, the JSON line with EC2 fields, the unconverted line and the footer once each", got)
	}
	if !strings.Contains(logs.String(), "cannot process input data") {
		t.Errorf("no warning about the record that failed conversion:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "Tailer has parsed 2 records") || !strings.Contains(logs.String(), "skipped 1 records") {
		t.Errorf("no progress line counting the skipped record:\n%s", logs.String())
	}
}

// TestAgentCheck runs `eddy agent --check` on AWS's documented
// configuration with two flows, and on invalid ones.
func TestAgentCheck(t *testing.T) {
	var out, errOut strings.Builder
	err := runAgent(context.Background(), []string{"--check", "--config", "../../agent/config/testdata/docs-multiple-streams.json"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"kinesis endpoint: https://your/kinesis/endpoint\n",
		"flow 0: /tmp/app1.log* -> kinesisStream yourkinesisstream\n",
		"flow 1: /tmp/app2.log* -> deliveryStream yourfirehosedeliverystream\n",
		"configuration OK\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--check output lacks %q:\n%s", want, out.String())
		}
	}
	dir := t.TempDir()
	for cfg, want := range map[string]string{
		`{"flows": [{"filePattern": "/tmp/a.log", "kinesisStream": "s", "maxBufferAgeMillis": 999}]}`:   `"maxBufferAgeMillis": 999 is out of range`,
		`{"flows": [{"filePattern": "/tmp/a.log", "kinesisStream": "s", "deliveryStream": "d"}]}`:       `not both`,
		`{"flows": [{"filePattern": "/tmp/a.log", "kinesisStream": "s", "initialPosition": "MIDDLE"}]}`: `legal values are START_OF_FILE,END_OF_FILE`,
	} {
		p := filepath.Join(dir, "agent.json")
		os.WriteFile(p, []byte(cfg), 0o644)
		err := runAgent(context.Background(), []string{"--check", "--config", p}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", cfg, err, want)
		}
	}
}

// TestAgentAggregation ships 2,000 lines with aggregatedRecordSizeBytes
// into a 2-shard stream: the stream holds KPL aggregates (far fewer
// Kinesis records than lines, none above the configured size), and
// deaggregated they are every line once, each with the DETERMINISTIC key
// (the MD5 of its data).
func TestAgentAggregation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	putEnv(t)
	ctx := testContext(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	c := srv.client()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("agg"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var content strings.Builder
	const lines = 2000
	for i := range lines {
		fmt.Fprintf(&content, "line %04d %s\n", i, strings.Repeat("y", 40))
	}
	os.WriteFile(filepath.Join(dir, "app.log"), []byte(content.String()), 0o644)
	cfgPath := filepath.Join(dir, "agent.json")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{"checkpointFile": %q, "kinesis.endpoint": "http://%s",
  "flows": [{"filePattern": %q, "kinesisStream": "agg", "initialPosition": "START_OF_FILE",
    "partitionKeyOption": "DETERMINISTIC", "aggregatedRecordSizeBytes": 4096, "maxBufferAgeMillis": 1000}]}`,
		filepath.Join(dir, "ckpt"), srv.addr, filepath.Join(dir, "app.log"))), 0o644)
	actx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- runAgent(actx, []string{"--config", cfgPath}, io.Discard, io.Discard) }()
	var users []string
	waitFor(t, "every line", func() bool {
		users = readUserRecords(t, c, "agg")
		return len(users) >= lines
	})
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(users) != lines {
		t.Errorf("%d user records, want %d", len(users), lines)
	}
	seen := map[string]bool{}
	for _, u := range users {
		key, data, _ := strings.Cut(u, "|")
		sum := md5.Sum([]byte(data))
		if key != hex.EncodeToString(sum[:]) {
			t.Errorf("record %q has key %q, want the MD5 of its data", data, key)
		}
		seen[data] = true
	}
	if len(seen) != lines {
		t.Errorf("%d distinct lines of %d", len(seen), lines)
	}
	raw := readShardData(t, c, "agg")
	if len(raw) >= lines/10 {
		t.Errorf("%d Kinesis records for %d lines: not aggregated", len(raw), lines)
	}
	for _, r := range raw {
		if len(r) > 4096 {
			t.Errorf("aggregate of %d bytes, above aggregatedRecordSizeBytes 4096", len(r))
		}
	}
}
