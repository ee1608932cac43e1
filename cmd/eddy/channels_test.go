package main

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/s3test"
)

// TestServeChannel runs the real server with --s3-endpoint: a channel
// created with aws-sdk-go-v2 delivers a record put to its ON_DEMAND stream
// to the bucket under the default key template (--channel-object-size 1
// writes every record at once instead of after 300 s).
func TestServeChannel(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	ctx := testContext(t)
	s3srv := s3test.Start(t)
	srv := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --channel-object-size 1 --s3-endpoint "+s3srv.Endpoint)
	kc := srv.client()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("src"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand}}); err != nil {
		t.Fatal(err)
	}
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) { o.MinDelay = 10 * time.Millisecond })
	if err := w.Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("src")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	out, err := kc.CreateChannel(ctx, &kinesis.CreateChannelInput{
		ChannelName: aws.String("ch"), ServiceExecutionRoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
		StreamConfigurationList: []types.ChannelStreamConfiguration{{
			StreamARN:           aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/src"),
			RecordConfiguration: &types.RecordConfiguration{RecordFormatType: types.RecordFormatTypeString},
		}},
		S3DestinationConfiguration: &types.S3DestinationConfiguration{StorageConfiguration: &types.S3StorageConfiguration{
			BucketARN: aws.String("arn:aws:s3:::" + s3srv.Bucket), ExpectedBucketOwner: aws.String("000000000000"),
			CompressionType: types.S3CompressionTypeNone,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("src"), PartitionKey: aws.String("k"),
		Data: []byte("r0")}); err != nil {
		t.Fatal(err)
	}
	keys := s3srv.WaitForObjects(t, 1)
	prefix := "kinesis-channel/ch/" + aws.ToString(out.ChannelDescription.ChannelId) + "/"
	if len(keys) != 1 || !strings.HasPrefix(keys[0], prefix) {
		t.Fatalf("keys %q, want one under %s", keys, prefix)
	}
	if body, _ := s3srv.Object(t, keys[0]); string(body) != "r0\n" {
		t.Fatalf("object %q, want %q", body, "r0\n")
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()
}
