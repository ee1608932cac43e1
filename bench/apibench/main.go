// Command apibench measures Eddy's Kinesis API end to end through HTTP on
// loopback, with aws-sdk-go-v2 clients: PutRecords of -batch records of
// -size bytes from -clients concurrent clients into a -shards stream, then
// GetRecords reading every shard back. It reports records/s, MB/s and
// request latency percentiles, and checks that every record was read back.
//
//	go run ./bench/apibench                        # starts Eddy in-process (segment, sync always)
//	go run ./bench/apibench -endpoint http://127.0.0.1:4567
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/bench/internal/inproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
	"github.com/eddy-streams/eddy/iam"
)

// benchIdentities is -identities' directory: a user allowed the calls
// the benchmark makes, on its streams only, from loopback.
const benchIdentities = `{"Accounts": [{"Id": "000000000000", "Users": [{"UserName": "apibench",
  "AccessKeys": [{"AccessKeyId": "AKIAAPIBENCH00000000", "SecretAccessKey": "apibench-secret"}],
  "Policies": {"bench": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["kinesis:CreateStream", "kinesis:DeleteStream", "kinesis:Describe*", "kinesis:List*",
      "kinesis:PutRecord*", "kinesis:Get*", "kinesis:StartStreamEncryption"],
     "Resource": "arn:aws:kinesis:*:000000000000:stream/apibench-*",
     "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
    {"Effect": "Deny", "Action": "kinesis:DeleteStream", "Resource": "arn:aws:kinesis:*:*:stream/production-*"}]}}}]}]}`

func main() {
	endpoint := flag.String("endpoint", "", "Kinesis endpoint; empty: start Eddy in-process on 127.0.0.1")
	syncMode := flag.String("sync", "always", "in-process server's sync mode")
	shards := flag.Int("shards", 16, "shards in the stream")
	clients := flag.Int("clients", 8, "concurrent PutRecords clients")
	batch := flag.Int("batch", 500, "records per PutRecords")
	size := flag.Int("size", 1024, "record data size in bytes")
	records := flag.Int("records", 1_000_000, "records to put")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile (client and in-process server) to this file")
	limits := flag.String("limits", "off", "in-process server's throughput limits: off or aws (then records refused by a shard's limits are counted, not retried, and nothing is read back)")
	encrypt := flag.Bool("encrypt", false, "encrypt the stream at rest (StartStreamEncryption with alias/aws/kinesis) before putting")
	atRest := flag.Bool("at-rest", false, "in-process server stores as eddy serve --encrypt-at-rest does (sealed segment stores, metadata in walmeta)")
	identities := flag.Bool("identities", false, "in-process server authorizes every call as eddy serve --identities does: the client signs as a user whose policy allows the benchmark's calls on apibench-* streams")
	verify := flag.Bool("verify", false, "in-process server verifies signatures by the client's static key (eddy serve --access-key-id), without authorization: the base -identities compares with")
	raw := flag.Bool("raw", false, "put with pre-encoded PutRecords bodies over net/http instead of the SDK, so the client costs little CPU")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fail(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}

	ctx := context.Background()
	var dir *iam.Directory
	if *identities {
		if *raw || *endpoint != "" {
			fail(fmt.Errorf("-identities signs with the SDK against the in-process server: not with -raw or -endpoint"))
		}
		var err error
		if dir, err = iam.Parse([]byte(benchIdentities)); err != nil {
			fail(err)
		}
		kclient.Credentials = aws.Credentials{AccessKeyID: "AKIAAPIBENCH00000000", SecretAccessKey: "apibench-secret", Source: "apibench"}
	}
	if *endpoint == "" {
		var creds map[string]string
		if *verify {
			if *raw {
				fail(fmt.Errorf("-verify needs the SDK's signatures: not with -raw"))
			}
			creds = map[string]string{kclient.Credentials.AccessKeyID: kclient.Credentials.SecretAccessKey}
		}
		addr, stop, err := inproc.StartOptions(inproc.Options{Sync: *syncMode, Limits: *limits, AtRest: *atRest, IAM: dir, Credentials: creds})
		if err != nil {
			fail(err)
		}
		defer stop()
		*endpoint = "http://" + addr
	}
	httpClient := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	c := kclient.New(*endpoint, httpClient)
	name := fmt.Sprintf("apibench-%d", time.Now().UnixNano())
	if err := kclient.CreateStream(ctx, c, name, *shards, time.Minute); err != nil {
		fail(err)
	}
	if *encrypt {
		if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String(name),
			EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
			fail(err)
		}
		for {
			d, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
			if err != nil {
				fail(err)
			}
			if d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	// Ingest.
	batches := *records / *batch
	lat := make([]time.Duration, batches)
	var next, throttled atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < *clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			data := make([]byte, *size)
			entries := make([]types.PutRecordsRequestEntry, *batch)
			for j := range entries {
				entries[j] = types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(fmt.Sprintf("pk-%d-%d", i, j))}
			}
			body := rawBody(name, entries)
			for {
				n := int(next.Add(1) - 1)
				if n >= batches {
					return
				}
				t := time.Now()
				failed := 0
				if *raw {
					failed = rawPut(httpClient, *endpoint, body)
				} else {
					out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(name), Records: entries})
					if err != nil {
						fail(err)
					}
					failed = int(*out.FailedRecordCount)
				}
				if failed != 0 && *limits == "off" {
					fail(fmt.Errorf("%d records failed", failed))
				}
				throttled.Add(int64(failed))
				lat[n] = time.Since(t)
			}
		}(i)
	}
	wg.Wait()
	el := time.Since(start)
	n := batches * *batch
	report("PutRecords", n, *size, el, lat)
	if *limits != "off" {
		fmt.Printf("limits %s: %d of %d records refused by shard limits\n", *limits, throttled.Load(), n)
		c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
		return
	}

	// Read back every shard, in parallel.
	shardList, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(name)})
	if err != nil {
		fail(err)
	}
	var read atomic.Int64
	var rmu sync.Mutex
	var rlat []time.Duration
	start = time.Now()
	for _, sh := range shardList.Shards {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name), ShardId: aws.String(id), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
			if err != nil {
				fail(err)
			}
			iter := it.ShardIterator
			if *raw {
				for {
					t := time.Now()
					got, next, behind := rawGet(httpClient, *endpoint, *iter)
					d := time.Since(t)
					rmu.Lock()
					rlat = append(rlat, d)
					rmu.Unlock()
					read.Add(int64(got))
					if got == 0 || behind == 0 && got < 10000 {
						return
					}
					iter = &next
				}
			}
			for {
				t := time.Now()
				gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
				if err != nil {
					fail(err)
				}
				d := time.Since(t)
				rmu.Lock()
				rlat = append(rlat, d)
				rmu.Unlock()
				read.Add(int64(len(gr.Records)))
				if *encrypt && len(gr.Records) > 0 && gr.Records[0].EncryptionType != types.EncryptionTypeKms {
					fail(fmt.Errorf("record read with EncryptionType %q from an encrypted stream", gr.Records[0].EncryptionType))
				}
				if len(gr.Records) == 0 || *gr.MillisBehindLatest == 0 && len(gr.Records) < 10000 {
					return
				}
				iter = gr.NextShardIterator
			}
		}(*sh.ShardId)
	}
	wg.Wait()
	el = time.Since(start)
	report("GetRecords", int(read.Load()), *size, el, rlat)
	if int(read.Load()) != n {
		fail(fmt.Errorf("read %d records back, put %d", read.Load(), n))
	}
	c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name)})
}

// rawBody encodes a PutRecords request once, as the SDK would.
func rawBody(stream string, entries []types.PutRecordsRequestEntry) []byte {
	type entry struct {
		Data         []byte
		PartitionKey string
	}
	req := struct {
		StreamName string
		Records    []entry
	}{StreamName: stream}
	for _, e := range entries {
		req.Records = append(req.Records, entry{e.Data, *e.PartitionKey})
	}
	b, err := json.Marshal(req)
	if err != nil {
		fail(err)
	}
	return b
}

// rawPut posts a pre-encoded PutRecords with a well-formed SigV4 header
// (Eddy without credentials checks its form, not its signature) and returns
// the answer's FailedRecordCount.
func rawPut(c *http.Client, endpoint string, body []byte) int {
	var out struct{ FailedRecordCount *int }
	if err := json.Unmarshal(rawCall(c, endpoint, "PutRecords", body), &out); err != nil || out.FailedRecordCount == nil {
		fail(fmt.Errorf("raw PutRecords: %v, %v", out.FailedRecordCount, err))
	}
	return *out.FailedRecordCount
}

// rawGet calls GetRecords over net/http and counts the records in the
// response without decoding their data; it returns the count, the next
// iterator and MillisBehindLatest.
func rawGet(c *http.Client, endpoint, iter string) (int, string, int64) {
	body, _ := json.Marshal(map[string]string{"ShardIterator": iter})
	bp := respPool.Get().(*[]byte)
	defer respPool.Put(bp)
	resp := rawCallInto(c, endpoint, "GetRecords", body, bp)
	n := bytes.Count(resp, []byte(`"SequenceNumber":`))
	var tail struct {
		NextShardIterator  string
		MillisBehindLatest int64
	}
	// The iterator and lag follow the records: decode only the end.
	i := bytes.LastIndex(resp, []byte(`],"NextShardIterator":`))
	if i < 0 {
		i = bytes.LastIndex(resp, []byte(`],"MillisBehindLatest":`))
	}
	if i < 0 || json.Unmarshal(append([]byte("{"), resp[i+2:]...), &tail) != nil {
		fail(fmt.Errorf("raw GetRecords: cannot parse %.200s", resp))
	}
	return n, tail.NextShardIterator, tail.MillisBehindLatest
}

// respPool holds GetRecords response buffers: growing a fresh one to 13 MB
// per call (io.ReadAll) cost the raw client more than parsing it.
var respPool = sync.Pool{New: func() any { return new([]byte) }}

func rawCall(c *http.Client, endpoint, op string, body []byte) []byte {
	var b []byte
	return rawCallInto(c, endpoint, op, body, &b)
}

// rawCallInto is rawCall reading the response into *buf (grown to fit,
// from Content-Length when the server sends it).
func rawCallInto(c *http.Client, endpoint, op string, body []byte, buf *[]byte) []byte {
	req, _ := http.NewRequest(http.MethodPost, endpoint+"/", bytes.NewReader(body))
	now := time.Now().UTC()
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202."+op)
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/"+now.Format("20060102")+
		"/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature="+strings.Repeat("0", 64))
	resp, err := c.Do(req)
	if err != nil {
		fail(err)
	}
	defer resp.Body.Close()
	b := (*buf)[:0]
	if n := int(resp.ContentLength); n > cap(b) {
		b = make([]byte, 0, n)
	}
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, rerr := resp.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if rerr != nil {
			if rerr != io.EOF {
				err = rerr
			}
			break
		}
	}
	*buf = b
	if err != nil || resp.StatusCode != 200 {
		fail(fmt.Errorf("raw %s: status %d %.200s %v", op, resp.StatusCode, b, err))
	}
	return b
}

func report(what string, n, size int, el time.Duration, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
	fmt.Printf("%-10s %9d records in %6.2fs: %9.0f records/s %7.1f MB/s  request p50 %6.2f ms  p99 %6.2f ms  (%d requests)\n",
		what, n, el.Seconds(), float64(n)/el.Seconds(), float64(n*size)/el.Seconds()/1e6, p(0.5), p(0.99), len(lat))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "apibench:", err)
	os.Exit(1)
}
