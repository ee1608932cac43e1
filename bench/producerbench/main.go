// Command producerbench measures producer libraries end to end against a
// durable Eddy: user records per second from the first Put until the last
// record is acknowledged, and the producer process's CPU time per user
// record. It runs Eddy's client/producer with aggregation on and off, and
// a8m/kinesis-producer, one after the other in the same run, each into a
// fresh stream.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/producerbench -eddy bin/eddy -records 2000000
//
// With -eddy the benchmark starts `eddy serve` itself (durable, in a
// temporary data directory, sync always) and reports the server's CPU too;
// with -endpoint it uses a running server.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	a8m "github.com/a8m/kinesis-producer"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/client/producer"
)

func main() {
	var (
		eddyBin   = flag.String("eddy", "", "path of the eddy binary to start (durable, temporary data directory)")
		endpoint  = flag.String("endpoint", "", "endpoint of a running server (instead of -eddy)")
		records   = flag.Int("records", 1000000, "user records per run")
		size      = flag.Int("size", 100, "bytes of data per user record")
		shards    = flag.Int("shards", 16, "shards of each stream")
		workers   = flag.Int("workers", 4, "goroutines calling Put")
		keys      = flag.Int("keys", 100000, "distinct partition keys")
		producers = flag.String("producers", "eddy,eddy-noagg,a8m", "comma-separated runs: eddy (aggregation on), eddy-noagg, eddy-strict (aggregation and StrictOrder on), a8m")
		noaggMax  = flag.Int("noagg-records", 200000, "user records per run without aggregation (it is much slower)")
		sync      = flag.String("sync", "always", "the started server's --sync")
		aggSize   = flag.Int("aggregation-max-size", producer.DefaultAggregationMaxSize, "client/producer's AggregationMaxSize")
		rateLimit = flag.Int("rate-limit", 0, "client/producer's RateLimit (percent of a shard's limits; 0: off, as the server runs without --limits)")
		writeBuf  = flag.Int("write-buffer", 256<<10, "the HTTP transport's WriteBufferSize (Go's default is 4096)")
		verify    = flag.Bool("verify", false, "read each stream back and count its user records")
		cpuprof   = flag.String("cpuprofile", "", "write the producer process's CPU profile to this file")
		warmup    = flag.Int("warmup", 500000, "user records each producer puts, unmeasured, before the measured runs (the first run in a process otherwise pays for growing its heap)")
		fake      = flag.Bool("fake", false, "no server: an in-process HTTP client answers every PutRecords at once (the producers' own CPU)")
	)
	flag.Parse()
	log.SetFlags(0)
	aggMaxSize, rateLimitPct = *aggSize, *rateLimit
	if *cpuprof != "" {
		f, err := os.Create(*cpuprof)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	var server *os.Process
	if *eddyBin != "" {
		addr, p, stop, err := startEddy(*eddyBin, *sync)
		if err != nil {
			log.Fatal(err)
		}
		defer stop()
		*endpoint, server = "http://"+addr, p
	}
	if *fake {
		*endpoint = "http://127.0.0.1:1"
	}
	if *endpoint == "" {
		log.Fatal("give -eddy, -endpoint or -fake")
	}
	// One HTTP client for every producer, with a write buffer that takes a
	// PutRecords body in a few system calls instead of one per 4 KiB.
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.WriteBufferSize = *writeBuf
		t.MaxIdleConnsPerHost = 64
	})
	var httpClient kinesis.HTTPClient = hc
	if *fake {
		httpClient = newFakeKinesis(*shards)
	}
	client := kinesis.New(kinesis.Options{Region: kclient.Region, BaseEndpoint: endpoint,
		Credentials: credentials.NewStaticCredentialsProvider(kclient.Credentials.AccessKeyID, kclient.Credentials.SecretAccessKey, ""),
		HTTPClient:  httpClient})
	fmt.Printf("%d-byte records, %d shards, %d workers, %d keys, server sync %s\n", *size, *shards, *workers, *keys, *sync)
	fmt.Printf("%-12s %10s %12s %14s %14s %10s\n", "producer", "records", "records/s", "client µs/rec", "server µs/rec", "failed")
	newStream := func(name string, i int) string {
		stream := fmt.Sprintf("bench-%s-%d-%d", name, time.Now().UnixNano(), i)
		if *fake {
			if *verify {
				log.Fatal("-verify needs a server")
			}
		} else if err := kclient.CreateStream(context.Background(), client, stream, *shards, time.Minute); err != nil {
			log.Fatal(err)
		}
		return stream
	}
	names := strings.Split(*producers, ",")
	if *warmup > 0 {
		for i, name := range names {
			n := *warmup
			if name == "eddy-noagg" {
				n = min(n, *noaggMax/4)
			}
			if _, err := run(name, client, newStream(name+"-warmup", i), n, *size, *workers, *keys, server); err != nil {
				log.Fatalf("%s: warm-up: %v", name, err)
			}
		}
	}
	for i, name := range names {
		n := *records
		if name == "eddy-noagg" {
			n = min(n, *noaggMax)
		}
		stream := newStream(name, i)
		r, err := run(name, client, stream, n, *size, *workers, *keys, server)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		fmt.Printf("%-12s %10d %12.0f %14.2f %14s %10d", name, n, float64(n)/r.wall.Seconds(),
			float64(r.clientCPU.Microseconds())/float64(n), serverPerRecord(r.serverCPU, n, server != nil), r.failed)
		if *verify {
			got, bytes, err := countStream(context.Background(), client, stream)
			if err != nil {
				log.Fatalf("%s: verify: %v", name, err)
			}
			fmt.Printf("   stream holds %d user records, %d bytes of data", got, bytes)
		}
		fmt.Println()
	}
}

type result struct {
	wall, clientCPU, serverCPU time.Duration
	failed                     int64
}

func serverPerRecord(d time.Duration, n int, known bool) string {
	if !known {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(d.Microseconds())/float64(n))
}

func run(name string, c *kinesis.Client, stream string, n, size, workers, keys int, server *os.Process) (result, error) {
	data := make([]byte, size)
	for i := range data {
		data[i] = 'a' + byte(i%26)
	}
	keyNames := make([]string, keys)
	for i := range keyNames {
		keyNames[i] = "key-" + strconv.Itoa(i)
	}
	var put func(ctx context.Context, i int) error
	var done func(ctx context.Context) error
	var failed, acked atomic.Int64
	var st *stats
	switch name {
	case "eddy", "eddy-noagg", "eddy-strict":
		opts := []producer.Option{producer.AggregationEnabled(name != "eddy-noagg"), producer.StrictOrder(name == "eddy-strict"),
			producer.AggregationMaxSize(aggMaxSize), producer.RateLimit(rateLimitPct)}
		if *verbose { // metrics cost client CPU: only when asked for
			st = &stats{obs: map[string][2]float64{}}
			opts = append(opts, producer.WithMetrics(st))
		}
		p, err := producer.New(context.Background(), c, stream, opts...)
		if err != nil {
			return result{}, err
		}
		cb := func(r producer.Result) {
			if r.Err != nil {
				failed.Add(1)
			} else {
				acked.Add(1)
			}
		}
		put = func(ctx context.Context, i int) error {
			return p.PutFunc(ctx, producer.Record{PartitionKey: keyNames[i%keys], Data: data}, cb)
		}
		done = p.Close
	case "a8m":
		p := a8m.New(&a8m.Config{StreamName: stream, Client: c, Logger: quiet{}})
		failures := p.NotifyFailures()
		go func() {
			for range failures {
				failed.Add(1)
			}
		}()
		p.Start()
		put = func(_ context.Context, i int) error { return p.Put(data, keyNames[i%keys]) }
		done = func(context.Context) error { p.Stop(); return nil }
	default:
		return result{}, fmt.Errorf("unknown producer %q", name)
	}
	cpu0, scpu0 := selfCPU(), procCPU(server)
	start := time.Now()
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := put(ctx, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := done(context.Background()); err != nil {
		return result{}, err
	}
	wall := time.Since(start)
	r := result{wall: wall, clientCPU: selfCPU() - cpu0, serverCPU: procCPU(server) - scpu0, failed: failed.Load()}
	if st != nil && *verbose {
		fmt.Fprintln(os.Stderr, st)
	}
	select {
	case err := <-errs:
		return r, err
	default:
	}
	if name != "a8m" && acked.Load()+failed.Load() != int64(n) {
		return r, fmt.Errorf("%d acknowledged and %d failed of %d", acked.Load(), failed.Load(), n)
	}
	return r, nil
}

var aggMaxSize, rateLimitPct int

var verbose = flag.Bool("v", false, "print the producer's metrics after each run of client/producer")

// stats keeps the count and mean of the producer's distributions.
type stats struct {
	mu  sync.Mutex
	obs map[string][2]float64
}

func (s *stats) Add(string, producer.Dimensions, float64) {}
func (s *stats) Set(string, producer.Dimensions, float64) {}
func (s *stats) Observe(name string, _ producer.Dimensions, v float64) {
	s.mu.Lock()
	o := s.obs[name]
	s.obs[name] = [2]float64{o[0] + 1, o[1] + v}
	s.mu.Unlock()
}

func (s *stats) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for _, name := range []string{producer.RequestTime, producer.BufferingTime, producer.UserRecordsPerKinesisRecord,
		producer.KinesisRecordsPerPutRecordsRequest, producer.RetriesPerRecord} {
		o := s.obs[name]
		fmt.Fprintf(&b, "  %s: %.0f samples, mean %.2f\n", name, o[0], o[1]/max(o[0], 1))
	}
	return b.String()
}

// countStream reads every shard of the stream from the start and counts
// the user records (deaggregated) and their bytes.
func countStream(ctx context.Context, c *kinesis.Client, stream string) (n, bytes int64, err error) {
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		return 0, 0, err
	}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: sh.ShardId,
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return 0, 0, err
		}
		iter := it.ShardIterator
		for iter != nil {
			out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
			if err != nil {
				return 0, 0, err
			}
			for _, r := range out.Records {
				users, err := kpl.Deaggregate(r.Data)
				if err == kpl.ErrNotAggregated {
					n, bytes = n+1, bytes+int64(len(r.Data))
					continue
				}
				if err != nil {
					return 0, 0, err
				}
				for _, u := range users {
					n, bytes = n+1, bytes+int64(len(u.Data))
				}
			}
			if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
				break
			}
			iter = out.NextShardIterator
		}
	}
	return n, bytes, nil
}

type quiet struct{}

func (quiet) Info(string, ...a8m.LogValue)         {}
func (quiet) Error(string, error, ...a8m.LogValue) {}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is a process's user plus system CPU time from /proc/<pid>/stat
// (utime and stime, fields 14 and 15, in USER_HZ = 100 ticks per second).
func procCPU(p *os.Process) time.Duration {
	if p == nil {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+st) * time.Second / 100
}

// startEddy starts `eddy serve` on a free port with a temporary data
// directory and returns its address.
func startEddy(bin, sync string) (string, *os.Process, func(), error) {
	dir, err := os.MkdirTemp("", "producerbench-")
	if err != nil {
		return "", nil, nil, err
	}
	cmd := exec.Command(bin, "serve", "--listen", "127.0.0.1:0", "--admin-listen", "off", "--data-dir", dir, "--sync", sync)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait(); os.RemoveAll(dir) }
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if a, ok := strings.CutPrefix(sc.Text(), "eddy listening on http://"); ok {
			go io.Copy(io.Discard, out)
			return a, cmd.Process, stop, nil
		}
	}
	stop()
	return "", nil, nil, fmt.Errorf("eddy did not start")
}
