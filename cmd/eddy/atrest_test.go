package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
)

// grepDir reports every file under dir whose name or content holds one of
// markers, and how many files it read.
func grepDir(t *testing.T, dir string, markers ...string) (found []string, files int) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		for _, m := range markers {
			if strings.Contains(info.Name(), m) {
				found = append(found, "name "+p)
			}
		}
		if info.IsDir() {
			return nil
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if bytes.Contains(b, []byte(m)) {
				found = append(found, fmt.Sprintf("%s holds %q", p, m))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found, files
}

// TestServeEncryptAtRest: with --encrypt-at-rest, a stream's name and
// records, a DynamoDB lease table's name and items, a delivery stream's
// records and a KMS key's description are nowhere in the data directory
// in the clear after a kill -9 (names of files included); the restarted
// server, given the root key, reads them all back; without the key, with
// another key, or without the flag, it refuses to start and says why, and
// a plain data directory is refused with the flag.
func TestServeEncryptAtRest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	ctx := testContext(t)
	dir := filepath.Join(t.TempDir(), "data")
	keyFile := filepath.Join(t.TempDir(), "root.key")
	rootKey := make([]byte, 32)
	rand.Read(rootKey)
	if err := os.WriteFile(keyFile, []byte(hex.EncodeToString(rootKey)), 0o600); err != nil {
		t.Fatal(err)
	}
	args := "serve --listen 127.0.0.1:0 --create-delay 0s --update-delay 0s --encrypt-at-rest --data-dir " + dir
	c := startChild(t, args+" --kms-root-key-file "+keyFile)

	const (
		nameMarker = "atrestname7f3a"
		dataMarker = "ATREST-DATA-91c2"
	)
	stream := "orders-" + nameMarker
	kc := c.client()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stream to be ACTIVE", func() bool {
		d, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
		return err == nil && d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive
	})
	var entries []types.PutRecordsRequestEntry
	for i := range 50 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(dataMarker, "-pk-", i)),
			Data: []byte(fmt.Sprint(dataMarker, "-record-", i))})
	}
	if out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}); err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %v %+v", err, out)
	}
	if _, err := kc.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String(stream), Tags: map[string]string{"owner": dataMarker + "-tag"}}); err != nil {
		t.Fatal(err)
	}

	// A KCL-style lease table.
	db := c.dynamo()
	table := "leases-" + nameMarker
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("leaseKey"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("leaseKey"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
		t.Fatal(err)
	}
	lease := map[string]ddbtypes.AttributeValue{
		"leaseKey":   &ddbtypes.AttributeValueMemberS{Value: "shardId-000000000000-" + dataMarker},
		"leaseOwner": &ddbtypes.AttributeValueMemberS{Value: "worker-" + dataMarker},
		"checkpoint": &ddbtypes.AttributeValueMemberS{Value: "TRIM_HORIZON"},
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: lease}); err != nil {
		t.Fatal(err)
	}

	// A DirectPut delivery stream's buffered records (its destination is
	// missing, so they wait in Eddy's store).
	fh := c.firehoseClient()
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("ds-" + nameMarker),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::missing-bucket")}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery stream to be ACTIVE", func() bool {
		d, err := fh.DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("ds-" + nameMarker)})
		return err == nil && d.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive
	})
	if _, err := fh.PutRecord(ctx, &fhsdk.PutRecordInput{DeliveryStreamName: aws.String("ds-" + nameMarker),
		Record: &fhtypes.Record{Data: []byte(dataMarker + "-firehose")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.kmsClient().CreateKey(ctx, &kmssdk.CreateKeyInput{Description: aws.String(dataMarker + "-key")}); err != nil {
		t.Fatal(err)
	}

	c.cmd.Process.Kill()
	c.cmd.Wait()
	found, files := grepDir(t, dir, nameMarker, dataMarker)
	if len(found) > 0 {
		t.Errorf("plaintext in the data directory:\n%s", strings.Join(found, "\n"))
	}
	if files < 4 {
		t.Fatalf("the data directory has %d files", files)
	}

	// Refusals, each saying why.
	if msg := serveFails(t, args); !strings.Contains(msg, "--encrypt-at-rest needs the root key") {
		t.Errorf("without the root key: %s", msg)
	}
	other := make([]byte, 32)
	rand.Read(other)
	if msg := serveFails(t, args, "EDDY_KMS_ROOT_KEY="+hex.EncodeToString(other)); !strings.Contains(msg, "wrong key") {
		t.Errorf("with another root key: %s", msg)
	}
	plainArgs := strings.Replace(args, " --encrypt-at-rest", "", 1)
	if msg := serveFails(t, plainArgs+" --kms-root-key-file "+keyFile); !strings.Contains(msg, "is encrypted at rest") {
		t.Errorf("without --encrypt-at-rest: %s", msg)
	}
	plainDir := t.TempDir()
	p := startChild(t, "serve --listen 127.0.0.1:0 --data-dir "+plainDir)
	p.cmd.Process.Kill()
	p.cmd.Wait()
	if msg := serveFails(t, "serve --listen 127.0.0.1:0 --encrypt-at-rest --data-dir "+plainDir, "EDDY_KMS_ROOT_KEY="+hex.EncodeToString(rootKey)); !strings.Contains(msg, "holds unencrypted data") {
		t.Errorf("a plain data directory with --encrypt-at-rest: %s", msg)
	}

	// Everything back with the key.
	c = startChild(t, args+" --kms-root-key-file "+keyFile)
	kc, db = c.client(), c.dynamo()
	var got []string
	for _, shard := range []string{"shardId-000000000000", "shardId-000000000001"} {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			if !strings.HasPrefix(aws.ToString(r.PartitionKey), dataMarker+"-pk-") {
				t.Fatalf("record %+v", r)
			}
			got = append(got, string(r.Data))
		}
	}
	// 50 distinct records (a PutRecords the SDK retried after the Go
	// transport dropped its connection could store some twice: at least
	// once, as Kinesis).
	distinct := map[string]bool{}
	for _, d := range got {
		distinct[d] = true
	}
	if len(distinct) != 50 {
		t.Fatalf("read %d distinct records back (%d in all), want 50", len(distinct), len(got))
	}
	tags, err := kc.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String(stream)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != dataMarker+"-tag" {
		t.Fatalf("tags: %v %+v", err, tags)
	}
	item, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"leaseKey": lease["leaseKey"]}})
	if err != nil {
		t.Fatal(err)
	}
	if owner, ok := item.Item["leaseOwner"].(*ddbtypes.AttributeValueMemberS); !ok || owner.Value != "worker-"+dataMarker {
		t.Fatalf("lease read back as %+v", item.Item)
	}
	keys, err := c.kmsClient().ListKeys(ctx, &kmssdk.ListKeysInput{})
	if err != nil || len(keys.Keys) == 0 {
		t.Fatalf("ListKeys: %v %+v", err, keys)
	}
}
