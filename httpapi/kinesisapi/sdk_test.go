package kinesisapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/internal/testcert"
	eddykinesis "github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// server starts the Kinesis API on 127.0.0.1:0 over the segment backend
// in dir, and returns an aws-sdk-go-v2 client for it.
type server struct {
	client *kinesis.Client
	stop   func()
}

func startServer(t *testing.T, dir string, mut func(*eddykinesis.Config)) *server {
	t.Helper()
	return startServerTLS(t, dir, mut, false)
}

// startServerTLS is startServer, serving HTTPS with a self-signed
// certificate when tlsServer is set.
func startServerTLS(t *testing.T, dir string, mut func(*eddykinesis.Config), tlsServer bool) *server {
	t.Helper()
	meta, err := boltmeta.Open(dir+"/meta.db", boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(dir+"/logs", segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	ecfg := eddykinesis.DefaultConfig()
	if mut != nil {
		mut(&ecfg)
	}
	eng, err := eddykinesis.New(ecfg, logs, meta)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(eng))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	scheme := "http://"
	var httpClient *http.Client
	if tlsServer {
		certFile, keyFile, pool := testcert.New(t)
		go srv.ServeTLS(ln, certFile, keyFile)
		scheme = "https://"
		// HTTP/2 only, negotiated by ALPN.
		var p http.Protocols
		p.SetHTTP2(true)
		httpClient = &http.Client{Transport: &http.Transport{Protocols: &p, TLSClientConfig: &tls.Config{RootCAs: pool}}}
	} else {
		go srv.Serve(ln)
	}
	client := kinesis.New(kinesis.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(scheme + ln.Addr().String()),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
	}, func(o *kinesis.Options) {
		if httpClient != nil {
			o.HTTPClient = httpClient
		}
	})
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		srv.Shutdown(context.Background())
		eng.Close()
		logs.Close()
		meta.Close()
	}
	t.Cleanup(stop)
	return &server{client: client, stop: stop}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprintf("not an API error: %v", err)
}

func wantAPIError(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("got %v, want %s containing %q", err, code, msgPart)
	}
}

func waitActive(t *testing.T, c *kinesis.Client, name string) {
	t.Helper()
	w := kinesis.NewStreamExistsWaiter(c, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(context.Background(), &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestStreamLifecycleAndRecords(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, t.TempDir(), nil)
	c := s.client
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "orders")
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	wantAPIError(t, err, "ResourceInUseException", "Stream orders under account 000000000000 already exists.")
	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("bad name!"), ShardCount: aws.Int32(1)})
	wantAPIError(t, err, "ValidationException", "streamName")

	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	d := sum.StreamDescriptionSummary
	if *d.OpenShardCount != 3 || d.StreamStatus != types.StreamStatusActive || *d.RetentionPeriodHours != 24 ||
		*d.StreamARN != "arn:aws:kinesis:us-east-1:000000000000:stream/orders" {
		t.Fatalf("summary %+v", d)
	}

	// PutRecords: FailedRecordCount present, every entry placed.
	var entries []types.PutRecordsRequestEntry
	for i := 0; i < 100; i++ {
		entries = append(entries, types.PutRecordsRequestEntry{Data: []byte(fmt.Sprint("rec-", i)), PartitionKey: aws.String(fmt.Sprint("k", i%10))})
	}
	pr, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	if pr.FailedRecordCount == nil || *pr.FailedRecordCount != 0 || len(pr.Records) != 100 {
		t.Fatalf("PutRecords: %+v", pr)
	}
	one, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/orders"), Data: []byte("single"), PartitionKey: aws.String("k3")})
	if err != nil {
		t.Fatal(err)
	}

	// Read every shard from TRIM_HORIZON: 101 records, per-key order kept.
	shards, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("orders")})
	if err != nil || len(shards.Shards) != 3 {
		t.Fatalf("ListShards: %v %v", shards, err)
	}
	total := 0
	lastByKey := map[string]int{}
	for _, sh := range shards.Shards {
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: sh.ShardId, ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		if gr.NextShardIterator == nil || gr.MillisBehindLatest == nil || *gr.MillisBehindLatest != 0 {
			t.Fatalf("GetRecords: next %v behind %v", gr.NextShardIterator, gr.MillisBehindLatest)
		}
		for _, r := range gr.Records {
			total++
			var i int
			if _, err := fmt.Sscanf(string(r.Data), "rec-%d", &i); err == nil {
				if prev, ok := lastByKey[*r.PartitionKey]; ok && prev > i {
					t.Fatalf("key %s out of order: %d after %d", *r.PartitionKey, i, prev)
				}
				lastByKey[*r.PartitionKey] = i
			}
			if r.ApproximateArrivalTimestamp == nil || time.Since(*r.ApproximateArrivalTimestamp) > time.Minute {
				t.Fatalf("arrival timestamp %v", r.ApproximateArrivalTimestamp)
			}
		}
	}
	if total != 101 {
		t.Fatalf("read %d records, want 101", total)
	}

	// AT_SEQUENCE_NUMBER of the single record reads it first.
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: one.ShardId,
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: one.SequenceNumber})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(1)})
	if err != nil || len(gr.Records) != 1 || string(gr.Records[0].Data) != "single" || *gr.Records[0].SequenceNumber != *one.SequenceNumber {
		t.Fatalf("AT_SEQUENCE_NUMBER: %v %v", gr, err)
	}
	// AT_TIMESTAMP at the single record's arrival reads it (or later).
	it, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: one.ShardId,
		ShardIteratorType: types.ShardIteratorTypeAtTimestamp, Timestamp: gr.Records[0].ApproximateArrivalTimestamp})
	if err != nil {
		t.Fatal(err)
	}
	gr2, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(gr2.Records) == 0 || string(gr2.Records[0].Data) != "single" {
		t.Fatalf("AT_TIMESTAMP: %v %v", gr2, err)
	}
	// Errors: forged iterator, sequence number of another shard, unknown stream.
	_, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("AAAA" + (*it.ShardIterator)[4:])})
	wantAPIError(t, err, "InvalidArgumentException", "")
	other := *shards.Shards[0].ShardId
	if other == *one.ShardId {
		other = *shards.Shards[1].ShardId
	}
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("orders"), ShardId: aws.String(other),
		ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: one.SequenceNumber})
	wantAPIError(t, err, "InvalidArgumentException", "Invalid StartingSequenceNumber")
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")

	// Delete: gone.
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestReshardingOverTheAPI(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, t.TempDir(), nil)
	c := s.client
	c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("r"), ShardCount: aws.Int32(1)})
	waitActive(t, c, "r")
	c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("r"), Data: []byte("before"), PartitionKey: aws.String("a")})
	it, _ := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("r"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("r"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(gr.Records) != 1 || gr.NextShardIterator != nil || len(gr.ChildShards) != 2 {
		t.Fatalf("end of parent: %d records, next %v, %d children", len(gr.Records), gr.NextShardIterator, len(gr.ChildShards))
	}
	ds, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("r")})
	if err != nil || len(ds.StreamDescription.Shards) != 3 || ds.StreamDescription.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("DescribeStream after split: %v %v", ds, err)
	}
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("r"), ShardToMerge: aws.String("shardId-000000000001"), AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatal(err)
	}
	us, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("r"), TargetShardCount: aws.Int32(2), ScalingType: types.ScalingTypeUniformScaling})
	if err != nil || *us.CurrentShardCount != 1 || *us.TargetShardCount != 2 {
		t.Fatalf("UpdateShardCount: %v %v", us, err)
	}
	open, err := c.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("r"), ShardFilter: &types.ShardFilter{Type: types.ShardFilterTypeAtLatest}})
	if err != nil || len(open.Shards) != 2 {
		t.Fatalf("AT_LATEST: %v %v", open, err)
	}
	// Paging with MaxResults and NextToken (which excludes StreamName).
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String("r"), MaxResults: aws.Int32(2)}
	for {
		page, err := c.ListShards(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, sh := range page.Shards {
			ids = append(ids, *sh.ShardId)
		}
		if page.NextToken == nil {
			break
		}
		in = &kinesis.ListShardsInput{NextToken: page.NextToken, MaxResults: aws.Int32(2)}
	}
	if len(ids) != 6 {
		t.Fatalf("paged shard ids %v", ids)
	}
}

func TestTagsRetentionSettingsAndRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := startServer(t, dir, nil)
	c := s.client
	c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("t"), ShardCount: aws.Int32(1), Tags: map[string]string{"team": "a"}})
	arn := aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/t")
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("t"), Tags: map[string]string{"env": "dev", "x": "1"}}); err != nil {
		t.Fatal(err)
	}
	c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("t"), TagKeys: []string{"x"}})
	c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"owner": "me"}})
	lt, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("t"), Limit: aws.Int32(2)})
	if err != nil || len(lt.Tags) != 2 || !*lt.HasMoreTags || *lt.Tags[0].Key != "env" {
		t.Fatalf("ListTagsForStream: %+v %v", lt, err)
	}
	if _, err := c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("t"), RetentionPeriodHours: aws.Int32(48)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DecreaseStreamRetentionPeriod(ctx, &kinesis.DecreaseStreamRetentionPeriodInput{StreamName: aws.String("t"), RetentionPeriodHours: aws.Int32(72)})
	wantAPIError(t, err, "InvalidArgumentException", "can not be longer than existing retention period")
	_, err = c.IncreaseStreamRetentionPeriod(ctx, &kinesis.IncreaseStreamRetentionPeriodInput{StreamName: aws.String("t"), RetentionPeriodHours: aws.Int32(9000)})
	if apiCode(err) != "InvalidArgumentException" && apiCode(err) != "ValidationException" {
		t.Fatalf("9000 hours: %v", err)
	}
	em, err := c.EnableEnhancedMonitoring(ctx, &kinesis.EnableEnhancedMonitoringInput{StreamName: aws.String("t"), ShardLevelMetrics: []types.MetricsName{types.MetricsNameIncomingBytes}})
	if err != nil || len(em.DesiredShardLevelMetrics) != 1 {
		t.Fatalf("EnableEnhancedMonitoring: %+v %v", em, err)
	}
	if _, err := c.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("t"), EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/aws/kinesis")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateMaxRecordSize(ctx, &kinesis.UpdateMaxRecordSizeInput{StreamARN: arn, MaxRecordSizeInKiB: aws.Int32(10240)}); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 5<<20)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("t"), Data: big, PartitionKey: aws.String("big")}); err != nil {
		t.Fatalf("5 MiB record after UpdateMaxRecordSize: %v", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"kinesis:GetRecords","Resource":"*"}]}`
	if _, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: arn, Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateStreamMode(ctx, &kinesis.UpdateStreamModeInput{StreamARN: arn, StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{}); err != nil {
		t.Fatal(err)
	}

	// Everything persists across a restart.
	s.stop()
	c = startServer(t, dir, nil).client
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	d := sum.StreamDescriptionSummary
	if *d.RetentionPeriodHours != 48 || d.EncryptionType != types.EncryptionTypeKms || d.StreamModeDetails.StreamMode != types.StreamModeOnDemand ||
		*d.MaxRecordSizeInKiB != 10240 || len(d.EnhancedMonitoring[0].ShardLevelMetrics) != 1 {
		t.Fatalf("after restart: %+v", d)
	}
	tags, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(tags.Tags) != 3 {
		t.Fatalf("tags after restart: %+v %v", tags, err)
	}
	gp, err := c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: arn})
	if err != nil || *gp.Policy != policy {
		t.Fatalf("policy after restart: %v %v", gp, err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("t"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	gr, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(gr.Records) != 1 || len(gr.Records[0].Data) != 5<<20 {
		t.Fatalf("5 MiB record after restart: %v", err)
	}
}

func TestListStreamsPaging(t *testing.T) {
	ctx := context.Background()
	c := startServer(t, t.TempDir(), nil).client
	for i := 0; i < 5; i++ {
		c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(fmt.Sprint("s", i)), ShardCount: aws.Int32(1)})
	}
	var names []string
	in := &kinesis.ListStreamsInput{Limit: aws.Int32(2)}
	for {
		out, err := c.ListStreams(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.StreamNames...)
		if len(out.StreamSummaries) != len(out.StreamNames) {
			t.Fatal("StreamSummaries do not match StreamNames")
		}
		if !*out.HasMoreStreams {
			break
		}
		in = &kinesis.ListStreamsInput{Limit: aws.Int32(2), NextToken: out.NextToken}
	}
	if strings.Join(names, ",") != "s0,s1,s2,s3,s4" {
		t.Fatalf("names %v", names)
	}
}

// TestDryRunSDK: DryRun through aws-sdk-go-v2 comes back as its
// DryRunOperationException (HTTP 400), and nothing is written.
func TestDryRunSDK(t *testing.T) {
	ctx := context.Background()
	s := startServer(t, t.TempDir(), nil)
	c := s.client
	c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("dry"), ShardCount: aws.Int32(1)})
	waitActive(t, c, "dry")
	_, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("dry"), DryRun: aws.Bool(true),
		Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	var dry *types.DryRunOperationException
	if !errors.As(err, &dry) {
		t.Fatalf("PutRecords DryRun: %v, want DryRunOperationException", err)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("status: %v", err)
	}
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("dry"), ShardId: aws.String("shardId-000000000000"),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(out.Records) != 0 {
		t.Fatalf("after a dry run: %d records, %v", len(out.Records), err)
	}
}
