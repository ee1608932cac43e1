// Command agentbench measures `eddy agent`'s pipeline (package agent, run
// in this process) against a durable Eddy started from its binary: lines
// per second shipped from one file of fixed-size lines into a 4-shard
// stream (from the start of the file until the last line is acknowledged),
// the agent's CPU time per line (this process's user+system time), and the
// resident memory (VmHWM) after tailing many small files.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/agentbench -eddy bin/eddy
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/agent"
	"github.com/eddy-streams/eddy/bench/internal/eddyproc"
	"github.com/eddy-streams/eddy/metrics"
)

type config struct {
	eddyBin   string
	lines     int
	size      int
	files     int
	syncMode  string
	aggregate int
	queue     int
	timeout   time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.eddyBin, "eddy", "bin/eddy", "path of the eddy binary to start (durable, temporary data directory)")
	flag.IntVar(&c.lines, "lines", 2000000, "lines in the file")
	flag.IntVar(&c.size, "size", 200, "bytes of each line, newline included")
	flag.IntVar(&c.files, "files", 1000, "files tailed for the memory run (0: skip it)")
	flag.StringVar(&c.syncMode, "sync", "always", "the started server's --sync")
	flag.IntVar(&c.aggregate, "aggregate", 0, "aggregatedRecordSizeBytes (0: no KPL aggregation)")
	flag.IntVar(&c.queue, "queue", 0, "the flow's QueueRecords (0: the default)")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Minute, "longest a run may take")
	flag.Parse()
	log.SetFlags(0)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	if err := run(ctx, c); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, c config) error {
	p, err := eddyproc.StartProcess(c.eddyBin, c.syncMode, nil)
	if err != nil {
		return err
	}
	defer p.Stop()
	kc := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.Addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")})
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("agentbench"), ShardCount: aws.Int32(4)}); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "agentbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// One file of c.lines lines.
	one := filepath.Join(dir, "one")
	if err := os.Mkdir(one, 0o755); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(one, "app.log"), 0, c.lines, c.size); err != nil {
		return err
	}
	res, err := ship(ctx, c, p.Addr, filepath.Join(one, "*.log"), filepath.Join(dir, "ckpt-one"), c.lines)
	if err != nil {
		return err
	}
	fmt.Printf("one file: %d lines of %d bytes in %.2fs: %.0f lines/s, %.2f µs CPU per line (agent), aggregation %d\n",
		c.lines, c.size, res.elapsed.Seconds(), float64(c.lines)/res.elapsed.Seconds(), float64(res.cpu.Microseconds())/float64(c.lines), c.aggregate)

	if c.files > 0 {
		many := filepath.Join(dir, "many")
		if err := os.Mkdir(many, 0o755); err != nil {
			return err
		}
		const perFile = 10
		for i := range c.files {
			if err := writeLines(filepath.Join(many, fmt.Sprintf("f%04d.log", i)), i*perFile, perFile, c.size); err != nil {
				return err
			}
		}
		res, err := ship(ctx, c, p.Addr, filepath.Join(many, "*.log"), filepath.Join(dir, "ckpt-many"), c.files*perFile)
		if err != nil {
			return err
		}
		fmt.Printf("%d files tailed: %d lines in %.2fs, peak RSS of the process %d MiB\n", c.files, c.files*perFile, res.elapsed.Seconds(), peakRSS()>>20)
	}
	return nil
}

type result struct {
	elapsed, cpu time.Duration
}

// ship runs the agent on pattern until want lines are acknowledged.
func ship(ctx context.Context, c config, addr, pattern, ckpt string, want int) (result, error) {
	reg := metrics.NewRegistry()
	actx, stop := context.WithCancel(ctx)
	defer stop()
	cpu0 := cpuTime()
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		done <- agent.Run(actx, agent.Options{CheckpointFile: ckpt, KinesisEndpoint: "http://" + addr, AccessKeyID: "AKIDBENCH", SecretAccessKey: "secret", Metrics: reg},
			[]agent.FlowOptions{{FilePattern: pattern, Kind: agent.KinesisStream, Destination: "agentbench", AggregatedRecordSizeBytes: c.aggregate, QueueRecords: c.queue,
				BufferAge: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond}})
	}()
	for {
		if n := sent(reg); n >= want {
			break
		}
		select {
		case err := <-done:
			return result{}, fmt.Errorf("agent stopped: %v", err)
		case <-ctx.Done():
			return result{}, fmt.Errorf("%d of %d lines sent: %v", sent(reg), want, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	r := result{elapsed: time.Since(start), cpu: cpuTime() - cpu0}
	stop()
	return r, <-done
}

// sent reads AWSKinesisAgent_RecordsSent from the registry.
func sent(reg *metrics.Registry) int {
	var b bytes.Buffer
	reg.WriteText(&b)
	sc := bufio.NewScanner(&b)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "AWSKinesisAgent_RecordsSent{") {
			var n float64
			fmt.Sscan(l[strings.LastIndexByte(l, ' ')+1:], &n)
			return int(n)
		}
	}
	return 0
}

func writeLines(path string, from, n, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	pad := strings.Repeat("x", max(size-20, 0))
	for i := from; i < from+n; i++ {
		fmt.Fprintf(w, "%018d %s\n", i, pad)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS is the process's VmHWM from /proc/self/status, in bytes.
func peakRSS() int64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
