package main

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// TestServeFirehoseKill9: records the real server acknowledged through
// PutRecordBatch are in the delivery stream's log after a SIGKILL, and the
// server started again on the data directory still describes the stream.
func TestServeFirehoseKill9(t *testing.T) {
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	c := startChild(t, args)
	client := func(c *child) *fhsdk.Client {
		return fhsdk.New(fhsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	}
	ctx := testContext(t)
	fh := client(c)
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("kept"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::b")}}); err != nil {
		t.Fatal(err)
	}
	var acked [][]byte
	for b := 0; b < 5; b++ {
		recs := make([]fhtypes.Record, 100)
		for i := range recs {
			recs[i] = fhtypes.Record{Data: []byte(fmt.Sprintf("batch %d record %d", b, i))}
		}
		out, err := fh.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("kept"), Records: recs})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("PutRecordBatch: %v", err)
		}
		for _, r := range recs {
			acked = append(acked, r.Data)
		}
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()

	// The data directory, read as eddy serve reads it.
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := firehose.New(firehose.DefaultConfig(), meta, logs)
	if err != nil {
		t.Fatal(err)
	}
	streams, err := svc.DeliveryStreams("us-east-1")
	if err != nil || len(streams) != 1 {
		t.Fatalf("delivery streams after kill -9: %+v, %v", streams, err)
	}
	log, err := svc.OpenLog(streams[0])
	if err != nil {
		t.Fatal(err)
	}
	got, err := log.Read(1, 10000, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(acked) {
		t.Fatalf("%d records in the log after kill -9, %d acknowledged", len(got), len(acked))
	}
	for i := range got {
		if !bytes.Equal(got[i].Data, acked[i]) {
			t.Fatalf("record %d = %q, want %q", i, got[i].Data, acked[i])
		}
	}
	logs.Close()
	meta.Close()

	c = startChild(t, args)
	d, err := client(c).DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if st := d.DeliveryStreamDescription.DeliveryStreamStatus; st != fhtypes.DeliveryStreamStatusActive {
		t.Errorf("status after restart: %s", st)
	}
}
