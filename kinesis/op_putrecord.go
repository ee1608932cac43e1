package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// PutRecord writes one record to the shard owning its hash key (the MD5 of
// PartitionKey, or ExplicitHashKey) and returns its shard and sequence
// number once the record is durable. SequenceNumberForOrdering is honoured
// trivially: sequence numbers within a shard always increase.
func (e *Engine) PutRecord(ctx context.Context, in *kds.PutRecordInput) (*kds.PutRecordOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if in.PartitionKey == nil && in.ExplicitHashKey == nil {
		return nil, eddy.Errorf(eddy.CodeValidation,
			"1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must not be null")
	}
	data := in.Data
	if data == nil {
		data = []byte{}
	}
	entries := []putEntry{{Data: data, PartitionKey: str(in.PartitionKey), ExplicitHashKey: in.ExplicitHashKey}}
	if dryRun(in.DryRun) {
		if _, _, _, err := e.preparePut("PutRecord", name, entries); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	res, err := e.putRecords(ctx, "PutRecord", name, entries)
	if err != nil {
		return nil, err
	}
	if r := res[0]; r.ErrorCode != "" {
		return nil, eddy.Errorf(r.ErrorCode, "%s", r.ErrorMsg)
	}
	return &kds.PutRecordOutput{
		ShardId:        shardID(res[0].Shard),
		SequenceNumber: res[0].Seq.String(),
		EncryptionType: e.encryptionOf(name),
	}, nil
}

func (e *Engine) encryptionOf(name string) kds.EncryptionType {
	if s := e.lookup(name); s != nil {
		return kds.EncryptionType(s.view.Load().meta.Encryption)
	}
	return EncryptionNone
}
