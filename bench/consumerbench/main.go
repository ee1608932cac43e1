// Command consumerbench measures Kinesis consumer libraries against a
// durable Eddy: records per second delivered to a record processor from a
// 16-shard stream preloaded with 1 KiB records (polling, several workers in
// one process), and enhanced fan-out end-to-end latency (put to process) at
// a fixed producer rate. Each consumer under test is a runner: vmware
// (vmware-go-kcl-v2) in vmware.go and eddy (client/consumer) in eddy.go.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/consumerbench -eddy bin/eddy -records 200000 -targets vmware
//
// The server runs as a separate process (`eddy serve`, durable, temporary
// data directory) as in bench/producerbench, so the consumers' CPU and the
// server's do not share one Go runtime and scheduler.
package main

import (
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/bench/internal/eddyproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
)

// env is what a runner gets: where the server is and what to consume.
type env struct {
	endpoint string
	kinesis  *kinesis.Client
	dynamodb *dynamodb.Client
	stream   string
	app      string
	workers  int
	shards   int
	fanOut   bool
}

// deliverFunc is called by a runner's record processor for every record.
type deliverFunc func(data []byte)

// runner is one consumer library under test. start begins consuming e.stream
// from TRIM_HORIZON with e.workers workers and returns a function that stops
// them.
type runner interface {
	start(ctx context.Context, e env, deliver deliverFunc) (stop func(), err error)
}

// runners holds the consumers compiled in; eddy.go adds client/consumer.
var runners = map[string]runner{"vmware": vmwareRunner{}}

func main() {
	var (
		eddyBin  = flag.String("eddy", "bin/eddy", "path of the eddy binary to start (durable, temporary data directory)")
		records  = flag.Int("records", 200000, "1 KiB records preloaded for the throughput run")
		shards   = flag.Int("shards", 16, "shards of each stream")
		workers  = flag.Int("workers", 4, "consumer workers in this process")
		targets  = flag.String("targets", "vmware,eddy", "comma-separated consumers: vmware, eddy")
		efoRate  = flag.Int("efo-rate", 1000, "records per second put during the fan-out latency run (0: skip it)")
		efoDur   = flag.Duration("efo-duration", 20*time.Second, "length of the fan-out latency run")
		runs     = flag.Int("runs", 1, "throughput runs per consumer")
		syncMode = flag.String("sync", "always", "the started server's --sync")
		cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of this process (the consumers) during the throughput runs to this file")
		eddyArgs = flag.String("eddy-args", "", "extra flags for eddy serve, space-separated")
		eddyProf = flag.String("eddy-cpuprofile", "", "write a 3-second CPU profile of the server, taken at the start of the last throughput run, to this file")
	)
	flag.Parse()
	log.SetFlags(0)

	extra := strings.Fields(*eddyArgs)
	adminAddr := ""
	if *eddyProf != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		adminAddr = ln.Addr().String()
		ln.Close()
		extra = append(extra, "--pprof", "--admin-listen", adminAddr)
	}
	addr, stop, err := eddyproc.Start(*eddyBin, *syncMode, extra)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	endpoint := "http://" + addr
	creds := credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")
	kc := kinesis.New(kinesis.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint)})
	dc := dynamodb.New(dynamodb.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint)})
	ctx := context.Background()

	stream := "consumerbench"
	if err := kclient.CreateStream(ctx, kc, stream, *shards, time.Minute); err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	if err := kclient.Preload(ctx, kc, stream, *records, func(int) []byte { return data1K }); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("preloaded %d records of 1 KiB into %d shards in %v\n\n", *records, *shards, time.Since(t0).Round(time.Millisecond))

	type row struct {
		target, kind string
		value        string
	}
	var table []row
	for _, name := range strings.Split(*targets, ",") {
		r, ok := runners[name]
		if !ok {
			log.Printf("unknown consumer %q; skipped", name)
			continue
		}
		if *cpuProf != "" {
			f, err := os.Create(*cpuProf)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				log.Fatal(err)
			}
		}
		var profDone chan struct{}
		for i := 0; i < *runs; i++ {
			if *eddyProf != "" && i == *runs-1 {
				// The last run: earlier ones warm the server's buffers.
				profDone = make(chan struct{})
				file := *eddyProf
				go func() {
					defer close(profDone)
					if err := eddyproc.FetchProfile("http://"+adminAddr+"/debug/pprof/profile?seconds=3", file); err != nil {
						log.Printf("server profile: %v", err)
					}
				}()
				*eddyProf = ""
			}
			e := env{endpoint: endpoint, kinesis: kc, dynamodb: dc, stream: stream, app: fmt.Sprintf("%s-tput-%d", name, i), workers: *workers, shards: *shards}
			rate, d, err := throughput(ctx, r, e, *records)
			if err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			table = append(table, row{name, fmt.Sprintf("polling, %d workers, run %d", *workers, i+1), fmt.Sprintf("%.0f records/s (%d in %v)", rate, *records, d.Round(time.Millisecond))})
		}
		if *cpuProf != "" {
			pprof.StopCPUProfile()
			*cpuProf = ""
		}
		if profDone != nil {
			<-profDone
		}
		if *efoRate > 0 {
			es := fmt.Sprintf("consumerbench-efo-%s", name)
			if err := kclient.CreateStream(ctx, kc, es, *shards, time.Minute); err != nil {
				log.Fatal(err)
			}
			e := env{endpoint: endpoint, kinesis: kc, dynamodb: dc, stream: es, app: name + "-efo", workers: *workers, shards: *shards, fanOut: true}
			res, err := latency(ctx, r, e, *efoRate, *efoDur)
			if err != nil {
				log.Fatalf("%s: %v", name, err)
			}
			table = append(table, row{name, fmt.Sprintf("fan-out latency at %d records/s", *efoRate), res})
		}
	}
	fmt.Printf("%-8s  %-36s  %s\n", "consumer", "run", "result")
	for _, r := range table {
		fmt.Printf("%-8s  %-36s  %s\n", r.target, r.kind, r.value)
	}
}

// throughput starts r on the preloaded stream and times the delivery of n
// records (from start, so it includes lease taking).
func throughput(ctx context.Context, r runner, e env, n int) (float64, time.Duration, error) {
	var got atomic.Int64
	var first atomic.Int64 // ns after start of the first record
	done := make(chan struct{})
	var once sync.Once
	start := time.Now()
	stop, err := r.start(ctx, e, func([]byte) {
		c := got.Add(1)
		if c == 1 {
			first.Store(int64(time.Since(start)))
		}
		if c >= int64(n) {
			once.Do(func() { close(done) })
		}
	})
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	select {
	case <-done:
	case <-time.After(10 * time.Minute):
		return 0, 0, fmt.Errorf("only %d of %d records delivered in 10 minutes", got.Load(), n)
	}
	d := time.Since(start)
	log.Printf("%s: first record %v after the start, then %.0f records/s", e.app,
		time.Duration(first.Load()).Round(time.Millisecond), float64(n-1)/(d-time.Duration(first.Load())).Seconds())
	return float64(n) / d.Seconds(), d, nil
}

// latency puts rate records/s for dur, each carrying its send time, while r
// consumes with fan-out; it reports put-to-process p50/p99/max. Measuring
// starts once the consumer delivered a warm-up record from every shard, so
// lease taking and subscribing are not counted.
func latency(ctx context.Context, r runner, e env, rate int, dur time.Duration) (string, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var bad, warm atomic.Int64
	begin := time.Now()
	stop, err := r.start(ctx, e, func(data []byte) {
		now := time.Now()
		if len(data) < 8 {
			bad.Add(1)
			return
		}
		stamp := binary.BigEndian.Uint64(data)
		if stamp == 0 {
			warm.Add(1)
			return
		}
		sent := time.Unix(0, int64(stamp))
		if sent.Before(begin) || sent.After(now) {
			bad.Add(1)
			return
		}
		mu.Lock()
		lat = append(lat, now.Sub(sent))
		mu.Unlock()
	})
	if err != nil {
		return "", err
	}
	defer stop()
	if err := putWarmup(ctx, e); err != nil {
		return "", err
	}
	for deadline := time.Now().Add(2 * time.Minute); warm.Load() < int64(e.shards); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			return "", fmt.Errorf("warm-up: %d of %d shards delivered in 2 minutes", warm.Load(), e.shards)
		}
	}
	// 100 PutRecords a second of rate/100 records each.
	per := max(rate/100, 1)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	payload := make([]byte, 1024)
	seq := 0
	for end := time.Now().Add(dur); time.Now().Before(end); <-tick.C {
		entries := make([]types.PutRecordsRequestEntry, per)
		for i := range entries {
			binary.BigEndian.PutUint64(payload, uint64(time.Now().UnixNano()))
			entries[i] = types.PutRecordsRequestEntry{Data: slices.Clone(payload), PartitionKey: aws.String(fmt.Sprint(seq))}
			seq++
		}
		if _, err := e.kinesis.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: entries}); err != nil {
			return "", err
		}
	}
	// Let the last records arrive.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= seq {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lat) == 0 {
		return "no records delivered", nil
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return fmt.Sprintf("p50 %v  p99 %v  max %v  (%d samples of %d put, %d unreadable)",
		q(0.50).Round(10*time.Microsecond), q(0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond), len(lat), seq, bad.Load()), nil
}

// putWarmup puts one record with a zero stamp into every shard (by
// explicit hash key at the start of each shard's even share of the range).
func putWarmup(ctx context.Context, e env) error {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	step := new(big.Int).Div(space, big.NewInt(int64(e.shards)))
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < e.shards; i++ {
		k := new(big.Int).Mul(step, big.NewInt(int64(i)))
		entries = append(entries, types.PutRecordsRequestEntry{Data: make([]byte, 8), PartitionKey: aws.String("warm"), ExplicitHashKey: aws.String(k.String())})
	}
	_, err := e.kinesis.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(e.stream), Records: entries})
	return err
}

// data1K is every preloaded record's data: 1 KiB.
var data1K = make([]byte, 1024)
