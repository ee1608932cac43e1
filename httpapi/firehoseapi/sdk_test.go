package firehoseapi

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/smithy-go"

	fh "github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// startServer serves Firehose on 127.0.0.1:0 over a segment store and a
// bbolt file in a temporary directory and returns an aws-sdk-go-v2 client.
func startServer(t *testing.T) (*firehose.Client, *fh.Service) {
	t.Helper()
	dir := t.TempDir()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := fh.New(fh.DefaultConfig(), meta, logs)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		logs.Close()
		meta.Close()
	})
	return firehose.New(firehose.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + ln.Addr().String()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
	}), svc
}

func apiCode(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

const role = "arn:aws:iam::000000000000:role/firehose"

func extendedS3() *types.ExtendedS3DestinationConfiguration {
	return &types.ExtendedS3DestinationConfiguration{
		RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::bucket"),
		Prefix: aws.String("data/!{partitionKeyFromQuery:k}/"), ErrorOutputPrefix: aws.String("errors/!{firehose:error-output-type}/"),
		FileExtension: aws.String(".json.gz"), CustomTimeZone: aws.String("Europe/Paris"),
		BufferingHints:    &types.BufferingHints{SizeInMBs: aws.Int32(64), IntervalInSeconds: aws.Int32(60)},
		CompressionFormat: types.CompressionFormatGzip,
		ProcessingConfiguration: &types.ProcessingConfiguration{Enabled: aws.Bool(true), Processors: []types.Processor{
			{Type: types.ProcessorTypeMetadataExtraction, Parameters: []types.ProcessorParameter{
				{ParameterName: types.ProcessorParameterNameMetadataExtractionQuery, ParameterValue: aws.String("{k:.k}")},
				{ParameterName: types.ProcessorParameterNameJsonParsingEngine, ParameterValue: aws.String("JQ-1.6")}}},
			{Type: types.ProcessorTypeAppendDelimiterToRecord}}},
		DynamicPartitioningConfiguration: &types.DynamicPartitioningConfiguration{Enabled: aws.Bool(true),
			RetryOptions: &types.RetryOptions{DurationInSeconds: aws.Int32(300)}},
		S3BackupMode: types.S3BackupModeEnabled,
		S3BackupConfiguration: &types.S3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::backup"),
			CompressionFormat: types.CompressionFormatSnappy},
	}
}

// TestSDKLifecycle drives every operation through aws-sdk-go-v2.
func TestSDKLifecycle(t *testing.T) {
	c, _ := startServer(t)
	ctx := context.Background()
	out, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName:                 aws.String("events"),
		ExtendedS3DestinationConfiguration: extendedS3(),
		Tags:                               []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.DeliveryStreamARN); got != "arn:aws:firehose:us-east-1:000000000000:deliverystream/events" {
		t.Errorf("ARN = %s", got)
	}
	if _, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("events"),
		ExtendedS3DestinationConfiguration: extendedS3()}); !errors.As(err, new(*types.ResourceInUseException)) {
		t.Errorf("second create: %v", err)
	}
	d, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.DeliveryStreamDescription
	if desc.DeliveryStreamStatus != types.DeliveryStreamStatusActive || aws.ToString(desc.VersionId) != "1" ||
		desc.DeliveryStreamType != types.DeliveryStreamTypeDirectPut || desc.CreateTimestamp == nil ||
		len(desc.Destinations) != 1 || aws.ToString(desc.Destinations[0].DestinationId) != "destinationId-000000000001" ||
		aws.ToBool(desc.HasMoreDestinations) || desc.DeliveryStreamEncryptionConfiguration.Status != types.DeliveryStreamEncryptionStatusDisabled {
		t.Fatalf("description: %+v", desc)
	}
	s3 := desc.Destinations[0].ExtendedS3DestinationDescription
	want := extendedS3()
	if aws.ToString(s3.Prefix) != aws.ToString(want.Prefix) || aws.ToString(s3.ErrorOutputPrefix) != aws.ToString(want.ErrorOutputPrefix) ||
		aws.ToString(s3.FileExtension) != ".json.gz" || aws.ToString(s3.CustomTimeZone) != "Europe/Paris" ||
		s3.CompressionFormat != types.CompressionFormatGzip || aws.ToInt32(s3.BufferingHints.SizeInMBs) != 64 ||
		len(s3.ProcessingConfiguration.Processors) != 2 || s3.ProcessingConfiguration.Processors[0].Type != types.ProcessorTypeMetadataExtraction ||
		aws.ToString(s3.ProcessingConfiguration.Processors[0].Parameters[0].ParameterValue) != "{k:.k}" ||
		!aws.ToBool(s3.DynamicPartitioningConfiguration.Enabled) || s3.S3BackupMode != types.S3BackupModeEnabled ||
		aws.ToString(s3.S3BackupDescription.BucketARN) != "arn:aws:s3:::backup" || s3.S3BackupDescription.CompressionFormat != types.CompressionFormatSnappy ||
		s3.EncryptionConfiguration.NoEncryptionConfig != types.NoEncryptionConfigNoEncryption {
		t.Errorf("destination did not round-trip: %+v", s3)
	}

	// A stream-sourced delivery stream refuses Puts as Firehose does.
	if _, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("from-kinesis"),
		DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource,
		KinesisStreamSourceConfiguration: &types.KinesisStreamSourceConfiguration{
			KinesisStreamARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s"), RoleARN: aws.String(role)},
		HttpEndpointDestinationConfiguration: &types.HttpEndpointDestinationConfiguration{
			EndpointConfiguration: &types.HttpEndpointConfiguration{Url: aws.String("https://example.com/in"), AccessKey: aws.String("secret")},
			S3Configuration:       &types.S3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::b")}},
	}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("from-kinesis"), Record: &types.Record{Data: []byte("x")}})
	if code, msg := apiCode(err); code != "InvalidArgumentException" || msg != "This operation is not permitted on KinesisStreamAsSource delivery stream type." {
		t.Errorf("Put to a stream-sourced delivery stream: %v", err)
	}
	k, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("from-kinesis")})
	if err != nil {
		t.Fatal(err)
	}
	if src := k.DeliveryStreamDescription.Source; src == nil || aws.ToString(src.KinesisStreamSourceDescription.KinesisStreamARN) != "arn:aws:kinesis:us-east-1:000000000000:stream/s" {
		t.Errorf("source: %+v", src)
	}
	if h := k.DeliveryStreamDescription.Destinations[0].HttpEndpointDestinationDescription; h == nil ||
		aws.ToString(h.EndpointConfiguration.Url) != "https://example.com/in" {
		t.Errorf("http endpoint description: %+v", h)
	}

	// List: order, Limit, ExclusiveStart, type filter.
	l, err := c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(1)})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "events" || !aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("list limit 1: %+v %v", l, err)
	}
	l, err = c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{ExclusiveStartDeliveryStreamName: aws.String("events")})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "from-kinesis" || aws.ToBool(l.HasMoreDeliveryStreams) {
		t.Fatalf("list after events: %+v %v", l, err)
	}
	l, err = c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{DeliveryStreamType: types.DeliveryStreamTypeKinesisStreamAsSource})
	if err != nil || strings.Join(l.DeliveryStreamNames, ",") != "from-kinesis" {
		t.Fatalf("list by type: %+v %v", l, err)
	}

	// Puts.
	p, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("events"), Record: &types.Record{Data: []byte(`{"k":"a"}`)}})
	if err != nil || aws.ToString(p.RecordId) == "" || aws.ToBool(p.Encrypted) {
		t.Fatalf("PutRecord: %+v %v", p, err)
	}
	recs := make([]types.Record, 500)
	for i := range recs {
		recs[i] = types.Record{Data: []byte("r")}
	}
	b, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("events"), Records: recs})
	if err != nil || aws.ToInt32(b.FailedPutCount) != 0 || len(b.RequestResponses) != 500 {
		t.Fatalf("PutRecordBatch: %v", err)
	}
	seen := map[string]bool{aws.ToString(p.RecordId): true}
	for _, e := range b.RequestResponses {
		if seen[aws.ToString(e.RecordId)] {
			t.Fatalf("duplicate record id %s", aws.ToString(e.RecordId))
		}
		seen[aws.ToString(e.RecordId)] = true
	}

	// Encryption.
	if _, err := c.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("events"),
		DeliveryStreamEncryptionConfigurationInput: &types.DeliveryStreamEncryptionConfigurationInput{KeyType: types.KeyTypeAwsOwnedCmk}}); err != nil {
		t.Fatal(err)
	}
	p, err = c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("events"), Record: &types.Record{Data: []byte("x")}})
	if err != nil || !aws.ToBool(p.Encrypted) {
		t.Fatalf("Encrypted after Start: %+v %v", p, err)
	}
	d, _ = c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
	if e := d.DeliveryStreamDescription.DeliveryStreamEncryptionConfiguration; e.Status != types.DeliveryStreamEncryptionStatusEnabled || e.KeyType != types.KeyTypeAwsOwnedCmk {
		t.Errorf("encryption: %+v", e)
	}
	if _, err := c.StartDeliveryStreamEncryption(ctx, &firehose.StartDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("from-kinesis")}); !errors.As(err, new(*types.InvalidArgumentException)) {
		t.Errorf("encryption of a stream-sourced delivery stream: %v", err)
	}
	if _, err := c.StopDeliveryStreamEncryption(ctx, &firehose.StopDeliveryStreamEncryptionInput{DeliveryStreamName: aws.String("events")}); err != nil {
		t.Fatal(err)
	}

	// Tags.
	if _, err := c.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("events"),
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}, {Key: aws.String("team"), Value: aws.String("b")}}}); err != nil {
		t.Fatal(err)
	}
	tg, err := c.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("events"), Limit: aws.Int32(1)})
	if err != nil || len(tg.Tags) != 1 || aws.ToString(tg.Tags[0].Key) != "env" || !aws.ToBool(tg.HasMoreTags) {
		t.Fatalf("tags page 1: %+v %v", tg, err)
	}
	tg, err = c.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("events"), ExclusiveStartTagKey: aws.String("env")})
	if err != nil || len(tg.Tags) != 1 || aws.ToString(tg.Tags[0].Value) != "b" || aws.ToBool(tg.HasMoreTags) {
		t.Fatalf("tags page 2: %+v %v", tg, err)
	}
	if _, err := c.UntagDeliveryStream(ctx, &firehose.UntagDeliveryStreamInput{DeliveryStreamName: aws.String("events"), TagKeys: []string{"team", "nope"}}); err != nil {
		t.Fatal(err)
	}
	tg, _ = c.ListTagsForDeliveryStream(ctx, &firehose.ListTagsForDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
	if len(tg.Tags) != 1 || aws.ToString(tg.Tags[0].Key) != "env" {
		t.Errorf("after untag: %+v", tg.Tags)
	}

	// UpdateDestination: merge, new version, stale version refused.
	if _, err := c.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("events"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v2/")}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("events"),
		CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
		ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{Prefix: aws.String("v3/")}})
	if !errors.As(err, new(*types.ConcurrentModificationException)) {
		t.Errorf("stale version: %v", err)
	}
	d, _ = c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
	s3 = d.DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription
	if aws.ToString(d.DeliveryStreamDescription.VersionId) != "2" || aws.ToString(s3.Prefix) != "v2/" || s3.CompressionFormat != types.CompressionFormatGzip {
		t.Errorf("after update: version %s prefix %s compression %s", aws.ToString(d.DeliveryStreamDescription.VersionId), aws.ToString(s3.Prefix), s3.CompressionFormat)
	}
	d, _ = c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events"),
		ExclusiveStartDestinationId: aws.String("destinationId-000000000001")})
	if len(d.DeliveryStreamDescription.Destinations) != 0 {
		t.Errorf("destinations after the only one: %+v", d.DeliveryStreamDescription.Destinations)
	}

	// Delete.
	if _, err := c.DeleteDeliveryStream(ctx, &firehose.DeleteDeliveryStreamInput{DeliveryStreamName: aws.String("events"), AllowForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
	if code, msg := apiCode(err); code != "ResourceNotFoundException" || msg != "Firehose events under account 000000000000 not found." {
		t.Errorf("describe after delete: %v", err)
	}
}

// TestSDKValidation: each request the model refuses gets Firehose's
// exception and message through the SDK.
func TestSDKValidation(t *testing.T) {
	c, _ := startServer(t)
	ctx := context.Background()
	if _, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("ok"),
		ExtendedS3DestinationConfiguration: &types.ExtendedS3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::b")}}); err != nil {
		t.Fatal(err)
	}
	s3 := func(mod func(*types.ExtendedS3DestinationConfiguration)) *firehose.CreateDeliveryStreamInput {
		c := &types.ExtendedS3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::b")}
		mod(c)
		return &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x"), ExtendedS3DestinationConfiguration: c}
	}
	big := make([]byte, 1024001)
	tests := []struct {
		name      string
		call      func() error
		code, msg string
	}{
		{"name-pattern", func() error {
			_, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("a b")})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"name-length", func() error {
			_, err := c.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(strings.Repeat("a", 65))})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'deliveryStreamName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"processor-type", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) {
				d.ProcessingConfiguration = &types.ProcessingConfiguration{Processors: []types.Processor{{Type: "NotLambda"}}}
			}))
			return err
		}, "ValidationException", "1 validation error detected: Value at 'extendedS3DestinationConfiguration.processingConfiguration.processors.1.member.type' failed to satisfy constraint: Member must satisfy enum value set: [Decompression, Lambda, RecordDeAggregation, MetadataExtraction, AppendDelimiterToRecord, CloudWatchLogProcessing]"},
		{"buffer-size", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) {
				d.BufferingHints = &types.BufferingHints{SizeInMBs: aws.Int32(129), IntervalInSeconds: aws.Int32(901)}
			}))
			return err
		}, "ValidationException", "2 validation errors detected: Value at 'extendedS3DestinationConfiguration.bufferingHints.intervalInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900; Value at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128"},
		{"bucket-arn", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) { d.BucketARN = aws.String("bucket") }))
			return err
		}, "ValidationException", "1 validation error detected: Value at 'extendedS3DestinationConfiguration.bucketARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:.*"},
		{"compression", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) { d.CompressionFormat = "BZIP2" }))
			return err
		}, "ValidationException", "1 validation error detected: Value at 'extendedS3DestinationConfiguration.compressionFormat' failed to satisfy constraint: Member must satisfy enum value set: [ZIP, HADOOP_SNAPPY, Snappy, GZIP, UNCOMPRESSED]"},
		{"file-extension", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) { d.FileExtension = aws.String("json") }))
			return err
		}, "ValidationException", "1 validation error detected: Value at 'extendedS3DestinationConfiguration.fileExtension' failed to satisfy constraint: Member must satisfy regular expression pattern: ^$|\\.[0-9a-z!\\-_.*'()]+"},
		{"no-destination", func() error {
			_, err := c.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("x")})
			return err
		}, "InvalidArgumentException", "A destination configuration is required."},
		{"exists", func() error {
			_, err := c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) {}))
			if err != nil {
				return err
			}
			_, err = c.CreateDeliveryStream(ctx, s3(func(d *types.ExtendedS3DestinationConfiguration) {}))
			return err
		}, "ResourceInUseException", "Firehose x under account 000000000000 already exists."},
		{"record-too-large", func() error {
			_, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("ok"), Record: &types.Record{Data: big}})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"},
		{"batch-too-many", func() error {
			recs := make([]types.Record, 501)
			for i := range recs {
				recs[i] = types.Record{Data: []byte("x")}
			}
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("ok"), Records: recs})
			return err
		}, "ValidationException", "at 'records' failed to satisfy constraint: Member must have length less than or equal to 500"},
		{"batch-too-large", func() error {
			recs := make([]types.Record, 5)
			for i := range recs {
				recs[i] = types.Record{Data: make([]byte, 1000*1024)}
			}
			_, err := c.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String("ok"), Records: recs})
			return err
		}, "InvalidArgumentException", "Records size exceeds 4 MB limit"},
		{"put-not-found", func() error {
			_, err := c.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("nope"), Record: &types.Record{Data: []byte("x")}})
			return err
		}, "ResourceNotFoundException", "Firehose nope under account 000000000000 not found."},
		{"list-limit", func() error {
			_, err := c.ListDeliveryStreams(ctx, &firehose.ListDeliveryStreamsInput{Limit: aws.Int32(0)})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"tag-key-aws", func() error {
			_, err := c.TagDeliveryStream(ctx, &firehose.TagDeliveryStreamInput{DeliveryStreamName: aws.String("ok"), Tags: []types.Tag{{Key: aws.String("aws:x")}}})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$"},
		{"version-pattern", func() error {
			_, err := c.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("ok"),
				CurrentDeliveryStreamVersionId: aws.String("one"), DestinationId: aws.String("destinationId-000000000001"),
				ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{}})
			return err
		}, "ValidationException", "1 validation error detected: Value at 'currentDeliveryStreamVersionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"},
		{"wrong-destination", func() error {
			_, err := c.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("ok"),
				CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000002"),
				ExtendedS3DestinationUpdate: &types.ExtendedS3DestinationUpdate{}})
			return err
		}, "InvalidArgumentException", "Destination destinationId-000000000002 not found in Firehose ok."},
		{"switch-to-opensearch", func() error {
			_, err := c.UpdateDestination(ctx, &firehose.UpdateDestinationInput{DeliveryStreamName: aws.String("ok"),
				CurrentDeliveryStreamVersionId: aws.String("1"), DestinationId: aws.String("destinationId-000000000001"),
				AmazonopensearchserviceDestinationUpdate: &types.AmazonopensearchserviceDestinationUpdate{IndexName: aws.String("i")}})
			return err
		}, "InvalidArgumentException", "Changing the destination type to or from Amazonopensearchservice is not supported."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := apiCode(tt.call())
			if code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Errorf("got %s %q\nwant %s %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

// TestSDKRegions: each request is served in the region its signature
// names.
func TestSDKRegions(t *testing.T) {
	us, _ := startServer(t)
	o := us.Options()
	o.Region = "eu-west-1"
	eu := firehose.New(o)
	ctx := context.Background()
	out, err := eu.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("regional"),
		S3DestinationConfiguration: &types.S3DestinationConfiguration{RoleARN: aws.String(role), BucketARN: aws.String("arn:aws:s3:::b")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.DeliveryStreamARN); got != "arn:aws:firehose:eu-west-1:000000000000:deliverystream/regional" {
		t.Errorf("ARN %s", got)
	}
	if _, err := us.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("regional")}); !errors.As(err, new(*types.ResourceNotFoundException)) {
		t.Errorf("us-east-1 sees eu-west-1's stream: %v", err)
	}
	if _, err := eu.PutRecord(ctx, &firehose.PutRecordInput{DeliveryStreamName: aws.String("regional"), Record: &types.Record{Data: []byte("x")}}); err != nil {
		t.Fatal(err)
	}
}
