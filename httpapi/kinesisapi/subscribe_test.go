package kinesisapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	eddykinesis "github.com/eddy-streams/eddy/kinesis"
)

// TestSubscribeToShardSDK drives SubscribeToShard with aws-sdk-go-v2, over
// HTTP/1.1 (the SDK's default for http://) and over h2c: records put after
// subscribing arrive in order with continuation sequence numbers; a short
// subscription lifetime ends the stream and a resubscription from the
// continuation loses and repeats nothing; a split ends the parent's stream
// with ChildShards.
func TestSubscribeToShardSDK(t *testing.T) {
	for _, proto := range []string{"http1", "h2c", "tls-h2"} {
		t.Run(proto, func(t *testing.T) {
			// The deadline also ends the event streams below if the server
			// never does, so that the loops reading them cannot hang.
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			s := startServerTLS(t, t.TempDir(), func(c *eddykinesis.Config) { c.SubscriptionLifetime = 700 * time.Millisecond }, proto == "tls-h2")
			c := s.client
			if proto == "h2c" {
				var p http.Protocols
				p.SetUnencryptedHTTP2(true)
				c = kinesis.New(c.Options(), func(o *kinesis.Options) {
					o.HTTPClient = &http.Client{Transport: &http.Transport{Protocols: &p}}
				})
			}
			c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("efo"), ShardCount: aws.Int32(1)})
			sum, _ := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("efo")})
			reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("app")})
			if err != nil {
				t.Fatal(err)
			}
			arn := reg.Consumer.ConsumerARN

			subscribe := func(pos types.StartingPosition) *kinesis.SubscribeToShardEventStream {
				t.Helper()
				// After a stream broken on the client's side the server may
				// not have seen the old subscription end yet and refuses a
				// new one as still active, as Kinesis does: poll until it
				// has, within a deadline.
				deadline := time.Now().Add(10 * time.Second)
				for {
					out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: arn, ShardId: aws.String("shardId-000000000000"), StartingPosition: &pos})
					if err == nil {
						return out.GetStream()
					}
					if !strings.Contains(err.Error(), "Another active subscription") || time.Now().After(deadline) {
						t.Fatal(err)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
			st := subscribe(types.StartingPosition{Type: types.ShardIteratorTypeLatest})
			// A second subscription while this one is active is refused.
			_, err = c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: arn, ShardId: aws.String("shardId-000000000000"),
				StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
			wantAPIError(t, err, "ResourceInUseException", "Another active subscription")

			// Put records while subscriptions come and go; gather them.
			const n = 40
			go func() {
				for i := 0; i < n; i++ {
					c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("efo"), Data: []byte(fmt.Sprint("r", i)), PartitionKey: aws.String("k")})
					time.Sleep(20 * time.Millisecond)
				}
			}()
			var got []string
			var cont string
			renewals := 0
			deadline := time.Now().Add(20 * time.Second)
			for len(got) < n && time.Now().Before(deadline) {
				for ev := range st.Events() {
					e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
					if !ok {
						t.Fatalf("unexpected event %T", ev)
					}
					if e.Value.ContinuationSequenceNumber == nil {
						t.Fatal("an event on an open shard without ContinuationSequenceNumber")
					}
					for _, r := range e.Value.Records {
						got = append(got, string(r.Data))
						if *r.SequenceNumber > *e.Value.ContinuationSequenceNumber {
							t.Fatalf("record %s after the continuation %s", *r.SequenceNumber, *e.Value.ContinuationSequenceNumber)
						}
					}
					cont = *e.Value.ContinuationSequenceNumber
				}
				if err := st.Err(); err != nil {
					// aws-sdk-go-v2's HTTP/1.1 transport now and then closes
					// its own connection under a reader as a response ends
					// (aws/aws-sdk-go-v2#1825, #2737): a consumer resubscribes
					// from the continuation, as after any broken stream.
					if !strings.Contains(err.Error(), "use of closed network connection") {
						t.Fatal(err)
					}
					t.Logf("client-side stream error, resubscribing: %v", err)
				}
				st.Close()
				if len(got) < n {
					renewals++
					st = subscribe(types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)})
				}
			}
			for i := 0; i < n; i++ {
				if i >= len(got) || got[i] != fmt.Sprint("r", i) {
					t.Fatalf("after %d renewals got %v", renewals, got)
				}
			}
			if renewals == 0 {
				t.Fatal("the subscription never reached its lifetime")
			}
			st.Close()

			// A split ends the parent's subscription with ChildShards.
			st = subscribe(types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)})
			if _, err := c.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("efo"), ShardToSplit: aws.String("shardId-000000000000"),
				NewStartingHashKey: aws.String("170141183460469231731687303715884105728")}); err != nil {
				t.Fatal(err)
			}
			// On a loaded machine the subscription may reach its short
			// lifetime before the split lands: then subscribe again from
			// where it left off, as a consumer does.
			var children []types.ChildShard
			for attempt := 0; ; attempt++ {
				for ev := range st.Events() {
					if e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent); ok {
						if len(e.Value.ChildShards) > 0 {
							children = e.Value.ChildShards
						}
						if e.Value.ContinuationSequenceNumber != nil {
							cont = *e.Value.ContinuationSequenceNumber
						}
					}
				}
				st.Close()
				if children != nil || attempt == 20 {
					break
				}
				t.Logf("subscription ended without ChildShards (%v); subscribing again", st.Err())
				st = subscribe(types.StartingPosition{Type: types.ShardIteratorTypeAfterSequenceNumber, SequenceNumber: aws.String(cont)})
			}
			if len(children) != 2 {
				t.Fatalf("children at the end of the parent: %+v (stream error %v)", children, st.Err())
			}

			// Deleting the stream under a subscription ends it with an
			// exception event, which the SDK surfaces as the typed error.
			st = subscribe2(t, c, arn, *children[0].ShardId)
			if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("efo"), EnforceConsumerDeletion: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
			for range st.Events() {
			}
			st.Close()
			var rnf *types.ResourceNotFoundException
			if err := st.Err(); !errors.As(err, &rnf) {
				t.Fatalf("stream error after DeleteStream: %v", err)
			}
		})
	}
}

func subscribe2(t *testing.T, c *kinesis.Client, arn *string, shard string) *kinesis.SubscribeToShardEventStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute) // ends the stream if the server never does
	t.Cleanup(cancel)
	out, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: arn, ShardId: aws.String(shard),
		StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		t.Fatal(err)
	}
	return out.GetStream()
}
