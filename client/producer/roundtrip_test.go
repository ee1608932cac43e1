package producer_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	a8m "github.com/a8m/kinesis-producer"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/awslabs/kinesis-aggregation/go/v2/deaggregator"
	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/client/producer"
)

// TestRoundTripAwslabs puts records of many keys through the producer into
// the real server, reads the stream back and deaggregates it with the
// awslabs Go deaggregator: every record comes out once, with its data, at
// the shard, sequence number and subsequence number its result named, in
// the order it was put per key.
func TestRoundTripAwslabs(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "rt", 4)
	ctx := context.Background()
	p, err := producer.New(ctx, c, "rt")
	if err != nil {
		t.Fatal(err)
	}
	const n = 5000
	futures := make([]*producer.Future, n)
	for i := range n {
		r := producer.Record{PartitionKey: "key-" + strconv.Itoa(i%97), Data: fmt.Appendf(nil, "%d:%s", i, strings.Repeat("x", i%200))}
		if i%500 == 0 { // a few records routed by explicit hash key
			r.ExplicitHashKey = strconv.Itoa(i * 1000)
		}
		if futures[i], err = p.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	results := make([]producer.Result, n)
	for i, f := range futures {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		results[i], err = f.Wait(wctx)
		cancel()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := closeWithin(p, time.Minute); err != nil {
		t.Fatal(err)
	}

	stored := readStream(t, c, "rt")
	var recs []types.Record
	shardOf := map[string]string{}
	aggregates := 0
	for _, s := range stored {
		recs = append(recs, s.rec)
		shardOf[*s.rec.SequenceNumber] = s.shard
		if kpl.IsAggregated(s.rec.Data) {
			aggregates++
		}
	}
	if aggregates == 0 {
		t.Fatal("no aggregated record in the stream")
	}
	users, err := deaggregator.DeaggregateRecords(recs)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != n {
		t.Fatalf("awslabs deaggregator read %d user records, want %d", len(users), n)
	}
	// Index the user records by (sequence number, subsequence number):
	// the awslabs deaggregator keeps the Kinesis record's sequence number
	// and emits an aggregate's records in order.
	type pos struct {
		seq string
		sub int64
	}
	at := map[pos]string{}
	var last string
	var sub int64
	for _, u := range users {
		if *u.SequenceNumber == last {
			sub++
		} else {
			last, sub = *u.SequenceNumber, 0
		}
		at[pos{*u.SequenceNumber, sub}] = *u.PartitionKey + "|" + string(u.Data)
	}
	for i, res := range results {
		got, ok := at[pos{res.SequenceNumber, res.SubSequenceNumber}]
		want := "key-" + strconv.Itoa(i%97) + "|" + fmt.Sprintf("%d:%s", i, strings.Repeat("x", i%200))
		if !ok || got != want {
			t.Fatalf("record %d: result %+v holds %q, want %q", i, res, got, want)
		}
		if shardOf[res.SequenceNumber] != res.ShardID {
			t.Fatalf("record %d: result shard %s, stored in %s", i, res.ShardID, shardOf[res.SequenceNumber])
		}
		if res.Attempts != 1 {
			t.Errorf("record %d: %d attempts", i, res.Attempts)
		}
	}
	checkOrder(t, deaggregate(t, c, "rt", stored), leadingInt)
}

// leadingInt reads the number before the first ':' of a test record.
func leadingInt(data string) int {
	n, _ := strconv.Atoi(data[:strings.IndexByte(data, ':')])
	return n
}

// TestRoundTripA8m puts records with a8m/kinesis-producer (which
// aggregates in the KPL format) into the real server and reads them back
// with kpl.Deaggregate: every record's data comes out once, unchanged.
// (a8m puts every record of an aggregate under the aggregate's first
// partition key, so keys are not compared.)
func TestRoundTripA8m(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "a8m", 2)
	// No interval flushes: a8m's ticker and Stop both call drainIfNeed,
	// which checks the aggregator's size and drains it under two separate
	// locks, so the loser of that race sends a nil record and a8m's loop
	// panics (a8m/kinesis-producer producer.go, drainIfNeed). Batches fill
	// by count and Stop flushes the rest.
	ap := a8m.New(&a8m.Config{StreamName: "a8m", Client: c, FlushInterval: time.Hour, Logger: quietLogger{}})
	failures := ap.NotifyFailures()
	ap.Start()
	const n = 3000
	want := map[string]int{}
	for i := range n {
		data := fmt.Sprintf("%d:%s", i, strings.Repeat("y", i%300))
		want[data]++
		if err := ap.Put([]byte(data), "k"+strconv.Itoa(i%13)); err != nil {
			t.Fatal(err)
		}
	}
	ap.Stop()
	select {
	case f, ok := <-failures: // closed by Stop
		if ok {
			t.Fatalf("a8m failed a record: %v", f)
		}
	default:
	}
	aggregates := 0
	got := map[string]int{}
	for _, s := range readStream(t, c, "a8m") {
		recs, err := kpl.Deaggregate(s.rec.Data)
		if err == kpl.ErrNotAggregated {
			got[string(s.rec.Data)]++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		aggregates++
		for _, r := range recs {
			got[string(r.Data)]++
		}
	}
	if aggregates == 0 {
		t.Fatal("a8m wrote no aggregate")
	}
	if len(got) != len(want) {
		t.Fatalf("read %d distinct records, want %d", len(got), len(want))
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("record %.40q read %d times, want %d", k, got[k], v)
		}
	}
}

type quietLogger struct{}

func (quietLogger) Info(string, ...a8m.LogValue)         {}
func (quietLogger) Error(string, error, ...a8m.LogValue) {}
