package consumer

import (
	"context"
	"time"
)

// RecordProcessor processes the records of one shard, in the shape of the
// Java KCL 2.x ShardRecordProcessor. The worker creates one per shard lease
// it holds and calls it from one goroutine at a time: Initialize, then
// ProcessRecords for each batch, then exactly one of LeaseLost,
// ShardEnded or ShutdownRequested.
type RecordProcessor interface {
	// Initialize is called once, before the first batch.
	Initialize(ctx context.Context, in InitializationInput)
	// ProcessRecords hands over a batch of records, in shard order. The
	// processor checkpoints with in.Checkpointer when it chooses; records
	// after the last checkpoint are delivered again to whoever holds the
	// lease next.
	ProcessRecords(ctx context.Context, in ProcessRecordsInput)
	// LeaseLost says another worker took the lease (or this worker
	// could not renew it, or Run's context ended): no more records come,
	// and checkpointing is no longer possible.
	LeaseLost(ctx context.Context, in LeaseLostInput)
	// ShardEnded says the shard is closed (split or merged) and every
	// record was delivered. The processor must call
	// in.Checkpointer.Checkpoint: the shard's children start only when
	// every parent is checkpointed at its end. Without it, ShardEnded is
	// called again after a while, as the KCL does.
	ShardEnded(ctx context.Context, in ShardEndedInput)
	// ShutdownRequested says the worker is shutting down gracefully
	// (Worker.Shutdown): the processor checkpoints what it has finished;
	// the lease is then released so another worker takes it at once.
	ShutdownRequested(ctx context.Context, in ShutdownRequestedInput)
}

// InitializationInput tells a processor its shard and where it starts.
type InitializationInput struct {
	ShardID string
	// Checkpoint is the lease's checkpoint: records after it are
	// delivered. It is a sequence number, or TRIM_HORIZON, LATEST or
	// AT_TIMESTAMP for a shard not checkpointed yet.
	Checkpoint        string
	SubSequenceNumber int64
}

// ProcessRecordsInput is one batch.
type ProcessRecordsInput struct {
	ShardID string
	Records []Record
	// MillisBehindLatest is how far the batch is behind the shard's tip,
	// as GetRecords or the fan-out event reported it.
	MillisBehindLatest int64
	Checkpointer       *Checkpointer
}

// LeaseLostInput is empty, as the KCL's is.
type LeaseLostInput struct {
	ShardID string
}

// ShardEndedInput carries the checkpointer the processor must use.
type ShardEndedInput struct {
	ShardID      string
	Checkpointer *Checkpointer
}

// ShutdownRequestedInput carries the checkpointer for a final checkpoint.
type ShutdownRequestedInput struct {
	ShardID      string
	Checkpointer *Checkpointer
}

// Record is a user record: a Kinesis record, or one user record of a KPL
// aggregate (Aggregated true, SubSequenceNumber its index). Data aliases
// the answer it came in; a processor that keeps it after ProcessRecords
// returns must not modify it.
type Record struct {
	ShardID                     string
	SequenceNumber              string
	SubSequenceNumber           int64
	PartitionKey                string
	ExplicitHashKey             string
	Data                        []byte
	ApproximateArrivalTimestamp time.Time
	Aggregated                  bool
}

func (r *Record) esn() esn { return esn{seq: r.SequenceNumber, sub: r.SubSequenceNumber} }
