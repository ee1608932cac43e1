package producer_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/eddy-streams/eddy/client/producer"
)

// countingClient passes calls to the real client and counts PutRecords
// calls and entries.
type countingClient struct {
	*kinesis.Client
	calls, entries atomic.Int64
}

func (c *countingClient) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	c.calls.Add(1)
	c.entries.Add(int64(len(in.Records)))
	return c.Client.PutRecords(ctx, in, opts...)
}

// fakeClock is a Clock that moves only when told to.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) producer.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// pending returns the earliest time a live timer fires (zero if none).
func (c *fakeClock) pending() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var at time.Time
	for _, t := range c.timers {
		if !t.stopped && (at.IsZero() || t.at.Before(at)) {
			at = t.at
		}
	}
	return at
}

// Advance moves the clock and fires the timers that are due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due []*fakeTimer
	keep := c.timers[:0]
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for _, t := range due {
		go t.f()
	}
}

// TestBufferingDeadline holds records for RecordMaxBufferedTime (on a fake
// clock) and then sends them, aggregated, in one call: one Kinesis record
// whose user records have subsequence numbers 0, 1, 2.
func TestBufferingDeadline(t *testing.T) {
	srv := startEddy(t)
	cc := &countingClient{Client: srv.client()}
	createStream(t, cc.Client, "buf", 2)
	clk := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	ctx := context.Background()
	p, err := producer.New(ctx, cc, "buf", producer.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	var fs []*producer.Future
	for i := range 3 {
		f, err := p.Put(ctx, producer.Record{PartitionKey: "same", Data: []byte("r" + strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	start := clk.Now()
	waitFor(t, 10*time.Second, "the dispatcher's deadline timer", func() bool { return !clk.pending().IsZero() })
	if at := clk.pending(); !at.Equal(start.Add(producer.DefaultRecordMaxBufferedTime)) {
		t.Fatalf("timer at %v, want the deadline %v", at.Sub(start), producer.DefaultRecordMaxBufferedTime)
	}
	if n := cc.calls.Load(); n != 0 {
		t.Fatalf("%d PutRecords calls before the deadline", n)
	}
	for _, f := range fs {
		if _, done := f.Result(); done {
			t.Fatal("a record completed before its deadline")
		}
	}
	clk.Advance(producer.DefaultRecordMaxBufferedTime)
	var seq string
	for i, f := range fs {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := f.Wait(wctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if !res.Aggregated || res.SubSequenceNumber != int64(i) || (seq != "" && res.SequenceNumber != seq) || res.Attempts != 1 {
			t.Fatalf("record %d: %+v", i, res)
		}
		seq = res.SequenceNumber
	}
	if cc.calls.Load() != 1 || cc.entries.Load() != 1 {
		t.Fatalf("%d calls with %d entries, want 1 with 1", cc.calls.Load(), cc.entries.Load())
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestCloseDrains buffers records that would wait an hour, then Close:
// it sends them all and returns once they are written.
func TestCloseDrains(t *testing.T) {
	srv := startEddy(t)
	cc := &countingClient{Client: srv.client()}
	createStream(t, cc.Client, "drain", 3)
	ctx := context.Background()
	p, err := producer.New(ctx, cc, "drain", producer.RecordMaxBufferedTime(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var recs []producer.Record
	var done atomic.Int64
	for i := range 2000 {
		r := producer.Record{PartitionKey: "k" + strconv.Itoa(i), Data: []byte(strconv.Itoa(i) + ":x")}
		recs = append(recs, r)
		if err := p.PutFunc(ctx, r, func(res producer.Result) {
			if res.Err != nil {
				t.Error(res.Err)
			}
			done.Add(1)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if n := cc.calls.Load(); n != 0 {
		t.Fatalf("%d calls before Close", n)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.Close(cctx); err != nil {
		t.Fatal(err)
	}
	if done.Load() != int64(len(recs)) {
		t.Fatalf("%d of %d records completed when Close returned", done.Load(), len(recs))
	}
	if _, err := p.Put(ctx, recs[0]); !errors.Is(err, producer.ErrClosed) {
		t.Fatalf("Put after Close = %v, want ErrClosed", err)
	}
	if err := p.Close(ctx); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	checkExactlyOnce(t, deaggregate(t, cc.Client, "drain", readStream(t, cc.Client, "drain")), recs)
}

// TestRecordTtlExpires stalls PutRecords (fault injection latency) past
// RequestTimeout: records fail with ErrExpired once RecordTtl is over,
// naming the last error; Close then returns at once.
func TestRecordTtlExpires(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "ttl", 1)
	srv.setFaults(t, `{"stream":"ttl","operation":"PutRecords","latency":"2s"}`)
	ctx := context.Background()
	m := newCountingMetrics()
	p, err := producer.New(ctx, c, "ttl", producer.RecordTtl(300*time.Millisecond),
		producer.RequestTimeout(100*time.Millisecond), producer.RecordMaxBufferedTime(10*time.Millisecond), producer.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var fs []*producer.Future
	for i := range 10 {
		f, err := p.Put(ctx, producer.Record{PartitionKey: "k" + strconv.Itoa(i), Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	for i, f := range fs {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		res, err := f.Wait(wctx)
		cancel()
		if !errors.Is(err, producer.ErrExpired) || !strings.Contains(err.Error(), "deadline exceeded") {
			t.Fatalf("record %d: %v, want ErrExpired naming the timeout", i, err)
		}
		if res.Attempts < 1 {
			t.Errorf("record %d: %d attempts", i, res.Attempts)
		}
	}
	if since := time.Since(start); since < 300*time.Millisecond {
		t.Fatalf("records expired after %v, before RecordTtl", since)
	}
	if m.count(producer.UserRecordExpired) != 10 {
		t.Errorf("UserRecordExpired = %v", m.count(producer.UserRecordExpired))
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBoundedMemory stalls the endpoint and puts until the outstanding
// bound is reached: with FailWhenFull Put fails with ErrBufferFull after
// at most MaxOutstandingBytes; without it Put blocks until its context
// ends. Once the endpoint answers again, everything accepted is written.
func TestBoundedMemory(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "mem", 2)
	srv.setFaults(t, `{"stream":"mem","operation":"PutRecords","latency":"30s"}`)
	ctx := context.Background()
	const bound = 64 << 10
	mk := func(opts ...producer.Option) *producer.Producer {
		p, err := producer.New(ctx, c, "mem", append([]producer.Option{producer.MaxOutstandingBytes(bound),
			producer.RequestTimeout(200 * time.Millisecond), producer.RecordMaxBufferedTime(time.Millisecond),
			producer.RetryBackoff(10*time.Millisecond, 50*time.Millisecond)}, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	data := []byte(strings.Repeat("m", 100))
	var accepted []producer.Record
	var futures []*producer.Future
	p := mk(producer.FailWhenFull(true))
	for i := 0; ; i++ {
		r := producer.Record{PartitionKey: "k" + strconv.Itoa(i), Data: data}
		f, err := p.Put(ctx, r)
		if errors.Is(err, producer.ErrBufferFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, r)
		futures = append(futures, f)
		if i > 10*bound/len(data) {
			t.Fatalf("%d records of %d bytes accepted: the bound does not hold", i, len(data))
		}
	}
	perRecord := len(data) + len("k0000")
	if len(accepted)*perRecord > bound || len(accepted) < bound/(perRecord+100) {
		t.Fatalf("%d records accepted under a %d-byte bound", len(accepted), bound)
	}

	q := mk()
	for i := 0; ; i++ {
		wctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		_, err := q.Put(wctx, producer.Record{PartitionKey: "q" + strconv.Itoa(i), Data: data})
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i > 10*bound/len(data) {
			t.Fatal("blocking Put never blocked")
		}
	}
	srv.setFaults(t, "")
	for i, f := range futures {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := f.Wait(wctx)
		cancel()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestErrorsReachCaller: a missing stream fails New; a stream deleted
// under the producer fails records with ResourceNotFoundException; with
// FailIfThrottled a throttled record fails with its PutError; invalid
// records are refused by Put. Nothing panics.
func TestErrorsReachCaller(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	ctx := context.Background()
	var ae smithy.APIError
	if _, err := producer.New(ctx, c, "missing"); !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" {
		t.Fatalf("New on a missing stream = %v", err)
	}

	createStream(t, c, "gone", 1)
	p, err := producer.New(ctx, c, "gone", producer.RecordMaxBufferedTime(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("gone")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "stream deleted", func() bool {
		_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("gone")})
		return errors.As(err, &ae) && ae.ErrorCode() == "ResourceNotFoundException"
	})
	f, err := p.Put(ctx, producer.Record{PartitionKey: "k", Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	res, err := f.Wait(wctx)
	cancel()
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" || res.Attempts != 1 {
		t.Fatalf("put to a deleted stream = %+v, %v", res, err)
	}
	p.Close(ctx)

	createStream(t, c, "throttled", 1)
	srv.setFaults(t, `{"stream":"throttled","operation":"PutRecords","throttleRate":1,"seed":1}`)
	p, err = producer.New(ctx, c, "throttled", producer.FailIfThrottled(true), producer.RecordMaxBufferedTime(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	f, err = p.Put(ctx, producer.Record{PartitionKey: "k", Data: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel = context.WithTimeout(ctx, 30*time.Second)
	_, err = f.Wait(wctx)
	cancel()
	var perr *producer.PutError
	if !errors.As(err, &perr) || perr.ErrorCode != "ProvisionedThroughputExceededException" || perr.ErrorMessage == "" {
		t.Fatalf("throttled put with FailIfThrottled = %v", err)
	}

	for _, tc := range []struct {
		name string
		r    producer.Record
		want string
	}{
		{"no partition key", producer.Record{Data: []byte("x")}, "partition key is empty"},
		{"long partition key", producer.Record{PartitionKey: strings.Repeat("k", 257)}, "257 characters"},
		{"256 characters of 2 bytes", producer.Record{PartitionKey: strings.Repeat("é", 256)}, ""},
		{"257 astral characters", producer.Record{PartitionKey: strings.Repeat("\U0001F600", 129)}, "258 characters"},
		{"too large", producer.Record{PartitionKey: "k", Data: make([]byte, 1<<20)}, "1048577 bytes"},
		{"largest", producer.Record{PartitionKey: "k", Data: make([]byte, 1<<20-1)}, ""},
		{"bad hash key", producer.Record{PartitionKey: "k", ExplicitHashKey: "-1"}, "explicit hash key"},
		{"hash key too large", producer.Record{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211456"}, "explicit hash key"},
		{"largest hash key", producer.Record{PartitionKey: "k", ExplicitHashKey: "340282366920938463463374607431768211455"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Put(ctx, tc.r)
			if tc.want == "" {
				if errors.Is(err, producer.ErrInvalidRecord) {
					t.Fatalf("Put = %v, want it accepted", err)
				}
				return
			}
			if !errors.Is(err, producer.ErrInvalidRecord) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Put = %v, want ErrInvalidRecord saying %q", err, tc.want)
			}
		})
	}
	srv.setFaults(t, "")
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.Close(cctx); err != nil {
		t.Fatal(err)
	}
}

// TestCloseGivesUp: when Close's context ends before the buffered records
// are written (the endpoint stalls), Close returns the context's error and
// every outstanding record completes with ErrClosed.
func TestCloseGivesUp(t *testing.T) {
	srv := startEddy(t)
	c := srv.client()
	createStream(t, c, "stall", 1)
	srv.setFaults(t, `{"stream":"stall","operation":"PutRecords","latency":"30s"}`)
	ctx := context.Background()
	p, err := producer.New(ctx, c, "stall", producer.RecordMaxBufferedTime(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	var fs []*producer.Future
	for i := range 50 {
		f, err := p.Put(ctx, producer.Record{PartitionKey: "k" + strconv.Itoa(i), Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := p.Close(cctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want DeadlineExceeded", err)
	}
	for i, f := range fs {
		res, done := f.Result()
		if !done || !errors.Is(res.Err, producer.ErrClosed) {
			t.Fatalf("record %d after Close gave up: %+v, done %v", i, res, done)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for _, tc := range []struct {
		opt  producer.Option
		want string
	}{
		{producer.RecordMaxBufferedTime(-1), "RecordMaxBufferedTime"},
		{producer.AggregationMaxCount(0), "AggregationMaxCount"},
		{producer.AggregationMaxSize(63), "AggregationMaxSize 63"},
		{producer.AggregationMaxSize(1<<20 + 1), "AggregationMaxSize"},
		{producer.CollectionMaxCount(0), "CollectionMaxCount"},
		{producer.CollectionMaxCount(501), "CollectionMaxCount 501"},
		{producer.CollectionMaxSize(52223), "CollectionMaxSize"},
		{producer.RecordTtl(99 * time.Millisecond), "RecordTtl"},
		{producer.MaxConnections(0), "MaxConnections"},
		{producer.MaxConnections(257), "MaxConnections"},
		{producer.RateLimit(-1), "RateLimit"},
		{producer.RequestTimeout(0), "RequestTimeout"},
		{producer.MaxRecordSize(0), "MaxRecordSize"},
		{producer.MaxRecordSize(math.MaxInt32 + 1), "MaxRecordSize 2147483648 is outside"},
		{producer.MaxOutstandingBytes(0), "MaxOutstandingBytes"},
		{producer.RetryBackoff(0, time.Second), "RetryBackoff"},
		{producer.RetryBackoff(time.Second, time.Millisecond), "RetryBackoff"},
		{producer.WithClock(nil), "Clock"},
	} {
		_, err := producer.New(context.Background(), nil, "s", tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("option for %s: New = %v", tc.want, err)
		}
	}
	// Valid extremes pass validation (and then New wants a client).
	for _, opt := range []producer.Option{producer.AggregationMaxSize(64), producer.AggregationMaxSize(1 << 20),
		producer.CollectionMaxCount(1), producer.CollectionMaxCount(500), producer.RecordTtl(100 * time.Millisecond),
		producer.MaxConnections(256), producer.RateLimit(0), producer.RecordMaxBufferedTime(0), producer.MaxRecordSize(math.MaxInt32)} {
		if _, err := producer.New(context.Background(), nil, "s", opt); err == nil || !strings.Contains(err.Error(), "needs a client") {
			t.Errorf("New = %v, want only the missing client", err)
		}
	}
}
