// Command ddbbench measures DynamoDB write rates on one table, durable
// Eddy side by side with dynalite in the same run: conditional PutItems of
// new keys, KCL-style lease renewals (UpdateItem under a condition on
// leaseCounter), and unconditional counter UpdateItems, each by N
// concurrent clients for a fixed time, reporting operations per second and
// latency percentiles.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/ddbbench -eddy bin/eddy -clients 64 -duration 10s
//
// Servers (-targets, in this order):
//
//	eddy           `eddy serve` started by the benchmark, durable in a temporary
//	               --data-dir (every write committed to bbolt with fsync before
//	               it is acknowledged), or -eddy-endpoint
//	dynalite       interop/dynalite/serve.js, in memory (dynalite's default)
//	dynalite-disk  the same with --path in a temporary directory (LevelDB)
//
// Requests are built by hand and written to one persistent connection per
// client (-client raw, the default; see rawconn.go), so that the load
// generator's CPU, on the same machine, stays small beside the server's;
// -client http sends the same bodies through net/http, each SigV4-signed,
// and -client sdk through aws-sdk-go-v2. -server-profile writes a CPU profile of Eddy under the put-new
// workload (it starts Eddy with --pprof).
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
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
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

var creds = aws.Credentials{AccessKeyID: "AKIDBENCH", SecretAccessKey: "bench-secret"}

func main() {
	var (
		eddyBin      = flag.String("eddy", "bin/eddy", "the eddy binary to start (durable, temporary data directory)")
		eddyEndpoint = flag.String("eddy-endpoint", "", "a running Eddy to use instead of starting -eddy")
		dynaliteDir  = flag.String("dynalite-dir", "interop/dynalite", "directory of serve.js and its node_modules")
		targets      = flag.String("targets", "eddy,dynalite", "comma-separated: eddy, dynalite, dynalite-disk")
		workloads    = flag.String("workloads", "put-new,lease,update", "comma-separated: put-new, lease, update")
		clients      = flag.Int("clients", 64, "concurrent clients")
		duration     = flag.Duration("duration", 10*time.Second, "how long each workload runs")
		keys         = flag.Int("keys", 10000, "distinct keys of the update workload")
		itemSize     = flag.Int("item-size", 100, "bytes of payload per PutItem")
		clientKind   = flag.String("client", "raw", "raw (persistent connections, pre-built requests), http (net/http, each request signed) or sdk (aws-sdk-go-v2)")
		serverProf   = flag.String("server-profile", "", "write Eddy's CPU profile under put-new to this file")
		eddyGOGC     = flag.String("eddy-gogc", "", "GOGC for the eddy process only (empty: inherited)")
	)
	flag.Parse()
	log.SetFlags(0)

	fmt.Printf("%d clients, %s per workload, %s client, %d-byte items\n", *clients, *duration, *clientKind, *itemSize)
	fmt.Printf("%-14s %-9s %10s %10s %8s %8s %8s %8s %8s %12s %12s\n", "server", "workload", "ops", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "errors", "server µs/op", "client µs/op")
	rates := map[string]map[string]float64{}
	for _, target := range strings.Split(*targets, ",") {
		endpoint, admin, pid, stop, err := start(target, *eddyBin, *eddyEndpoint, *dynaliteDir, *serverProf != "", *eddyGOGC)
		if err != nil {
			log.Fatalf("%s: %v", target, err)
		}
		rates[target] = map[string]float64{}
		for i, wl := range strings.Split(*workloads, ",") {
			table := fmt.Sprintf("bench-%s-%d", wl, time.Now().UnixNano())
			b := &bench{endpoint: endpoint, table: table, clients: *clients, keys: *keys, itemSize: *itemSize, kind: *clientKind}
			b.init()
			if err := b.createTable(); err != nil {
				log.Fatalf("%s: create table: %v", target, err)
			}
			if wl == "lease" {
				if err := b.createLeases(); err != nil {
					log.Fatalf("%s: leases: %v", target, err)
				}
			}
			var prof chan error
			if target == "eddy" && i == 0 && *serverProf != "" && admin != "" {
				prof = make(chan error, 1)
				go func() { prof <- fetchProfile(admin, *duration, *serverProf) }()
			}
			srv0, cli0 := procCPU(pid), selfCPU()
			r := b.run(wl, *duration)
			srvCPU, cliCPU := procCPU(pid)-srv0, selfCPU()-cli0
			if prof != nil {
				if err := <-prof; err != nil {
					log.Printf("server profile: %v", err)
				}
			}
			rates[target][wl] = r.rate
			fmt.Printf("%-14s %-9s %10d %10.0f %8.2f %8.2f %8.2f %8.2f %8d %12.1f %12.1f\n", target, wl, r.ops, r.rate,
				ms(r.pct(50)), ms(r.pct(90)), ms(r.pct(99)), ms(r.pct(100)), r.errors,
				perOp(srvCPU, r.ops), perOp(cliCPU, r.ops))
		}
		stop()
	}
	if e, d := rates["eddy"], rates["dynalite"]; e != nil && d != nil {
		for _, wl := range strings.Split(*workloads, ",") {
			if d[wl] > 0 {
				fmt.Printf("eddy / dynalite, %s: %.1fx\n", wl, e[wl]/d[wl])
			}
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func perOp(cpu time.Duration, ops int) float64 {
	if cpu < 0 || ops == 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(ops)
}

// procCPU is the user+system CPU time of process pid (Linux's
// /proc/PID/stat), or -1 when unknown.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	// The fields after the command's closing parenthesis; utime and stime
	// are the 14th and 15th fields of the line, in clock ticks (100/s).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	if len(f) < 13 {
		return -1
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// start starts (or names) a server; admin is Eddy's admin address with
// pprof, when the benchmark started it; pid is the server's process, 0 if
// not started here.
func start(target, eddyBin, eddyEndpoint, dynaliteDir string, pprof bool, gogc string) (endpoint, admin string, pid int, stop func(), err error) {
	switch target {
	case "eddy":
		if eddyEndpoint != "" {
			return eddyEndpoint, "", 0, func() {}, nil
		}
		dir, err := os.MkdirTemp("", "ddbbench-eddy-")
		if err != nil {
			return "", "", 0, nil, err
		}
		args := []string{"serve", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn"}
		if pprof {
			args = append(args, "--pprof")
		}
		cmd := exec.Command(eddyBin, args...)
		if gogc != "" {
			cmd.Env = append(os.Environ(), "GOGC="+gogc)
		}
		lines, err := startCmd(cmd, "eddy listening on ", "eddy admin on ")
		if err != nil {
			os.RemoveAll(dir)
			return "", "", 0, nil, err
		}
		return lines[0], lines[1], cmd.Process.Pid, func() { stopCmd(cmd); os.RemoveAll(dir) }, nil
	case "dynalite", "dynalite-disk":
		args := []string{filepath.Join(dynaliteDir, "serve.js")}
		var dir string
		if target == "dynalite-disk" {
			if dir, err = os.MkdirTemp("", "ddbbench-dynalite-"); err != nil {
				return "", "", 0, nil, err
			}
			args = append(args, "--path", dir)
		}
		cmd := exec.Command("node", args...)
		lines, err := startCmd(cmd, "dynalite listening on ")
		if err != nil {
			return "", "", 0, nil, err
		}
		return lines[0], "", cmd.Process.Pid, func() {
			stopCmd(cmd)
			if dir != "" {
				os.RemoveAll(dir)
			}
		}, nil
	}
	return "", "", 0, nil, fmt.Errorf("unknown target %q", target)
}

// stdins keeps the started servers' stdin pipes open (dynalite's serve.js
// exits when its stdin closes; a pipe no longer referenced would be closed
// by its finalizer) until stopCmd.
var stdins = map[*exec.Cmd]io.Closer{}

// startCmd starts cmd and returns, in order, the rest of the first stdout
// line starting with each prefix.
func startCmd(cmd *exec.Cmd, prefixes ...string) ([]string, error) {
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdins[cmd] = stdin
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	got := make([]string, len(prefixes))
	found := 0
	sc := bufio.NewScanner(out)
	deadline := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for found < len(prefixes) && sc.Scan() {
		for i, p := range prefixes {
			if rest, ok := strings.CutPrefix(sc.Text(), p); ok && got[i] == "" {
				got[i] = strings.TrimSpace(rest)
				found++
			}
		}
	}
	if found < len(prefixes) {
		stopCmd(cmd)
		return nil, fmt.Errorf("%s did not start", cmd.Path)
	}
	go io.Copy(io.Discard, out)
	return got, nil
}

func stopCmd(cmd *exec.Cmd) {
	if c := stdins[cmd]; c != nil {
		c.Close()
		delete(stdins, cmd)
	}
	cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

func fetchProfile(admin string, d time.Duration, file string) error {
	secs := max(int(d.Seconds())-1, 1)
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", admin, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("profile: %s", resp.Status)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(f, resp.Body)
	return err
}

// A bench is one workload on one table of one server.
type bench struct {
	endpoint string
	table    string
	clients  int
	keys     int
	itemSize int
	kind     string // raw, http or sdk
	hc       *http.Client
	ddb      *dynamodb.Client
	payload  string
	// the raw client's header blocks (rawconn.go)
	putHeader, updateHeader []byte
}

var signer = v4.NewSigner()

func (b *bench) init() {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	tr.MaxIdleConns = b.clients * 2
	tr.MaxIdleConnsPerHost = b.clients * 2
	b.hc = &http.Client{Transport: tr, Timeout: time.Minute}
	b.ddb = dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String(b.endpoint),
		Credentials: credentials.StaticCredentialsProvider{Value: creds}, HTTPClient: b.hc, Retryer: aws.NopRetryer{}})
	b.payload = strings.Repeat("x", b.itemSize)
}

// call sends one raw DynamoDB request and returns the response status and
// body.
func (b *bench) call(op, body string) (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, b.endpoint+"/", strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+op)
	sum := sha256.Sum256([]byte(body))
	if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
		return 0, nil, err
	}
	resp, err := b.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

func (b *bench) createTable() error {
	status, body, err := b.call("CreateTable", fmt.Sprintf(`{"TableName":%q,"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`, b.table))
	if err != nil || status != 200 {
		return fmt.Errorf("%v %d %s", err, status, body)
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		_, body, err := b.call("DescribeTable", fmt.Sprintf(`{"TableName":%q}`, b.table))
		if err == nil && bytes.Contains(body, []byte(`"TableStatus":"ACTIVE"`)) {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("table %s not ACTIVE after a minute", b.table)
}

// createLeases puts one lease per client, as the KCL does at start-up.
func (b *bench) createLeases() error {
	for c := range b.clients {
		status, body, err := b.call("PutItem", fmt.Sprintf(`{"TableName":%q,"Item":{"pk":{"S":"shardId-%012d"},"leaseCounter":{"N":"0"},"leaseOwner":{"S":"worker-%d"},"checkpoint":{"S":"TRIM_HORIZON"}},"Expected":{"pk":{"Exists":false}}}`, b.table, c, c))
		if err != nil || status != 200 {
			return fmt.Errorf("%v %d %s", err, status, body)
		}
	}
	return nil
}

type result struct {
	ops, errors int
	rate        float64
	lat         []time.Duration // sorted
}

func (r result) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := min(len(r.lat)*p/100, len(r.lat)-1)
	return r.lat[i]
}

// run runs a workload with b.clients goroutines for d.
func (b *bench) run(wl string, d time.Duration) result {
	var (
		stop   atomic.Bool
		errs   atomic.Int64
		mu     sync.Mutex
		all    []time.Duration
		wg     sync.WaitGroup
		lastEr atomic.Value
	)
	if b.kind == "raw" {
		if err := b.rawHeaders(); err != nil {
			log.Fatalf("raw client: %v", err)
		}
	}
	begin := time.Now()
	for c := range b.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{b: b, c: c, body: make([]byte, 0, 512)}
			if b.kind == "raw" {
				var err error
				if w.rc, err = newRawConn(b.endpoint); err != nil {
					log.Fatal(err)
				}
				defer w.rc.close()
			}
			lat := make([]time.Duration, 0, 1<<16)
			counter := 0
			for i := 0; !stop.Load(); i++ {
				t0 := time.Now()
				var err error
				switch wl {
				case "put-new":
					err = w.putNew(i)
				case "lease":
					err = w.renew(counter)
					if err == nil {
						counter++
					}
				case "update":
					err = w.update((c*7919 + i*104729) % b.keys)
				default:
					log.Fatalf("unknown workload %q", wl)
				}
				if err != nil {
					errs.Add(1)
					lastEr.Store(err.Error())
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	elapsed := time.Since(begin)
	slices.Sort(all)
	if e, ok := lastEr.Load().(string); ok {
		log.Printf("%s: last error: %s", wl, e)
	}
	return result{ops: len(all), errors: int(errs.Load()), rate: float64(len(all)) / elapsed.Seconds(), lat: all}
}

// rawHeaders builds the raw client's header blocks, one per operation.
func (b *bench) rawHeaders() error {
	var err error
	w := &worker{b: b}
	if b.putHeader, err = rawHeader(b.endpoint, "PutItem", string(w.putBody(0))); err != nil {
		return err
	}
	b.updateHeader, err = rawHeader(b.endpoint, "UpdateItem", string(w.updateBody(0)))
	return err
}

// A worker is one benchmark client: its connection (raw client) and the
// buffer its request bodies are built in.
type worker struct {
	b    *bench
	c    int // the client's number
	rc   *rawConn
	body []byte
}

// send sends the body built in w.body as operation op (its raw header
// block is header).
func (w *worker) send(op string, header []byte) error {
	if w.b.kind == "raw" {
		return w.rc.do(header, w.body)
	}
	return w.b.expect200(op, string(w.body))
}

// putNew: PutItem of a new key under attribute_not_exists(pk).
func (w *worker) putNew(i int) error {
	b := w.b
	if b.kind == "sdk" {
		key := "item-" + strconv.Itoa(w.c) + "-" + strconv.Itoa(i)
		_, err := b.ddb.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(b.table),
			Item:                map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}, "data": &types.AttributeValueMemberS{Value: b.payload}},
			ConditionExpression: aws.String("attribute_not_exists(pk)")})
		return err
	}
	w.putBody(i)
	return w.send("PutItem", b.putHeader)
}

func (w *worker) putBody(i int) []byte {
	w.body = append(w.body[:0], `{"TableName":"`+w.b.table+`","Item":{"pk":{"S":"item-`...)
	w.body = strconv.AppendInt(w.body, int64(w.c), 10)
	w.body = append(w.body, '-')
	w.body = strconv.AppendInt(w.body, int64(i), 10)
	w.body = append(w.body, `"},"data":{"S":"`+w.b.payload+`"}},"ConditionExpression":"attribute_not_exists(pk)"}`...)
	return w.body
}

// renew: the KCL's renewLease: AttributeUpdates leaseCounter ADD 1 under
// Expected leaseCounter = the value last read.
func (w *worker) renew(counter int) error {
	b := w.b
	if b.kind == "sdk" {
		key := fmt.Sprintf("shardId-%012d", w.c)
		_, err := b.ddb.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(b.table),
			Key:              map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}},
			Expected:         map[string]types.ExpectedAttributeValue{"leaseCounter": {Value: &types.AttributeValueMemberN{Value: strconv.Itoa(counter)}}},
			AttributeUpdates: map[string]types.AttributeValueUpdate{"leaseCounter": {Action: types.AttributeActionAdd, Value: &types.AttributeValueMemberN{Value: "1"}}}})
		return err
	}
	w.body = fmt.Appendf(w.body[:0], `{"TableName":"%s","Key":{"pk":{"S":"shardId-%012d"}},"Expected":{"leaseCounter":{"Value":{"N":"`, b.table, w.c)
	w.body = strconv.AppendInt(w.body, int64(counter), 10)
	w.body = append(w.body, `"}}},"AttributeUpdates":{"leaseCounter":{"Action":"ADD","Value":{"N":"1"}}}}`...)
	return w.send("UpdateItem", b.updateHeader)
}

// update: UpdateItem ADD n :one on one of b.keys keys, unconditional.
func (w *worker) update(k int) error {
	b := w.b
	if b.kind == "sdk" {
		key := "counter-" + strconv.Itoa(k)
		_, err := b.ddb.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{TableName: aws.String(b.table),
			Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: key}}, UpdateExpression: aws.String("ADD n :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
		return err
	}
	w.updateBody(k)
	return w.send("UpdateItem", b.updateHeader)
}

func (w *worker) updateBody(k int) []byte {
	w.body = append(w.body[:0], `{"TableName":"`+w.b.table+`","Key":{"pk":{"S":"counter-`...)
	w.body = strconv.AppendInt(w.body, int64(k), 10)
	w.body = append(w.body, `"}},"UpdateExpression":"ADD n :one","ExpressionAttributeValues":{":one":{"N":"1"}}}`...)
	return w.body
}

func (b *bench) expect200(op, body string) error {
	status, out, err := b.call(op, body)
	if err != nil {
		return err
	}
	if status != 200 {
		return fmt.Errorf("%s: %d %s", op, status, out)
	}
	return nil
}
