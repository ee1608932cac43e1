package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// registerConsumer makes sure the stream has the enhanced fan-out consumer
// ConsumerName, registering it when missing, and waits until it is ACTIVE.
// It returns the consumer's ARN.
func (w *Worker) registerConsumer(ctx context.Context, streamARN string) (string, error) {
	_, err := w.cfg.Kinesis.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN:    aws.String(streamARN),
		ConsumerName: aws.String(w.cfg.ConsumerName),
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return "", fmt.Errorf("consumer: registering stream consumer %s: %w", w.cfg.ConsumerName, err)
	}
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		out, err := w.cfg.Kinesis.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{
			StreamARN:    aws.String(streamARN),
			ConsumerName: aws.String(w.cfg.ConsumerName),
		})
		if err != nil {
			return "", fmt.Errorf("consumer: describing stream consumer %s: %w", w.cfg.ConsumerName, err)
		}
		if d := out.ConsumerDescription; d != nil && d.ConsumerStatus == types.ConsumerStatusActive {
			return aws.ToString(d.ConsumerARN), nil
		}
		if err := sleep(ctx, wait); err != nil {
			return "", err
		}
	}
}

// subscriber is the enhanced fan-out retriever: a SubscribeToShard
// subscription per shard, renewed from the last continuation sequence
// number when it ends (every 5 minutes) or fails.
type subscriber struct {
	w       *Worker
	shardID string
	rng     shardRange
	pos     startPosition
}

func (w *Worker) newSubscriber(ctx context.Context, shardID string, pos startPosition, rng shardRange) retriever {
	s := &subscriber{w: w, shardID: shardID, rng: rng, pos: pos}
	return startFetch(ctx, s.run)
}

// subscribeClient returns the client for one subscription. aws-sdk-go-v2
// event streams that share one client can race when several subscriptions
// start at once (aws/smithy-go#714), so a *kinesis.Client is copied per
// subscription; other implementations are used as they are.
func (w *Worker) subscribeClient() KinesisAPI {
	if c, ok := w.cfg.Kinesis.(*kinesis.Client); ok {
		return kinesis.New(c.Options())
	}
	return w.cfg.Kinesis
}

func (s *subscriber) run(ctx context.Context, out chan<- batch) {
	w := s.w
	client := w.subscribeClient()
	bo := backoff{min: 200 * time.Millisecond, max: 5 * time.Second}
	for ctx.Err() == nil {
		sub, err := client.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN:      aws.String(w.consumerARN),
			ShardId:          aws.String(s.shardID),
			StartingPosition: s.pos.subscribePosition(),
		})
		if err != nil {
			if ctx.Err() == nil {
				// ResourceInUseException: the previous subscription of
				// this shard (ours, or the last holder's) is still open.
				w.log.Debug("consumer: SubscribeToShard failed", "shard", s.shardID, "err", err)
				_ = sleep(ctx, bo.next())
			}
			continue
		}
		ended, err := s.read(ctx, sub.GetStream(), out)
		if ended || ctx.Err() != nil {
			return
		}
		if err != nil {
			w.log.Debug("consumer: subscription ended with an error", "shard", s.shardID, "err", err)
			_ = sleep(ctx, bo.next())
			continue
		}
		bo.reset()
	}
}

// read delivers the events of one subscription; ended is true when the
// shard ended.
func (s *subscriber) read(ctx context.Context, stream *kinesis.SubscribeToShardEventStream, out chan<- batch) (ended bool, err error) {
	defer stream.Close()
	w := s.w
	events := stream.Events()
	for {
		var ev types.SubscribeToShardEventStream
		var ok bool
		select {
		case ev, ok = <-events:
		case <-ctx.Done():
			return false, ctx.Err()
		}
		if !ok {
			return false, stream.Err()
		}
		e, isEvent := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
		if !isEvent {
			continue
		}
		v := e.Value
		b := batch{millisBehind: aws.ToInt64(v.MillisBehindLatest)}
		b.records = appendUserRecords(make([]Record, 0, len(v.Records)), s.shardID, v.Records, s.rng, func(seq string, err error) {
			w.log.Warn("consumer: malformed KPL aggregate delivered as one record", "shard", s.shardID, "sequenceNumber", seq, "err", err)
		})
		if v.ContinuationSequenceNumber != nil {
			s.pos.after = *v.ContinuationSequenceNumber
		} else if n := len(v.Records); n > 0 {
			s.pos.after = aws.ToString(v.Records[n-1].SequenceNumber)
		}
		if v.ContinuationSequenceNumber == nil && len(v.ChildShards) > 0 {
			b.end, b.children = true, v.ChildShards
		}
		w.metrics.Set(MillisBehindLatest, w.dims(s.shardID), float64(b.millisBehind))
		if len(b.records) > 0 || b.end {
			select {
			case out <- b:
			case <-ctx.Done():
				return false, ctx.Err()
			}
		}
		if b.end {
			return true, nil
		}
	}
}
