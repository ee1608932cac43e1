package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// PutRecords writes up to 500 records, at most 10 MiB of data and
// partition keys in all (beyond it: InvalidArgumentException "Records size
// exceeds 10 MB limit", worded as Kinesis worded its former 5 MB limit).
// Records for one shard are written in request order as one durable
// append, and all shards' appends go to the store together (one sync with
// the segment store). A record
// that fails (an I/O error on its shard, a throttled shard, an injected
// fault) gets ErrorCode/ErrorMessage and counts in FailedRecordCount, which
// is always present; the others are still written.
func (e *Engine) PutRecords(ctx context.Context, in *kds.PutRecordsInput) (*kds.PutRecordsOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	entries := make([]putEntry, len(in.Records))
	total := 0
	for _, r := range in.Records {
		total += len(r.Data) + len(str(r.PartitionKey))
	}
	if total > eddy.MaxPutRecordsBytes {
		return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Records size exceeds 10 MB limit")
	}
	for i, r := range in.Records {
		if r.PartitionKey == nil && r.ExplicitHashKey == nil {
			return nil, eddy.Errorf(eddy.CodeValidation,
				"1 validation error detected: Value null at 'records.%d.member.partitionKey' failed to satisfy constraint: Member must not be null", i+1)
		}
		data := r.Data
		if data == nil {
			data = []byte{}
		}
		entries[i] = putEntry{Data: data, PartitionKey: str(r.PartitionKey), ExplicitHashKey: r.ExplicitHashKey}
	}
	if dryRun(in.DryRun) {
		if _, _, _, err := e.preparePut("PutRecords", name, entries); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	res, err := e.putRecords(ctx, "PutRecords", name, entries)
	if err != nil {
		return nil, err
	}
	out := &kds.PutRecordsOutput{Records: make([]kds.PutRecordsResultEntry, len(res)), EncryptionType: e.encryptionOf(name)}
	for i, r := range res {
		if r.ErrorCode != "" {
			out.FailedRecordCount++
			out.Records[i] = kds.PutRecordsResultEntry{ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMsg}
			continue
		}
		out.Records[i] = kds.PutRecordsResultEntry{ShardId: shardID(r.Shard), SequenceNumber: r.Seq.String()}
	}
	return out, nil
}
