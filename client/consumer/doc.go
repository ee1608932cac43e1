// Package consumer reads a Kinesis data stream the way the Kinesis Client
// Library (KCL 2.x) does, in Go: the workers of one application share the
// stream's shards through leases in a DynamoDB table, each shard is handed
// to a RecordProcessor in order, and processors checkpoint their progress
// in the lease so that whoever holds the shard next resumes after it. It
// works against Kinesis and DynamoDB on AWS and against Eddy alike,
// through the caller's aws-sdk-go-v2 clients, and imports nothing of
// Eddy's server.
//
//	w, err := consumer.New(consumer.Config{
//		AppName:         "orders-app",
//		StreamName:      "orders",
//		Kinesis:         kinesis.NewFromConfig(awsCfg),
//		DynamoDB:        dynamodb.NewFromConfig(awsCfg),
//		InitialPosition: consumer.TrimHorizon,
//	}, func(shardID string) consumer.RecordProcessor { return &myProcessor{} })
//	if err != nil { ... }
//	go func() { <-sigterm; w.Shutdown(context.Background()) }()
//	err = w.Run(ctx)
//
// # Leases
//
// The lease table (named AppName, created on demand with the hash key
// leaseKey) has one row per shard in the Java KCL 2.x layout: leaseKey
// (the shard id), leaseOwner, leaseCounter, checkpoint and
// checkpointSubSequenceNumber, ownerSwitchesSinceCheckpoint,
// parentShardId, childShardIds, startingHashKey and endingHashKey. A
// worker renews the leases it holds every LeaseDuration/3 by incrementing
// their counters; every write that depends on who holds a lease is
// conditional on the counter (and owner) the writer last saw, so a lease
// is never held by two workers at once, and a worker that lost a lease
// finds out at its next renewal or checkpoint. Every LeaseDuration/2 a
// worker scans the table: a lease whose counter it has seen unchanged for
// LeaseDuration (by its own clock) is expired and can be taken. A worker
// takes available leases up to its share, ceil(leases / workers); when
// none are available and it is below its share, it steals from the most
// loaded worker, as the KCL does.
//
// # Shards and their order
//
// A shard's lease is processed only when the leases of its parents are
// checkpointed at SHARD_END (or gone), so after a split or a merge every
// record of a parent is handed over before any record of its children.
// When a shard ends, the worker creates its children's leases, calls
// ShardEnded, and the processor must Checkpoint (which writes SHARD_END).
// A periodic shard sync (ShardSyncInterval) creates leases for new shards
// and deletes the leases of shards that expired and of finished shards
// whose children have started.
//
// # Records and checkpoints
//
// Records are read by polling GetRecords (MaxRecords per call, one batch
// fetched ahead, IdleTimeBetweenReads between calls once caught up; in
// CBOR unless DisableCBOR) or, with FanOut, by enhanced fan-out
// (SubscribeToShard through a registered stream consumer, resubscribing
// from the continuation sequence number). KPL aggregates are split into
// their user records (package kpl), each with its subsequence number;
// user records whose hash key is outside the shard's range are dropped, as
// the KCL drops them. A checkpoint is an extended sequence number
// (sequence and subsequence number): after a restart or a handoff, the
// next holder starts after it, so nothing at or before a checkpoint is
// delivered again, and everything after it is (at least once).
//
// Metrics, named as the KCL's (RecordsProcessed, DataBytesProcessed,
// MillisBehindLatest, CurrentLeases, TakenLeases, LostLeases), go to
// Config.Metrics. docs/CONSUMER.md has the configuration reference, the
// lease table layout and how to migrate from other KCL ports.
package consumer
