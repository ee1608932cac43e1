package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Event source mapping scenarios against the real binary (issue 15):
// one `eddy serve` child, and for each scenario its own stream, function
// and mapping, driven with aws-sdk-go-v2's Kinesis and Lambda clients.
// Every function runs scenarioHandler, whose behaviour the function's
// Environment chooses; it appends one JSON line per invocation to $OUT,
// so each scenario checks the exact batches the function saw.
//
// MaximumRecordAgeInSeconds's smallest value is 60
// (API_CreateEventSourceMapping) and the server has no clock to move, so
// its scenario waits until its first records are a minute old; it runs
// beside the others. lambda/esm's TestRecordAgeDiscardsWithoutInvoking
// covers the rule on a fake clock.

// scenarioHandler is the Python function of the scenarios. MODE and ARG
// (environment) choose what it does with a batch holding a record whose
// data is ARG ("*": any batch):
//
//	record    succeed (the default)
//	fail-on   raise an exception
//	partial   report that record in batchItemFailures, the first time only
//	sleep-on  sleep 3 s (past a Timeout of 1 s)
//	crash-on  exit the process with status 1
//	sleep     sleep ARG seconds on every batch, then succeed
//	sum       tumbling windows: return {"state": {"sum": state.sum + the records' data as integers}}
//
// It writes what it saw before failing, sleeping or crashing, so a batch
// whose invocation never returns is recorded too.
const scenarioHandler = `import base64, json, os, time

def handler(event, context):
    start = time.time()
    mode = os.environ.get("MODE", "record")
    arg = os.environ.get("ARG", "")
    recs = []
    for r in event.get("Records") or []:
        k = r["kinesis"]
        recs.append({"seq": k["sequenceNumber"], "key": k["partitionKey"],
                     "data": base64.b64decode(k["data"]).decode(),
                     "arrival": k["approximateArrivalTimestamp"],
                     "shard": r["eventID"].split(":")[0]})
    seen = {"pid": os.getpid(), "start": start, "records": recs}
    for k in ("window", "state", "isFinalInvokeForWindow"):
        if k in event:
            seen[k] = event[k]
    datas = [r["data"] for r in recs]
    hit = bool(recs) and (arg == "*" or arg in datas)

    def log(outcome, **extra):
        seen.update(extra)
        seen["outcome"] = outcome
        seen["end"] = time.time()
        with open(os.environ["OUT"], "a") as f:
            f.write(json.dumps(seen) + "\n")

    if mode == "fail-on" and hit:
        log("error")
        raise Exception("poison record " + arg)
    marker = os.environ["OUT"] + ".failed"
    if mode == "partial" and hit and not os.path.exists(marker):
        open(marker, "w").close()
        log("partial")
        return {"batchItemFailures": [{"itemIdentifier": recs[datas.index(arg)]["seq"]}]}
    if mode == "sleep-on" and hit:
        log("sleep")
        time.sleep(3)
        return {}
    if mode == "crash-on" and hit:
        log("crash")
        os._exit(1)
    if mode == "sleep":
        time.sleep(float(arg))
    if mode == "sum":
        state = event.get("state") or {}
        total = state.get("sum", 0) + sum(int(d) for d in datas)
        log("ok", returned=total)
        return {"state": {"sum": total}}
    log("ok")
    return {}
`

// invocation is one line of scenarioHandler's output.
type invocation struct {
	PID     int     `json:"pid"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
	Outcome string  `json:"outcome"`
	Records []struct {
		Seq     string  `json:"seq"`
		Key     string  `json:"key"`
		Data    string  `json:"data"`
		Arrival float64 `json:"arrival"`
		Shard   string  `json:"shard"`
	} `json:"records"`
	Window *struct {
		Start time.Time `json:"start"`
		End   time.Time `json:"end"`
	} `json:"window"`
	State    map[string]any `json:"state"`
	Final    bool           `json:"isFinalInvokeForWindow"`
	Returned int            `json:"returned"`
}

func (inv *invocation) data() []string {
	var d []string
	for _, r := range inv.Records {
		d = append(d, r.Data)
	}
	return d
}

// scenarioServer is the scenarios' server, and the directory of their
// functions' output files.
type scenarioServer struct {
	*child
	dir string
}

// esmScenario is one scenario's stream, function and output file.
type esmScenario struct {
	t      *testing.T
	srv    *scenarioServer
	kc     *kinesis.Client
	lc     *lambda.Client
	name   string
	out    string
	fnARN  string
	stream string // the source stream's ARN
}

const scenarioAccount = "arn:aws:kinesis:us-east-1:000000000000:stream/"

// newScenario creates the stream name (shards shards) and the function
// name running scenarioHandler with MODE mode and ARG arg.
func newScenario(t *testing.T, srv *scenarioServer, name string, shards int32, mode, arg string, timeout int32) *esmScenario {
	t.Helper()
	s := &esmScenario{t: t, srv: srv, kc: srv.client(), lc: srv.lambdaClient(), name: name,
		out: filepath.Join(srv.dir, name+".jsonl"), stream: scenarioAccount + name}
	createTestStream(t, s.kc, name, shards)
	fn, err := s.lc.CreateFunction(testContext(t), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &ltypes.FunctionCode{ZipFile: pythonZip(scenarioHandler)},
		Timeout:     aws.Int32(timeout),
		Environment: &ltypes.Environment{Variables: map[string]string{"OUT": s.out, "MODE": mode, "ARG": arg}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.fnARN = aws.ToString(fn.FunctionArn)
	return s
}

// mapping creates the scenario's mapping (TRIM_HORIZON), in filled in by f.
func (s *esmScenario) mapping(f func(in *lambda.CreateEventSourceMappingInput)) string {
	s.t.Helper()
	in := &lambda.CreateEventSourceMappingInput{FunctionName: aws.String(s.name), EventSourceArn: aws.String(s.stream),
		StartingPosition: ltypes.EventSourcePositionTrimHorizon}
	if f != nil {
		f(in)
	}
	m, err := s.lc.CreateEventSourceMapping(testContext(s.t), in)
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(m.UUID)
}

// putAll puts datas with PutRecords in one call, partition key key(i),
// and returns their sequence numbers.
func (s *esmScenario) putAll(stream string, datas []string, key func(i int) string) []string {
	s.t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for i, d := range datas {
		entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String(key(i)), Data: []byte(d)})
	}
	out, err := s.kc.PutRecords(testContext(s.t), &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil {
		s.t.Fatal(err)
	}
	if aws.ToInt32(out.FailedRecordCount) != 0 {
		s.t.Fatalf("PutRecords: %d failed", aws.ToInt32(out.FailedRecordCount))
	}
	seqs := make([]string, len(out.Records))
	for i, r := range out.Records {
		seqs[i] = aws.ToString(r.SequenceNumber)
	}
	return seqs
}

func (s *esmScenario) put(data, key string) string {
	s.t.Helper()
	out, err := s.kc.PutRecord(testContext(s.t), &kinesis.PutRecordInput{StreamName: aws.String(s.name), PartitionKey: aws.String(key), Data: []byte(data)})
	if err != nil {
		s.t.Fatal(err)
	}
	return aws.ToString(out.SequenceNumber)
}

// invocations reads what the function saw so far, in the order it wrote it.
func (s *esmScenario) invocations() []invocation {
	s.t.Helper()
	f, err := os.Open(s.out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		s.t.Fatal(err)
	}
	defer f.Close()
	var invs []invocation
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var inv invocation
		if err := json.Unmarshal(sc.Bytes(), &inv); err != nil {
			// A line being written: read again later.
			break
		}
		invs = append(invs, inv)
	}
	return invs
}

// batches renders invocations as "outcome:data,data|...", for failures.
func batches(invs []invocation) string {
	var b []string
	for _, inv := range invs {
		b = append(b, inv.Outcome+":"+strings.Join(inv.data(), ","))
	}
	return strings.Join(b, " | ")
}

// handled counts the records of invocations that returned successfully.
func handled(invs []invocation) int {
	n := 0
	for _, inv := range invs {
		if inv.Outcome == "ok" {
			n += len(inv.Records)
		}
	}
	return n
}

// waitFor polls cond every 10 ms until it holds, failing the test after
// testTimeout with what the function saw.
func (s *esmScenario) waitFor(what string, cond func(invs []invocation) bool) []invocation {
	s.t.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		invs := s.invocations()
		if cond(invs) {
			return invs
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s: not within %v; the function saw %s", what, testTimeout, batches(invs))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// failureRecord is the on-failure record as a Kinesis destination holds
// it, with the partition key it was put with.
type failureRecord struct {
	key string
	raw map[string]any
}

// destination creates a one-shard stream name for on-failure records and
// returns its ARN.
func (s *esmScenario) destination(name string) string {
	s.t.Helper()
	createTestStream(s.t, s.kc, name, 1)
	return scenarioAccount + name
}

// failureRecords waits until the one-shard stream name holds n records
// and returns them.
func (s *esmScenario) failureRecords(name string, n int) []failureRecord {
	s.t.Helper()
	ctx := testContext(s.t)
	it, err := s.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		s.t.Fatal(err)
	}
	iter := it.ShardIterator
	var got []failureRecord
	deadline := time.Now().Add(testTimeout)
	for len(got) < n {
		out, err := s.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			s.t.Fatal(err)
		}
		for _, r := range out.Records {
			fr := failureRecord{key: aws.ToString(r.PartitionKey)}
			if err := json.Unmarshal(r.Data, &fr.raw); err != nil {
				s.t.Fatalf("on-failure record %s: %v", r.Data, err)
			}
			got = append(got, fr)
		}
		iter = out.NextShardIterator
		if len(got) < n {
			if time.Now().After(deadline) {
				s.t.Fatalf("%d on-failure records in %s within %v, want %d (the function saw %s)", len(got), name, testTimeout, n, batches(s.invocations()))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return got
}

// checkFailureRecord checks every field of an on-failure record: the
// shape of the developer guide's example (kinesis-on-failure-destination.html),
// for the batch of records seqs (arrived at arrivals, Unix ms), discarded
// with condition after invokes invocations, the last ending in
// functionError, no earlier than notBefore (Unix ms).
func (s *esmScenario) checkFailureRecord(fr failureRecord, condition string, invokes int, functionError string, seqs []string, arrivals []int64, notBefore int64) {
	s.t.Helper()
	raw := fr.raw
	keys := func(m any) []string {
		mm, _ := m.(map[string]any)
		var k []string
		for key := range mm {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	want := map[string][]string{
		"":                 {"KinesisBatchInfo", "requestContext", "responseContext", "timestamp", "version"},
		"requestContext":   {"approximateInvokeCount", "condition", "functionArn", "requestId"},
		"responseContext":  {"executedVersion", "functionError", "statusCode"},
		"KinesisBatchInfo": {"approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord", "batchSize", "endSequenceNumber", "shardId", "startSequenceNumber", "streamArn"},
	}
	for part, w := range want {
		var got []string
		if part == "" {
			got = keys(raw)
		} else {
			got = keys(raw[part])
		}
		if !slices.Equal(got, w) {
			s.t.Errorf("on-failure record %q fields %v, want %v", part, got, w)
		}
	}
	rc, _ := raw["requestContext"].(map[string]any)
	resp, _ := raw["responseContext"].(map[string]any)
	bi, _ := raw["KinesisBatchInfo"].(map[string]any)
	if rc == nil || resp == nil || bi == nil {
		s.t.Fatalf("on-failure record %v", raw)
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if id, _ := rc["requestId"].(string); !uuid.MatchString(id) {
		s.t.Errorf("requestId %q, want a UUID", id)
	}
	iso := func(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") }
	checks := []struct {
		what      string
		got, want any
	}{
		{"requestContext.functionArn", rc["functionArn"], s.fnARN},
		{"requestContext.condition", rc["condition"], condition},
		{"requestContext.approximateInvokeCount", rc["approximateInvokeCount"], float64(invokes)},
		{"responseContext.statusCode", resp["statusCode"], 200.0},
		{"responseContext.executedVersion", resp["executedVersion"], "$LATEST"},
		{"responseContext.functionError", resp["functionError"], functionError},
		{"version", raw["version"], "1.0"},
		{"KinesisBatchInfo.shardId", bi["shardId"], "shardId-000000000000"},
		{"KinesisBatchInfo.startSequenceNumber", bi["startSequenceNumber"], seqs[0]},
		{"KinesisBatchInfo.endSequenceNumber", bi["endSequenceNumber"], seqs[len(seqs)-1]},
		{"KinesisBatchInfo.approximateArrivalOfFirstRecord", bi["approximateArrivalOfFirstRecord"], iso(arrivals[0])},
		{"KinesisBatchInfo.approximateArrivalOfLastRecord", bi["approximateArrivalOfLastRecord"], iso(arrivals[len(arrivals)-1])},
		{"KinesisBatchInfo.batchSize", bi["batchSize"], float64(len(seqs))},
		{"KinesisBatchInfo.streamArn", bi["streamArn"], s.stream},
		// Eddy's extension: a Kinesis destination's record is put with
		// the shard id as partition key.
		{"partition key", fr.key, "shardId-000000000000"},
	}
	for _, c := range checks {
		if c.got != c.want {
			s.t.Errorf("on-failure record %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	ts, _ := raw["timestamp"].(string)
	at, err := time.Parse("2006-01-02T15:04:05.000Z", ts)
	if err != nil || at.UnixMilli() < notBefore || at.After(time.Now()) {
		s.t.Errorf("timestamp %q (%v): want an ISO 8601 UTC time in ms, from the last failed invocation (%s) to now", ts, err, iso(notBefore))
	}
}

// arrivalMillis is the record's approximateArrivalTimestamp (epoch seconds
// with the milliseconds as fraction) in Unix ms.
func arrivalMillis(sec float64) int64 { return int64(math.Round(sec * 1000)) }

// TestServeEventSourceMappingScenarios runs the event source mapping
// scenarios of issue 15 on one server; the scenarios run in parallel.
func TestServeEventSourceMappingScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	// The functions' output files outlive each scenario (a mapping keeps
	// running until the server stops): made before the server, the
	// directory is removed after it is killed.
	dir := t.TempDir()
	srv := &scenarioServer{child: startChild(t, "serve --listen 127.0.0.1:0 --in-memory"), dir: dir}
	t.Run("scenarios", func(t *testing.T) {
		t.Run("BatchSize", func(t *testing.T) { t.Parallel(); scenarioBatchSize(t, srv) })
		t.Run("BatchingWindow", func(t *testing.T) { t.Parallel(); scenarioBatchingWindow(t, srv) })
		t.Run("ParallelizationFactor", func(t *testing.T) { t.Parallel(); scenarioParallelization(t, srv) })
		t.Run("BisectPoisonRecord", func(t *testing.T) { t.Parallel(); scenarioBisect(t, srv) })
		t.Run("ReportBatchItemFailures", func(t *testing.T) { t.Parallel(); scenarioPartial(t, srv) })
		t.Run("RetriesExhausted", func(t *testing.T) { t.Parallel(); scenarioRetriesExhausted(t, srv) })
		t.Run("FilterCriteria", func(t *testing.T) { t.Parallel(); scenarioFilter(t, srv) })
		t.Run("TumblingWindowSum", func(t *testing.T) { t.Parallel(); scenarioTumbling(t, srv) })
		t.Run("Reshard", func(t *testing.T) { t.Parallel(); scenarioReshard(t, srv) })
		t.Run("Timeout", func(t *testing.T) { t.Parallel(); scenarioFailingHandler(t, srv, "timeout", "sleep-on") })
		t.Run("Crash", func(t *testing.T) { t.Parallel(); scenarioFailingHandler(t, srv, "crash", "crash-on") })
		t.Run("MaximumRecordAge", func(t *testing.T) { t.Parallel(); scenarioRecordAge(t, srv) })
	})
	srv.cmd.Process.Signal(syscall.SIGTERM)
}

// numbered returns prefix0 ... prefix(n-1).
func numbered(prefix string, n int) []string {
	d := make([]string, n)
	for i := range d {
		d[i] = prefix + strconv.Itoa(i)
	}
	return d
}

func sameKey(int) string { return "k" }

// scenarioBatchSize: BatchSize 7 and 20 records waiting make batches of
// exactly 7, 7 and 6 records, in order.
func scenarioBatchSize(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "batchsize", 1, "record", "", 10)
	datas := numbered("r", 20)
	s.putAll(s.name, datas, sameKey)
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(7) })
	invs := s.waitFor("20 records", func(invs []invocation) bool { return handled(invs) >= 20 })
	want := []string{strings.Join(datas[:7], ","), strings.Join(datas[7:14], ","), strings.Join(datas[14:], ",")}
	var got []string
	for _, inv := range invs {
		got = append(got, strings.Join(inv.data(), ","))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("batches %q, want %q", got, want)
	}
}

// scenarioBatchingWindow: with MaximumBatchingWindowInSeconds, records put
// one by one on a caught-up shard are invoked as one batch.
func scenarioBatchingWindow(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "batchwindow", 1, "record", "", 10)
	// 2 s rather than the smallest (1 s): the five puts below must all
	// land within the window, on a busy machine under -race.
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) { in.MaximumBatchingWindowInSeconds = aws.Int32(2) })
	// A first record, invoked alone once its window passed, shows the
	// poller is reading and caught up.
	s.put("first", "k")
	s.waitFor("the first record", func(invs []invocation) bool { return handled(invs) >= 1 })
	datas := numbered("w", 5)
	for _, d := range datas {
		s.put(d, "k")
	}
	invs := s.waitFor("five more records", func(invs []invocation) bool { return handled(invs) >= 6 })
	if got := batches(invs); got != "ok:first | ok:"+strings.Join(datas, ",") {
		t.Fatalf("batches %s, want the first record alone, then the five put one by one in one batch", got)
	}
}

// scenarioParallelization: ParallelizationFactor 10 on one shard with 20
// partition keys of 20 records each: every record exactly once, each
// key's records in order, and invocations running at the same time.
func scenarioParallelization(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "parallel", 1, "sleep", "0.2", 10)
	const keys, perKey = 20, 20
	var datas []string
	for i := 0; i < perKey; i++ {
		for k := 0; k < keys; k++ {
			datas = append(datas, fmt.Sprintf("k%d-%d", k, i))
		}
	}
	s.putAll(s.name, datas, func(i int) string { return "k" + strconv.Itoa(i%keys) })
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.BatchSize = aws.Int32(10)
		in.ParallelizationFactor = aws.Int32(10)
	})
	invs := s.waitFor("400 records", func(invs []invocation) bool { return handled(invs) >= keys*perKey })
	seen := map[string]int{}
	next := map[string]int{} // per key, the next record number expected
	for _, inv := range invs {
		for _, r := range inv.Records {
			seen[r.Data]++
			var k, i int
			fmt.Sscanf(r.Data, "k%d-%d", &k, &i)
			if key := "k" + strconv.Itoa(k); r.Key != key || next[key] != i {
				t.Errorf("record %s (key %s) came after record %d of its key", r.Data, r.Key, next[key]-1)
			} else {
				next[key] = i + 1
			}
		}
	}
	for _, d := range datas {
		if seen[d] != 1 {
			t.Errorf("record %s invoked %d times, want once", d, seen[d])
		}
	}
	if len(seen) != len(datas) {
		t.Errorf("%d distinct records invoked, want %d", len(seen), len(datas))
	}
	// Concurrency: two invocations whose [start, end) overlap, each
	// interval measured inside the function.
	overlap := false
	for i := range invs {
		for j := i + 1; j < len(invs); j++ {
			if invs[i].Start < invs[j].End && invs[j].Start < invs[i].End {
				overlap = true
			}
		}
	}
	if !overlap {
		t.Errorf("no two of %d invocations ran at the same time", len(invs))
	}
}

// scenarioBisect: BisectBatchOnFunctionError isolates a poison record;
// after its retries (MaximumRetryAttempts 2) it alone goes to the
// on-failure stream, and every other record is invoked successfully once.
func scenarioBisect(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "bisect", 1, "fail-on", "poison", 10)
	dest := s.destination("bisect-failures")
	datas := []string{"p0", "p1", "p2", "p3", "p4", "poison", "p6", "p7"}
	seqs := s.putAll(s.name, datas, sameKey)
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.BatchSize = aws.Int32(8)
		in.BisectBatchOnFunctionError = aws.Bool(true)
		in.MaximumRetryAttempts = aws.Int32(2)
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dest)}}
	})
	frs := s.failureRecords("bisect-failures", 1)
	invs := s.waitFor("the records after the poison one", func(invs []invocation) bool { return handled(invs) >= 7 })
	// Halves in stream order; bisection does not use up retries, so the
	// poison record alone is invoked 1 + 2 times.
	want := "error:p0,p1,p2,p3,p4,poison,p6,p7 | ok:p0,p1,p2,p3 | error:p4,poison,p6,p7 | error:p4,poison | ok:p4 | " +
		"error:poison | error:poison | error:poison | ok:p6,p7"
	if got := batches(invs); got != want {
		t.Errorf("batches\n %s\nwant\n %s", got, want)
	}
	var arrival int64
	var lastFailure float64
	for _, inv := range invs {
		for _, r := range inv.Records {
			if r.Data == "poison" {
				arrival = arrivalMillis(r.Arrival)
				lastFailure = inv.Start
			}
		}
	}
	s.checkFailureRecord(frs[0], "RetryAttemptsExhausted", 3, "Unhandled", seqs[5:6], []int64{arrival}, int64(lastFailure*1000))
}

// scenarioPartial: with ReportBatchItemFailures, a batch reporting one
// failed item is retried from that item's sequence number.
func scenarioPartial(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "partial", 1, "partial", "r3", 10)
	datas := numbered("r", 6)
	seqs := s.putAll(s.name, datas, sameKey)
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.FunctionResponseTypes = []ltypes.FunctionResponseType{ltypes.FunctionResponseTypeReportBatchItemFailures}
	})
	s.waitFor("the retry", func(invs []invocation) bool { return handled(invs) >= 3 })
	// The checkpoint is past r5: a new record is invoked alone.
	s.put("r6", "k")
	invs := s.waitFor("r6", func(invs []invocation) bool { return handled(invs) >= 4 })
	if got, want := batches(invs), "partial:r0,r1,r2,r3,r4,r5 | ok:r3,r4,r5 | ok:r6"; got != want {
		t.Fatalf("batches %s, want %s", got, want)
	}
	if got := invs[1].Records[0].Seq; got != seqs[3] {
		t.Errorf("the retry starts at %s, want r3's sequence number %s", got, seqs[3])
	}
}

// scenarioRetriesExhausted: a batch failing past MaximumRetryAttempts is
// described to the on-failure stream in Lambda's record shape, every
// field checked.
func scenarioRetriesExhausted(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "exhausted", 1, "fail-on", "*", 10)
	dest := s.destination("exhausted-failures")
	// Put one by one, each at least 2 ms after the last was acknowledged,
	// so that the batch's first and last arrival times differ.
	var seqs []string
	for _, d := range numbered("x", 3) {
		seqs = append(seqs, s.put(d, "k"))
		for acked := time.Now(); time.Since(acked) < 2*time.Millisecond; {
			time.Sleep(time.Millisecond)
		}
	}
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.MaximumRetryAttempts = aws.Int32(1)
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dest)}}
	})
	frs := s.failureRecords("exhausted-failures", 1)
	invs := s.invocations()
	if got, want := batches(invs), "error:x0,x1,x2 | error:x0,x1,x2"; got != want {
		t.Fatalf("batches %s, want %s", got, want)
	}
	var arrivals []int64
	for i, r := range invs[0].Records {
		if i > 0 && arrivalMillis(r.Arrival) == arrivals[i-1] {
			t.Errorf("records %d and %d arrived in the same millisecond", i-1, i)
		}
		if r.Seq != seqs[i] {
			t.Errorf("record %d: sequence number %s, want %s", i, r.Seq, seqs[i])
		}
		arrivals = append(arrivals, arrivalMillis(r.Arrival))
	}
	// The arrival times of the event are the stream's: GetRecords says the
	// same (to the millisecond the JSON float carries).
	it, err := s.kc.GetShardIterator(testContext(t), &kinesis.GetShardIteratorInput{StreamName: aws.String(s.name),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.kc.GetRecords(testContext(t), &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(got.Records) != 3 {
		t.Fatalf("GetRecords: %v, %v", got, err)
	}
	for i, r := range got.Records {
		if d := aws.ToTime(r.ApproximateArrivalTimestamp).UnixMilli() - arrivals[i]; d < -1 || d > 1 {
			t.Errorf("record %d: GetRecords says it arrived at %v, the event %d ms", i, r.ApproximateArrivalTimestamp, arrivals[i])
		}
	}
	s.checkFailureRecord(frs[0], "RetryAttemptsExhausted", 2, "Unhandled", seqs, arrivals, int64(invs[1].Start*1000))
	// Nothing was left behind: the next record is invoked alone.
	s.put("x3", "k")
	invs = s.waitFor("x3", func(invs []invocation) bool { return len(invs) >= 3 })
	if got := batches(invs[2:]); got != "error:x3" {
		t.Errorf("after the discarded batch: %s, want error:x3", got)
	}
}

// scenarioFilter: FilterCriteria invoke only matching records; the others
// are checkpointed, so restarting the mapping (an update) with a filter
// matching everything does not bring them back.
func scenarioFilter(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "filter", 1, "record", "", 10)
	datas := []string{`{"type":"keep","n":0}`, `{"type":"drop","n":1}`, `{"type":"keep","n":2}`, `{"type":"drop","n":3}`, `{"type":"drop","n":4}`}
	s.putAll(s.name, datas, sameKey)
	filter := func(pattern string) *ltypes.FilterCriteria {
		return &ltypes.FilterCriteria{Filters: []ltypes.Filter{{Pattern: aws.String(pattern)}}}
	}
	uuid := s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.FilterCriteria = filter(`{"data":{"type":["keep"]}}`)
	})
	s.waitFor("the kept records", func(invs []invocation) bool { return handled(invs) >= 2 })
	// OK is recorded once the batch is checkpointed, up to its last
	// (filtered) record.
	deadline := time.Now().Add(testTimeout)
	for {
		g, err := s.lc.GetEventSourceMapping(testContext(t), &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.LastProcessingResult) == "OK" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("LastProcessingResult %q", aws.ToString(g.LastProcessingResult))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := s.lc.UpdateEventSourceMapping(testContext(t), &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid),
		FilterCriteria: filter(`{"data":{"type":["keep","drop"]}}`)}); err != nil {
		t.Fatal(err)
	}
	// The update restarts the mapping's poller from its checkpoint, at
	// its next look at the mappings (no API answer tells when). Until
	// then a record put is filtered by the old poller: put one record
	// after another until one is invoked.
	var probes []string
	var invs []invocation
	for len(invs) < 2 {
		probes = append(probes, fmt.Sprintf(`{"type":"drop","n":%d}`, 100+len(probes)))
		s.put(probes[len(probes)-1], "k")
		if len(probes) > 100 {
			t.Fatalf("no record invoked after the update; the function saw %s", batches(s.invocations()))
		}
		for until := time.Now().Add(500 * time.Millisecond); len(invs) < 2 && time.Now().Before(until); {
			time.Sleep(10 * time.Millisecond)
			invs = s.invocations()
		}
	}
	if got, want := batches(invs[:1]), "ok:"+datas[0]+","+datas[2]; got != want {
		t.Errorf("first batch %s, want %s", got, want)
	}
	// After the restart: probes only (the later ones, in order), none of
	// the records filtered before the update.
	var after []string
	for _, inv := range invs[1:] {
		after = append(after, inv.data()...)
	}
	if len(after) == 0 || len(after) > len(probes) || !slices.Equal(after, probes[len(probes)-len(after):]) {
		t.Errorf("after the update the function saw %q; want the last of the records put since, %q", after, probes)
	}
	labels := `{function="` + s.fnARN + `",uuid="` + uuid + `"}`
	filtered := fmt.Sprintf("lambda_esm_filtered_records_total%s %d\n", labels, 3+max(len(probes)-len(after), 0))
	if _, body := get(t, "http://"+srv.admin+"/metrics"); !strings.Contains(body, filtered) {
		t.Errorf("/metrics: want %s", filtered)
	}
}

// scenarioTumbling: TumblingWindowInSeconds 1 with a function summing its
// records into the window's state: each window's final state is the sum
// of the records that arrived in it, and the windows' sums add up to the
// sum of everything put.
func scenarioTumbling(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "tumbling", 1, "sum", "", 10)
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) { in.TumblingWindowInSeconds = aws.Int32(1) })
	total, n := 0, 0
	for round := 0; round < 3; round++ {
		// Each round starts in a new second, so records fall into at
		// least three windows.
		for sec := time.Now().Unix(); time.Now().Unix() == sec; {
			time.Sleep(5 * time.Millisecond)
		}
		var datas []string
		for j := 1; j <= 5; j++ {
			v := round*10 + j
			datas = append(datas, strconv.Itoa(v))
			total += v
			n++
		}
		s.putAll(s.name, datas, sameKey)
	}
	// Done when every record was summed and every window got its final
	// invocation.
	windowOf := func(inv invocation) int64 { return inv.Window.Start.Unix() }
	done := func(invs []invocation) bool {
		records, open := 0, map[int64]bool{}
		for _, inv := range invs {
			if inv.Window == nil {
				continue
			}
			if inv.Final {
				delete(open, windowOf(inv))
			} else if len(inv.Records) > 0 {
				open[windowOf(inv)] = true
				records += len(inv.Records)
			}
		}
		return records >= n && len(open) == 0
	}
	invs := s.waitFor("every window's final invocation", done)
	want := map[int64]int{} // per window start, the sum of its records
	finals := map[int64]int{}
	sumOfFinals := 0
	for _, inv := range invs {
		if inv.Window == nil || inv.Outcome != "ok" {
			t.Fatalf("invocation %+v: want a windowed, successful one", inv)
		}
		if inv.Final {
			if len(inv.Records) != 0 {
				t.Errorf("final invocation of window %v with records", inv.Window.Start)
			}
			finals[windowOf(inv)]++
			sumOfFinals += inv.Returned
			continue
		}
		for _, r := range inv.Records {
			at := arrivalMillis(r.Arrival)
			if at < inv.Window.Start.UnixMilli() || at >= inv.Window.End.UnixMilli() {
				t.Errorf("record %s arrived at %d, outside its window [%v, %v)", r.Data, at, inv.Window.Start, inv.Window.End)
			}
			v, _ := strconv.Atoi(r.Data)
			want[windowOf(inv)] += v
		}
	}
	for w, c := range finals {
		if c != 1 {
			t.Errorf("window %d: %d final invocations, want 1", w, c)
		}
	}
	for _, inv := range invs {
		if inv.Final && inv.Returned != want[windowOf(inv)] {
			t.Errorf("window %v: final state %d, want %d (its records' sum)", inv.Window.Start, inv.Returned, want[windowOf(inv)])
		}
	}
	if len(want) < 3 || len(finals) != len(want) {
		t.Errorf("%d windows with records, %d final invocations; want at least 3, one final each", len(want), len(finals))
	}
	if sumOfFinals != total {
		t.Errorf("the windows' final states add up to %d, the records put to %d", sumOfFinals, total)
	}
}

// scenarioReshard: UpdateShardCount while records are put and invoked:
// every record once, and for each key its parent shard's records before
// its children's, in put order.
func scenarioReshard(t *testing.T, srv *scenarioServer) {
	// Batches take 100 ms or more, so that the parent shard still has
	// records to hand when it is split.
	s := newScenario(t, srv, "reshard", 1, "sleep", "0.1", 10)
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) { in.BatchSize = aws.Int32(10) })
	const keys = 5
	var resharded atomic.Bool
	errs := make(chan error, 1)
	rounds := make(chan int, 1)
	go func() {
		// Rounds of one record per key, each put once the function has
		// caught up to within twenty rounds, until ten rounds after the
		// reshard.
		after := 0
		for r := 0; ; r++ {
			deadline := time.Now().Add(testTimeout)
			for handled(s.invocations()) < keys*(r-20) {
				if time.Now().After(deadline) {
					errs <- fmt.Errorf("round %d: the function did not catch up", r)
					return
				}
				time.Sleep(5 * time.Millisecond)
			}
			var entries []ktypes.PutRecordsRequestEntry
			for k := 0; k < keys; k++ {
				entries = append(entries, ktypes.PutRecordsRequestEntry{PartitionKey: aws.String("k" + strconv.Itoa(k)), Data: fmt.Appendf(nil, "k%d-%d", k, r)})
			}
			out, err := s.kc.PutRecords(testContext(t), &kinesis.PutRecordsInput{StreamName: aws.String(s.name), Records: entries})
			if err == nil && aws.ToInt32(out.FailedRecordCount) != 0 {
				err = fmt.Errorf("%d records failed", aws.ToInt32(out.FailedRecordCount))
			}
			if err != nil {
				errs <- fmt.Errorf("round %d: %w", r, err)
				return
			}
			if resharded.Load() {
				if after++; after == 10 {
					rounds <- r + 1
					return
				}
			}
		}
	}()
	s.waitFor("records before the reshard", func(invs []invocation) bool { return handled(invs) >= 5*keys })
	if _, err := s.kc.UpdateShardCount(testContext(t), &kinesis.UpdateShardCountInput{StreamName: aws.String(s.name),
		TargetShardCount: aws.Int32(2), ScalingType: ktypes.ScalingTypeUniformScaling}); err != nil {
		t.Fatal(err)
	}
	resharded.Store(true)
	var n int
	select {
	case err := <-errs:
		t.Fatal(err)
	case n = <-rounds:
	}
	invs := s.waitFor("every record", func(invs []invocation) bool { return handled(invs) >= n*keys })
	seen := map[string]int{}
	next := map[string]int{}
	onChild := map[string]bool{}
	shards := map[string]int{}
	for _, inv := range invs {
		for _, r := range inv.Records {
			seen[r.Data]++
			shards[r.Shard]++
			var k, i int
			fmt.Sscanf(r.Data, "k%d-%d", &k, &i)
			key := "k" + strconv.Itoa(k)
			if next[key] != i {
				t.Errorf("record %s came after record %d of its key", r.Data, next[key]-1)
			}
			next[key] = i + 1
			if r.Shard != "shardId-000000000000" {
				onChild[key] = true
			} else if onChild[key] {
				t.Errorf("record %s of the parent shard came after a child's record of its key", r.Data)
			}
		}
	}
	for r := 0; r < n; r++ {
		for k := 0; k < keys; k++ {
			if d := fmt.Sprintf("k%d-%d", k, r); seen[d] != 1 {
				t.Errorf("record %s invoked %d times, want once", d, seen[d])
			}
		}
	}
	if len(shards) != 3 {
		t.Errorf("records by shard %v: want the parent's and both children's", shards)
	}
}

// scenarioFailingHandler: a function that times out (Timeout 1, sleeps
// 3 s) or crashes (os._exit(1)) on a record is retried, the record then
// goes to the on-failure stream with functionError Unhandled (the Invoke
// API: "Unhandled – The runtime didn't handle the error. For example, the
// function ran out of memory or timed out."), and the next record is
// invoked.
func scenarioFailingHandler(t *testing.T, srv *scenarioServer, name, mode string) {
	s := newScenario(t, srv, name, 1, mode, "bad", 1)
	dest := s.destination(name + "-failures")
	bad := s.put("bad", "k")
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.BatchSize = aws.Int32(1)
		in.MaximumRetryAttempts = aws.Int32(1)
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dest)}}
	})
	frs := s.failureRecords(name+"-failures", 1)
	s.put("good", "k")
	invs := s.waitFor("the next record", func(invs []invocation) bool { return handled(invs) >= 1 })
	outcome := map[string]string{"sleep-on": "sleep", "crash-on": "crash"}[mode]
	if got, want := batches(invs), outcome+":bad | "+outcome+":bad | ok:good"; got != want {
		t.Fatalf("batches %s, want %s", got, want)
	}
	if invs[0].PID == invs[1].PID {
		t.Errorf("the retry ran in the same process (%d): the failed instance should have been replaced", invs[0].PID)
	}
	s.checkFailureRecord(frs[0], "RetryAttemptsExhausted", 2, "Unhandled", []string{bad},
		[]int64{arrivalMillis(invs[0].Records[0].Arrival)}, int64(invs[1].Start*1000))
}

// scenarioRecordAge: with MaximumRecordAgeInSeconds 60, records older than
// a minute when the mapping reads them are not invoked but described to
// the on-failure destination (condition RecordAgeExceeded); a younger
// record put afterwards is invoked.
func scenarioRecordAge(t *testing.T, srv *scenarioServer) {
	s := newScenario(t, srv, "recordage", 1, "record", "", 10)
	dest := s.destination("recordage-failures")
	seqs := []string{s.put("old0", "k"), s.put("old1", "k")}
	// The records must be older than 60 s when read: wait for that.
	for put := time.Now(); time.Since(put) < 62*time.Second; {
		time.Sleep(100 * time.Millisecond)
	}
	s.mapping(func(in *lambda.CreateEventSourceMappingInput) {
		in.MaximumRecordAgeInSeconds = aws.Int32(60)
		in.DestinationConfig = &ltypes.DestinationConfig{OnFailure: &ltypes.OnFailure{Destination: aws.String(dest)}}
	})
	frs := s.failureRecords("recordage-failures", 1)
	rc, _ := frs[0].raw["requestContext"].(map[string]any)
	bi, _ := frs[0].raw["KinesisBatchInfo"].(map[string]any)
	if rc["condition"] != "RecordAgeExceeded" || bi["batchSize"] != 2.0 || bi["startSequenceNumber"] != seqs[0] || bi["endSequenceNumber"] != seqs[1] {
		t.Fatalf("on-failure record %v, want RecordAgeExceeded for %v", frs[0].raw, seqs)
	}
	s.put("young", "k")
	invs := s.waitFor("the young record", func(invs []invocation) bool { return handled(invs) >= 1 })
	if got := batches(invs); got != "ok:young" {
		t.Fatalf("batches %s, want only the young record invoked", got)
	}
}
