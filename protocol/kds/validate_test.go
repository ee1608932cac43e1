package kds

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

// Expected messages come from Kinesis where it is known: the cases marked
// "observed" reproduce responses of the service recorded by kinesalite's
// test suite (mhart/kinesalite, test/*.js), adjusted only where the model
// has changed since (Data now allows 10 MiB, PartitionKey and ShardCount
// are optional).

const (
	streamARN   = "arn:aws:kinesis:us-east-1:123456789012:stream/s"
	consumerARN = "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1700000000"
	hashKeyMax  = "340282366920938463463374607431768211455"
)

type validateCase struct {
	name string
	in   Input
	code string // "" for a valid input
	msg  string
}

func runValidate(t *testing.T, cases []validateCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.in.Validate()
			if c.code == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *eddy.Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %#v, want *eddy.Error", err)
			}
			if e.Code != c.code || e.Message != c.msg {
				t.Fatalf("Validate() =\n  %s: %s\nwant\n  %s: %s", e.Code, e.Message, c.code, c.msg)
			}
		})
	}
}

func vmsg(parts ...string) string {
	if len(parts) == 1 {
		return "1 validation error detected: " + parts[0]
	}
	return itoa(int64(len(parts))) + " validation errors detected: " + strings.Join(parts, "; ")
}

func ptr[T any](v T) *T { return &v }

var long129 = strings.Repeat("a", 129)

func TestValidateCreateStream(t *testing.T) {
	runValidate(t, []validateCase{
		{"valid provisioned", &CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr[int32](2)}, "", ""},
		{"valid on-demand", &CreateStreamInput{StreamName: ptr("a.b-c_D9"),
			StreamModeDetails:  &StreamModeDetails{StreamMode: ptr(StreamModeOnDemand)},
			MaxRecordSizeInKiB: ptr[int32](10240), WarmThroughputMiBps: ptr[int32](0),
			RecordDistributionStrategy: ptr(RecordDistributionStrategyAuto),
			Tags:                       map[string]string{"k": ""}}, "", ""},
		{"no stream name", &CreateStreamInput{}, eddy.CodeValidation,
			vmsg("Value null at 'streamName' failed to satisfy constraint: Member must not be null")},
		// observed
		{"empty stream name", &CreateStreamInput{StreamName: ptr(""), ShardCount: ptr[int32](0)}, eddy.CodeValidation,
			vmsg("Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// observed
		{"long stream name", &CreateStreamInput{StreamName: ptr(long129), ShardCount: ptr[int32](1)}, eddy.CodeValidation,
			vmsg("Value '" + long129 + "' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128")},
		{"bad character", &CreateStreamInput{StreamName: ptr("a$b")}, eddy.CodeValidation,
			vmsg("Value 'a$b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")},
		{"stream mode", &CreateStreamInput{StreamName: ptr("s"), StreamModeDetails: &StreamModeDetails{StreamMode: ptr(StreamMode("SERVERLESS"))}},
			eddy.CodeValidation,
			vmsg("Value 'SERVERLESS' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")},
		{"stream mode null", &CreateStreamInput{StreamName: ptr("s"), StreamModeDetails: &StreamModeDetails{}}, eddy.CodeValidation,
			vmsg("Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must not be null")},
		{"ranges", &CreateStreamInput{StreamName: ptr("s"), MaxRecordSizeInKiB: ptr[int32](10241), WarmThroughputMiBps: ptr[int32](-1)},
			eddy.CodeValidation,
			vmsg("Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240",
				"Value '-1' at 'warmThroughputMiBps' failed to satisfy constraint: Member must have value greater than or equal to 0")},
		{"tag value too long", &CreateStreamInput{StreamName: ptr("s"), Tags: map[string]string{"b": strings.Repeat("v", 257), "a": "1"}},
			eddy.CodeValidation,
			vmsg("Value '{a=1, b=" + strings.Repeat("v", 257) + "}' at 'tags' failed to satisfy constraint: " +
				"Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0]")},
	})
}

func TestValidatePutRecord(t *testing.T) {
	runValidate(t, []validateCase{
		{"valid", &PutRecordInput{StreamName: ptr("s"), Data: []byte{}, PartitionKey: ptr("k")}, "", ""},
		{"valid without partition key", &PutRecordInput{StreamARN: ptr(streamARN), Data: []byte("x")}, "", ""},
		{"no data", &PutRecordInput{StreamName: ptr("s")}, eddy.CodeValidation,
			vmsg("Value null at 'data' failed to satisfy constraint: Member must not be null")},
		// observed
		{"empty members", &PutRecordInput{StreamName: ptr(""), PartitionKey: ptr(""), Data: []byte{}, ExplicitHashKey: ptr(""), SequenceNumberForOrdering: ptr("")},
			eddy.CodeValidation,
			vmsg(`Value '' at 'sequenceNumberForOrdering' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`,
				"Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
				`Value '' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`,
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"partition key counts UTF-16 units", &PutRecordInput{StreamName: ptr("s"), Data: []byte{}, PartitionKey: ptr(strings.Repeat("😀", 129))},
			eddy.CodeValidation,
			vmsg("Value '" + strings.Repeat("😀", 129) + "' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256")},
		{"partition key of 128 astral runes", &PutRecordInput{StreamName: ptr("s"), Data: []byte{}, PartitionKey: ptr(strings.Repeat("😀", 128))}, "", ""},
		{"no stream", &PutRecordInput{Data: []byte("x"), PartitionKey: ptr("k")}, eddy.CodeInvalidArgument,
			"Either StreamName or StreamARN should be provided."},
		{"bad stream ARN", &PutRecordInput{StreamARN: ptr("arn:aws:kinesis:us-east-1:123:stream/s"), Data: []byte("x")}, eddy.CodeValidation,
			vmsg(`Value 'arn:aws:kinesis:us-east-1:123:stream/s' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`)},
	})
}

func TestValidatePutRecords(t *testing.T) {
	big := make([]byte, eddy.MaxRecordDataSize+1)
	many := make([]PutRecordsRequestEntry, 501)
	for i := range many {
		many[i] = PutRecordsRequestEntry{PartitionKey: ptr(""), Data: []byte{}}
	}
	runValidate(t, []validateCase{
		{"valid", &PutRecordsInput{StreamName: ptr("s"), Records: []PutRecordsRequestEntry{
			{Data: []byte("a"), PartitionKey: ptr("k")},
			{Data: []byte{}, PartitionKey: ptr("k"), ExplicitHashKey: ptr(hashKeyMax)},
			{Data: make([]byte, eddy.MaxRecordDataSize)},
		}}, "", ""},
		{"nothing", &PutRecordsInput{}, eddy.CodeValidation,
			vmsg("Value null at 'records' failed to satisfy constraint: Member must not be null")},
		// observed
		{"empty", &PutRecordsInput{StreamName: ptr(""), Records: []PutRecordsRequestEntry{}}, eddy.CodeValidation,
			vmsg("Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// observed
		{"empty entry members", &PutRecordsInput{StreamName: ptr(""), Records: []PutRecordsRequestEntry{{PartitionKey: ptr(""), Data: []byte{}, ExplicitHashKey: ptr("")}}},
			eddy.CodeValidation,
			vmsg("Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
				`Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`,
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// observed, with the 10 MiB limit of the current model
		{"long members", &PutRecordsInput{StreamName: ptr(long129), Records: []PutRecordsRequestEntry{{PartitionKey: ptr(strings.Repeat("a", 257)), Data: big, ExplicitHashKey: ptr("")}}},
			eddy.CodeValidation,
			vmsg("Value '"+strings.Repeat("a", 257)+"' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256",
				`Value '' at 'records.1.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`,
				"Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'records.1.member.data' failed to satisfy constraint: Member must have length less than or equal to 10485760",
				"Value '"+long129+"' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128")},
		{"several bad entries", &PutRecordsInput{StreamARN: ptr(streamARN), Records: []PutRecordsRequestEntry{
			{Data: []byte("ok"), PartitionKey: ptr("k")},
			{PartitionKey: ptr("k")},
			{Data: []byte("x"), ExplicitHashKey: ptr("0123")},
			{Data: []byte("y"), ExplicitHashKey: ptr(hashKeyMax + "0")},
		}}, eddy.CodeValidation,
			vmsg("Value null at 'records.2.member.data' failed to satisfy constraint: Member must not be null",
				`Value '0123' at 'records.3.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`,
				`Value '`+hashKeyMax+`0' at 'records.4.member.explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`)},
		{"no stream", &PutRecordsInput{Records: []PutRecordsRequestEntry{{Data: []byte("x")}}}, eddy.CodeInvalidArgument,
			"Either StreamName or StreamARN should be provided."},
	})

	// observed: at most ten violations, the list first.
	err := (&PutRecordsInput{StreamName: ptr(""), Records: many}).Validate()
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != eddy.CodeValidation {
		t.Fatalf("501 records: %v", err)
	}
	prefix := "10 validation errors detected: Value '[com.amazonaws.kinesis.v20131202.PutRecordsRequestEntry@"
	suffix := "]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500; " +
		"Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; "
	last := "Value '' at 'records.9.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"
	if !strings.HasPrefix(e.Message, prefix) || !strings.Contains(e.Message, suffix) || !strings.HasSuffix(e.Message, last) {
		t.Fatalf("501 records: %.300s ... %s", e.Message, e.Message[max(0, len(e.Message)-300):])
	}
	if n := strings.Count(e.Message, "failed to satisfy constraint"); n != 10 {
		t.Fatalf("501 records: %d violations reported, want 10", n)
	}
}

func TestValidateGetShardIterator(t *testing.T) {
	iterators := "[AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, TRIM_HORIZON]"
	runValidate(t, []validateCase{
		{"valid", &GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr("shardId-000000000000"), ShardIteratorType: ptr(ShardIteratorTypeTrimHorizon)}, "", ""},
		{"valid at timestamp", &GetShardIteratorInput{StreamARN: ptr(streamARN), ShardId: ptr("shardId-000000000001"),
			ShardIteratorType: ptr(ShardIteratorTypeAtTimestamp), Timestamp: NewTimestamp(timeOf(1700000000123))}, "", ""},
		// observed
		{"nothing", &GetShardIteratorInput{}, eddy.CodeValidation,
			vmsg("Value null at 'shardId' failed to satisfy constraint: Member must not be null",
				"Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null")},
		// observed
		{"empty members", &GetShardIteratorInput{StreamName: ptr(""), ShardIteratorType: ptr(ShardIteratorType("")), ShardId: ptr(""), StartingSequenceNumber: ptr("")},
			eddy.CodeValidation,
			vmsg("Value '' at 'shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'shardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "+iterators,
				`Value '' at 'startingSequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`,
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		// observed
		{"long names", &GetShardIteratorInput{StreamName: ptr(long129), ShardId: ptr(long129), ShardIteratorType: ptr(ShardIteratorTypeLatest)},
			eddy.CodeValidation,
			vmsg("Value '"+long129+"' at 'shardId' failed to satisfy constraint: Member must have length less than or equal to 128",
				"Value '"+long129+"' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128")},
		{"no stream", &GetShardIteratorInput{ShardId: ptr("shardId-0"), ShardIteratorType: ptr(ShardIteratorTypeLatest)},
			eddy.CodeInvalidArgument, "Either StreamName or StreamARN should be provided."},
	})
}

func TestValidateGetRecords(t *testing.T) {
	runValidate(t, []validateCase{
		{"valid", &GetRecordsInput{ShardIterator: ptr("AAAA"), Limit: ptr[int32](10000)}, "", ""},
		{"valid minimum", &GetRecordsInput{ShardIterator: ptr(strings.Repeat("A", 512)), Limit: ptr[int32](1)}, "", ""},
		{"no iterator", &GetRecordsInput{}, eddy.CodeValidation,
			vmsg("Value null at 'shardIterator' failed to satisfy constraint: Member must not be null")},
		{"limit zero", &GetRecordsInput{ShardIterator: ptr("AAAA"), Limit: ptr[int32](0)}, eddy.CodeValidation,
			vmsg("Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"limit too big", &GetRecordsInput{ShardIterator: ptr("AAAA"), Limit: ptr[int32](10001)}, eddy.CodeValidation,
			vmsg("Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")},
		{"iterator bounds", &GetRecordsInput{ShardIterator: ptr(strings.Repeat("A", 513)), Limit: ptr[int32](-5)}, eddy.CodeValidation,
			vmsg("Value '-5' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
				"Value '"+strings.Repeat("A", 513)+"' at 'shardIterator' failed to satisfy constraint: Member must have length less than or equal to 512")},
	})
}

func TestValidateListShards(t *testing.T) {
	runValidate(t, []validateCase{
		{"valid by name", &ListShardsInput{StreamName: ptr("s"), MaxResults: ptr[int32](1000),
			ShardFilter: &ShardFilter{Type: ptr(ShardFilterTypeAfterShardID), ShardId: ptr("shardId-000000000003")}}, "", ""},
		{"valid by token", &ListShardsInput{NextToken: ptr("token")}, "", ""},
		// observed
		{"nothing", &ListShardsInput{}, eddy.CodeInvalidArgument, "Either NextToken or StreamName should be provided."},
		// observed
		{"token and name", &ListShardsInput{StreamName: ptr("s"), NextToken: ptr("t")}, eddy.CodeInvalidArgument,
			"NextToken and StreamName cannot be provided together."},
		{"token and ARN", &ListShardsInput{StreamARN: ptr(streamARN), NextToken: ptr("t")}, eddy.CodeInvalidArgument,
			"NextToken and StreamARN cannot be provided together."},
		// observed (as a set; the order is this package's)
		{"empty members", &ListShardsInput{StreamName: ptr(""), NextToken: ptr(""), MaxResults: ptr[int32](0), ExclusiveStartShardId: ptr("")},
			eddy.CodeValidation,
			vmsg("Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'exclusiveStartShardId' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1",
				"Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
				"Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"max results", &ListShardsInput{StreamName: ptr("s"), MaxResults: ptr[int32](100000)}, eddy.CodeValidation,
			vmsg("Value '100000' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000")},
		{"filter", &ListShardsInput{StreamName: ptr("s"), ShardFilter: &ShardFilter{ShardId: ptr("a b")}}, eddy.CodeValidation,
			vmsg("Value 'a b' at 'shardFilter.shardId' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value null at 'shardFilter.type' failed to satisfy constraint: Member must not be null")},
		{"filter type", &ListShardsInput{StreamName: ptr("s"), ShardFilter: &ShardFilter{Type: ptr(ShardFilterType("LATEST"))}}, eddy.CodeValidation,
			vmsg("Value 'LATEST' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: " +
				"[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]")},
	})
}

func TestValidateSplitShard(t *testing.T) {
	pattern := `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`
	split := func(key string) *SplitShardInput {
		return &SplitShardInput{StreamName: ptr("s"), ShardToSplit: ptr("shardId-000000000000"), NewStartingHashKey: ptr(key)}
	}
	runValidate(t, []validateCase{
		{"valid", split("170141183460469231731687303715884105728"), "", ""},
		{"valid zero", split("0"), "", ""},
		{"valid 39 digits", split(hashKeyMax), "", ""},
		{"40 digits", split(hashKeyMax + "1"), eddy.CodeValidation,
			vmsg("Value '" + hashKeyMax + "1' at 'newStartingHashKey' failed to satisfy constraint: " + pattern)},
		{"leading zero", split("01"), eddy.CodeValidation,
			vmsg("Value '01' at 'newStartingHashKey' failed to satisfy constraint: " + pattern)},
		{"not a number", split("-1"), eddy.CodeValidation,
			vmsg("Value '-1' at 'newStartingHashKey' failed to satisfy constraint: " + pattern)},
		{"nothing", &SplitShardInput{}, eddy.CodeValidation,
			vmsg("Value null at 'newStartingHashKey' failed to satisfy constraint: Member must not be null",
				"Value null at 'shardToSplit' failed to satisfy constraint: Member must not be null")},
		{"no stream", &SplitShardInput{ShardToSplit: ptr("shardId-0"), NewStartingHashKey: ptr("1")}, eddy.CodeInvalidArgument,
			"Either StreamName or StreamARN should be provided."},
	})
}

func TestValidateConsumers(t *testing.T) {
	consumerPattern := `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+`
	runValidate(t, []validateCase{
		{"register", &RegisterStreamConsumerInput{StreamARN: ptr(streamARN), ConsumerName: ptr("c-1")}, "", ""},
		{"register nothing", &RegisterStreamConsumerInput{}, eddy.CodeValidation,
			vmsg("Value null at 'consumerName' failed to satisfy constraint: Member must not be null",
				"Value null at 'streamARN' failed to satisfy constraint: Member must not be null")},
		{"register bad", &RegisterStreamConsumerInput{StreamARN: ptr("arn:aws:kinesis:us-east-1:12345678901:stream/s"), ConsumerName: ptr("c/1"),
			Tags: map[string]string{}}, eddy.CodeValidation,
			vmsg("Value 'c/1' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				`Value 'arn:aws:kinesis:us-east-1:12345678901:stream/s' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`,
				"Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"register long name", &RegisterStreamConsumerInput{StreamARN: ptr(streamARN), ConsumerName: ptr(long129)}, eddy.CodeValidation,
			vmsg("Value '" + long129 + "' at 'consumerName' failed to satisfy constraint: Member must have length less than or equal to 128")},
		{"describe by ARN", &DescribeStreamConsumerInput{ConsumerARN: ptr(consumerARN)}, "", ""},
		{"describe by name", &DescribeStreamConsumerInput{StreamARN: ptr(streamARN), ConsumerName: ptr("c")}, "", ""},
		{"describe nothing", &DescribeStreamConsumerInput{ConsumerName: ptr("c")}, eddy.CodeInvalidArgument,
			"Either ConsumerARN or both ConsumerName and StreamARN should be provided."},
		{"deregister bad ARN", &DeregisterStreamConsumerInput{ConsumerARN: ptr(streamARN)}, eddy.CodeValidation,
			vmsg("Value '" + streamARN + "' at 'consumerARN' failed to satisfy constraint: Member must satisfy regular expression pattern: " + consumerPattern)},
		{"subscribe", &SubscribeToShardInput{ConsumerARN: ptr(consumerARN), ShardId: ptr("shardId-000000000000"),
			StartingPosition: &StartingPosition{Type: ptr(ShardIteratorTypeAfterSequenceNumber), SequenceNumber: ptr("49590338271490256608559692538361571095921575989136588898")}}, "", ""},
		{"subscribe nothing", &SubscribeToShardInput{}, eddy.CodeValidation,
			vmsg("Value null at 'consumerARN' failed to satisfy constraint: Member must not be null",
				"Value null at 'shardId' failed to satisfy constraint: Member must not be null",
				"Value null at 'startingPosition' failed to satisfy constraint: Member must not be null")},
		{"subscribe position", &SubscribeToShardInput{ConsumerARN: ptr(consumerARN), ShardId: ptr("shardId-0"),
			StartingPosition: &StartingPosition{SequenceNumber: ptr("x")}}, eddy.CodeValidation,
			vmsg(`Value 'x' at 'startingPosition.sequenceNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: 0|([1-9]\d{0,128})`,
				"Value null at 'startingPosition.type' failed to satisfy constraint: Member must not be null")},
		{"list", &ListStreamConsumersInput{StreamARN: ptr(streamARN), MaxResults: ptr[int32](10001)}, eddy.CodeValidation,
			vmsg("Value '10001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10000")},
	})
}

func TestValidateTagsAndSettings(t *testing.T) {
	runValidate(t, []validateCase{
		// observed
		{"long tag key", &RemoveTagsFromStreamInput{StreamName: ptr("s"), TagKeys: []string{"a", long129, "b"}}, eddy.CodeValidation,
			vmsg("Value '[a, " + long129 + ", b]' at 'tagKeys' failed to satisfy constraint: " +
				"Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")},
		// observed (the bound is now 50)
		{"too many tag keys", &UntagResourceInput{ResourceARN: ptr(streamARN), TagKeys: strings.Split(strings.Repeat("k,", 50)+"k", ",")},
			eddy.CodeValidation,
			vmsg("Value '[" + strings.TrimSuffix(strings.Repeat("k, ", 51), ", ") + "]' at 'tagKeys' failed to satisfy constraint: Member must have length less than or equal to 50")},
		// observed
		{"no tags", &AddTagsToStreamInput{StreamName: ptr("s"), Tags: map[string]string{}}, eddy.CodeValidation,
			vmsg("Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"long map key", &TagResourceInput{ResourceARN: ptr(consumerARN), Tags: map[string]string{long129: "3"}}, eddy.CodeValidation,
			vmsg("Value '{" + long129 + "=3}' at 'tags' failed to satisfy constraint: " +
				"Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]")},
		{"list tags limit", &ListTagsForStreamInput{StreamName: ptr("s"), Limit: ptr[int32](51)}, eddy.CodeValidation,
			vmsg("Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50")},
		{"resource ARN", &GetResourcePolicyInput{ResourceARN: ptr("arn:aws:s3:::bucket")}, eddy.CodeValidation,
			vmsg(`Value 'arn:aws:s3:::bucket' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*stream/\S+`)},
		{"metrics", &EnableEnhancedMonitoringInput{StreamName: ptr("s"), ShardLevelMetrics: []MetricsName{MetricsNameIncomingBytes, "Bytes"}},
			eddy.CodeValidation,
			vmsg("Value '[IncomingBytes, Bytes]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must satisfy enum value set: [IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, " +
				"WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]")},
		{"no metrics", &DisableEnhancedMonitoringInput{StreamName: ptr("s"), ShardLevelMetrics: []MetricsName{}}, eddy.CodeValidation,
			vmsg("Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"retention", &IncreaseStreamRetentionPeriodInput{StreamName: ptr("s")}, eddy.CodeValidation,
			vmsg("Value null at 'retentionPeriodHours' failed to satisfy constraint: Member must not be null")},
		{"retention valid", &DecreaseStreamRetentionPeriodInput{StreamARN: ptr(streamARN), RetentionPeriodHours: ptr[int32](24)}, "", ""},
		{"encryption", &StartStreamEncryptionInput{StreamName: ptr("s"), EncryptionType: ptr(EncryptionType("AES")), KeyId: ptr("")},
			eddy.CodeValidation,
			vmsg("Value 'AES' at 'encryptionType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, KMS]",
				"Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1")},
		{"shard count", &UpdateShardCountInput{StreamName: ptr("s"), TargetShardCount: ptr[int32](0), ScalingType: ptr(ScalingTypeUniformScaling)},
			eddy.CodeValidation,
			vmsg("Value '0' at 'targetShardCount' failed to satisfy constraint: Member must have value greater than or equal to 1")},
		{"max record size", &UpdateMaxRecordSizeInput{StreamARN: ptr(streamARN), MaxRecordSizeInKiB: ptr[int32](1023)}, eddy.CodeValidation,
			vmsg("Value '1023' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024")},
		{"max record size without ARN", &UpdateMaxRecordSizeInput{MaxRecordSizeInKiB: ptr[int32](2048)}, eddy.CodeInvalidArgument,
			"StreamARN should be provided."},
		{"stream mode", &UpdateStreamModeInput{StreamARN: ptr(streamARN)}, eddy.CodeValidation,
			vmsg("Value null at 'streamModeDetails' failed to satisfy constraint: Member must not be null")},
		{"distribution", &UpdateStreamRecordDistributionStrategyInput{StreamARN: ptr(streamARN), RecordDistributionStrategy: ptr(RecordDistributionStrategy("RANDOM"))},
			eddy.CodeValidation,
			vmsg("Value 'RANDOM' at 'recordDistributionStrategy' failed to satisfy constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]")},
		{"account settings", &UpdateAccountSettingsInput{MinimumThroughputBillingCommitment: &MinimumThroughputBillingCommitmentInput{}},
			eddy.CodeValidation,
			vmsg("Value null at 'minimumThroughputBillingCommitment.status' failed to satisfy constraint: Member must not be null")},
		{"limits", &DescribeLimitsInput{}, "", ""},
	})
}

func TestValidateChannels(t *testing.T) {
	runValidate(t, []validateCase{
		{"create nothing", &CreateChannelInput{}, eddy.CodeValidation,
			vmsg("Value null at 'channelName' failed to satisfy constraint: Member must not be null",
				"Value null at 'serviceExecutionRoleARN' failed to satisfy constraint: Member must not be null",
				"Value null at 'streamConfigurationList' failed to satisfy constraint: Member must not be null")},
		{"create nested", &CreateChannelInput{ChannelName: ptr("c"), ServiceExecutionRoleARN: ptr("arn:aws:iam::123456789012:role/r"),
			StreamConfigurationList: []ChannelStreamConfiguration{{StreamARN: ptr(streamARN)}},
			S3DestinationConfiguration: &S3DestinationConfiguration{StorageConfiguration: &S3StorageConfiguration{
				BucketARN: ptr("arn:aws:s3:::bucket"), ExpectedBucketOwner: ptr("123456789012"), CompressionType: ptr(S3CompressionType("LZ4"))}}},
			eddy.CodeValidation,
			vmsg("Value 'LZ4' at 's3DestinationConfiguration.storageConfiguration.compressionType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, GZIP, ZSTD]",
				"Value null at 'streamConfigurationList.1.member.recordConfiguration' failed to satisfy constraint: Member must not be null")},
		{"describe", &DescribeChannelInput{ChannelARN: ptr("arn:aws:kinesis:us-east-1:123456789012:channel/c")}, "", ""},
		// The constraints of the API reference (channels.go).
		{"create bad shapes", &CreateChannelInput{ChannelName: ptr("no spaces"), ServiceExecutionRoleARN: ptr("arn:aws:iam::123456789012:role/r"),
			StreamConfigurationList: []ChannelStreamConfiguration{{StreamARN: ptr(streamARN), RecordConfiguration: &RecordConfiguration{RecordFormatType: ptr(RecordFormatTypeJSON)}}},
			S3DestinationConfiguration: &S3DestinationConfiguration{DataFreshnessInSeconds: ptr[int32](299),
				DeadLetterQueueS3Configuration: &DeadLetterQueueS3Configuration{BucketARN: ptr("arn:aws:s3:::dlq"), ExpectedBucketOwner: ptr("12345")},
				StorageConfiguration: &S3StorageConfiguration{BucketARN: ptr("arn:aws:s3:::Upper"), ExpectedBucketOwner: ptr("123456789012"),
					CompressionType: ptr(S3CompressionTypeGzip), OutputKeyTemplate: ptr("a b")}}},
			eddy.CodeValidation,
			vmsg("Value 'no spaces' at 'channelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
				"Value '299' at 's3DestinationConfiguration.dataFreshnessInSeconds' failed to satisfy constraint: Member must have value greater than or equal to 300",
				"Value '12345' at 's3DestinationConfiguration.deadLetterQueueS3Configuration.expectedBucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}",
				"Value '12345' at 's3DestinationConfiguration.deadLetterQueueS3Configuration.expectedBucketOwner' failed to satisfy constraint: Member must have length greater than or equal to 12",
				"Value 'arn:aws:s3:::Upper' at 's3DestinationConfiguration.storageConfiguration.bucketARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws[-a-z0-9]*:s3:::[a-z0-9._-]{3,63}",
				"Value 'a b' at 's3DestinationConfiguration.storageConfiguration.outputKeyTemplate' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9A-Za-z!\\-_'.*()\\/=:{}]+")},
		{"describe not a channel ARN", &DescribeChannelInput{ChannelARN: ptr(streamARN)}, eddy.CodeValidation,
			vmsg("Value '" + streamARN + "' at 'channelARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:channel/\\S+")},
		{"update freshness too high", &UpdateChannelInput{ChannelARN: ptr("arn:aws:kinesis:us-east-1:123456789012:channel/c"),
			S3DestinationConfiguration: &S3DestinationUpdateInput{DataFreshnessInSeconds: ptr[int32](901)}}, eddy.CodeValidation,
			vmsg("Value '901' at 's3DestinationConfiguration.dataFreshnessInSeconds' failed to satisfy constraint: Member must have value less than or equal to 900")},
		{"delete long name", &DeleteChannelInput{ChannelARN: ptr("arn:aws:kinesis:us-east-1:123456789012:channel/" + long129)}, "", ""},
	})
}

// TestValidateEveryOperation runs Validate on the empty request of every
// operation: it must not panic, and must answer nil or an *eddy.Error.
func TestValidateEveryOperation(t *testing.T) {
	for _, op := range Operations() {
		err := op.NewInput().Validate()
		if err == nil {
			continue
		}
		var e *eddy.Error
		if !errors.As(err, &e) || (e.Code != eddy.CodeValidation && e.Code != eddy.CodeInvalidArgument) {
			t.Errorf("%s: Validate() = %#v", op.Name, err)
		}
	}
}

// TestValidateObservedOrder checks the member order of multi-error
// messages against the service's answers recorded by kinesalite
// (mhart/kinesalite test/addTagsToStream.js, removeTagsFromStream.js,
// listTagsForStream.js, describeStream.js, listStreams.js, mergeShards.js,
// splitShard.js), with today's model bounds (ListTagsForStream's Limit is
// now at most 50, TagMap holds up to 200 tags).
func TestValidateObservedOrder(t *testing.T) {
	pattern := "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
	min1 := "Member must have length greater than or equal to 1"
	max128 := "Member must have length less than or equal to 128"
	at := func(value, path, constraint string) string {
		return "Value " + value + " at '" + path + "' failed to satisfy constraint: " + constraint
	}
	q := func(s string) string { return "'" + s + "'" }
	tags201 := map[string]string{}
	for i := 0; i < 201; i++ {
		tags201[fmt.Sprintf("k%03d", i)] = ""
	}
	runValidate(t, []validateCase{
		{"add tags empty", &AddTagsToStreamInput{StreamName: ptr(""), Tags: map[string]string{}}, eddy.CodeValidation,
			vmsg(at("'{}'", "tags", min1), at("''", "streamName", pattern), at("''", "streamName", min1))},
		{"add tags too many", &AddTagsToStreamInput{StreamName: ptr("s"), Tags: tags201}, eddy.CodeValidation,
			vmsg(at(q(renderMap(tags201)), "tags", "Member must have length less than or equal to 200"))},
		{"add tags too many, long name", &AddTagsToStreamInput{StreamName: ptr(long129), Tags: tags201}, eddy.CodeValidation,
			vmsg(at(q(renderMap(tags201)), "tags", "Member must have length less than or equal to 200"),
				at(q(long129), "streamName", max128))},
		{"remove tags empty", &RemoveTagsFromStreamInput{StreamName: ptr(""), TagKeys: []string{}}, eddy.CodeValidation,
			vmsg(at("'[]'", "tagKeys", min1), at("''", "streamName", pattern), at("''", "streamName", min1))},
		{"list tags empty", &ListTagsForStreamInput{StreamName: ptr(""), ExclusiveStartTagKey: ptr(""), Limit: ptr[int32](0)}, eddy.CodeValidation,
			vmsg(at("'0'", "limit", "Member must have value greater than or equal to 1"), at("''", "exclusiveStartTagKey", min1),
				at("''", "streamName", pattern), at("''", "streamName", min1))},
		{"list tags long", &ListTagsForStreamInput{StreamName: ptr(long129), ExclusiveStartTagKey: ptr(long129), Limit: ptr[int32](100)}, eddy.CodeValidation,
			vmsg(at("'100'", "limit", "Member must have value less than or equal to 50"), at(q(long129), "exclusiveStartTagKey", max128),
				at(q(long129), "streamName", max128))},
		{"describe stream empty", &DescribeStreamInput{StreamName: ptr(""), Limit: ptr[int32](0), ExclusiveStartShardId: ptr("")}, eddy.CodeValidation,
			vmsg(at("'0'", "limit", "Member must have value greater than or equal to 1"),
				at("''", "exclusiveStartShardId", pattern), at("''", "exclusiveStartShardId", min1),
				at("''", "streamName", pattern), at("''", "streamName", min1))},
		{"describe stream long", &DescribeStreamInput{StreamName: ptr(long129), Limit: ptr[int32](100000), ExclusiveStartShardId: ptr(long129)}, eddy.CodeValidation,
			vmsg(at("'100000'", "limit", "Member must have value less than or equal to 10000"),
				at(q(long129), "exclusiveStartShardId", max128), at(q(long129), "streamName", max128))},
		{"list streams empty", &ListStreamsInput{ExclusiveStartStreamName: ptr(""), Limit: ptr[int32](0)}, eddy.CodeValidation,
			vmsg(at("'0'", "limit", "Member must have value greater than or equal to 1"),
				at("''", "exclusiveStartStreamName", pattern), at("''", "exclusiveStartStreamName", min1))},
		{"list streams long", &ListStreamsInput{ExclusiveStartStreamName: ptr(long129), Limit: ptr[int32](1000000)}, eddy.CodeValidation,
			vmsg(at("'1000000'", "limit", "Member must have value less than or equal to 10000"),
				at(q(long129), "exclusiveStartStreamName", max128))},
		{"merge empty", &MergeShardsInput{StreamName: ptr(""), ShardToMerge: ptr(""), AdjacentShardToMerge: ptr("")}, eddy.CodeValidation,
			vmsg(at("''", "shardToMerge", pattern), at("''", "shardToMerge", min1),
				at("''", "adjacentShardToMerge", pattern), at("''", "adjacentShardToMerge", min1),
				at("''", "streamName", pattern), at("''", "streamName", min1))},
		{"merge long", &MergeShardsInput{StreamName: ptr(long129), ShardToMerge: ptr(long129), AdjacentShardToMerge: ptr(long129)}, eddy.CodeValidation,
			vmsg(at(q(long129), "shardToMerge", max128), at(q(long129), "adjacentShardToMerge", max128), at(q(long129), "streamName", max128))},
		{"split empty", &SplitShardInput{StreamName: ptr(""), ShardToSplit: ptr(""), NewStartingHashKey: ptr("")}, eddy.CodeValidation,
			vmsg(at("''", "newStartingHashKey", `Member must satisfy regular expression pattern: 0|([1-9]\d{0,38})`),
				at("''", "streamName", pattern), at("''", "streamName", min1),
				at("''", "shardToSplit", pattern), at("''", "shardToSplit", min1))},
		{"split long", &SplitShardInput{StreamName: ptr(long129), ShardToSplit: ptr(long129), NewStartingHashKey: ptr("0")}, eddy.CodeValidation,
			vmsg(at(q(long129), "streamName", max128), at(q(long129), "shardToSplit", max128))},
	})
}

// TestValidateListShardsNextToken: a NextToken carries its stream, start
// and filter, so none of them may come with it.
func TestValidateListShardsNextToken(t *testing.T) {
	filter := &ShardFilter{Type: ptr(ShardFilterTypeAtLatest)}
	runValidate(t, []validateCase{
		{"token with start", &ListShardsInput{NextToken: ptr("t"), ExclusiveStartShardId: ptr("shardId-000000000001")},
			eddy.CodeInvalidArgument, "NextToken and ExclusiveStartShardId cannot be provided together."},
		{"token with filter", &ListShardsInput{NextToken: ptr("t"), ShardFilter: filter},
			eddy.CodeInvalidArgument, "NextToken and ShardFilter cannot be provided together."},
		{"token with max results", &ListShardsInput{NextToken: ptr("t"), MaxResults: ptr[int32](5)}, "", ""},
		{"start and filter without token", &ListShardsInput{StreamName: ptr("s"), ExclusiveStartShardId: ptr("shardId-0"), ShardFilter: filter}, "", ""},
	})
}
