package consumer

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/client/kinesiscbor"
	"github.com/eddy-streams/eddy/client/kpl"
)

// batch is what a retriever hands the shard consumer: user records in
// shard order, how far behind the tip they are, and whether the shard
// ended with them (then children names its child shards when known).
type batch struct {
	records      []Record
	millisBehind int64
	end          bool
	children     []types.ChildShard
}

// retriever fetches a shard's records ahead of processing into the
// channel batches returns; stop ends the fetching and waits for its
// goroutine.
type retriever interface {
	batches() <-chan batch
	stop()
}

// shardRange is a shard's hash key range, used to drop user records of
// aggregates that belong to another shard (as the KCL does after a
// reshard); ok is false when the lease does not know it.
type shardRange struct {
	start, end kpl.HashKey
	ok         bool
}

func leaseRange(l *lease) shardRange {
	if l.startingHash == "" || l.endingHash == "" {
		return shardRange{}
	}
	start, err1 := kpl.ParseHashKey(l.startingHash)
	end, err2 := kpl.ParseHashKey(l.endingHash)
	return shardRange{start: start, end: end, ok: err1 == nil && err2 == nil}
}

// appendUserRecords appends the user records of Kinesis records to dst,
// deaggregating KPL aggregates and keeping their subsequence numbers.
func appendUserRecords(dst []Record, shardID string, recs []types.Record, rng shardRange, onMalformed func(seq string, err error)) []Record {
	var users []kpl.UserRecord
	for i := range recs {
		r := &recs[i]
		seq := aws.ToString(r.SequenceNumber)
		at := aws.ToTime(r.ApproximateArrivalTimestamp)
		if kpl.IsAggregated(r.Data) {
			var err error
			users, err = kpl.AppendDeaggregated(users[:0], r.Data)
			if err == nil {
				for j, u := range users {
					if rng.ok {
						hk, err := kpl.HashKeyOf(u.PartitionKey, u.ExplicitHashKey)
						if err == nil && !hk.InRange(rng.start, rng.end) {
							continue
						}
					}
					dst = append(dst, Record{
						ShardID: shardID, SequenceNumber: seq, SubSequenceNumber: int64(j),
						PartitionKey: u.PartitionKey, ExplicitHashKey: u.ExplicitHashKey, Data: u.Data,
						ApproximateArrivalTimestamp: at, Aggregated: true,
					})
				}
				continue
			}
			// Magic number and checksum match but it does not decode:
			// hand it over whole, as a plain record.
			onMalformed(seq, err)
		}
		dst = append(dst, Record{
			ShardID: shardID, SequenceNumber: seq, PartitionKey: aws.ToString(r.PartitionKey),
			Data: r.Data, ApproximateArrivalTimestamp: at,
		})
	}
	return dst
}

// startPosition is where a retriever starts reading a shard: from a
// checkpoint (a sentinel, or AT_SEQUENCE_NUMBER of a record whose user
// records up to the checkpoint the shard consumer then skips, as the KCL
// does) or, after records were fetched, after the last one.
type startPosition struct {
	checkpoint esn
	timestamp  time.Time // for AT_TIMESTAMP
	after      string    // sequence number of the last record fetched
}

func (p startPosition) iteratorInput(in *kinesis.GetShardIteratorInput) {
	switch {
	case p.after != "":
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(p.after)
	case p.checkpoint.seq == checkpointTrimHorizon || p.checkpoint.seq == "":
		in.ShardIteratorType = types.ShardIteratorTypeTrimHorizon
	case p.checkpoint.seq == checkpointLatest:
		in.ShardIteratorType = types.ShardIteratorTypeLatest
	case p.checkpoint.seq == checkpointAtTimestamp:
		in.ShardIteratorType = types.ShardIteratorTypeAtTimestamp
		in.Timestamp = aws.Time(p.timestamp)
	default:
		in.ShardIteratorType = types.ShardIteratorTypeAtSequenceNumber
		in.StartingSequenceNumber = aws.String(p.checkpoint.seq)
	}
}

func (p startPosition) subscribePosition() *types.StartingPosition {
	var in kinesis.GetShardIteratorInput
	p.iteratorInput(&in)
	return &types.StartingPosition{
		Type:           types.ShardIteratorType(in.ShardIteratorType),
		SequenceNumber: in.StartingSequenceNumber,
		Timestamp:      in.Timestamp,
	}
}

// fetchLoop is what the retrievers share: a goroutine that fills a
// channel with room for one batch, so one batch is fetched ahead of the
// processor (the KCL's prefetching).
type fetchLoop struct {
	ch     chan batch
	cancel context.CancelFunc
	done   chan struct{}
}

// startFetch runs fetch in a goroutine until ctx ends or stop is called.
func startFetch(ctx context.Context, fetch func(ctx context.Context, out chan<- batch)) *fetchLoop {
	ctx, cancel := context.WithCancel(ctx)
	f := &fetchLoop{ch: make(chan batch, 1), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		fetch(ctx, f.ch)
	}()
	return f
}

func (f *fetchLoop) batches() <-chan batch { return f.ch }

func (f *fetchLoop) stop() {
	f.cancel()
	<-f.done
}

// poller is the polling retriever: GetRecords calls, one shard at a time.
type poller struct {
	w       *Worker
	shardID string
	rng     shardRange
	pos     startPosition
}

func (w *Worker) newPoller(ctx context.Context, shardID string, pos startPosition, rng shardRange) retriever {
	p := &poller{w: w, shardID: shardID, rng: rng, pos: pos}
	return startFetch(ctx, p.run)
}

func (p *poller) run(ctx context.Context, batches chan<- batch) {
	w := p.w
	var opts []func(*kinesis.Options)
	if !w.cfg.DisableCBOR {
		opts = append(opts, kinesiscbor.GetRecords)
	}
	iter := ""
	bo := backoff{min: 100 * time.Millisecond, max: 5 * time.Second}
	for ctx.Err() == nil {
		if iter == "" {
			in := &kinesis.GetShardIteratorInput{ShardId: aws.String(p.shardID)}
			w.streamRef(&in.StreamName, &in.StreamARN)
			p.pos.iteratorInput(in)
			out, err := w.cfg.Kinesis.GetShardIterator(ctx, in)
			if err != nil {
				if ctx.Err() == nil {
					w.log.Warn("consumer: GetShardIterator failed", "shard", p.shardID, "err", err)
					_ = sleep(ctx, bo.next())
				}
				continue
			}
			iter = aws.ToString(out.ShardIterator)
		}
		out, err := w.cfg.Kinesis.GetRecords(ctx, &kinesis.GetRecordsInput{
			ShardIterator: aws.String(iter),
			Limit:         aws.Int32(w.cfg.MaxRecords),
			StreamARN:     w.arnForRequests(),
		}, opts...)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			var expired *types.ExpiredIteratorException
			var throttled *types.ProvisionedThroughputExceededException
			switch {
			case errors.As(err, &expired):
				iter = ""
			case errors.As(err, &throttled):
				_ = sleep(ctx, bo.next())
			default:
				w.log.Warn("consumer: GetRecords failed", "shard", p.shardID, "err", err)
				iter = ""
				_ = sleep(ctx, bo.next())
			}
			continue
		}
		bo.reset()
		b := batch{millisBehind: aws.ToInt64(out.MillisBehindLatest)}
		b.records = appendUserRecords(make([]Record, 0, len(out.Records)), p.shardID, out.Records, p.rng, func(seq string, err error) {
			w.log.Warn("consumer: malformed KPL aggregate delivered as one record", "shard", p.shardID, "sequenceNumber", seq, "err", err)
		})
		if n := len(out.Records); n > 0 {
			p.pos.after = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		if out.NextShardIterator == nil {
			b.end, b.children = true, out.ChildShards
		}
		w.metrics.Set(MillisBehindLatest, w.dims(p.shardID), float64(b.millisBehind))
		if len(b.records) > 0 || b.end {
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
		if b.end {
			return
		}
		iter = aws.ToString(out.NextShardIterator)
		if len(out.Records) == 0 || (b.millisBehind == 0 && len(out.Records) < int(w.cfg.MaxRecords)) {
			_ = sleep(ctx, w.cfg.IdleTimeBetweenReads)
		}
	}
}

// backoff doubles a wait from min to max, with jitter.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur/2 + time.Duration(jitter(int64(b.cur/2)+1))
}

func (b *backoff) reset() { b.cur = 0 }
