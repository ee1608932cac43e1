package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// shardIDs lists the stream's shards.
func (g *gen) shardIDs(ctx context.Context, stream string) ([]string, error) {
	var ids []string
	in := &kinesis.ListShardsInput{StreamName: aws.String(stream)}
	for range 1000 {
		out, err := g.kc.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListShards: %w", err)
		}
		for _, s := range out.Shards {
			ids = append(ids, aws.ToString(s.ShardId))
		}
		if out.NextToken == nil {
			return ids, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
	return nil, errors.New("ListShards: more than 1000 pages")
}

// readBack reads every shard of stream from TRIM_HORIZON to its end, one
// reader per shard with GetRecords of up to limit records, and counts each
// record in led. A shard's end is a GetRecords that returns no records and
// is 0 ms behind the tip (or a closed shard's last page): the load
// generator reads only after every put has been answered, so nothing
// arrives later. The whole read is bounded by timeout.
func (g *gen) readBack(ctx context.Context, stream string, cd *codec, led *ledger, limit int, timeout time.Duration) (Throughput, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	shards, err := g.shardIDs(ctx, stream)
	if err != nil {
		return Throughput{}, err
	}
	var (
		records, bytes, requests atomic.Int64
		lat                      samples
		errs                     errorLog
		wg                       sync.WaitGroup
		stopProgress             = make(chan struct{})
		progressClosed           = make(chan struct{})
	)
	start := time.Now()
	go func() {
		defer close(progressClosed)
		g.progress(stopProgress, func(el time.Duration) string {
			r := records.Load()
			return fmt.Sprintf("get: %d records read, %.0f records/s", r, float64(r)/el.Seconds())
		})
	}()
	meter := startCPU(g.server)
	for _, shard := range shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := g.readShard(ctx, stream, shard, limit, func(recs []types.Record, d time.Duration) {
				requests.Add(1)
				lat.add(d)
				records.Add(int64(len(recs)))
				for _, r := range recs {
					bytes.Add(int64(len(r.Data)))
					id, _, err := cd.parse(r.Data)
					if err != nil {
						led.damaged()
						continue
					}
					led.see(id)
				}
			}); err != nil {
				errs.add(fmt.Errorf("shard %s: %w", shard, err))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	server, self := meter.stop()
	close(stopProgress)
	<-progressClosed
	t := Throughput{Records: records.Load(), Bytes: bytes.Load(), Requests: requests.Load(), Latency: lat.summary(),
		RequestErrors: errs.n.Load(), FirstError: errs.first}
	t.finish(el, server, self)
	if errs.n.Load() > 0 {
		return t, errors.New(errs.first)
	}
	return t, nil
}

// readShard calls GetRecords on one shard from TRIM_HORIZON until the end
// (see readBack), handing each page and its request time to page.
func (g *gen) readShard(ctx context.Context, stream, shard string, limit int, page func([]types.Record, time.Duration)) error {
	it, err := g.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		return fmt.Errorf("GetShardIterator: %w", err)
	}
	iter := it.ShardIterator
	for iter != nil {
		t := time.Now()
		out, err := g.kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter, Limit: aws.Int32(int32(limit))})
		if err != nil {
			return fmt.Errorf("GetRecords: %w", err)
		}
		page(out.Records, time.Since(t))
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return nil
		}
		iter = out.NextShardIterator
	}
	return nil
}
