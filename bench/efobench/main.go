// Command efobench measures enhanced fan-out push latency: the time from a
// PutRecord call to the record's arrival in a SubscribeToShard stream, with
// aws-sdk-go-v2 on both sides, at a steady rate (default 100 records/s).
//
//	go run ./bench/efobench                         # Eddy in-process, sync always
//	go run ./bench/efobench -endpoint http://127.0.0.1:4567 -rate 100 -duration 20s
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/bench/internal/inproc"
	"github.com/eddy-streams/eddy/bench/internal/kclient"
)

func main() {
	endpoint := flag.String("endpoint", "", "Kinesis endpoint; empty: start Eddy in-process on 127.0.0.1")
	rate := flag.Int("rate", 100, "records per second")
	duration := flag.Duration("duration", 20*time.Second, "how long to put records")
	syncMode := flag.String("sync", "always", "in-process server's sync mode")
	flag.Parse()
	ctx := context.Background()
	if *endpoint == "" {
		addr, stop, err := inproc.Start(*syncMode)
		if err != nil {
			fail(err)
		}
		defer stop()
		*endpoint = "http://" + addr
	}
	c := kclient.New(*endpoint, nil)
	name := fmt.Sprintf("efobench-%d", time.Now().UnixNano())
	if err := kclient.CreateStream(ctx, c, name, 1, time.Minute); err != nil {
		fail(err)
	}
	sum, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
	if err != nil {
		fail(err)
	}
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: sum.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("bench")})
	if err != nil {
		fail(err)
	}
	for {
		d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
		if err != nil {
			fail(err)
		}
		if d.ConsumerDescription.ConsumerStatus == types.ConsumerStatusActive {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	sub, err := c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{ConsumerARN: reg.Consumer.ConsumerARN,
		ShardId: aws.String("shardId-000000000000"), StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest}})
	if err != nil {
		fail(err)
	}
	stream := sub.GetStream()
	total := int(duration.Seconds() * float64(*rate))
	var mu sync.Mutex
	sent := make(map[int]time.Time, total)  // PutRecord called
	acked := make(map[int]time.Time, total) // PutRecord returned
	var lat, afterAck, putLat []time.Duration
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range stream.Events() {
			e, ok := ev.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
			if !ok {
				continue
			}
			now := time.Now()
			for _, r := range e.Value.Records {
				i, _ := strconv.Atoi(string(r.Data))
				mu.Lock()
				if t, ok := sent[i]; ok {
					lat = append(lat, now.Sub(t))
				}
				if t, ok := acked[i]; ok {
					afterAck = append(afterAck, max(0, now.Sub(t)))
				}
				n := len(lat)
				mu.Unlock()
				if n == total {
					return
				}
			}
		}
	}()
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	for i := 0; i < total; i++ {
		<-tick.C
		mu.Lock()
		sent[i] = time.Now()
		mu.Unlock()
		if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(name), Data: []byte(strconv.Itoa(i)), PartitionKey: aws.String("k")}); err != nil {
			fail(err)
		}
		mu.Lock()
		acked[i] = time.Now()
		putLat = append(putLat, acked[i].Sub(sent[i]))
		mu.Unlock()
	}
	tick.Stop()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		fail(fmt.Errorf("only %d of %d records delivered", len(lat), total))
	}
	stream.Close()
	mu.Lock()
	defer mu.Unlock()
	pct := func(d []time.Duration) (p50, p99, mx float64) {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		q := func(f float64) float64 { return float64(d[int(f*float64(len(d)-1))]) / 1e6 }
		return q(0.5), q(0.99), q(1)
	}
	a, b, m := pct(lat)
	fmt.Printf("put-to-delivery over SubscribeToShard, %d records at %d/s (sync %s): p50 %.2f ms  p99 %.2f ms  max %.2f ms\n",
		len(lat), *rate, *syncMode, a, b, m)
	a, b, m = pct(putLat)
	fmt.Printf("  of which the PutRecord call:            p50 %.2f ms  p99 %.2f ms  max %.2f ms\n", a, b, m)
	a, b, m = pct(afterAck)
	fmt.Printf("  delivery after PutRecord returned:      p50 %.2f ms  p99 %.2f ms  max %.2f ms (0 when delivered first)\n", a, b, m)
	c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: reg.Consumer.ConsumerARN})
	c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String(name), EnforceConsumerDeletion: aws.Bool(true)})
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "efobench:", err)
	os.Exit(1)
}
