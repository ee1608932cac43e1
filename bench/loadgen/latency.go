package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// EndToEnd is the result of a put-to-visible or put-to-delivery workload:
// the time from the start of a PutRecord call to the moment a consumer
// holds the record.
type EndToEnd struct {
	Skipped string  `json:"skipped,omitempty"` // why the workload did not run
	Error   string  `json:"error,omitempty"`   // why it stopped early
	Rate    int     `json:"rate"`              // records/s attempted
	Latency Latency `json:"latency"`           // put call start to consumer
	Put     Latency `json:"put_latency"`       // the PutRecord call alone
	Verify  Verify  `json:"verify"`
	// Server CPU seconds over the workload (-1: not measured).
	ServerCPU float64 `json:"server_cpu_s"`
}

// consumed receives records in a latency workload: it counts each one in
// the ledger and, on its first reading, its latency.
type consumed struct {
	cd    *codec
	led   *ledger
	base  time.Time
	lat   samples
	count atomic.Int64 // distinct records seen
}

func (c *consumed) take(recs []types.Record) {
	now := time.Since(c.base)
	for _, r := range recs {
		id, sent, err := c.cd.parse(r.Data)
		if err != nil {
			c.led.damaged()
			continue
		}
		if c.led.see(id) {
			c.lat.add(now - time.Duration(sent))
			c.count.Add(1)
		}
	}
}

// produceSteady puts n single records with PutRecord at rate per second,
// round-robin over partition keys, acknowledging each in led. It stops early
// when ctx ends or after maxErrors failed calls, and returns the number
// acknowledged.
func (g *gen) produceSteady(ctx context.Context, stream string, cd *codec, led *ledger, n, rate int, putLat *samples) (int64, error) {
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	buf := make([]byte, cd.size)
	var acked int64
	var errs errorLog
	for i := range n {
		select {
		case <-ctx.Done():
			return acked, ctx.Err()
		case <-tick.C:
		}
		cd.fill(buf, uint64(i), g.now())
		rctx, cancel := context.WithTimeout(ctx, g.cfg.RequestTimeout)
		t := time.Now()
		_, err := g.kc.PutRecord(rctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), Data: buf,
			PartitionKey: aws.String(strconv.Itoa(i))}, noRetry)
		cancel()
		if err != nil {
			errs.add(err)
			if errs.n.Load() >= int64(g.cfg.MaxErrors) {
				return acked, fmt.Errorf("%d PutRecord errors, the first: %s", errs.n.Load(), errs.first)
			}
			continue
		}
		putLat.add(time.Since(t))
		led.ack(uint64(i))
		acked++
	}
	if errs.n.Load() > 0 {
		return acked, fmt.Errorf("%d PutRecord errors, the first: %s", errs.n.Load(), errs.first)
	}
	return acked, nil
}

// latencyWorkload creates a stream of -latency-shards shards, starts
// consumers on it with startConsumers (which returns once they are
// reading, and whose consumers stop when their context ends), produces
// -latency-rate records/s for -latency-duration, then waits up to
// -latency-grace for the consumers to see every acknowledged record.
func (g *gen) latencyWorkload(ctx context.Context, what string, startConsumers func(ctx context.Context, stream string, c *consumed, wg *sync.WaitGroup) (skip string, err error)) EndToEnd {
	cfg := g.cfg
	res := EndToEnd{Rate: cfg.LatencyRate, ServerCPU: -1}
	n := int(cfg.LatencyDuration.Seconds() * float64(cfg.LatencyRate))
	cd, err := newCodec(g.run, cfg.LatencySize)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	stream := g.streamName(what)
	if err := g.createStream(ctx, stream, cfg.LatencyShards); err != nil {
		res.Error = err.Error()
		return res
	}
	defer g.deleteStream(stream)
	led := newLedger(n)
	c := &consumed{cd: cd, led: led, base: g.base}
	cctx, stopConsumers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopConsumers(); wg.Wait() }()
	skip, err := startConsumers(cctx, stream, c, &wg)
	if skip != "" {
		res.Skipped = skip
		return res
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	meter := startCPU(g.server)
	stopProgress, progressClosed := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(progressClosed)
		g.progress(stopProgress, func(time.Duration) string {
			return fmt.Sprintf("%s: %d records consumed", what, c.count.Load())
		})
	}()
	var putLat samples
	pctx, cancel := context.WithTimeout(ctx, 2*cfg.LatencyDuration+cfg.LatencyGrace)
	acked, perr := g.produceSteady(pctx, stream, cd, led, n, cfg.LatencyRate, &putLat)
	cancel()
	// Wait for the consumers to catch up: poll the count, bounded.
	for deadline := time.Now().Add(cfg.LatencyGrace); c.count.Load() < acked && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	server, _ := meter.stop()
	close(stopProgress)
	<-progressClosed
	stopConsumers()
	wg.Wait()
	res.Latency, res.Put, res.Verify, res.ServerCPU = c.lat.summary(), putLat.summary(), led.result(), server
	if perr != nil {
		res.Error = perr.Error()
	}
	return res
}

// pollConsumers starts one GetRecords loop per shard from TRIM_HORIZON (the
// stream is new and empty), sleeping -poll-interval after an empty answer.
func (g *gen) pollConsumers(ctx context.Context, stream string, c *consumed, wg *sync.WaitGroup) (string, error) {
	shards, err := g.shardIDs(ctx, stream)
	if err != nil {
		return "", err
	}
	for _, shard := range shards {
		it, err := g.kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: aws.String(shard),
			ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			return "", fmt.Errorf("GetShardIterator: %w", err)
		}
		wg.Add(1)
		go func(iter *string) {
			defer wg.Done()
			for iter != nil && ctx.Err() == nil {
				// A request in flight is not cancelled when the workload
				// stops (kinesalite 3.3.3 exits when a client aborts one).
				rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.cfg.RequestTimeout)
				out, err := g.kc.GetRecords(rctx, &kinesis.GetRecordsInput{ShardIterator: iter})
				cancel()
				if err != nil {
					if ctx.Err() == nil {
						g.logf("poll %s: GetRecords: %v", shard, err)
					}
					return
				}
				c.take(out.Records)
				if len(out.Records) == 0 && g.cfg.PollInterval > 0 {
					select {
					case <-ctx.Done():
					case <-time.After(g.cfg.PollInterval):
					}
				}
				iter = out.NextShardIterator
			}
		}(it.ShardIterator)
	}
	return "", nil
}
