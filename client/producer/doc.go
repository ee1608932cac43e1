// Package producer puts records into a Kinesis data stream the way the
// Kinesis Producer Library (KPL) does, in Go: it collects records into
// PutRecords calls, packs small user records bound for the same shard into
// one Kinesis record in the KPL's aggregated format (package kpl), paces
// each shard to its write limit, and retries what Kinesis refused. It works
// against Kinesis and against Eddy alike, through the caller's
// aws-sdk-go-v2 Kinesis client, and imports nothing of Eddy's server.
//
//	client := kinesis.NewFromConfig(awsCfg)
//	p, err := producer.New(ctx, client, "orders",
//		producer.RecordMaxBufferedTime(50*time.Millisecond))
//	if err != nil { ... }
//	f, err := p.Put(ctx, producer.Record{PartitionKey: "user-1", Data: b})
//	if err != nil { ... } // invalid record, closed, or no room (FailWhenFull)
//	res, err := f.Wait(ctx) // res.ShardID, res.SequenceNumber, res.SubSequenceNumber
//	...
//	err = p.Close(ctx) // sends what is buffered and waits for it
//
// # How records travel
//
// Put validates the record, charges its size to MaxOutstandingBytes
// (blocking, or failing with FailWhenFull, when they are spent), computes
// its hash key (the MD5 of the partition key, or the explicit hash key) and
// finds the shard that owns it in the shard map, which New lists with
// ListShards. With aggregation on, the record joins the aggregate being
// filled for that shard; an aggregate that reaches AggregationMaxSize or
// AggregationMaxCount is sealed, and a record too large to aggregate goes
// alone. Records wait at most RecordMaxBufferedTime before they are sent.
//
// One dispatcher goroutine builds the PutRecords calls (at most
// CollectionMaxCount records and CollectionMaxSize bytes each, at most
// MaxConnections under way) from the Kinesis records that the shards'
// token buckets (RateLimit percent of 1,000 records and 1 MiB per second)
// admit. As the KPL collects them, a call goes when it is full or when
// something in it is due (RecordMaxBufferedTime is over, a retry, Flush).
// A shard's records are in one call at a time, in the order they were
// put, and a refused record is retried, after a backoff with jitter,
// before any later record of its shard is sent: records of one partition
// key are stored in the order they were put as long as every refusal in a
// call also refuses the later entries of its shard in that call, as
// throttling does. An entry refused while a later one of its shard is
// written (an InternalFailure of one entry) lets the later one's records
// overtake it; the producer logs a warning. StrictOrder rules that out by
// sending one Kinesis record per shard per call, at a cost in throughput.
//
// When a record lands on another shard than the map predicted (the stream
// was resharded), the producer lists the shards again; the records the
// closed shards were holding are routed again, and user records of an
// aggregate that landed outside their shard's hash key range are put again
// (consumers that filter aggregates by range, as the KCL does and
// kpl.HashKey.InRange allows, see them once).
//
// A record completes with its shard, sequence number and subsequence
// number, or with an error: *PutError (the Kinesis error code of a
// throttled entry, with FailIfThrottled), an error wrapping ErrExpired (not
// put within RecordTtl, naming the last error), ErrClosed, or the
// PutRecords call's own error when it is not worth retrying (a missing
// stream, bad credentials). The producer never panics on what the service
// answers. The client's own retryer runs inside each attempt. The producer
// writes the JSON body of its PutRecords calls itself (FastSerialization:
// byte for byte the SDK's, several times faster); the rest of each call is
// the client's.
//
// Metrics, named as the KPL's (UserRecordsReceived, UserRecordsPut,
// KinesisRecordsPut, RetriesPerRecord, BufferingTime, AllErrors, ...), go
// to a Metrics given with WithMetrics; package producermetrics adapts
// Eddy's Prometheus-format registry. docs/PRODUCER.md has the option
// reference and how this differs from the Java KPL.
package producer
