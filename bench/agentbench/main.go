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
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/agent"
	agentconfig "github.com/eddy-streams/eddy/agent/config"
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
	logToJSON bool
	rateLimit int
	timeout   time.Duration

	cpuProfile string
}

func main() {
	var c config
	flag.StringVar(&c.eddyBin, "eddy", "bin/eddy", "path of the eddy binary to start (durable, temporary data directory)")
	flag.IntVar(&c.lines, "lines", 2000000, "lines in the file (0: skip the one-file run)")
	flag.IntVar(&c.size, "size", 200, "bytes of each line, newline included")
	flag.IntVar(&c.files, "files", 1000, "files tailed for the memory run (0: skip it); its peak RSS is the process's, so run it alone (-lines 0) to measure it")
	flag.StringVar(&c.syncMode, "sync", "always", "the started server's --sync")
	flag.IntVar(&c.aggregate, "aggregate", 0, "aggregatedRecordSizeBytes (0: no KPL aggregation)")
	flag.IntVar(&c.queue, "queue", 0, "the flow's publishQueueCapacity, in buffers of 500 lines (0: the agent's default, 100)")
	flag.BoolVar(&c.logToJSON, "logtojson", false, "write Apache common log lines and convert them with LOGTOJSON (COMMONAPACHELOG)")
	flag.IntVar(&c.rateLimit, "rate-limit", 150, "the producer's per-shard RateLimit in percent (0: off; Eddy runs without limits)")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Minute, "longest a run may take")
	cpuProfile := flag.String("cpuprofile", "", "write the agent's CPU profile of the one-file run to this file")
	flag.Parse()
	log.SetFlags(0)
	c.cpuProfile = *cpuProfile
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

	if c.lines > 0 {
		if err := oneFile(ctx, c, p.Addr, dir); err != nil {
			return err
		}
	}
	if c.files > 0 {
		many := filepath.Join(dir, "many")
		if err := os.Mkdir(many, 0o755); err != nil {
			return err
		}
		const perFile = 10
		for i := range c.files {
			if err := writeLines(filepath.Join(many, fmt.Sprintf("f%04d.log", i)), i*perFile, perFile, c.size, c.logToJSON); err != nil {
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

// oneFile ships one file of c.lines lines and prints the rate and CPU.
func oneFile(ctx context.Context, c config, addr, dir string) error {
	one := filepath.Join(dir, "one")
	if err := os.Mkdir(one, 0o755); err != nil {
		return err
	}
	if err := writeLines(filepath.Join(one, "app.log"), 0, c.lines, c.size, c.logToJSON); err != nil {
		return err
	}
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	res, err := ship(ctx, c, addr, filepath.Join(one, "*.log"), filepath.Join(dir, "ckpt-one"), c.lines)
	if c.cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return err
	}
	fmt.Printf("one file: %d lines of %d bytes in %.2fs: %.0f lines/s, %.2f µs CPU per line (agent), aggregation %d, LOGTOJSON %v, rate limit %d%%\n",
		c.lines, c.size, res.elapsed.Seconds(), float64(c.lines)/res.elapsed.Seconds(), float64(res.cpu.Microseconds())/float64(c.lines), c.aggregate, c.logToJSON, c.rateLimit)
	return nil
}

type result struct {
	elapsed, cpu time.Duration
}

// ship runs the agent on pattern until want lines are acknowledged. The
// agent is configured as a user configures it: an agent.json, read by
// package agent/config and mapped by agent.FromConfig.
func ship(ctx context.Context, c config, addr, pattern, ckpt string, want int) (result, error) {
	flow := map[string]any{
		"filePattern": pattern, "kinesisStream": "agentbench", "initialPosition": "START_OF_FILE",
		"maxBufferAgeMillis": 1000, "minTimeBetweenFilePollsMillis": 50,
	}
	if c.aggregate > 0 {
		flow["aggregatedRecordSizeBytes"] = c.aggregate
	}
	if c.queue > 0 {
		flow["publishQueueCapacity"] = c.queue
	}
	if c.logToJSON {
		flow["dataProcessingOptions"] = []map[string]string{{"optionName": "LOGTOJSON", "logFormat": "COMMONAPACHELOG"}}
	}
	doc, _ := json.Marshal(map[string]any{"checkpointFile": ckpt, "kinesis.endpoint": "http://" + addr,
		"awsAccessKeyId": "AKIDBENCH", "awsSecretAccessKey": "secret", "flows": []any{flow}})
	cfg, _, err := agentconfig.Parse(doc)
	if err != nil {
		return result{}, err
	}
	opts, flows, err := agent.FromConfig(cfg)
	if err != nil {
		return result{}, err
	}
	reg := metrics.NewRegistry()
	opts.Metrics, opts.RateLimit = reg, rateLimitOption(c.rateLimit)
	actx, stop := context.WithCancel(ctx)
	defer stop()
	cpu0 := cpuTime()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- agent.Run(actx, opts, flows) }()
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

// rateLimitOption maps the flag (0: off) to agent.Options.RateLimit
// (negative: off).
func rateLimitOption(percent int) int {
	if percent == 0 {
		return -1
	}
	return percent
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

// writeLines writes n lines of size bytes (newline included), numbered
// from from: plain, or Apache common log lines with apache.
func writeLines(path string, from, n, size int, apache bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := from; i < from+n; i++ {
		if apache {
			const head, tail = `192.168.10.20 - frank [07/Mar/2004:16:10:02 -0800] "GET /`, ` HTTP/1.1" 200 6291` + "\n"
			pad := strings.Repeat("x", max(size-len(head)-len(tail)-19, 0))
			fmt.Fprintf(w, "%s%018d/%s%s", head, i, pad, tail)
		} else {
			fmt.Fprintf(w, "%018d %s\n", i, strings.Repeat("x", max(size-20, 0)))
		}
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
