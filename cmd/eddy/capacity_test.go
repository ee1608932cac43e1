package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// httpClient is for the admin listener; its Timeout bounds every request.
var httpClient = &http.Client{Timeout: testTimeout}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestServeBootstrapFaultsAdmin: streams and fault rules from the config
// file and flags, and the admin listener, in the real binary.
func TestServeBootstrapFaultsAdmin(t *testing.T) {
	ctx := testContext(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "eddy.yaml")
	os.WriteFile(conf, []byte(`
streams:
  - name: boot
    shards: 2
  - name: od
    mode: ON_DEMAND
    retention-hours: 48
faults:
  - stream: boot
    operation: PutRecord
    throttle-rate: 1
`), 0o644)
	args := fmt.Sprintf("serve --listen 127.0.0.1:0 --data-dir %s --config %s --fault stream=boot,operation=ListShards,failure=1,seed=2", filepath.Join(dir, "data"), conf)
	srv := startChild(t, args)
	if srv.admin == "" {
		t.Fatal("no admin address printed")
	}
	c := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), RetryMaxAttempts: 1})
	for name, want := range map[string]int32{"boot": 2, "od": 4} {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if got := *out.StreamDescriptionSummary.OpenShardCount; got != want {
			t.Fatalf("%s: %d shards, want %d", name, got, want)
		}
		if name == "od" && (*out.StreamDescriptionSummary.RetentionPeriodHours != 48 ||
			out.StreamDescriptionSummary.StreamModeDetails.StreamMode != types.StreamModeOnDemand) {
			t.Fatalf("od: %+v", out.StreamDescriptionSummary)
		}
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("boot"), PartitionKey: aws.String("k"), Data: []byte("x")})
	if apiCode(err) != "ProvisionedThroughputExceededException" {
		t.Fatalf("PutRecord under the file's rule: %v", err)
	}
	_, err = c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("boot")})
	if apiCode(err) != "InternalFailure" {
		t.Fatalf("ListShards under the flag's rule: %v", err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("od"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("PutRecord to a stream without rules: %v", err)
	}
	admin := "http://" + srv.admin
	if code, body := get(t, admin+"/ready"); code != 200 {
		t.Fatalf("/ready: %d %s", code, body)
	}
	code, body := get(t, admin+"/metrics")
	for _, want := range []string{"\neddy_open_shards{region=\"us-east-1\"} 6\n", "\neddy_streams{region=\"us-east-1\"} 2\n", `kinesis_incoming_records_total{region="us-east-1",stream="od"} 1`,
		`kinesis_write_provisioned_throughput_exceeded_total{region="us-east-1",stream="boot"} 1`, "eddy_storage_fsync_seconds_count ", "process_resident_memory_bytes ", "eddy_disk_bytes "} {
		if code != 200 || !strings.Contains(body, want) {
			t.Fatalf("/metrics lacks %q:\n%s", want, body)
		}
	}
	req, _ := http.NewRequest("DELETE", admin+"/faults", nil)
	if resp, err := httpClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("DELETE /faults: %v", err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("boot"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("PutRecord once the rules are gone: %v", err)
	}
	// A restart with the same file leaves the existing streams alone.
	srv.cmd.Process.Kill()
	srv.cmd.Wait()
	srv = startChild(t, args)
	c = kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(out.StreamNames) != 2 {
		t.Fatalf("after restart: %v %v", out, err)
	}
}

// TestServeLimitsProducerRetries: with --limits aws, a producer that sends
// three times a shard's write rate at once and retries what is throttled,
// backing off with aws-sdk-go-v2's own backoff, gets every record in, once;
// a consumer reading it back with the SDK's retryer gets every record.
func TestServeLimitsProducerRetries(t *testing.T) {
	ctx := testContext(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --limits aws")
	c := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = 20
			o.MaxBackoff = time.Second
			o.RateLimiter = noRateLimit{}
		})})
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	const total = 3000 // 3 MiB: three seconds of one shard
	var pending []types.PutRecordsRequestEntry
	for i := range total {
		data := make([]byte, 1000)
		copy(data, fmt.Sprint(i))
		pending = append(pending, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)), Data: data})
	}
	backoff := retry.NewExponentialJitterBackoff(time.Second)
	throttled := 0
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt > 50 {
			t.Fatalf("%d records still refused after 50 rounds", len(pending))
		}
		batch := pending[:min(500, len(pending))]
		out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: batch})
		if err != nil {
			t.Fatal(err)
		}
		var retryEntries []types.PutRecordsRequestEntry
		for i, r := range out.Records {
			if r.ErrorCode != nil {
				if *r.ErrorCode != "ProvisionedThroughputExceededException" {
					t.Fatalf("entry failed with %s", *r.ErrorCode)
				}
				retryEntries = append(retryEntries, batch[i])
			}
		}
		throttled += len(retryEntries)
		pending = append(retryEntries, pending[len(batch):]...)
		if len(retryEntries) > 0 {
			d, _ := backoff.BackoffDelay(min(attempt, 5), errors.New("throttled"))
			time.Sleep(d)
		}
	}
	if throttled == 0 {
		t.Fatal("3 MiB at once into one shard was never throttled")
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	iter := it.ShardIterator
	for len(seen) < total {
		out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(1000)})
		if err != nil {
			t.Fatalf("after %d records: %v", len(seen), err)
		}
		for _, r := range out.Records {
			key := *r.PartitionKey
			if seen[key] {
				t.Fatalf("record %s twice", key)
			}
			seen[key] = true
		}
		iter = out.NextShardIterator
	}
	t.Logf("%d entries throttled and retried", throttled)
}

// noRateLimit turns off the SDK's client-side retry token bucket, which
// would otherwise stop retrying after a burst of throttles.
type noRateLimit struct{}

func (noRateLimit) GetToken(context.Context, uint) (func() error, error) {
	return func() error { return nil }, nil
}
func (noRateLimit) AddTokens(uint) error { return nil }
