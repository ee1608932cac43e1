package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
)

func (c *child) kmsClient() *kmssdk.Client {
	return kmssdk.New(kmssdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

// TestServeStreamEncryption: with StartStreamEncryption, records are
// stored with nothing of their data or partition key in the clear (the
// data directory is searched after a SIGKILL), read back equal after a
// restart with EncryptionType KMS (GetRecords and SubscribeToShard); a
// disabled key fails puts and gets with KMSDisabledException until it is
// enabled; records from before StartStreamEncryption and after
// StopStreamEncryption are plain; a rotated key still opens old records.
func TestServeStreamEncryption(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --create-delay 0s --update-delay 0s --data-dir " + dir
	c := startChild(t, args)
	ctx := testContext(t)
	kc, km := c.client(), c.kmsClient()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	put := func(kc *kinesis.Client, pk, data string) error {
		_, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(pk), Data: []byte(data)})
		return err
	}
	if err := put(kc, "before-pk", "before-data"); err != nil {
		t.Fatal(err)
	}
	key, err := km.CreateKey(ctx, &kmssdk.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	keyID := key.KeyMetadata.KeyId
	_, err = kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"),
		EncryptionType: types.EncryptionTypeKms, KeyId: aws.String("alias/no-such-key")})
	var notFound *types.KMSNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("StartStreamEncryption with a missing key: %v", err)
	}
	if _, err := kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"),
		EncryptionType: types.EncryptionTypeKms, KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	const marker = "SSE-MARKER-c41d"
	var entries []types.PutRecordsRequestEntry
	for i := range 20 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(marker, "-pk-", i)),
			Data: []byte(fmt.Sprint(marker, "-data-", i))})
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 || out.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("PutRecords: %v %+v", err, out)
	}

	c.cmd.Process.Kill()
	c.cmd.Wait()
	files := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		files++
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("read %s: %v", p, err)
		}
		if bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s holds the records' marker in the clear", p)
		}
		return nil
	})
	if files < 3 {
		t.Fatalf("data dir has %d files", files)
	}

	c = startChild(t, args)
	kc, km = c.client(), c.kmsClient()
	read := func() ([]types.Record, error) {
		it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"),
			ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return nil, err
		}
		out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			return nil, err
		}
		return out.Records, nil
	}
	recs, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 21 {
		t.Fatalf("read %d records, want 21", len(recs))
	}
	if r := recs[0]; aws.ToString(r.PartitionKey) != "before-pk" || string(r.Data) != "before-data" || r.EncryptionType == types.EncryptionTypeKms {
		t.Fatalf("record put before StartStreamEncryption: %+v", r)
	}
	for i, r := range recs[1:] {
		if aws.ToString(r.PartitionKey) != fmt.Sprint(marker, "-pk-", i) || string(r.Data) != fmt.Sprint(marker, "-data-", i) || r.EncryptionType != types.EncryptionTypeKms {
			t.Fatalf("encrypted record %d read as %+v", i, r)
		}
	}

	// SubscribeToShard decrypts too.
	sum, err := kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the consumer to be ACTIVE", func() bool {
		d, err := kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		return err == nil && d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive
	})
	// A subscription the client's side loses ("use of closed network
	// connection" on the SDK's own connection, as aws-sdk-go-v2#2737
	// describes for other calls; seen once in ~10 runs) is taken up again
	// after the last record pushed, as a consumer library does.
	subscribe := func(after string, again bool) *kinesis.SubscribeToShardOutput {
		pos := &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
		if after != "" {
			pos = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(after)}
		}
		// Until the server sees the lost connection, the old subscription
		// holds the shard (ResourceInUseException, as Kinesis answers
		// within 5 s of an active one): try again for up to 10 s.
		deadline := time.Now().Add(10 * time.Second)
		for {
			sub, err := kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN, ShardId: aws.String("shardId-000000000000"),
				StartingPosition: pos})
			var inUse *types.ResourceInUseException
			if errors.As(err, &inUse) && again && time.Now().Before(deadline) {
				time.Sleep(250 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			return sub
		}
	}
	sub := subscribe("", false)
	var pushed []types.Record
	for resubscribed := 0; len(pushed) < 21; {
		ev := recvWithin(t, sub.GetStream().Events(), "a SubscribeToShard event")
		if ev == nil {
			err := sub.GetStream().Err()
			if err == nil || !strings.Contains(err.Error(), "use of closed network connection") || resubscribed == 3 {
				t.Fatalf("subscription ended: %v", err)
			}
			t.Logf("subscription lost on the client's side (%v); subscribing again", err)
			resubscribed++
			after := ""
			if len(pushed) > 0 {
				after = aws.ToString(pushed[len(pushed)-1].SequenceNumber)
			}
			sub = subscribe(after, true)
			continue
		}
		pushed = append(pushed, ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent).Value.Records...)
	}
	sub.GetStream().Close()
	if r := pushed[20]; aws.ToString(r.PartitionKey) != marker+"-pk-19" || string(r.Data) != marker+"-data-19" || r.EncryptionType != types.EncryptionTypeKms {
		t.Fatalf("SubscribeToShard pushed %+v", r)
	}

	// A disabled key: puts and gets fail (within the ~1 s the engine
	// caches the key's state), then work again once it is enabled.
	if _, err := km.DisableKey(ctx, &kmssdk.DisableKeyInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	var disabled *types.KMSDisabledException
	waitFor(t, "puts to fail with KMSDisabledException", func() bool { return errors.As(put(kc, "k", "x"), &disabled) })
	waitFor(t, "gets to fail with KMSDisabledException", func() bool {
		_, err := read()
		return errors.As(err, &disabled)
	})
	if _, err := km.EnableKey(ctx, &kmssdk.EnableKeyInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "puts to work again", func() bool { return put(kc, "after-enable", "after-enable") == nil })
	waitFor(t, "gets to work again", func() bool { _, err := read(); return err == nil })

	// A rotated key still opens the records sealed before.
	if _, err := km.RotateKeyOnDemand(ctx, &kmssdk.RotateKeyOnDemandInput{KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	if err := put(kc, "after-rotation", "after-rotation"); err != nil {
		t.Fatal(err)
	}
	if _, err := kc.StopStreamEncryption(ctx, &kinesis.StopStreamEncryptionInput{StreamName: aws.String("s"),
		EncryptionType: types.EncryptionTypeKms, KeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	if err := put(kc, "after-stop", "after-stop"); err != nil {
		t.Fatal(err)
	}
	recs, err = read()
	if err != nil {
		t.Fatal(err)
	}
	var tail []string
	for _, r := range recs[21:] {
		if aws.ToString(r.PartitionKey) == "k" {
			continue // put before the disabled state was seen
		}
		tail = append(tail, fmt.Sprintf("%s:%s:%s", aws.ToString(r.PartitionKey), r.Data, r.EncryptionType))
	}
	if want := "[after-enable:after-enable:KMS after-rotation:after-rotation:KMS after-stop:after-stop:]"; fmt.Sprint(tail) != want {
		t.Fatalf("read %v, want %s", tail, want)
	}

	// A key pending deletion: KMSInvalidStateException, a 400 from Kinesis
	// (KMS answers its own with 409).
	if _, err := km.ScheduleKeyDeletion(ctx, &kmssdk.ScheduleKeyDeletionInput{KeyId: keyID, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	_, err = kc.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("s"),
		EncryptionType: types.EncryptionTypeKms, KeyId: keyID})
	var invalid *types.KMSInvalidStateException
	var resp *awshttp.ResponseError
	if !errors.As(err, &invalid) || !errors.As(err, &resp) || resp.HTTPStatusCode() != 400 {
		t.Fatalf("StartStreamEncryption with a key pending deletion: %v", err)
	}
}
