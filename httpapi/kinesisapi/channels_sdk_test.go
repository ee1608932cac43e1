package kinesisapi

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	eddykinesis "github.com/eddy-streams/eddy/kinesis"
)

const (
	chanRole   = "arn:aws:iam::000000000000:role/channel"
	chanBucket = "arn:aws:s3:::channel-bucket"
	chanOwner  = "000000000000"
)

// s3Channel is a valid CreateChannel request to S3 for stream arn.
func s3Channel(name, arn string) *kinesis.CreateChannelInput {
	return &kinesis.CreateChannelInput{
		ChannelName:             aws.String(name),
		ServiceExecutionRoleARN: aws.String(chanRole),
		StreamConfigurationList: []types.ChannelStreamConfiguration{{
			StreamARN:           aws.String(arn),
			RecordConfiguration: &types.RecordConfiguration{RecordFormatType: types.RecordFormatTypeJson},
		}},
		S3DestinationConfiguration: &types.S3DestinationConfiguration{
			StorageConfiguration: &types.S3StorageConfiguration{
				BucketARN: aws.String(chanBucket), ExpectedBucketOwner: aws.String(chanOwner),
				CompressionType: types.S3CompressionTypeGzip,
			},
		},
		Tags: map[string]string{"team": "data"},
	}
}

// TestChannelLifecycleSDK drives every channel operation through
// aws-sdk-go-v2: CREATING -> ACTIVE after CreateDelay, UPDATING after an
// update, DELETING then gone after a delete, on the engine's FakeClock.
func TestChannelLifecycleSDK(t *testing.T) {
	fc := eddykinesis.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	srv := startServer(t, t.TempDir(), func(c *eddykinesis.Config) {
		c.Clock = fc
		c.CreateDelay, c.UpdateDelay, c.DeleteDelay = time.Second, time.Second, time.Second
	})
	c := srv.client
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	fc.Advance(time.Second)
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	if err != nil {
		t.Fatal(err)
	}
	streamARN := *sum.StreamDescriptionSummary.StreamARN

	out, err := c.CreateChannel(ctx, s3Channel("ch", streamARN))
	if err != nil {
		t.Fatal(err)
	}
	d := out.ChannelDescription
	const chARN = "arn:aws:kinesis:us-east-1:000000000000:channel/ch"
	if *d.ChannelARN != chARN || *d.ChannelName != "ch" || d.ChannelStatus != types.ChannelStatusCreating ||
		len(*d.ChannelId) != 36 || !d.ChannelCreationTimestamp.Equal(fc.Now()) || *d.ServiceExecutionRoleARN != chanRole {
		t.Fatalf("created %+v", d)
	}
	if len(d.StreamConfigurationList) != 1 || *d.StreamConfigurationList[0].StreamARN != streamARN ||
		d.StreamConfigurationList[0].RecordConfiguration.RecordFormatType != types.RecordFormatTypeJson {
		t.Fatalf("streams %+v", d.StreamConfigurationList)
	}
	s3 := d.S3DestinationConfiguration
	if s3 == nil || *s3.DataFreshnessInSeconds != 300 || *s3.StorageConfiguration.BucketARN != chanBucket ||
		*s3.DeadLetterQueueS3Configuration.BucketARN != chanBucket || d.S3TablesDestinationConfiguration != nil {
		t.Fatalf("destination %+v", s3)
	}
	if d.LoggingConfiguration == nil || d.LoggingConfiguration.CloudWatchLogs == nil || *d.LoggingConfiguration.CloudWatchLogs.Enabled {
		t.Fatalf("logging %+v", d.LoggingConfiguration)
	}

	// Not ACTIVE yet: no update.
	_, err = c.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(chARN),
		S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)}})
	wantAPIMessage(t, err, "ResourceInUseException", "Channel ch under account 000000000000 not ACTIVE, instead in state CREATING")
	// The name is taken.
	_, err = c.CreateChannel(ctx, s3Channel("ch", streamARN))
	wantAPIMessage(t, err, "ResourceInUseException", "Channel ch under account 000000000000 already exists.")

	fc.Advance(time.Second)
	desc, err := c.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(chARN)})
	if err != nil {
		t.Fatal(err)
	}
	if desc.ChannelDescription.ChannelStatus != types.ChannelStatusActive || *desc.ChannelDescription.ChannelId != *d.ChannelId {
		t.Fatalf("described %+v", desc.ChannelDescription)
	}

	up, err := c.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(chARN),
		S3DestinationConfiguration: &types.S3DestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)},
		LoggingConfiguration: &types.ChannelLoggingUpdateInput{CloudWatchLogs: &types.CloudWatchLogsUpdateInput{
			Enabled: aws.Bool(true), LogGroupName: aws.String("g")}}})
	if err != nil {
		t.Fatal(err)
	}
	if u := up.ChannelDescription; u.ChannelStatus != types.ChannelStatusUpdating || *u.S3DestinationConfiguration.DataFreshnessInSeconds != 600 ||
		!*u.LoggingConfiguration.CloudWatchLogs.Enabled || *u.LoggingConfiguration.CloudWatchLogs.LogGroupName != "g" {
		t.Fatalf("updated %+v", u)
	}
	_, err = c.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(chARN),
		S3TablesDestinationConfiguration: &types.S3TablesDestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)}})
	wantAPIMessage(t, err, "ResourceInUseException", "Channel ch under account 000000000000 not ACTIVE, instead in state UPDATING")
	fc.Advance(time.Second)
	_, err = c.UpdateChannel(ctx, &kinesis.UpdateChannelInput{ChannelARN: aws.String(chARN),
		S3TablesDestinationConfiguration: &types.S3TablesDestinationUpdateInput{DataFreshnessInSeconds: aws.Int32(600)}})
	wantAPIMessage(t, err, "InvalidArgumentException",
		"Channel ch does not deliver to Amazon S3 Tables: S3TablesDestinationConfiguration cannot be updated.")

	// A second S3 channel on the stream is over the limit; one to S3
	// Tables is not, and becomes ACTIVE.
	_, err = c.CreateChannel(ctx, s3Channel("ch2", streamARN))
	wantAPIError(t, err, "LimitExceededException", "channel(s) of destination type S3")
	tables, err := c.CreateChannel(ctx, &kinesis.CreateChannelInput{
		ChannelName: aws.String("tab"), ServiceExecutionRoleARN: aws.String(chanRole),
		StreamConfigurationList: []types.ChannelStreamConfiguration{{StreamARN: aws.String(streamARN),
			RecordConfiguration: &types.RecordConfiguration{RecordFormatType: types.RecordFormatTypeGsrJson}}},
		S3TablesDestinationConfiguration: &types.S3TablesDestinationConfiguration{
			DeadLetterQueueS3Configuration: &types.DeadLetterQueueS3Configuration{BucketARN: aws.String(chanBucket), ExpectedBucketOwner: aws.String(chanOwner)},
			S3TablesConfigurationList: []types.S3TablesConfiguration{{TableBucketARN: aws.String("arn:aws:s3tables:us-east-1:000000000000:bucket/t"),
				Namespace: aws.String("ns"), TableName: aws.String("t"), CompressionType: types.S3TablesCompressionTypeZstd}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	fc.Advance(time.Second)
	td, err := c.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: tables.ChannelDescription.ChannelARN})
	if err != nil {
		t.Fatal(err)
	}
	if td.ChannelDescription.ChannelStatus != types.ChannelStatusActive || td.ChannelDescription.ChannelStatusReason != nil {
		t.Fatalf("tables channel %+v", td.ChannelDescription)
	}

	// ListChannels: both, one per page, and filtered by stream.
	l1, err := c.ListChannels(ctx, &kinesis.ListChannelsInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(l1.ChannelSummaries) != 1 || *l1.ChannelSummaries[0].ChannelName != "ch" || l1.NextToken == nil ||
		l1.ChannelSummaries[0].ChannelDestinationType != types.ChannelDestinationTypeS3 ||
		*l1.ChannelSummaries[0].Streams[0].StreamARN != streamARN {
		t.Fatalf("page 1 %+v", l1)
	}
	l2, err := c.ListChannels(ctx, &kinesis.ListChannelsInput{NextToken: l1.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(l2.ChannelSummaries) != 1 || *l2.ChannelSummaries[0].ChannelName != "tab" || l2.NextToken != nil ||
		l2.ChannelSummaries[0].ChannelStatus != types.ChannelStatusActive {
		t.Fatalf("page 2 %+v", l2)
	}
	other, err := c.ListChannels(ctx, &kinesis.ListChannelsInput{StreamFilter: []types.StreamFilter{{
		StreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/other")}}})
	if err != nil || len(other.ChannelSummaries) != 0 {
		t.Fatalf("filtered: %+v, %v", other, err)
	}

	if _, err := c.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(chARN)}); err != nil {
		t.Fatal(err)
	}
	desc, err = c.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(chARN)})
	if err != nil || desc.ChannelDescription.ChannelStatus != types.ChannelStatusDeleting {
		t.Fatalf("deleting: %+v, %v", desc, err)
	}
	_, err = c.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String(chARN)})
	wantAPIMessage(t, err, "ResourceInUseException", "Channel ch under account 000000000000 not ACTIVE, instead in state DELETING")
	fc.Advance(time.Second)
	_, err = c.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String(chARN)})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Channel "+chARN+" under account 000000000000 not found.")
	// The name is free again, with a new id.
	again, err := c.CreateChannel(ctx, s3Channel("ch", streamARN))
	if err != nil {
		t.Fatal(err)
	}
	if *again.ChannelDescription.ChannelId == *d.ChannelId {
		t.Fatalf("re-created channel kept id %s", *d.ChannelId)
	}
}

// TestCreateChannelErrorsSDK: the checks CreateChannel makes beyond the
// model's constraints, and the model's constraints themselves, through
// aws-sdk-go-v2.
func TestCreateChannelErrorsSDK(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	c := srv.client
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("prov"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	const (
		od      = "arn:aws:kinesis:us-east-1:000000000000:stream/od"
		prov    = "arn:aws:kinesis:us-east-1:000000000000:stream/prov"
		missing = "arn:aws:kinesis:us-east-1:000000000000:stream/missing"
	)
	for _, tc := range []struct {
		name      string
		mut       func(in *kinesis.CreateChannelInput)
		code, msg string
	}{
		{"provisioned stream", func(in *kinesis.CreateChannelInput) { in.StreamConfigurationList[0].StreamARN = aws.String(prov) },
			"InvalidArgumentException", "Stream prov under account 000000000000 is in PROVISIONED capacity mode: channels are only supported for data streams with the on-demand capacity mode."},
		{"missing stream", func(in *kinesis.CreateChannelInput) { in.StreamConfigurationList[0].StreamARN = aws.String(missing) },
			"ResourceNotFoundException", "Stream missing under account 000000000000 not found."},
		{"both destinations", func(in *kinesis.CreateChannelInput) {
			in.S3TablesDestinationConfiguration = &types.S3TablesDestinationConfiguration{
				DeadLetterQueueS3Configuration: &types.DeadLetterQueueS3Configuration{BucketARN: aws.String(chanBucket), ExpectedBucketOwner: aws.String(chanOwner)},
				S3TablesConfigurationList: []types.S3TablesConfiguration{{TableBucketARN: aws.String("tb"), Namespace: aws.String("n"),
					TableName: aws.String("t"), CompressionType: types.S3TablesCompressionTypeNone}}}
		}, "InvalidArgumentException", "You must specify either S3DestinationConfiguration or S3TablesDestinationConfiguration, but not both."},
		{"no destination", func(in *kinesis.CreateChannelInput) { in.S3DestinationConfiguration = nil },
			"InvalidArgumentException", "You must specify either S3DestinationConfiguration or S3TablesDestinationConfiguration, but not both."},
		{"two streams", func(in *kinesis.CreateChannelInput) {
			in.StreamConfigurationList = append(in.StreamConfigurationList, in.StreamConfigurationList[0])
		}, "InvalidArgumentException", "StreamConfigurationList must contain exactly one stream: currently, one stream is supported per channel."},
		{"GSR_JSON to S3", func(in *kinesis.CreateChannelInput) {
			in.StreamConfigurationList[0].RecordConfiguration.RecordFormatType = types.RecordFormatTypeGsrJson
		}, "InvalidArgumentException", "RecordFormatType GSR_JSON is supported only for streaming table (Amazon S3 Tables) destinations."},
		{"bad name", func(in *kinesis.CreateChannelInput) { in.ChannelName = aws.String("a/b") },
			"ValidationException", "1 validation error detected: Value 'a/b' at 'channelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"freshness", func(in *kinesis.CreateChannelInput) {
			in.S3DestinationConfiguration.DataFreshnessInSeconds = aws.Int32(60)
		},
			"ValidationException", "1 validation error detected: Value '60' at 's3DestinationConfiguration.dataFreshnessInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 300"},
		{"bucket owner", func(in *kinesis.CreateChannelInput) {
			in.S3DestinationConfiguration.StorageConfiguration.ExpectedBucketOwner = aws.String("00000000000a")
		}, "ValidationException", "1 validation error detected: Value '00000000000a' at 's3DestinationConfiguration.storageConfiguration.expectedBucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := s3Channel("c", od)
			tc.mut(in)
			_, err := c.CreateChannel(ctx, in)
			wantAPIMessage(t, err, tc.code, tc.msg)
		})
	}
	_, err := c.DescribeChannel(ctx, &kinesis.DescribeChannelInput{ChannelARN: aws.String("arn:aws:kinesis:eu-west-1:000000000000:channel/c")})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Channel arn:aws:kinesis:eu-west-1:000000000000:channel/c under account 000000000000 not found.")
	_, err = c.DeleteChannel(ctx, &kinesis.DeleteChannelInput{ChannelARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:channel/none")})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Channel arn:aws:kinesis:us-east-1:000000000000:channel/none under account 000000000000 not found.")
}
