package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// TestServeChild runs `eddy serve` with the arguments in EDDY_SERVE_ARGS;
// it does nothing unless a test starts it as a child process.
func TestServeChild(t *testing.T) {
	args := os.Getenv("EDDY_SERVE_ARGS")
	if args == "" {
		t.Skip("run by other tests as a child process")
	}
	os.Exit(run(strings.Fields(args), os.Stdout, os.Stderr))
}

// testTimeout bounds what one test waits for: a child server to start or
// stop, a client call, an event. go test's -timeout is the backstop for
// the whole package; this makes a stuck test fail on its own, saying what
// it waited for.
const testTimeout = 2 * time.Minute

// testContext returns a context for a test's client calls that ends with
// the test, or after testTimeout.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

type child struct {
	cmd    *exec.Cmd
	addr   string
	admin  string        // the admin listener's address
	s3     string        // the S3 endpoint's address, with --s3-listen
	stderr *lockedBuffer // a copy of the child's stderr
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startChild runs `eddy serve args` in a child process and waits until it
// listens.
func startChild(t *testing.T, args string) *child {
	t.Helper()
	if !strings.Contains(args, "--admin-listen") {
		args += " --admin-listen 127.0.0.1:0"
	}
	argv := []string{"-test.run=^TestServeChild$"}
	// The child is a test binary too: give it what is left of this
	// process's -timeout, so that it cannot outlive a test that panicked
	// on its deadline (and so never ran the Cleanup that kills it).
	if d, ok := t.Deadline(); ok {
		argv = append(argv, fmt.Sprintf("-test.timeout=%s", max(time.Until(d), time.Second)))
	}
	cmd := exec.Command(os.Args[0], argv...)
	cmd.Env = append(os.Environ(), "EDDY_SERVE_ARGS="+args)
	stderr := &lockedBuffer{}
	cmd.Stderr = io.MultiWriter(os.Stderr, stderr)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) // Wait returns once the killed child's pipes close
	lines := bufio.NewScanner(out)
	done := make(chan string, 1)
	ended := make(chan struct{}) // closed when the child's stdout ends
	var adminAddr, s3Addr string
	go func() {
		defer close(ended)
		for lines.Scan() {
			if a, ok := strings.CutPrefix(lines.Text(), "eddy admin on http://"); ok {
				adminAddr = a
			}
			if a, ok := strings.CutPrefix(lines.Text(), "eddy s3 on http://"); ok {
				s3Addr = a
			}
			if a, ok := strings.CutPrefix(lines.Text(), "eddy listening on "); ok {
				_, a, _ = strings.Cut(a, "://") // http or https (--tls)
				done <- a
				break
			}
		}
		for lines.Scan() {
		}
	}()
	select {
	case a := <-done:
		return &child{cmd: cmd, addr: a, admin: adminAddr, s3: s3Addr, stderr: stderr}
	case <-ended:
		select {
		case a := <-done:
			return &child{cmd: cmd, addr: a, admin: adminAddr, s3: s3Addr, stderr: stderr}
		default:
		}
		t.Fatalf("server exited without listening; its stderr:\n%s", stderr)
	case <-time.After(testTimeout):
		t.Fatalf("server did not start within %s; its stderr:\n%s", testTimeout, stderr)
	}
	return nil
}

func (c *child) client() *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + c.addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
}

// TestServeKill9 puts records from several clients into the real server,
// kills it with SIGKILL mid-load, restarts it on the same data directory,
// and checks that every record whose PutRecords response came back is
// readable, at its sequence number, with its data.
func TestServeKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	srv := startChild(t, args)
	c := srv.client()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("k9"), ShardCount: aws.Int32(4)}); err != nil {
		t.Fatal(err)
	}
	type acked struct{ shard, data string }
	var mu sync.Mutex
	ackedBySeq := map[string]acked{}
	batches := 0
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				var entries []types.PutRecordsRequestEntry
				for i := 0; i < 50; i++ {
					entries = append(entries, types.PutRecordsRequestEntry{
						Data: []byte(fmt.Sprintf("w%d-b%d-r%d", w, b, i)), PartitionKey: aws.String(fmt.Sprintf("pk-%d-%d", w, i)),
					})
				}
				out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("k9"), Records: entries})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				for i, r := range out.Records {
					if r.ErrorCode == nil {
						ackedBySeq[*r.SequenceNumber] = acked{*r.ShardId, string(entries[i].Data)}
					}
				}
				batches++
				mu.Unlock()
			}
		}(w)
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	waitFor(t, "60 acknowledged batches", func() bool {
		select {
		case <-writersDone:
			t.Fatal("every writer stopped before 60 batches were acknowledged")
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return batches >= 60
	})
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(stop)
	recvWithin(t, writersDone, "the writers to stop")

	srv = startChild(t, args)
	c = srv.client()
	found := map[string]string{}
	for i := 0; i < 4; i++ {
		id := fmt.Sprintf("shardId-%012d", i)
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("k9"), ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		iter := it.ShardIterator
		for iter != nil {
			gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range gr.Records {
				found[*r.SequenceNumber] = string(r.Data)
			}
			if len(gr.Records) == 0 {
				break
			}
			iter = gr.NextShardIterator
		}
	}
	for seq, a := range ackedBySeq {
		if got, ok := found[seq]; !ok || got != a.data {
			t.Fatalf("acknowledged record %s (%s on %s) after restart: %q, present %v", seq, a.data, a.shard, got, ok)
		}
	}
	t.Logf("%d acknowledged records, all present after kill -9 (%d records in the stream)", len(ackedBySeq), len(found))
	srv.cmd.Process.Signal(syscall.SIGTERM)
}

// TestServeShutdownEndsSubscriptions: SIGTERM with an open SubscribeToShard
// stream shuts the server down promptly (the stream ends) rather than
// waiting out the shutdown timeout.
func TestServeShutdownEndsSubscriptions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	ctx := testContext(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	c := srv.client()
	c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	st := out.GetStream()
	recvWithin(t, st.Events(), "the first event (the subscription is live)")
	srv.cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- srv.cmd.Wait() }()
	// The stream ends when the server goes (or, failing that, when ctx
	// does, which fails the test below).
	for range st.Events() {
	}
	st.Close()
	if err := recvWithin(t, exited, "the server to exit after SIGTERM"); err != nil {
		t.Fatalf("server exit: %v", err)
	}
	// Had the open stream held the graceful shutdown until its timeout,
	// the server would have logged the shutdown error.
	if log := srv.stderr.String(); strings.Contains(log, "msg=shutdown") {
		t.Fatalf("shutdown did not complete gracefully:\n%s", log)
	}
}

// TestServePprof: --pprof adds Go's profiler to the admin listener, and
// without it the path is not served.
func TestServePprof(t *testing.T) {
	on := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --pprof")
	if code, body := get(t, "http://"+on.admin+"/debug/pprof/goroutine?debug=1"); code != 200 || !strings.Contains(body, "goroutine profile:") {
		t.Fatalf("with --pprof: %d %.200s", code, body)
	}
	if code, body := get(t, "http://"+on.admin+"/health"); code != 200 || body != "ok\n" {
		t.Fatalf("with --pprof, /health: %d %q", code, body)
	}
	off := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	if code, _ := get(t, "http://"+off.admin+"/debug/pprof/goroutine?debug=1"); code != 404 {
		t.Fatalf("without --pprof: %d, want 404", code)
	}
}
