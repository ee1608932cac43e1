package kinesiscbor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/client/kinesiscbor"
	"github.com/eddy-streams/eddy/internal/eddytest"
)

func createStream(ctx context.Context, t *testing.T, kc *kinesis.Client, name string, shards int32) {
	t.Helper()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(shards)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

func iterator(ctx context.Context, t *testing.T, kc *kinesis.Client, stream, shard string, typ types.ShardIteratorType) *string {
	t.Helper()
	out, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: typ})
	if err != nil {
		t.Fatal(err)
	}
	return out.ShardIterator
}

// render prints every field of an answer but the next iterator (each call
// makes a fresh one), so two reads of the same records compare equal.
func render(out *kinesis.GetRecordsOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "behind set=%v children=%d\n", out.MillisBehindLatest != nil, len(out.ChildShards)) // its value moves with the clock
	for _, r := range out.Records {
		fmt.Fprintf(&b, "%s %q %s %q %x\n", aws.ToString(r.SequenceNumber), aws.ToString(r.PartitionKey),
			r.ApproximateArrivalTimestamp.UTC().Format(time.RFC3339Nano), r.EncryptionType, r.Data)
	}
	for _, c := range out.ChildShards {
		fmt.Fprintf(&b, "child %s %v %s-%s\n", aws.ToString(c.ShardId), c.ParentShards,
			aws.ToString(c.HashKeyRange.StartingHashKey), aws.ToString(c.HashKeyRange.EndingHashKey))
	}
	return b.String()
}

// contentTypes records "request type -> answer type" of each call.
type contentTypes struct {
	next http.RoundTripper
	seen []string
}

func (c *contentTypes) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(r)
	if err == nil {
		c.seen = append(c.seen, r.Header.Get("Content-Type")+" -> "+res.Header.Get("Content-Type"))
	}
	return res, err
}

// TestSameAsJSON reads the same records with the SDK's JSON and with CBOR
// and compares every field: data of every size (empty is not allowed, so
// 1 byte up to 1 MiB), partition keys with non-ASCII text, arrival
// timestamps, and the ChildShards of a closed shard.
func TestSameAsJSON(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createStream(ctx, t, kc, "cbor", 1)
	var want [][]byte
	for i, n := range []int{1, 23, 24, 255, 256, 65535, 65536, 1<<20 - 64} {
		data := bytes.Repeat([]byte{byte(i + 1)}, n)
		data[0] = 0xff // not text
		want = append(want, data)
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("cbor"), PartitionKey: aws.String(fmt.Sprintf("clé-%d-ü", i)), Data: data}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("cbor"), ShardToSplit: aws.String("shardId-000000000000"), NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("cbor")}, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	// Read the whole closed shard both ways, in calls of 3 records.
	read := func(opts ...func(*kinesis.Options)) []*kinesis.GetRecordsOutput {
		var outs []*kinesis.GetRecordsOutput
		it := iterator(ctx, t, kc, "cbor", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)
		for it != nil {
			out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(3)}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			outs = append(outs, out)
			it = out.NextShardIterator
		}
		return outs
	}
	rec := &contentTypes{next: http.DefaultTransport}
	viaJSON := read()
	viaCBOR := read(kinesiscbor.GetRecords, func(o *kinesis.Options) { o.HTTPClient = &http.Client{Transport: rec} })
	if want := "application/x-amz-cbor-1.1 -> application/x-amz-cbor-1.1"; len(rec.seen) == 0 || rec.seen[0] != want {
		t.Fatalf("GetRecords went as %v, want %q", rec.seen, want)
	}
	if len(viaJSON) != len(viaCBOR) {
		t.Fatalf("JSON took %d calls, CBOR %d", len(viaJSON), len(viaCBOR))
	}
	var got [][]byte
	sawChildren := false
	for i := range viaJSON {
		j, c := render(viaJSON[i]), render(viaCBOR[i])
		if j != c {
			t.Fatalf("call %d:\nJSON %.2000s\nCBOR %.2000s", i, j, c)
		}
		for _, r := range viaCBOR[i].Records {
			got = append(got, r.Data)
		}
		sawChildren = sawChildren || len(viaCBOR[i].ChildShards) == 2
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("CBOR read %d records, want %d", len(got), len(want))
	}
	if !sawChildren {
		t.Fatal("no answer carried the two child shards")
	}
}

// TestErrorsAreTyped checks that errors answered in CBOR reach the caller as
// the SDK's typed errors with their messages, so retry logic and
// errors.As work as with JSON.
func TestErrorsAreTyped(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s := eddytest.Start(t, eddytest.Options{})
	kc := kinesis.New(s.Kinesis().Options(), kinesiscbor.GetRecords, func(o *kinesis.Options) { o.RetryMaxAttempts = 1 })
	createStream(ctx, t, kc, "errs", 1)

	_, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("not-an-iterator")})
	var inv *types.InvalidArgumentException
	if !errors.As(err, &inv) || inv.ErrorMessage() == "" {
		t.Fatalf("bad iterator: got %T %v, want InvalidArgumentException with a message", err, err)
	}
	_, err = kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iterator(ctx, t, kc, "errs", "shardId-000000000000", types.ShardIteratorTypeLatest), Limit: aws.Int32(0)})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationException" || !strings.Contains(api.ErrorMessage(), "'limit'") {
		t.Fatalf("Limit 0: got %T %v, want ValidationException about 'limit'", err, err)
	}
	_, jsonErr := s.Kinesis().GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: aws.String("not-an-iterator")})
	var jinv *types.InvalidArgumentException
	if !errors.As(jsonErr, &jinv) || jinv.ErrorMessage() != inv.ErrorMessage() {
		t.Fatalf("CBOR's message %q differs from JSON's error %v", inv.ErrorMessage(), jsonErr)
	}

	if _, err := kc.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("errs")}); err != nil {
		t.Fatal(err) // other operations still go as JSON through the same client
	}
}
