// Clusterbench measures Eddy on NATS JetStream (`eddy serve --backend
// jetstream`) next to the segment backend, on one machine, in one run:
//
//	make build && scripts/install-test-deps.sh   # bin/eddy, bin/tools/nats-server
//	go run ./bench/clusterbench -modes segment,r1,r3,failover,memory
//
// It starts three nats-server processes (bin/tools/nats-server; JetStream,
// sync_interval always, a store directory each, a cluster on 127.0.0.1) and
// two eddy nodes on them, and measures:
//
//   - segment, r1, r3: durable ingest. Clients (aws-sdk-go-v2) send
//     PutRecords of -batch records of -size bytes to a stream of -shards
//     shards for -duration, half of them through node A and half through
//     node B (segment: one node with --sync always). It reports records/s,
//     the CPU the servers used per record (eddy and nats-server apart, from
//     /proc) and the PutRecords latency (p50, p99).
//   - failover: at R3, a -shards stream written to, then the nats-server
//     leading most of its shard streams is killed (SIGKILL); the time until
//     every shard has accepted a PutRecord again (through either node).
//   - memory: -mem-shards shards (in streams of 250) created across the
//     cluster at -mem-replicas; the resident memory (VmRSS) of each
//     nats-server and eddy node before and after.
//
// Nothing but 127.0.0.1 is contacted. It prints a markdown table per
// measurement. The figures of docs/BENCHMARKS.md ("Cluster (NATS
// JetStream)") come from it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/eddy-streams/eddy/bench/internal/eddyproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
)

type config struct {
	eddyBin, natsBin string
	modes            []string
	shards           int
	batch, size      int
	clients          int
	duration         time.Duration
	memShards        int
	memReplicas      int
}

func main() {
	var c config
	var modes string
	flag.StringVar(&c.eddyBin, "eddy", "bin/eddy", "the eddy binary (make build)")
	flag.StringVar(&c.natsBin, "nats", "bin/tools/nats-server", "the nats-server binary (scripts/install-test-deps.sh)")
	flag.StringVar(&modes, "modes", "segment,r1,r3,failover,memory", "what to measure, comma-separated: segment, r1, r3, failover, memory")
	flag.IntVar(&c.shards, "shards", 16, "shards of the ingest and failover streams")
	flag.IntVar(&c.batch, "batch", 500, "records per PutRecords")
	flag.IntVar(&c.size, "size", 1024, "bytes per record")
	flag.IntVar(&c.clients, "clients", 8, "concurrent PutRecords clients (half through each node)")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "how long each ingest run sends")
	flag.IntVar(&c.memShards, "mem-shards", 2000, "shards of the memory measurement")
	flag.IntVar(&c.memReplicas, "mem-replicas", 3, "replicas of the memory measurement")
	flag.Parse()
	c.modes = strings.Split(modes, ",")
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "clusterbench:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	fmt.Printf("clusterbench: %d x %d B PutRecords, %d shards, %d clients, %v per run, GOMAXPROCS of the machine: %d CPUs\n\n",
		c.batch, c.size, c.shards, c.clients, c.duration, numCPU())
	var ingest []ingestResult
	for _, m := range c.modes {
		var err error
		switch m {
		case "segment":
			var r ingestResult
			r, err = ingestSegment(c)
			ingest = append(ingest, r)
		case "r1", "r3":
			var r ingestResult
			r, err = ingestCluster(c, map[string]int{"r1": 1, "r3": 3}[m])
			ingest = append(ingest, r)
		case "failover":
			err = failover(c)
		case "memory":
			err = memory(c)
		default:
			err = fmt.Errorf("unknown mode %q", m)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
	}
	if len(ingest) > 0 {
		printIngest(ingest)
	}
	return nil
}

// ---- processes ---------------------------------------------------------------

// natsCluster is three nats-server processes forming a JetStream cluster.
type natsCluster struct {
	dir   string
	urls  []string
	mon   []string // monitoring endpoints (http://127.0.0.1:port)
	cmds  []*exec.Cmd
	alive []bool
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func startNATS(bin string) (*natsCluster, error) {
	dir, err := os.MkdirTemp("", "clusterbench-nats-")
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(9)
	if err != nil {
		return nil, err
	}
	var routes []string
	for i := range 3 {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[3+i]))
	}
	nc := &natsCluster{dir: dir}
	for i := range 3 {
		store := filepath.Join(dir, fmt.Sprintf("n%d", i+1))
		conf := fmt.Sprintf(`server_name: n%d
listen: 127.0.0.1:%d
http: 127.0.0.1:%d
max_payload: 8MB
jetstream {
  store_dir: %q
  sync_interval: always
  max_memory_store: 256MB
  max_file_store: 16GB
}
cluster {
  name: clusterbench
  listen: 127.0.0.1:%d
  routes: [%s]
}
`, i+1, ports[i], ports[6+i], store, ports[3+i], strings.Join(routes, ", "))
		file := filepath.Join(dir, fmt.Sprintf("n%d.conf", i+1))
		if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
			return nil, err
		}
		logf, err := os.Create(filepath.Join(dir, fmt.Sprintf("n%d.log", i+1)))
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "-c", file)
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			nc.stop()
			return nil, fmt.Errorf("start %s: %w", bin, err)
		}
		nc.cmds = append(nc.cmds, cmd)
		nc.alive = append(nc.alive, true)
		nc.urls = append(nc.urls, fmt.Sprintf("nats://127.0.0.1:%d", ports[i]))
		nc.mon = append(nc.mon, fmt.Sprintf("http://127.0.0.1:%d", ports[6+i]))
	}
	deadline := time.Now().Add(90 * time.Second)
	for i := range 3 {
		for {
			resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/healthz", ports[6+i]))
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				nc.stop()
				return nil, fmt.Errorf("nats-server n%d not healthy after 90 s", i+1)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nc, nil
}

func (nc *natsCluster) kill(i int) {
	nc.cmds[i].Process.Kill()
	nc.cmds[i].Wait()
	nc.alive[i] = false
}

func (nc *natsCluster) stop() {
	for i, cmd := range nc.cmds {
		if nc.alive[i] {
			cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan struct{})
			go func() { cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
			nc.alive[i] = false
		}
	}
	os.RemoveAll(nc.dir)
}

func (nc *natsCluster) pids() []int {
	var p []int
	for i, cmd := range nc.cmds {
		if nc.alive[i] {
			p = append(p, cmd.Process.Pid)
		}
	}
	return p
}

// startNodes starts two eddy nodes on the cluster at the given replicas.
func startNodes(c config, nc *natsCluster, replicas int) ([]*eddyproc.Process, func(), error) {
	key := filepath.Join(nc.dir, "kms-root.key")
	b := make([]byte, 32)
	rand.Read(b)
	if err := os.WriteFile(key, b, 0o600); err != nil {
		return nil, nil, err
	}
	prefix := fmt.Sprintf("B%d", os.Getpid())
	args := []string{"--backend", "jetstream", "--nats-url", strings.Join(nc.urls, ","), "--nats-prefix", prefix,
		"--replicas", strconv.Itoa(replicas), "--kms-root-key-file", key}
	var nodes []*eddyproc.Process
	stop := func() {
		for _, n := range nodes {
			n.Stop()
		}
	}
	for range 2 {
		p, err := eddyproc.StartProcess(c.eddyBin, "always", args)
		if err != nil {
			stop()
			return nil, nil, err
		}
		nodes = append(nodes, p)
	}
	return nodes, stop, nil
}

// cpu is the CPU time pids used so far.
func cpu(pids []int) time.Duration {
	var d time.Duration
	for _, pid := range pids {
		p := eddyproc.Process{PID: pid}
		t, err := p.CPU()
		if err == nil {
			d += t
		}
	}
	return d
}

// rss is the resident memory of pid in bytes (VmRSS).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			n, _ := strconv.ParseInt(f[0], 10, 64)
			return n << 10
		}
	}
	return 0
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return strings.Count(string(b), "processor\t:")
}

// ---- ingest ------------------------------------------------------------------

type ingestResult struct {
	name                string
	records             int64
	elapsed             time.Duration
	eddyCPU, natsCPU    time.Duration
	clientCPU           time.Duration
	p50, p99            time.Duration
	failedRecs, errored int64
}

func ingestSegment(c config) (ingestResult, error) {
	p, err := eddyproc.StartProcess(c.eddyBin, "always", nil)
	if err != nil {
		return ingestResult{}, err
	}
	defer p.Stop()
	return ingest(c, "segment (1 node, --sync always)", []*eddyproc.Process{p}, nil)
}

func ingestCluster(c config, replicas int) (ingestResult, error) {
	nc, err := startNATS(c.natsBin)
	if err != nil {
		return ingestResult{}, err
	}
	defer nc.stop()
	nodes, stop, err := startNodes(c, nc, replicas)
	if err != nil {
		return ingestResult{}, err
	}
	defer stop()
	return ingest(c, fmt.Sprintf("jetstream R%d (2 nodes, 3 NATS)", replicas), nodes, nc.pids())
}

func clients(nodes []*eddyproc.Process) []*kinesis.Client {
	var cs []*kinesis.Client
	for _, n := range nodes {
		cs = append(cs, kclient.New("http://"+n.Addr, &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}))
	}
	return cs
}

func ingest(c config, name string, nodes []*eddyproc.Process, natsPIDs []int) (ingestResult, error) {
	ctx := context.Background()
	cs := clients(nodes)
	stream := "ingest"
	if err := kclient.CreateStream(ctx, cs[0], stream, c.shards, 2*time.Minute); err != nil {
		return ingestResult{}, err
	}
	for _, cl := range cs[1:] {
		if err := kclient.WaitActive(ctx, cl, stream, time.Minute); err != nil {
			return ingestResult{}, err
		}
	}
	var eddyPIDs []int
	for _, n := range nodes {
		eddyPIDs = append(eddyPIDs, n.PID)
	}
	data := make([]byte, c.size)
	rand.Read(data)
	batch := func(w, i int) []types.PutRecordsRequestEntry {
		e := make([]types.PutRecordsRequestEntry, c.batch)
		for j := range e {
			e[j] = types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprintf("k-%d-%d-%d", w, i, j)), Data: data}
		}
		return e
	}
	// A warm-up request per client.
	for w := range c.clients {
		if _, err := cs[w%len(cs)].PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: batch(w, -1)}); err != nil {
			return ingestResult{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	r := ingestResult{name: name}
	var mu sync.Mutex
	var lat []time.Duration
	var records, failed, errored atomic.Int64
	eddy0, nats0, self0 := cpu(eddyPIDs), cpu(natsPIDs), cpu([]int{os.Getpid()})
	start := time.Now()
	stopAt := start.Add(c.duration)
	var wg sync.WaitGroup
	for w := range c.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := cs[w%len(cs)]
			var mine []time.Duration
			for i := 0; time.Now().Before(stopAt); i++ {
				t0 := time.Now()
				out, err := cl.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: batch(w, i)})
				d := time.Since(t0)
				if err != nil {
					errored.Add(1)
					continue
				}
				mine = append(mine, d)
				f := int64(aws.ToInt32(out.FailedRecordCount))
				failed.Add(f)
				records.Add(int64(c.batch) - f)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	r.eddyCPU, r.natsCPU, r.clientCPU = cpu(eddyPIDs)-eddy0, cpu(natsPIDs)-nats0, cpu([]int{os.Getpid()})-self0
	r.records, r.failedRecs, r.errored = records.Load(), failed.Load(), errored.Load()
	slices.Sort(lat)
	if len(lat) > 0 {
		r.p50 = lat[len(lat)*50/100]
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	fmt.Fprintf(os.Stderr, "clusterbench: %s: %d records in %v (%d requests, %d failed records, %d errors)\n",
		name, r.records, r.elapsed.Round(time.Millisecond), len(lat), r.failedRecs, r.errored)
	return r, nil
}

func printIngest(rs []ingestResult) {
	fmt.Println("| backend | records/s | vs segment | eddy CPU µs/record | nats-server CPU µs/record | PutRecords p50 | p99 | failed records / errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	var base float64
	for _, r := range rs {
		rate := float64(r.records) / r.elapsed.Seconds()
		if strings.HasPrefix(r.name, "segment") {
			base = rate
		}
		vs := "—"
		if base > 0 {
			vs = fmt.Sprintf("%.2f×", rate/base)
		}
		per := func(d time.Duration) string {
			if r.records == 0 {
				return "—"
			}
			return fmt.Sprintf("%.1f", float64(d.Microseconds())/float64(r.records))
		}
		nats := per(r.natsCPU)
		if strings.HasPrefix(r.name, "segment") {
			nats = "—"
		}
		fmt.Printf("| %s | %.0f | %s | %s | %s | %v | %v | %d / %d |\n", r.name, rate, vs, per(r.eddyCPU), nats,
			r.p50.Round(100*time.Microsecond), r.p99.Round(100*time.Microsecond), r.failedRecs, r.errored)
	}
	fmt.Println()
}

// ---- failover ----------------------------------------------------------------

// hashKey is the first hash key of shard i of n (Eddy splits the hash
// range evenly at creation).
func hashKey(i, n int) string {
	span := new(big.Int).Lsh(big.NewInt(1), 128)
	span.Div(span, big.NewInt(int64(n)))
	return new(big.Int).Mul(span, big.NewInt(int64(i))).String()
}

// leaders counts, per server name, the JetStream streams it leads among
// those whose name has the given prefix, and returns each stream's leader.
func leaders(urls []string, prefix string) (map[string]int, map[string]string, error) {
	conn, err := nats.Connect(strings.Join(urls, ","), nats.Timeout(2*time.Second))
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	js, err := jetstream.New(conn)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	count := map[string]int{}
	led := map[string]string{}
	l := js.ListStreams(ctx)
	for info := range l.Info() {
		if !strings.HasPrefix(info.Config.Name, prefix) || info.Cluster == nil {
			continue
		}
		led[info.Config.Name] = info.Cluster.Leader
		count[info.Cluster.Leader]++
	}
	return count, led, l.Err()
}

// metaLeader is the server leading the JetStream meta group, from a
// monitoring endpoint's /jsz.
func metaLeader(mon string) string {
	resp, err := http.Get(mon + "/jsz")
	if err != nil {
		return "?"
	}
	defer resp.Body.Close()
	var v struct {
		Meta struct {
			Leader string `json:"leader"`
		} `json:"meta_cluster"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		return "?"
	}
	return v.Meta.Leader
}

func failover(c config) error {
	nc, err := startNATS(c.natsBin)
	if err != nil {
		return err
	}
	defer nc.stop()
	nodes, stop, err := startNodes(c, nc, 3)
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()
	cs := clients(nodes)
	const stream = "failover"
	if err := kclient.CreateStream(ctx, cs[0], stream, c.shards, 2*time.Minute); err != nil {
		return err
	}
	put := func(cl *kinesis.Client, shard int) error {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err := cl.PutRecord(cctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"),
			ExplicitHashKey: aws.String(hashKey(shard, c.shards)), Data: []byte("x")}, func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
		return err
	}
	// Every shard written once through each node, so every shard log exists.
	for s := range c.shards {
		for _, cl := range cs {
			if err := put(cl, s); err != nil {
				return fmt.Errorf("before the kill, shard %d: %w", s, err)
			}
		}
	}
	count, led, err := leaders(nc.urls, "")
	if err != nil {
		return err
	}
	total := len(led)
	meta := metaLeader(nc.mon[0])
	victim, most := "", -1
	for name, n := range count {
		if n > most {
			victim, most = name, n
		}
	}
	idx, err := strconv.Atoi(strings.TrimPrefix(victim, "n"))
	if err != nil || idx < 1 || idx > 3 {
		return fmt.Errorf("leader %q is not one of n1..n3 (%v)", victim, count)
	}
	// Which shards' logs the victim led (a shard log's stream name ends in
	// its shard id).
	victimShard := make([]bool, c.shards)
	for name, leader := range led {
		for s := range c.shards {
			if strings.HasSuffix(name, fmt.Sprintf("shardId-%012d", s)) && leader == victim {
				victimShard[s] = true
			}
		}
	}
	fmt.Fprintf(os.Stderr, "clusterbench: failover: stream leaders %v of %d streams, meta leader %s; killing %s\n", count, total, meta, victim)
	killed := time.Now()
	nc.kill(idx - 1)
	// Each shard is probed through the nodes in turn until a PutRecord
	// succeeds; the time of the last shard's first success is the answer.
	var wg sync.WaitGroup
	back := make([]time.Duration, c.shards)
	var firstErr atomic.Value
	for s := range c.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				if time.Since(killed) > 2*time.Minute {
					firstErr.CompareAndSwap(nil, fmt.Errorf("shard %d not writable 2 minutes after the kill", s))
					return
				}
				if err := put(cs[i%len(cs)], s); err == nil {
					back[s] = time.Since(killed)
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	var theirs, others []time.Duration
	for s, d := range back {
		if victimShard[s] {
			theirs = append(theirs, d)
		} else {
			others = append(others, d)
		}
	}
	slices.Sort(theirs)
	slices.Sort(others)
	slices.Sort(back)
	last := func(ds []time.Duration) string {
		if len(ds) == 0 {
			return "—"
		}
		return fmt.Sprintf("%v", ds[len(ds)-1].Round(time.Millisecond))
	}
	isMeta := "not the meta leader"
	if meta == victim {
		isMeta = "also the meta leader"
	}
	fmt.Printf("| failover (R3, %d shards, SIGKILL of the nats-server leading %d of %d streams, %s) | |\n|---|---:|\n", c.shards, most, total, isMeta)
	fmt.Printf("| first shard writable again | %v |\n", back[0].Round(time.Millisecond))
	fmt.Printf("| median shard | %v |\n", back[len(back)/2].Round(time.Millisecond))
	fmt.Printf("| every shard writable again | %v |\n", back[len(back)-1].Round(time.Millisecond))
	fmt.Printf("| the %d shards whose log it led: last writable again | %s |\n", len(theirs), last(theirs))
	fmt.Printf("| the other %d shards: last writable again | %s |\n\n", len(others), last(others))
	return nil
}

// ---- memory ------------------------------------------------------------------

func memory(c config) error {
	nc, err := startNATS(c.natsBin)
	if err != nil {
		return err
	}
	defer nc.stop()
	nodes, stop, err := startNodes(c, nc, c.memReplicas)
	if err != nil {
		return err
	}
	defer stop()
	ctx := context.Background()
	cs := clients(nodes)
	pidsOf := func() (nats, eddy []int) {
		for _, n := range nodes {
			eddy = append(eddy, n.PID)
		}
		return nc.pids(), eddy
	}
	natsPIDs, eddyPIDs := pidsOf()
	snap := func() []int64 {
		var m []int64
		for _, p := range append(slices.Clone(natsPIDs), eddyPIDs...) {
			m = append(m, rss(p))
		}
		return m
	}
	before := snap()
	start := time.Now()
	const perStream = 250
	made := 0
	for i := 0; made < c.memShards; i++ {
		n := min(perStream, c.memShards-made)
		if err := kclient.CreateStream(ctx, cs[i%2], fmt.Sprintf("mem-%03d", i), n, 10*time.Minute); err != nil {
			return fmt.Errorf("after %d shards: %w", made, err)
		}
		made += n
	}
	created := time.Since(start)
	// One record per shard, through both nodes, so every shard log is in use.
	for i := 0; i*perStream < c.memShards; i++ {
		n := min(perStream, c.memShards-i*perStream)
		name := fmt.Sprintf("mem-%03d", i)
		var e []types.PutRecordsRequestEntry // perStream <= 500: one request
		for k := range n {
			e = append(e, types.PutRecordsRequestEntry{PartitionKey: aws.String("p"), ExplicitHashKey: aws.String(hashKey(k, n)), Data: []byte("x")})
		}
		out, err := cs[i%2].PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: e})
		if err != nil {
			return fmt.Errorf("put to %s: %w", name, err)
		}
		if f := aws.ToInt32(out.FailedRecordCount); f != 0 {
			return fmt.Errorf("put to %s: %d records failed", name, f)
		}
	}
	time.Sleep(2 * time.Second) // let replication settle before reading RSS
	after := snap()
	_, led, err := leaders(nc.urls, "")
	if err != nil {
		return err
	}
	total := len(led)
	fmt.Printf("| memory: %d shards (streams of %d) at R%d, %d JetStream streams, created in %v | RSS before | RSS after |\n|---|---:|---:|\n",
		c.memShards, perStream, c.memReplicas, total, created.Round(time.Second))
	var sum [2]int64
	for i := range before {
		name := fmt.Sprintf("nats-server n%d", i+1)
		if i >= len(natsPIDs) {
			name = fmt.Sprintf("eddy node %c", 'A'+i-len(natsPIDs))
		}
		fmt.Printf("| %s | %d MiB | %d MiB |\n", name, before[i]>>20, after[i]>>20)
		sum[0] += before[i]
		sum[1] += after[i]
	}
	fmt.Printf("| all five | %d MiB | %d MiB |\n\n", sum[0]>>20, sum[1]>>20)
	return nil
}
