package kinesisapi

import (
	"context"
	"net"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/httpapi"
	eddykinesis "github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

const (
	regionsKeyID  = "AKIDREGIONS"
	regionsSecret = "regions-secret"
)

// regionalServer is the Kinesis API of every region (RegionalService) on
// 127.0.0.1:0 over the segment backend in dir, verifying signatures.
type regionalServer struct {
	url  string
	stop func()
}

func startRegional(t *testing.T, dir, defaultRegion string) *regionalServer {
	t.Helper()
	logs, meta := openDir(t, dir)
	ecfg := eddykinesis.DefaultConfig()
	ecfg.Region = defaultRegion
	regions, err := eddykinesis.OpenRegions(ecfg, logs, meta)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, RegionalService(regions), func() { regions.Close(); logs.Close(); meta.Close() })
}

// startSingle is the Kinesis API of one engine (Service), as Eddy served
// before it served every region: it writes the single-region layout.
func startSingle(t *testing.T, dir, region string) *regionalServer {
	t.Helper()
	logs, meta := openDir(t, dir)
	ecfg := eddykinesis.DefaultConfig()
	ecfg.Region = region
	eng, err := eddykinesis.New(ecfg, logs, meta)
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, Service(eng), func() { eng.Close(); logs.Close(); meta.Close() })
}

func openDir(t *testing.T, dir string) (storage.Logs, storage.MetaStore) {
	t.Helper()
	meta, err := boltmeta.Open(dir+"/meta.db", boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(dir+"/logs", segment.DefaultConfig())
	if err != nil {
		meta.Close()
		t.Fatal(err)
	}
	return logs, meta
}

func serve(t *testing.T, svc httpapi.Service, closeAll func()) *regionalServer {
	t.Helper()
	hcfg := httpapi.DefaultConfig()
	hcfg.Credentials = map[string]string{regionsKeyID: regionsSecret}
	srv, err := httpapi.New(hcfg, svc)
	if err != nil {
		closeAll()
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		closeAll()
		t.Fatal(err)
	}
	go srv.Serve(ln)
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			srv.Shutdown(context.Background())
			closeAll()
		}
	}
	t.Cleanup(stop)
	return &regionalServer{url: "http://" + ln.Addr().String(), stop: stop}
}

// client returns an aws-sdk-go-v2 client configured for region.
func (s *regionalServer) client(region string) *kinesis.Client {
	return kinesis.New(kinesis.Options{
		Region:           region,
		BaseEndpoint:     aws.String(s.url),
		Credentials:      credentials.NewStaticCredentialsProvider(regionsKeyID, regionsSecret, ""),
		RetryMaxAttempts: 1,
	})
}

// readStream returns the data of every record of a one-shard stream.
func readStream(t *testing.T, c *kinesis.Client, name string) []string {
	t.Helper()
	ctx := context.Background()
	it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(name),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	var data []string
	for _, r := range out.Records {
		data = append(data, string(r.Data))
	}
	return data
}

func listStreams(t *testing.T, c *kinesis.Client) []string {
	t.Helper()
	out, err := c.ListStreams(context.Background(), &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, s := range out.StreamSummaries {
		arns = append(arns, aws.ToString(s.StreamARN))
	}
	return append(out.StreamNames, arns...)
}

// TestSDKRegions: clients configured for us-east-1 and eu-central-1 against
// one server each see their own region.
func TestSDKRegions(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := startRegional(t, dir, "us-east-1")
	us, eu := s.client("us-east-1"), s.client("eu-central-1")

	for _, c := range []*kinesis.Client{us, eu} {
		if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eu.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("eu-only"), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	for c, data := range map[*kinesis.Client]string{us: "for us-east-1", eu: "for eu-central-1"} {
		waitActive(t, c, "orders")
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := readStream(t, us, "orders"); !slices.Equal(got, []string{"for us-east-1"}) {
		t.Errorf("us-east-1 reads %q", got)
	}
	if got := readStream(t, eu, "orders"); !slices.Equal(got, []string{"for eu-central-1"}) {
		t.Errorf("eu-central-1 reads %q", got)
	}

	usARN := "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
	euARN := "arn:aws:kinesis:eu-central-1:000000000000:stream/orders"
	for c, want := range map[*kinesis.Client]string{us: usARN, eu: euARN} {
		sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(sum.StreamDescriptionSummary.StreamARN); got != want {
			t.Errorf("ARN %s, want %s", got, want)
		}
	}
	if got, want := listStreams(t, us), []string{"orders", usARN}; !slices.Equal(got, want) {
		t.Errorf("us-east-1 lists %q, want %q", got, want)
	}
	if got, want := listStreams(t, eu), []string{"eu-only", "orders", "arn:aws:kinesis:eu-central-1:000000000000:stream/eu-only", euARN}; !slices.Equal(got, want) {
		t.Errorf("eu-central-1 lists %q, want %q", got, want)
	}
	for c, open := range map[*kinesis.Client]int32{us: 1, eu: 3} {
		lim, err := c.DescribeLimits(ctx, &kinesis.DescribeLimitsInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(lim.OpenShardCount) != open {
			t.Errorf("DescribeLimits OpenShardCount %d, want %d", aws.ToInt32(lim.OpenShardCount), open)
		}
	}

	// A stream's ARN from another region is not found, though a stream of
	// that name exists in the client's region.
	_, err := eu.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(usARN)})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream orders under account 000000000000 not found.")
	_, err = us.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(euARN), PartitionKey: aws.String("k"), Data: []byte("x")})
	wantAPIError(t, err, "ResourceNotFoundException", "Stream orders under account 000000000000 not found.")
	reg, err := us.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(usARN), ConsumerName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eu.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	wantAPIError(t, err, "ResourceNotFoundException", "Consumer "+aws.ToString(reg.Consumer.ConsumerARN)+" under account 000000000000 not found.")

	// A restart, with another default region, keeps each region's streams.
	s.stop()
	s = startRegional(t, dir, "ap-south-1")
	us, eu = s.client("us-east-1"), s.client("eu-central-1")
	if got := readStream(t, us, "orders"); !slices.Equal(got, []string{"for us-east-1"}) {
		t.Errorf("after restart us-east-1 reads %q", got)
	}
	if got := readStream(t, eu, "orders"); !slices.Equal(got, []string{"for eu-central-1"}) {
		t.Errorf("after restart eu-central-1 reads %q", got)
	}
	if got := listStreams(t, s.client("ap-south-1")); len(got) != 0 {
		t.Errorf("ap-south-1 lists %q", got)
	}
}

// TestSDKSingleRegionDataDir: a data directory written by single-region
// Eddy (one engine, --region eu-west-1) is served in eu-west-1, and stays
// there when the server later starts with another --region.
func TestSDKSingleRegionDataDir(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old := startSingle(t, dir, "eu-west-1")
	c := old.client("eu-west-1")
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("legacy"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "legacy")
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("legacy"), PartitionKey: aws.String("k"), Data: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	old.stop()

	for _, region := range []string{"eu-west-1", "us-east-1"} {
		s := startRegional(t, dir, region)
		if got := readStream(t, s.client("eu-west-1"), "legacy"); !slices.Equal(got, []string{"old"}) {
			t.Errorf("--region %s: eu-west-1 reads %q", region, got)
		}
		if got := listStreams(t, s.client("us-east-1")); len(got) != 0 {
			t.Errorf("--region %s: us-east-1 lists %q", region, got)
		}
		s.stop()
	}
}
