package producer

import (
	"math"
	"time"
)

// Kinesis's write limits per shard: 1,000 records and 1 MiB per second
// (aws-sdk-go-v2 service/kinesis, api_op_PutRecords.go: "Each shard can
// support writes up to 1,000 records per second, up to a maximum data write
// total of 1 MB per second"; the KPL's limiter.h uses 1024 * 1024 bytes).
const (
	shardRecordsPerSecond = 1000
	shardBytesPerSecond   = 1 << 20
)

// bucket is a token bucket: it holds at most capacity tokens and gains rate
// tokens per second. As in the KPL (aws/kinesis/core/limiter.h), a shard
// has one for records and one for bytes, each holding one second of the
// shard's limit and refilled at RateLimit percent of it.
type bucket struct {
	capacity float64
	rate     float64 // tokens per second
	tokens   float64
	last     time.Time
}

func newBucket(capacity, rate float64, now time.Time) bucket {
	return bucket{capacity: capacity, rate: rate, tokens: capacity, last: now}
}

func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last); dt > 0 {
		b.tokens = math.Min(b.capacity, b.tokens+b.rate*dt.Seconds())
		b.last = now
	}
}

// wait returns how long until n tokens are available (0: now). A cost
// above the capacity waits for a full bucket and then drives it negative,
// so an oversized record is not held forever.
func (b *bucket) wait(n float64, now time.Time) time.Duration {
	b.refill(now)
	need := math.Min(n, b.capacity)
	if b.tokens >= need {
		return 0
	}
	return time.Duration((need - b.tokens) / b.rate * float64(time.Second))
}

func (b *bucket) take(n float64) { b.tokens -= n }

// drain empties the bucket: the shard said it was over its limit.
func (b *bucket) drain(now time.Time) {
	b.refill(now)
	b.tokens = math.Min(b.tokens, 0)
}

// shardLimiter paces the puts to one shard.
type shardLimiter struct {
	records, bytes bucket
	off            bool // RateLimit 0: no limiting
}

func newShardLimiter(ratePercent int, now time.Time) shardLimiter {
	if ratePercent <= 0 {
		return shardLimiter{off: true}
	}
	m := float64(ratePercent) / 100
	return shardLimiter{
		records: newBucket(shardRecordsPerSecond, m*shardRecordsPerSecond, now),
		bytes:   newBucket(shardBytesPerSecond, m*shardBytesPerSecond, now),
	}
}

// wait returns how long until a Kinesis record of size bytes may go.
func (l *shardLimiter) wait(size int, now time.Time) time.Duration {
	if l.off {
		return 0
	}
	return max(l.records.wait(1, now), l.bytes.wait(float64(size), now))
}

func (l *shardLimiter) take(size int) {
	if !l.off {
		l.records.take(1)
		l.bytes.take(float64(size))
	}
}

// give returns what take took for a record that was not sent after all.
func (l *shardLimiter) give(size int) {
	if !l.off {
		l.records.take(-1)
		l.bytes.take(-float64(size))
	}
}

func (l *shardLimiter) throttled(now time.Time) {
	if !l.off {
		l.records.drain(now)
		l.bytes.drain(now)
	}
}
