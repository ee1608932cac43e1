package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
)

// maxResubscribes bounds how often one shard's subscription is renewed
// (AWS ends each after 5 minutes; an emulator may end them sooner).
const maxResubscribes = 20

// subscribeConsumers registers an enhanced fan-out consumer and subscribes
// to every shard from TRIM_HORIZON (the stream is new and empty), renewing
// a subscription from its continuation sequence number when the server
// ends it. An endpoint without enhanced fan-out gives a skip reason.
func (g *gen) subscribeConsumers(ctx context.Context, stream string, c *consumed, wg *sync.WaitGroup) (string, error) {
	sum, err := g.kc.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(stream)})
	if err != nil {
		return "", fmt.Errorf("DescribeStreamSummary: %w", err)
	}
	arn := sum.StreamDescriptionSummary.StreamARN
	reg, err := g.kc.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: aws.String("loadgen")})
	if err != nil {
		if code, ok := unsupported(err); ok {
			return "not implemented (" + code + ")", nil
		}
		return "", fmt.Errorf("RegisterStreamConsumer: %w", err)
	}
	consumer := reg.Consumer.ConsumerARN
	wg.Add(1)
	go func() { // deregister once the consumers are done
		defer wg.Done()
		<-ctx.Done()
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		g.kc.DeregisterStreamConsumer(dctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: consumer})
	}()
	for deadline := time.Now().Add(time.Minute); ; {
		d, err := g.kc.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: consumer})
		if err != nil {
			return "", fmt.Errorf("DescribeStreamConsumer: %w", err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			break
		}
		if time.Now().After(deadline) {
			return "", errors.New("consumer not ACTIVE after 1 minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	shards, err := g.shardIDs(ctx, stream)
	if err != nil {
		return "", err
	}
	for _, shard := range shards {
		pos := &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon}
		sub, err := g.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: consumer, ShardId: aws.String(shard), StartingPosition: pos})
		if err != nil {
			if code, ok := unsupported(err); ok {
				return "not implemented (" + code + ")", nil
			}
			if strings.Contains(err.Error(), "expected initial-response") {
				// The event stream must open with an initial-response
				// event, as AWS sends; aws-sdk-go-v2 gives up without it.
				g.logf("efo: %v", err)
				return "fails: no initial-response event", nil
			}
			return "", fmt.Errorf("SubscribeToShard: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				cont := g.drain(ctx, sub.GetStream(), c)
				if ctx.Err() != nil || n == maxResubscribes {
					return
				}
				if cont != "" {
					pos = &types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)}
				}
				sub, err = g.kc.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: consumer, ShardId: aws.String(shard), StartingPosition: pos})
				if err != nil {
					if ctx.Err() == nil {
						g.logf("resubscribe %s: %v", shard, err)
					}
					return
				}
			}
		}()
	}
	return "", nil
}

// drain hands the records of every event of one subscription to c until
// the stream ends, and returns the last continuation sequence number.
func (g *gen) drain(ctx context.Context, s *kinesis.SubscribeToShardEventStream, c *consumed) string {
	defer s.Close()
	var cont string
	for ev := range s.Events() {
		e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !ok {
			continue
		}
		c.take(e.Value.Records)
		if e.Value.ContinuationSequenceNumber != nil {
			cont = *e.Value.ContinuationSequenceNumber
		}
	}
	if err := s.Err(); err != nil && ctx.Err() == nil {
		g.logf("subscription ended: %v", err)
	}
	return cont
}

// unsupported reports whether err says the endpoint does not implement the
// operation, and the error code that says so.
func unsupported(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch c := ae.ErrorCode(); c {
		case "UnknownOperationException", "UnknownOperation", "InvalidAction", "NotImplemented":
			return c, true
		}
	}
	return "", false
}
