package producer

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/client/kpl"
)

// acceptAll answers ListShards with 16 shards and PutRecords with success,
// without a network: BenchmarkPut measures the producer's own work.
type acceptAll struct{}

func (acceptAll) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	var out kinesis.ListShardsOutput
	for i := range 16 {
		start := kpl.HashKey{Hi: uint64(i) << 60}.String()
		end := kpl.HashKey{Hi: uint64(i)<<60 | (1<<60 - 1), Lo: ^uint64(0)}.String()
		out.Shards = append(out.Shards, types.Shard{ShardId: aws.String("shardId-" + strconv.Itoa(i)),
			HashKeyRange:        &types.HashKeyRange{StartingHashKey: aws.String(start), EndingHashKey: aws.String(end)},
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("0")}})
	}
	return &out, nil
}

func (acceptAll) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	out := &kinesis.PutRecordsOutput{FailedRecordCount: aws.Int32(0), Records: make([]types.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		k, _ := kpl.HashKeyOf(*e.PartitionKey, aws.ToString(e.ExplicitHashKey))
		out.Records[i] = types.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-" + strconv.Itoa(int(k.Hi>>60)))}
	}
	return out, nil
}

// BenchmarkPut is the producer's CPU per 100-byte user record, aggregated,
// 100,000 keys, with a client that answers at once.
func BenchmarkPut(b *testing.B) {
	p, err := New(context.Background(), acceptAll{}, "s", RecordMaxBufferedTime(10*time.Millisecond), RateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 100000)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	data := make([]byte, 100)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.PutFunc(ctx, Record{PartitionKey: keys[i%len(keys)], Data: data}, func(Result) {}); err != nil {
			b.Fatal(err)
		}
	}
	p.Flush(ctx)
	b.StopTimer()
	p.Close(ctx)
}
