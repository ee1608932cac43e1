package kinesisapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// wantAPIMessage fails unless err is an API error with code and exactly
// message msg.
func wantAPIMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || ae.ErrorMessage() != msg {
		t.Fatalf("got  %v\nwant %s: %s", err, code, msg)
	}
}

// TestShardIDsTagsAndCheckOrderSDK drives shard ids in Kinesis's accepted
// forms, tag characters and the order of checks through aws-sdk-go-v2.
// Expected answers are the service's as recorded by kinesalite
// (mhart/kinesalite test/getShardIterator.js, splitShard.js,
// mergeShards.js, addTagsToStream.js).
func TestShardIDsTagsAndCheckOrderSDK(t *testing.T) {
	srv := startServer(t, t.TempDir(), nil)
	c := srv.client
	ctx := context.Background()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	const acct = "000000000000"

	// Short shard ids work as on Kinesis.
	if _, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-0"),
		ShardIteratorType: types.ShardIteratorTypeLatest}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("nope"), ShardId: aws.String("ABKLFD8"),
		ShardIteratorType: types.ShardIteratorTypeLatest})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Could not find shard ABKLFD8 in stream nope under account "+acct+".")
	_, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-5"),
		ShardIteratorType: types.ShardIteratorTypeLatest})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Shard shardId-000000000005 in stream s under account "+acct+" does not exist")
	_, err = c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-5"), NewStartingHashKey: aws.String("2")})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Could not find shard shardId-000000000005 in stream s under account "+acct+".")
	if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("s"), ShardToSplit: aws.String("shardId-0"),
		NewStartingHashKey: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	_, err = c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-4"), AdjacentShardToMerge: aws.String("shardId-3")})
	wantAPIMessage(t, err, "InvalidArgumentException",
		"Shards shardId-000000000004 and shardId-000000000003 in stream s under account "+acct+" are not an adjacent pair of shards eligible for merging")
	if _, err := c.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("s"), ShardToMerge: aws.String("shardId-3"),
		AdjacentShardToMerge: aws.String("shardId-4")}); err != nil {
		t.Fatal(err)
	}
	waitActive(t, c, "s")
	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), ExclusiveStartShardId: aws.String("shardId-4")})
	if err != nil {
		t.Fatal(err)
	}
	if sh := d.StreamDescription.Shards; len(sh) != 1 || aws.ToString(sh[0].ShardId) != "shardId-000000000005" ||
		aws.ToString(sh[0].ParentShardId) != "shardId-000000000003" || aws.ToString(sh[0].AdjacentParentShardId) != "shardId-000000000004" {
		t.Fatalf("shards after shardId-4: %+v", sh)
	}

	// Tag characters: after the stream is found.
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"abc;def": "1"}})
	wantAPIMessage(t, err, "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.")
	_, err = c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{"abc%def"}})
	wantAPIMessage(t, err, "InvalidArgumentException", "Failed to remove tags from stream s under account "+acct+
		" because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.")
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("nope"), Tags: map[string]string{"abc;def": "1"}})
	wantAPIMessage(t, err, "ResourceNotFoundException", "Stream nope under account "+acct+" not found.")

	// Every member's constraints before any existence check.
	tags := map[string]string{}
	for i := 0; i < 201; i++ {
		tags[fmt.Sprintf("k%03d", i)] = "v"
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("nope"), Tags: tags})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" ||
		!strings.HasPrefix(ae.ErrorMessage(), "1 validation error detected: Value '{k000=v, k001=v, ") ||
		!strings.HasSuffix(ae.ErrorMessage(), "}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 200") {
		t.Fatalf("201 tags on a missing stream: %v", err)
	}
}
