package kinesis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

func createOnDemand(t *testing.T, e *Engine, name string) {
	t.Helper()
	_, err := e.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr(name),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}})
	if err != nil {
		t.Fatal(err)
	}
}

func createS3Channel(t *testing.T, e *Engine, name, stream string) kds.ChannelDescription {
	t.Helper()
	out, err := e.CreateChannel(context.Background(), &kds.CreateChannelInput{
		ChannelName: ptr(name), ServiceExecutionRoleARN: ptr("arn:aws:iam::000000000000:role/r"),
		StreamConfigurationList: []kds.ChannelStreamConfiguration{{StreamARN: ptr(e.arn(stream)),
			RecordConfiguration: &kds.RecordConfiguration{RecordFormatType: ptr(kds.RecordFormatTypeByteArray)}}},
		S3DestinationConfiguration: &kds.S3DestinationConfiguration{StorageConfiguration: &kds.S3StorageConfiguration{
			BucketARN: ptr("arn:aws:s3:::bucket"), ExpectedBucketOwner: ptr("000000000000"),
			CompressionType: ptr(kds.S3CompressionTypeNone)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.ChannelDescription
}

// TestChannelsSurviveRestart: channels are in the MetaStore, with their
// status still computed from the clock after a restart.
func TestChannelsSurviveRestart(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.CreateDelay = time.Second })
	createOnDemand(t, env.e, "s")
	env.clock.Advance(time.Second)
	d := createS3Channel(t, env.e, "c", "s")
	env.e.Close()

	e := env.open(t, func(c *Config) { c.CreateDelay = time.Second })
	got, err := e.DescribeChannel(context.Background(), &kds.DescribeChannelInput{ChannelARN: ptr(d.ChannelARN)})
	if err != nil {
		t.Fatal(err)
	}
	if got.ChannelDescription.ChannelId != d.ChannelId || got.ChannelDescription.ChannelStatus != kds.ChannelStatusCreating {
		t.Fatalf("after restart %+v", got.ChannelDescription)
	}
	env.clock.Advance(time.Second)
	ds, err := e.ChannelDeliveries()
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].ARN != d.ChannelARN || ds[0].StreamName != "s" || ds[0].RecordFormat != kds.RecordFormatTypeByteArray ||
		!ds[0].Start.Equal(time.Time(d.ChannelCreationTimestamp).Add(time.Second)) {
		t.Fatalf("deliveries %+v", ds)
	}
}

// TestChannelDeliveriesFollowTheStream: a channel whose stream was
// deleted, or re-created under its name, is not delivered; CREATING
// channels are not either.
func TestChannelDeliveriesFollowTheStream(t *testing.T) {
	env := newEnv(t, nil)
	ctx := context.Background()
	createOnDemand(t, env.e, "s")
	createS3Channel(t, env.e, "c", "s")
	if ds, err := env.e.ChannelDeliveries(); err != nil || len(ds) != 1 {
		t.Fatalf("deliveries %+v, %v", ds, err)
	}
	if _, err := env.e.DeleteStream(ctx, &kds.DeleteStreamInput{StreamName: ptr("s")}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(time.Millisecond)
	createOnDemand(t, env.e, "s")
	if ds, err := env.e.ChannelDeliveries(); err != nil || len(ds) != 0 {
		t.Fatalf("deliveries after the stream was re-created: %+v, %v", ds, err)
	}
}

// TestListChannelsPageSize: MaxResults above 100 returns 100.
func TestListChannelsPageSize(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.OnDemandMinShards = 1 })
	for i := range 101 {
		name := fmt.Sprintf("s%03d", i)
		createOnDemand(t, env.e, name)
		createS3Channel(t, env.e, "c"+name, name)
	}
	out, err := env.e.ListChannels(context.Background(), &kds.ListChannelsInput{MaxResults: ptr[int32](500)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.ChannelSummaries) != 100 || out.NextToken == nil {
		t.Fatalf("%d channels, token %v", len(out.ChannelSummaries), out.NextToken)
	}
	next, err := env.e.ListChannels(context.Background(), &kds.ListChannelsInput{NextToken: out.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.ChannelSummaries) != 1 || next.ChannelSummaries[0].ChannelName != "cs100" || next.NextToken != nil {
		t.Fatalf("page 2 %+v", next)
	}
	_, err = env.e.ListChannels(context.Background(), &kds.ListChannelsInput{NextToken: ptr("bogus")})
	wantCode(t, err, eddy.CodeInvalidArgument)
}
