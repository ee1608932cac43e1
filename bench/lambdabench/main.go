// Command lambdabench measures Kinesis event source mappings against a
// durable Eddy: records per second delivered to a trivial aws-lambda-go
// handler (fn/, built here as a provided.al2023 bootstrap) from a 16-shard
// stream preloaded with small records, once per batch size, and
// put-to-invoke latency while a producer puts a fixed number of records a
// second into a stream whose mapping starts at LATEST.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/lambdabench -eddy bin/eddy
//
// The server runs as a separate process (`eddy serve`, durable segment
// storage, temporary data directory) as in bench/consumerbench. The handler
// reports every invocation to this process by UDP on 127.0.0.1 (see fn/);
// each function has a listener of its own. Each function gets a reserved
// concurrency of one instance per shard, so every shard's batches can be in
// flight at once (without a reservation Eddy runs at most 10 instances of
// a function).
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/eddy-streams/eddy/bench/internal/eddyproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
)

// config is what one benchmark run is told by its flags.
type config struct {
	eddyBin    string
	records    int
	size       int
	shards     int
	batches    []int
	rate       int
	duration   time.Duration
	syncMode   string
	eddyArgs   []string
	tputProf   string
	latProf    string
	out        io.Writer
	runTimeout time.Duration
}

func main() {
	var (
		c       config
		batches string
		extra   string
	)
	flag.StringVar(&c.eddyBin, "eddy", "bin/eddy", "path of the eddy binary to start (durable, temporary data directory)")
	flag.IntVar(&c.records, "records", 1000000, "records preloaded for the throughput runs")
	flag.IntVar(&c.size, "size", 100, "bytes of each preloaded record")
	flag.IntVar(&c.shards, "shards", 16, "shards of each stream")
	flag.StringVar(&batches, "batch-sizes", "1000,100", "comma-separated BatchSize of each throughput run (empty: skip them)")
	flag.IntVar(&c.rate, "rate", 100, "records per second put during the latency run (0: skip it)")
	flag.DurationVar(&c.duration, "duration", 30*time.Second, "length of the latency run")
	flag.StringVar(&c.syncMode, "sync", "always", "the started server's --sync")
	flag.StringVar(&extra, "eddy-args", "", "extra flags for eddy serve, space-separated")
	flag.StringVar(&c.tputProf, "eddy-cpuprofile", "", "write a 5-second CPU profile of the server, taken from the first batch of the first throughput run on, to this file")
	flag.StringVar(&c.latProf, "eddy-latency-cpuprofile", "", "write a CPU profile of the server covering the latency run's puts to this file")
	flag.DurationVar(&c.runTimeout, "run-timeout", 10*time.Minute, "longest a throughput run may take")
	flag.Parse()
	log.SetFlags(0)
	c.eddyArgs = strings.Fields(extra)
	for _, s := range strings.Split(batches, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			log.Fatalf("-batch-sizes: %v", err)
		}
		c.batches = append(c.batches, n)
	}
	c.out = os.Stdout
	if err := run(context.Background(), c); err != nil {
		log.Fatal(err)
	}
}

// bench is a started server and clients for it.
type bench struct {
	config
	kc    *kinesis.Client
	lc    *lambda.Client
	admin string
	zip   []byte
}

func run(ctx context.Context, c config) error {
	admin := ""
	if c.tputProf != "" || c.latProf != "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		admin = ln.Addr().String()
		ln.Close()
		c.eddyArgs = append(c.eddyArgs, "--pprof", "--admin-listen", admin)
	}
	code, err := buildHandler()
	if err != nil {
		return err
	}
	addr, stop, err := eddyproc.Start(c.eddyBin, c.syncMode, c.eddyArgs)
	if err != nil {
		return err
	}
	defer stop()
	endpoint := "http://" + addr
	creds := credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")
	b := &bench{
		config: c,
		kc:     kinesis.New(kinesis.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint)}),
		lc:     lambda.New(lambda.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(endpoint)}),
		admin:  admin,
		zip:    code,
	}
	var rows [][2]string
	if len(c.batches) > 0 {
		stream := "lambdabench"
		arn, err := createStream(ctx, b.kc, stream, c.shards)
		if err != nil {
			return err
		}
		t0 := time.Now()
		if err := kclient.Preload(ctx, b.kc, stream, c.records, func(int) []byte {
			// At least 16 bytes; the data starts with its put time.
			data := make([]byte, max(c.size, 16))
			binary.BigEndian.PutUint64(data, uint64(time.Now().UnixNano()))
			return data
		}); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "preloaded %d records of %d B into %d shards in %v\n", c.records, c.size, c.shards, time.Since(t0).Round(time.Millisecond))
		for i, bs := range c.batches {
			prof := ""
			if i == 0 {
				prof = c.tputProf
			}
			res, err := b.throughput(ctx, arn, bs, prof)
			if err != nil {
				return fmt.Errorf("throughput, batch size %d: %w", bs, err)
			}
			rows = append(rows, [2]string{fmt.Sprintf("throughput, BatchSize %d", bs), res})
			fmt.Fprintf(c.out, "%-28s  %s\n", rows[len(rows)-1][0], res)
		}
	}
	if c.rate > 0 {
		res, err := b.latency(ctx)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		rows = append(rows, [2]string{fmt.Sprintf("latency at %d records/s", c.rate), res})
		fmt.Fprintf(c.out, "%-28s  %s\n", rows[len(rows)-1][0], res)
	}
	fmt.Fprintln(c.out)
	for _, r := range rows {
		fmt.Fprintf(c.out, "%-28s  %s\n", r[0], r[1])
	}
	return nil
}

// listener receives the handler's datagrams for one function.
type listener struct {
	conn    *net.UDPConn
	records atomic.Int64
	invokes atomic.Int64
	first   atomic.Int64 // Unix ns of the first datagram
	last    atomic.Int64 // Unix ns of the latest datagram
	onBatch func(entered int64, data [][]byte)
	done    chan struct{}
}

func listen(onBatch func(entered int64, data [][]byte)) (*listener, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	// Loopback datagrams are dropped when the socket buffer is full.
	_ = conn.SetReadBuffer(8 << 20)
	l := &listener{conn: conn, onBatch: onBatch, done: make(chan struct{})}
	go l.read()
	return l, nil
}

func (l *listener) addr() string { return l.conn.LocalAddr().String() }

func (l *listener) close() { l.conn.Close(); <-l.done }

func (l *listener) read() {
	defer close(l.done)
	buf := make([]byte, 1<<16)
	for {
		n, err := l.conn.Read(buf)
		if err != nil {
			return
		}
		if n < 8 || (n-8)%16 != 0 {
			log.Printf("unreadable datagram of %d bytes", n)
			continue
		}
		now := time.Now().UnixNano()
		l.first.CompareAndSwap(0, now)
		l.last.Store(now)
		l.invokes.Add(1)
		if l.onBatch != nil {
			var data [][]byte
			for i := 8; i < n; i += 16 {
				data = append(data, buf[i:i+16])
			}
			l.onBatch(int64(binary.BigEndian.Uint64(buf)), data)
		}
		l.records.Add(int64((n - 8) / 16))
	}
}

// createFunction creates a function running the handler, reporting to
// addr, with one reserved instance per shard.
func (b *bench) createFunction(ctx context.Context, name, addr string) error {
	if _, err := b.lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      ltypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String("arn:aws:iam::000000000000:role/lambdabench"),
		Code:         &ltypes.FunctionCode{ZipFile: b.zip},
		Timeout:      aws.Int32(60),
		Environment:  &ltypes.Environment{Variables: map[string]string{"BENCH_ADDR": addr}},
	}); err != nil {
		return err
	}
	_, err := b.lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
		FunctionName: aws.String(name), ReservedConcurrentExecutions: aws.Int32(int32(b.shards)),
	})
	return err
}

// throughput creates a function and a TRIM_HORIZON mapping of batch size
// bs on the preloaded stream and times the delivery of every record.
func (b *bench) throughput(ctx context.Context, arn string, bs int, prof string) (string, error) {
	l, err := listen(nil)
	if err != nil {
		return "", err
	}
	defer l.close()
	name := fmt.Sprintf("lambdabench-b%d", bs)
	if err := b.createFunction(ctx, name, l.addr()); err != nil {
		return "", err
	}
	var profDone chan struct{}
	if prof != "" {
		// Once the first batch arrived: the steady delivery, not the
		// instances' start.
		profDone = make(chan struct{})
		go func() {
			defer close(profDone)
			for deadline := time.Now().Add(b.runTimeout); l.invokes.Load() == 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if err := eddyproc.FetchProfile("http://"+b.admin+"/debug/pprof/profile?seconds=5", prof); err != nil {
				log.Printf("server profile: %v", err)
			}
		}()
	}
	start := time.Now()
	m, err := b.lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName:     aws.String(name),
		EventSourceArn:   aws.String(arn),
		StartingPosition: ltypes.EventSourcePositionTrimHorizon,
		BatchSize:        aws.Int32(int32(bs)),
	})
	if err != nil {
		return "", err
	}
	defer b.lc.DeleteEventSourceMapping(context.WithoutCancel(ctx), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	deadline := start.Add(b.runTimeout)
	for l.records.Load() < int64(b.records) {
		if time.Now().After(deadline) {
			return "", fmt.Errorf("only %d of %d records delivered in %v", l.records.Load(), b.records, b.runTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if profDone != nil {
		<-profDone
	}
	first, last := time.Unix(0, l.first.Load()), time.Unix(0, l.last.Load())
	total := last.Sub(start)
	after := last.Sub(first)
	rate := float64(b.records) / total.Seconds()
	res := fmt.Sprintf("%.0f records/s (%d in %v from CreateEventSourceMapping; first batch after %v, then %.0f records/s; %d invocations, %d records delivered)",
		rate, b.records, total.Round(time.Millisecond), first.Sub(start).Round(time.Millisecond),
		float64(b.records)/max(after.Seconds(), 1e-9), l.invokes.Load(), l.records.Load())
	return res, nil
}

// latency puts b.rate records a second for b.duration, each carrying its
// put time, into a new stream whose mapping (LATEST, BatchSize 100, no
// batching window) invokes the handler; it reports invoke-minus-put
// percentiles. Measuring starts once a warm-up record from every shard was
// delivered, so that the mapping's shard iterators exist.
func (b *bench) latency(ctx context.Context) (string, error) {
	var (
		mu     sync.Mutex
		lat    []time.Duration
		warm   = map[uint64]bool{}
		before atomic.Int64
	)
	begin := time.Now().UnixNano()
	l, err := listen(func(entered int64, data [][]byte) {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range data {
			stamp := int64(binary.BigEndian.Uint64(d))
			switch {
			case stamp == 0:
				warm[binary.BigEndian.Uint64(d[8:])] = true
			case stamp < begin || stamp > entered:
				before.Add(1)
			default:
				lat = append(lat, time.Duration(entered-stamp))
			}
		}
	})
	if err != nil {
		return "", err
	}
	defer l.close()
	stream, name := "lambdabench-latency", "lambdabench-latency"
	arn, err := createStream(ctx, b.kc, stream, b.shards)
	if err != nil {
		return "", err
	}
	if err := b.createFunction(ctx, name, l.addr()); err != nil {
		return "", err
	}
	m, err := b.lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName:                   aws.String(name),
		EventSourceArn:                 aws.String(arn),
		StartingPosition:               ltypes.EventSourcePositionLatest,
		BatchSize:                      aws.Int32(100),
		MaximumBatchingWindowInSeconds: aws.Int32(0),
	})
	if err != nil {
		return "", err
	}
	defer b.lc.DeleteEventSourceMapping(context.WithoutCancel(ctx), &lambda.DeleteEventSourceMappingInput{UUID: m.UUID})
	// Warm-up: a zero-stamped record tagged with its shard into every shard
	// not yet heard from, once a second, until all were delivered.
	for deadline := time.Now().Add(2 * time.Minute); ; {
		mu.Lock()
		var missing []int
		for i := 0; i < b.shards; i++ {
			if !warm[uint64(i)] {
				missing = append(missing, i)
			}
		}
		mu.Unlock()
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("warm-up: %d of %d shards delivered nothing in 2 minutes", len(missing), b.shards)
		}
		if err := putWarmup(ctx, b.kc, stream, b.shards, missing); err != nil {
			return "", err
		}
		for t := time.Now().Add(time.Second); time.Now().Before(t); time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			n := len(warm)
			mu.Unlock()
			if n == b.shards {
				break
			}
		}
	}
	var profDone chan struct{}
	if b.latProf != "" {
		profDone = make(chan struct{})
		go func() {
			defer close(profDone)
			url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", b.admin, max(1, int(b.duration.Seconds())))
			if err := eddyproc.FetchProfile(url, b.latProf); err != nil {
				log.Printf("server profile: %v", err)
			}
		}()
	}
	// One PutRecord per record, evenly spaced, each from its own goroutine
	// so that a slow answer does not delay the next put.
	interval := time.Second / time.Duration(b.rate)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var (
		put     atomic.Int64
		putErrs = make(chan error, 1)
		wg      sync.WaitGroup
	)
	for seq, end := 0, time.Now().Add(b.duration); time.Now().Before(end); seq++ {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := make([]byte, b.size)
			binary.BigEndian.PutUint64(data, uint64(time.Now().UnixNano()))
			if _, err := b.kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), Data: data, PartitionKey: aws.String(strconv.Itoa(seq))}); err != nil {
				select {
				case putErrs <- err:
				default:
				}
				return
			}
			put.Add(1)
		}()
	}
	wg.Wait()
	select {
	case err := <-putErrs:
		return "", err
	default:
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(lat)
		mu.Unlock()
		if n >= int(put.Load()) {
			break
		}
	}
	if profDone != nil {
		<-profDone
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lat) == 0 {
		return "", errors.New("no record delivered")
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration {
		return lat[min(len(lat)-1, int(p*float64(len(lat))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("put-to-invoke p50 %v  p90 %v  p99 %v  max %v  (%d of %d records put, %d invocations)",
		q(0.50), q(0.90), q(0.99), lat[len(lat)-1].Round(10*time.Microsecond), len(lat), put.Load(), l.invokes.Load()), nil
}

// putWarmup puts one record with a zero stamp and its shard's index into
// each of the given shards (by explicit hash key at the start of the
// shard's even share of the hash key range, as CreateStream splits it).
func putWarmup(ctx context.Context, kc *kinesis.Client, stream string, shards int, which []int) error {
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	step := new(big.Int).Div(space, big.NewInt(int64(shards)))
	var entries []ktypes.PutRecordsRequestEntry
	for _, i := range which {
		k := new(big.Int).Mul(step, big.NewInt(int64(i)))
		data := make([]byte, 16)
		binary.BigEndian.PutUint64(data[8:], uint64(i))
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String("warm"), ExplicitHashKey: aws.String(k.String())})
	}
	_, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	return err
}

// createStream creates a stream, waits until it is active and returns its ARN.
func createStream(ctx context.Context, kc *kinesis.Client, name string, shards int) (string, error) {
	if err := kclient.CreateStream(ctx, kc, name, shards, time.Minute); err != nil {
		return "", err
	}
	o, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		return "", err
	}
	return aws.ToString(o.StreamDescriptionSummary.StreamARN), nil
}

// buildHandler builds fn/ for this machine as bootstrap and returns a zip
// holding it (executable).
func buildHandler() ([]byte, error) {
	dir, err := os.MkdirTemp("", "lambdabench-fn-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/eddy-streams/eddy/bench/lambdabench/fn")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build of the handler: %v: %s", err, out)
	}
	code, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(code); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return zb.Bytes(), nil
}
