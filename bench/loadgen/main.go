// Command loadgen is a load generator for any Kinesis endpoint (Eddy, an
// emulator, AWS), with aws-sdk-go-v2 clients. It runs the workloads that
// -workloads lists, in that order, each on a new stream that it deletes
// afterwards:
//
//   - put: PutRecords throughput (records/s, MB/s, request latency p50 /
//     p99 / p99.9) with -clients producers sending -batch records of -size
//     bytes into -shards shards, for -duration or -records records; then
//     GetRecords throughput reading that stream back, which is also the
//     check: every acknowledged record must be read back exactly once and
//     intact.
//   - visible: put-to-visible latency, from the start of a PutRecord call
//     to a polling GetRecords consumer holding the record.
//   - efo: put-to-delivery latency over SubscribeToShard (enhanced fan-out);
//     skipped when the endpoint does not implement it.
//   - memory: -mem-clients concurrent PutRecords of -mem-batch records of
//     -mem-record bytes (1 MiB), then whether the server survived and kept
//     every record.
//
// Progress goes to stderr; a table and one JSON line (the last line) to
// stdout. With -server-pid the load generator also reads the server's CPU
// time and memory from /proc, so it can report server CPU per record,
// which holds even though the load generator shares the machine. The exit
// status is 1 when a workload lost, duplicated or damaged a record.
//
//	go run ./bench/loadgen -endpoint http://127.0.0.1:4567 -server-pid $(pgrep -x eddy)
//	go run ./bench/loadgen -cpuprofile cpu.out      # Eddy in-process, for pprof (also -memprofile)
//	go run ./bench/loadgen -summarize results.jsonl # medians of many runs, ratios
//
// bench/compare.sh runs it against Eddy and two emulators.
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/bench/internal/inproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
)

// config is the command line.
type config struct {
	Endpoint  string
	Label     string
	Workloads string
	ServerPID int
	Sync      string // in-process server only
	Wait      time.Duration

	Shards, Clients, Batch, Size, Records int
	Duration                              time.Duration
	PutRetries, MaxErrors, GetLimit       int
	PutClient                             string // sdk or lean
	RequestTimeout, ReadTimeout           time.Duration

	LatencyShards, LatencyRate, LatencySize int
	LatencyDuration, LatencyGrace           time.Duration
	PollInterval                            time.Duration

	MemClients, MemBatch, MemRecord, MemShards int
	MemTimeout                                 time.Duration

	Progress   time.Duration
	CPUProfile string
	MemProfile string
	Emulators  string
}

func parseFlags(args []string) (config, *flag.FlagSet, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&c.Endpoint, "endpoint", "", "Kinesis endpoint, e.g. http://127.0.0.1:4567; empty: start Eddy in this process (segment backend, -sync)")
	fs.StringVar(&c.Label, "label", "", "name of the server in the output (default: the endpoint)")
	fs.StringVar(&c.Workloads, "workloads", "put,visible,efo", "comma-separated workloads: put (with its GetRecords read-back), visible, efo, memory")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "the server's process id, to report its CPU time and memory from /proc (0: not measured)")
	fs.StringVar(&c.Sync, "sync", "always", "sync mode of the in-process server (no -endpoint)")
	fs.DurationVar(&c.Wait, "wait", 30*time.Second, "how long to wait for the endpoint to answer ListStreams before starting")

	fs.IntVar(&c.Shards, "shards", 16, "put: shards in the stream")
	fs.IntVar(&c.Clients, "clients", 8, "put: concurrent producers")
	fs.IntVar(&c.Batch, "batch", 500, "put: records per PutRecords")
	fs.IntVar(&c.Size, "size", 1024, "put: record data size in bytes (at least 24)")
	fs.IntVar(&c.Records, "records", 1_000_000, "put: at most this many records")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "put: at most this long (requests in flight finish)")
	fs.StringVar(&c.PutClient, "put-client", "sdk", "put: sdk (aws-sdk-go-v2) or lean (the same JSON and SigV4 built by hand, for a fraction of the client CPU; see putter.go)")
	fs.IntVar(&c.PutRetries, "put-retries", 5, "put: how often entries the server refused (throttled) are sent again")
	fs.IntVar(&c.MaxErrors, "max-errors", 100, "put, visible, efo: stop a workload after this many failed requests")
	fs.IntVar(&c.GetLimit, "get-limit", 10000, "put: GetRecords Limit when reading back")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", 60*time.Second, "timeout of one put request")
	fs.DurationVar(&c.ReadTimeout, "read-timeout", 5*time.Minute, "timeout of a whole read-back")

	fs.IntVar(&c.LatencyShards, "latency-shards", 1, "visible, efo: shards in the stream")
	fs.IntVar(&c.LatencyRate, "latency-rate", 200, "visible, efo: PutRecord calls per second, one record each")
	fs.IntVar(&c.LatencySize, "latency-size", 100, "visible, efo: record data size in bytes (at least 24)")
	fs.DurationVar(&c.LatencyDuration, "latency-duration", 5*time.Second, "visible, efo: how long to produce")
	fs.DurationVar(&c.LatencyGrace, "latency-grace", 10*time.Second, "visible, efo: how long to wait for the consumers to catch up after the last put")
	fs.DurationVar(&c.PollInterval, "poll-interval", time.Millisecond, "visible: a polling consumer's pause after an empty GetRecords")

	fs.IntVar(&c.MemClients, "mem-clients", 100, "memory: concurrent PutRecords")
	fs.IntVar(&c.MemBatch, "mem-batch", 1, "memory: records per PutRecords")
	fs.IntVar(&c.MemRecord, "mem-record", 1<<20, "memory: record size in bytes, data plus partition key")
	fs.IntVar(&c.MemShards, "mem-shards", 4, "memory: shards in the stream")
	fs.DurationVar(&c.MemTimeout, "mem-timeout", 2*time.Minute, "memory: timeout of each PutRecords")

	fs.DurationVar(&c.Progress, "progress", 2*time.Second, "interval of progress lines on stderr (0: none)")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of this process (with the in-process server, of both) to this file")
	fs.StringVar(&c.MemProfile, "memprofile", "", "write a heap profile of this process (with the in-process server, of both) to this file at the end; see its alloc_space")
	summarize := fs.Bool("summarize", false, "instead of running: read result JSON lines from the files given as arguments (or stdin), print medians per label and ratios to the first label")
	fs.StringVar(&c.Emulators, "emulators", "", "with -summarize: comma-separated labels of emulators to check the first label's goals against")
	if err := fs.Parse(args); err != nil {
		return c, fs, err
	}
	if *summarize {
		return c, fs, errSummarize
	}
	switch {
	case c.Clients < 1 || c.Batch < 1 || c.Batch > 500 || c.Shards < 1 || c.Records < c.Batch:
		return c, fs, errors.New("need -clients >= 1, 1 <= -batch <= 500, -shards >= 1, -records >= -batch")
	case c.PutClient != "sdk" && c.PutClient != "lean":
		return c, fs, fmt.Errorf("-put-client %q: want sdk or lean", c.PutClient)
	case c.LatencyRate < 1 || c.LatencyShards < 1 || c.LatencyDuration <= 0:
		return c, fs, errors.New("need -latency-rate >= 1, -latency-shards >= 1, -latency-duration > 0")
	case c.MemClients < 1 || c.MemBatch < 1 || c.MemBatch > 500 || c.MemRecord < headerSize+memKeyLen || c.MemShards < 1:
		return c, fs, errors.New("need -mem-clients >= 1, 1 <= -mem-batch <= 500, -mem-record >= 40, -mem-shards >= 1")
	}
	for w := range strings.SplitSeq(c.Workloads, ",") {
		switch w {
		case "put", "visible", "efo", "memory":
		default:
			return c, fs, fmt.Errorf("unknown workload %q", w)
		}
	}
	return c, fs, nil
}

var errSummarize = errors.New("summarize")

// Result is the JSON line at the end of a run.
type Result struct {
	Label    string      `json:"label"`
	Endpoint string      `json:"endpoint"`
	Time     string      `json:"time"`
	Config   ResultConf  `json:"config"`
	Put      *Throughput `json:"put,omitempty"`
	Get      *Throughput `json:"get,omitempty"`
	PutCheck *Verify     `json:"put_verify,omitempty"`
	Visible  *EndToEnd   `json:"visible,omitempty"`
	EFO      *EndToEnd   `json:"efo,omitempty"`
	Memory   *Memory     `json:"memory,omitempty"`
	// The server's peak RSS over its whole life so far, at the end (MB; 0
	// without -server-pid).
	ServerPeakRSSMB float64  `json:"server_peak_rss_mb"`
	Errors          []string `json:"errors,omitempty"`
	OK              bool     `json:"ok"` // no acknowledged record lost, duplicated or damaged
}

// ResultConf records the settings that shape the figures.
type ResultConf struct {
	Shards       int    `json:"shards"`
	Clients      int    `json:"clients"`
	Batch        int    `json:"batch"`
	PutClient    string `json:"put_client"`
	Size         int    `json:"size"`
	Duration     string `json:"duration"`
	LatencyRate  int    `json:"latency_rate"`
	LatencySize  int    `json:"latency_size"`
	PollInterval string `json:"poll_interval"`
	MemClients   int    `json:"mem_clients"`
	MemBatch     int    `json:"mem_batch"`
	MemRecord    int    `json:"mem_record"`
}

// gen runs the workloads against one endpoint.
type gen struct {
	cfg    config
	kc     *kinesis.Client
	put    putter // the put workload's client
	server proc
	run    uint64    // tags this run's records
	base   time.Time // records' send times count from here
	log    io.Writer
}

func (g *gen) now() int64 { return int64(time.Since(g.base)) }

func (g *gen) logf(format string, args ...any) {
	fmt.Fprintf(g.log, "loadgen: "+format+"\n", args...)
}

// progress prints line(elapsed) every -progress until stop closes.
func (g *gen) progress(stop <-chan struct{}, line func(el time.Duration) string) {
	if g.cfg.Progress <= 0 {
		<-stop
		return
	}
	start := time.Now()
	t := time.NewTicker(g.cfg.Progress)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			g.logf("%s", line(time.Since(start)))
		}
	}
}

func (g *gen) streamName(what string) string {
	return fmt.Sprintf("loadgen-%s-%016x", what, g.run)
}

func (g *gen) createStream(ctx context.Context, name string, shards int) error {
	return kclient.CreateStream(ctx, g.kc, name, shards, time.Minute)
}

// deleteStream deletes a workload's stream, best effort: it frees the
// emulators' memory for the next workload.
func (g *gen) deleteStream(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := g.kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
		g.logf("delete stream %s: %v", name, err)
	}
}

// waitReady calls ListStreams until it succeeds, for at most -wait.
func (g *gen) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(g.cfg.Wait)
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := g.kc.ListStreams(cctx, &kinesis.ListStreamsInput{})
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not answering after %v: %w", g.cfg.Endpoint, g.cfg.Wait, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func main() {
	cfg, fs, err := parseFlags(os.Args[1:])
	if errors.Is(err, errSummarize) {
		var emus []string
		if cfg.Emulators != "" {
			emus = strings.Split(cfg.Emulators, ",")
		}
		if err := summarizeFiles(os.Stdout, fs.Args(), emus); err != nil {
			fail(err)
		}
		return
	}
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fail(err)
	}
	if cfg.CPUProfile != "" {
		f, err := os.Create(cfg.CPUProfile)
		if err != nil {
			fail(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fail(err)
		}
		defer pprof.StopCPUProfile()
	}
	if cfg.Endpoint == "" {
		addr, stop, err := inproc.Start(cfg.Sync)
		if err != nil {
			fail(err)
		}
		defer stop()
		cfg.Endpoint = "http://" + addr
		if cfg.Label == "" {
			cfg.Label = "eddy in-process (sync " + cfg.Sync + ")"
		}
	}
	if cfg.Label == "" {
		cfg.Label = cfg.Endpoint
	}
	res := run(cfg)
	if cfg.MemProfile != "" {
		if err := writeHeapProfile(cfg.MemProfile); err != nil {
			fail(err)
		}
	}
	printTable(os.Stdout, res)
	line, _ := json.Marshal(res)
	fmt.Printf("%s\n", line)
	if !res.OK {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(cfg config) *Result {
	var runID [8]byte
	rand.Read(runID[:])
	httpClient := &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: max(cfg.Clients, cfg.MemClients) + 16,
		// Plain HTTP/1.1: the SDK's default; SubscribeToShard over http://
		// is HTTP/1.1 as well.
	}}
	g := &gen{cfg: cfg, kc: kclient.New(cfg.Endpoint, httpClient), server: proc{cfg.ServerPID},
		run: binary.LittleEndian.Uint64(runID[:]), base: time.Now(), log: os.Stderr}
	g.put = sdkPutter{g.kc}
	if cfg.PutClient == "lean" {
		g.put = newLeanPutter(httpClient, cfg.Endpoint, kclient.Region, kclient.Credentials)
	}
	res := &Result{Label: cfg.Label, Endpoint: cfg.Endpoint, Time: time.Now().UTC().Format(time.RFC3339), OK: true,
		Config: ResultConf{Shards: cfg.Shards, Clients: cfg.Clients, Batch: cfg.Batch, PutClient: cfg.PutClient, Size: cfg.Size, Duration: cfg.Duration.String(),
			LatencyRate: cfg.LatencyRate, LatencySize: cfg.LatencySize, PollInterval: cfg.PollInterval.String(),
			MemClients: cfg.MemClients, MemBatch: cfg.MemBatch, MemRecord: cfg.MemRecord}}
	ctx := context.Background()
	fail := func(what string, err error) {
		res.Errors = append(res.Errors, what+": "+err.Error())
		g.logf("%s: %v", what, err)
	}
	bad := func(what string, v *Verify) {
		if v != nil && !v.OK() {
			res.OK = false
			fail(what, fmt.Errorf("verification: %s", v))
		}
	}
	if err := g.waitReady(ctx); err != nil {
		fail("wait", err)
		res.OK = false
		return res
	}
	for w := range strings.SplitSeq(cfg.Workloads, ",") {
		g.logf("%s: start", w)
		switch w {
		case "put":
			put, get, v, err := g.putAndRead(ctx)
			res.Put, res.Get, res.PutCheck = put, get, v
			if err != nil {
				fail("put", err)
			}
			bad("put", v)
		case "visible":
			r := g.latencyWorkload(ctx, "visible", g.pollConsumers)
			res.Visible = &r
			checkLatency(&r, "visible", fail, bad)
		case "efo":
			r := g.latencyWorkload(ctx, "efo", g.subscribeConsumers)
			res.EFO = &r
			checkLatency(&r, "efo", fail, bad)
		case "memory":
			r := g.memoryWorkload(ctx)
			res.Memory = &r
			bad("memory", r.Verify)
		}
	}
	_, hwm, _ := g.server.memory()
	res.ServerPeakRSSMB = float64(hwm) / 1e6
	return res
}

func checkLatency(r *EndToEnd, what string, fail func(string, error), bad func(string, *Verify)) {
	if r.Skipped != "" {
		return
	}
	if r.Error != "" {
		fail(what, errors.New(r.Error))
	}
	bad(what, &r.Verify)
}

// putAndRead runs the put workload, then reads its stream back.
func (g *gen) putAndRead(ctx context.Context) (*Throughput, *Throughput, *Verify, error) {
	cd, err := newCodec(g.run, g.cfg.Size)
	if err != nil {
		return nil, nil, nil, err
	}
	stream := g.streamName("put")
	if err := g.createStream(ctx, stream, g.cfg.Shards); err != nil {
		return nil, nil, nil, err
	}
	defer g.deleteStream(stream)
	led := newLedger(g.cfg.Records / g.cfg.Batch * g.cfg.Batch)
	put := g.putWorkload(ctx, stream, cd, led)
	g.logf("put: %d records acknowledged in %.1fs: %.0f records/s, %.1f MB/s, request p50 %.2f ms, p99 %.2f ms",
		put.Records, put.Seconds, put.RecordsPerSec, put.MBPerSec, put.Latency.P50, put.Latency.P99)
	get, err := g.readBack(ctx, stream, cd, led, g.cfg.GetLimit, g.cfg.ReadTimeout)
	v := led.result()
	if err == nil && put.RequestErrors > 0 {
		err = fmt.Errorf("%d PutRecords requests failed, the first: %s", put.RequestErrors, put.FirstError)
	}
	return &put, &get, &v, err
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "loadgen:", err)
	os.Exit(2)
}
