package producer

import (
	"fmt"
	"math"
	"sync"

	"github.com/eddy-streams/eddy/client/kpl"
	"log/slog"
	"time"
)

// Defaults. Those named after a KPL setting are the KPL's defaults
// (awslabs/amazon-kinesis-producer, KinesisProducerConfiguration.java).
const (
	DefaultRecordMaxBufferedTime = 100 * time.Millisecond
	DefaultAggregationMaxCount   = 4294967295
	DefaultAggregationMaxSize    = 51200
	DefaultCollectionMaxCount    = 500
	DefaultCollectionMaxSize     = 5242880
	DefaultRecordTtl             = 30 * time.Second
	DefaultMaxConnections        = 24
	DefaultRateLimit             = 150
	DefaultRequestTimeout        = 6 * time.Second
	// Not KPL settings: the KPL buffers without bound and retries without
	// backoff.
	DefaultMaxRecordSize       = 1 << 20
	DefaultMaxOutstandingBytes = 64 << 20
	DefaultRetryMinBackoff     = 50 * time.Millisecond
	DefaultRetryMaxBackoff     = 2 * time.Second
)

// Limits of the Kinesis API the options are held to (aws-sdk-go-v2
// service/kinesis, api_op_PutRecords.go: "Each PutRecords request can
// support up to 500 records"; the KPL's minimum and maximum for each).
const (
	maxCollectionCount    = 500
	minCollectionSize     = 52224
	minAggregationMaxSize = 64
	maxAggregationMaxSize = 1 << 20
)

// An Option sets one of the producer's settings.
type Option func(*config)

type config struct {
	recordMaxBufferedTime time.Duration
	aggregationEnabled    bool
	aggregationMaxCount   int
	aggregationMaxSize    int
	collectionMaxCount    int
	collectionMaxSize     int
	recordTtl             time.Duration
	maxConnections        int
	rateLimit             int
	failIfThrottled       bool
	strictOrder           bool
	fastSerialization     bool
	requestTimeout        time.Duration
	maxRecordSize         int
	maxOutstandingBytes   int64
	failWhenFull          bool
	retryMin, retryMax    time.Duration
	logger                *slog.Logger
	metrics               Metrics
	clock                 Clock
	pools                 *pools
	epoch                 time.Time // New's clock reading: user records' arrival times count from it
}

// since returns the time since epoch, in nanoseconds: a user record's
// arrival. With the system clock it reads only the monotonic clock, half
// the cost of time.Now.
func (c *config) since() int64 {
	if _, ok := c.clock.(systemClock); ok {
		return int64(time.Since(c.epoch))
	}
	return int64(c.clock.Now().Sub(c.epoch))
}

// at is the time of an arrival returned by since.
func (c *config) at(ns int64) time.Time { return c.epoch.Add(time.Duration(ns)) }

// pools keep the aggregators, aggregate buffers and user record lists the
// producer is done with for the next aggregates, so that building one does
// not allocate (and zero) its memory. Unlike a sync.Pool they survive
// garbage collections; they keep at most about 32 MiB of buffers and as
// many user record lists.
type pools struct {
	mu    sync.Mutex
	aggs  []*kpl.Aggregator
	bufs  [][]byte
	users [][]userRecord
	max   int
}

func newPools(c *config) *pools {
	return &pools{max: max(4, (32<<20)/(c.aggregationMaxSize+aggregateHeadroom))}
}

func (c *config) getAgg() *kpl.Aggregator {
	p := c.pools
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.aggs); n > 0 {
		a := p.aggs[n-1]
		p.aggs = p.aggs[:n-1]
		return a
	}
	p.mu.Unlock()
	a := new(kpl.Aggregator)
	a.SetBuffer(c.getBuf())
	p.mu.Lock()
	return a
}

func (c *config) putAgg(a *kpl.Aggregator) {
	a.Reset()
	p := c.pools
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.aggs) < p.max {
		p.aggs = append(p.aggs, a)
	}
}

// getBuf returns a buffer to build an aggregate in: room for
// AggregationMaxSize and the key tables in front of the records.
func (c *config) getBuf() []byte {
	p := c.pools
	p.mu.Lock()
	if n := len(p.bufs); n > 0 {
		b := p.bufs[n-1]
		p.bufs = p.bufs[:n-1]
		p.mu.Unlock()
		return b
	}
	p.mu.Unlock()
	return make([]byte, 0, c.aggregationMaxSize+aggregateHeadroom)
}

// putBuf gives back the buffer of an aggregate that is done with.
func (c *config) putBuf(b []byte) {
	if cap(b) < c.aggregationMaxSize+aggregateHeadroom {
		return
	}
	p := c.pools
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.bufs) < p.max {
		p.bufs = append(p.bufs, b[:0])
	}
}

// getUsers returns an empty list with room for n user records.
func (c *config) getUsers(n int) []userRecord {
	p := c.pools
	p.mu.Lock()
	var u []userRecord
	if k := len(p.users); k > 0 {
		// The last one kept; if it is too small, it is dropped.
		u = p.users[k-1]
		p.users[k-1] = nil
		p.users = p.users[:k-1]
	}
	p.mu.Unlock()
	if cap(u) < n {
		u = make([]userRecord, 0, n+n/4)
	}
	return u
}

// putUsers gives back the user record list of a Kinesis record that is
// done with, cleared (it holds the Futures and callbacks of its records).
// Lists of records put alone are not kept.
func (c *config) putUsers(u []userRecord) {
	if cap(u) < 16 {
		return
	}
	clear(u)
	p := c.pools
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.users) < p.max {
		p.users = append(p.users, u[:0])
	}
}

// aggregateHeadroom is the room in an aggregate's buffer beyond
// AggregationMaxSize: the key tables end up in front of the records.
const aggregateHeadroom = 16 << 10

func defaultConfig() config {
	return config{
		recordMaxBufferedTime: DefaultRecordMaxBufferedTime,
		aggregationEnabled:    true,
		aggregationMaxCount:   DefaultAggregationMaxCount,
		aggregationMaxSize:    DefaultAggregationMaxSize,
		collectionMaxCount:    DefaultCollectionMaxCount,
		collectionMaxSize:     DefaultCollectionMaxSize,
		recordTtl:             DefaultRecordTtl,
		maxConnections:        DefaultMaxConnections,
		rateLimit:             DefaultRateLimit,
		fastSerialization:     true,
		requestTimeout:        DefaultRequestTimeout,
		maxRecordSize:         DefaultMaxRecordSize,
		maxOutstandingBytes:   DefaultMaxOutstandingBytes,
		retryMin:              DefaultRetryMinBackoff,
		retryMax:              DefaultRetryMaxBackoff,
		clock:                 systemClock{},
	}
}

// RecordMaxBufferedTime is the longest a record waits in the buffer before
// it is sent (default 100 ms); records go sooner when an aggregate or a
// request is full. As in the KPL, any two records are reordered by no more
// than twice this (without failures).
func RecordMaxBufferedTime(d time.Duration) Option {
	return func(c *config) { c.recordMaxBufferedTime = d }
}

// AggregationEnabled packs user records bound for the same shard into one
// Kinesis record in the KPL format (default true). Consumers must
// deaggregate (the KCL does; see package kpl).
func AggregationEnabled(on bool) Option { return func(c *config) { c.aggregationEnabled = on } }

// AggregationMaxCount is the most user records in one aggregate (default
// 4294967295, at least 1).
func AggregationMaxCount(n int) Option { return func(c *config) { c.aggregationMaxCount = n } }

// AggregationMaxSize is the most bytes of one aggregated Kinesis record
// (default 51200, 64 to 1048576). A user record that does not fit in an
// aggregate of its own is sent alone.
func AggregationMaxSize(n int) Option { return func(c *config) { c.aggregationMaxSize = n } }

// CollectionMaxCount is the most Kinesis records in one PutRecords call
// (default 500, 1 to 500).
func CollectionMaxCount(n int) Option { return func(c *config) { c.collectionMaxCount = n } }

// CollectionMaxSize is the most bytes (data, partition keys and explicit
// hash keys) in one PutRecords call (default 5242880, at least 52224). A
// larger record is sent in a call of its own.
func CollectionMaxSize(n int) Option { return func(c *config) { c.collectionMaxSize = n } }

// RecordTtl is how long a record may take to be put (default 30 s, at least
// 100 ms); a record still not put after it fails with an error wrapping
// ErrExpired. A request under way is not cut short: a record can expire
// only between attempts.
func RecordTtl(d time.Duration) Option { return func(c *config) { c.recordTtl = d } }

// MaxConnections is the most PutRecords calls under way at once (default
// 24, 1 to 256).
func MaxConnections(n int) Option { return func(c *config) { c.maxConnections = n } }

// RateLimit caps the rate at which the producer writes to each shard, in
// percent of Kinesis's per-shard limits of 1,000 records and 1 MiB per
// second, with one second of burst (default 150, as in the KPL: one
// producer can saturate a shard). 0 turns the limiter off.
func RateLimit(percent int) Option { return func(c *config) { c.rateLimit = percent } }

// FailIfThrottled fails records whose put was throttled
// (ProvisionedThroughputExceededException) instead of retrying them
// (default false).
func FailIfThrottled(on bool) Option { return func(c *config) { c.failIfThrottled = on } }

// StrictOrder makes every PutRecords call carry at most one Kinesis record
// per shard (default false). A call then cannot store a shard's records out
// of order even when Kinesis refuses one of its entries and writes a later
// one of the same shard (an InternalFailure of one entry): records of one
// partition key are stored in the order they were put, whatever Kinesis
// refuses (a resharding can still reorder: docs/PRODUCER.md).
// Without it a call carries as many of a shard's records as fit, and order
// is kept as long as each refusal also refuses the shard's later entries
// in the call, as throttling does (docs/PRODUCER.md). The price is one
// Kinesis record per shard per round trip: smaller calls, more of them.
func StrictOrder(on bool) Option { return func(c *config) { c.strictOrder = on } }

// FastSerialization has the producer write the JSON body of its PutRecords
// calls itself, byte for byte what aws-sdk-go-v2 writes but several times
// faster (default true). It replaces only that: the client's protocol
// still sets the headers and reads the answer, and the client's endpoint
// resolution, payload hash and SigV4 signing, retries and middleware run
// as usual. It applies only to a client speaking awsJson1_1 (the Kinesis
// client's protocol unless Options.Protocol was replaced); false leaves
// the serialization to the SDK.
func FastSerialization(on bool) Option { return func(c *config) { c.fastSerialization = on } }

// RequestTimeout bounds each PutRecords and ListShards call (default 6 s).
// A call that times out may still have written its records: retrying them
// can then duplicate them, as with the KPL.
func RequestTimeout(d time.Duration) Option { return func(c *config) { c.requestTimeout = d } }

// MaxRecordSize is the most bytes of data plus partition key a record may
// have (default 1 MiB, Kinesis's default; raise it for a stream whose limit
// was raised with UpdateMaxRecordSize). Put refuses larger records.
func MaxRecordSize(n int) Option { return func(c *config) { c.maxRecordSize = n } }

// MaxOutstandingBytes bounds the bytes (data and keys) of the records put
// and not yet completed (default 64 MiB). Put blocks while the bound is
// reached, or fails with ErrBufferFull if FailWhenFull is set.
func MaxOutstandingBytes(n int64) Option { return func(c *config) { c.maxOutstandingBytes = n } }

// FailWhenFull makes Put fail with ErrBufferFull instead of blocking when
// MaxOutstandingBytes is reached (default false).
func FailWhenFull(on bool) Option { return func(c *config) { c.failWhenFull = on } }

// RetryBackoff sets the wait before a failed Kinesis record is tried again:
// it doubles from min with each attempt up to max, and a random half of it
// is jitter (defaults 50 ms and 2 s).
func RetryBackoff(min, max time.Duration) Option {
	return func(c *config) { c.retryMin, c.retryMax = min, max }
}

// Logger is where the producer logs (retries, shard map refreshes,
// failures). The default logs nothing.
func Logger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithMetrics sends the producer's metrics, named as the KPL names them, to
// m (default: none).
func WithMetrics(m Metrics) Option { return func(c *config) { c.metrics = m } }

// WithClock replaces the system clock (for tests).
func WithClock(clk Clock) Option { return func(c *config) { c.clock = clk } }

// validate reports the first setting outside its range.
func (c *config) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("producer: "+format, args...))
		}
	}
	check(c.recordMaxBufferedTime >= 0, "RecordMaxBufferedTime %v is negative", c.recordMaxBufferedTime)
	check(c.aggregationMaxCount >= 1, "AggregationMaxCount %d is less than 1", c.aggregationMaxCount)
	check(c.aggregationMaxSize >= minAggregationMaxSize && c.aggregationMaxSize <= maxAggregationMaxSize,
		"AggregationMaxSize %d is outside [%d, %d]", c.aggregationMaxSize, minAggregationMaxSize, maxAggregationMaxSize)
	check(c.collectionMaxCount >= 1 && c.collectionMaxCount <= maxCollectionCount,
		"CollectionMaxCount %d is outside [1, %d]", c.collectionMaxCount, maxCollectionCount)
	check(c.collectionMaxSize >= minCollectionSize, "CollectionMaxSize %d is less than %d", c.collectionMaxSize, minCollectionSize)
	check(c.recordTtl >= 100*time.Millisecond, "RecordTtl %v is less than 100ms", c.recordTtl)
	check(c.maxConnections >= 1 && c.maxConnections <= 256, "MaxConnections %d is outside [1, 256]", c.maxConnections)
	check(c.rateLimit >= 0, "RateLimit %d is negative", c.rateLimit)
	check(c.requestTimeout > 0, "RequestTimeout %v is not positive", c.requestTimeout)
	check(c.maxRecordSize >= 1 && c.maxRecordSize <= math.MaxInt32, "MaxRecordSize %d is outside [1, %d]", c.maxRecordSize, math.MaxInt32)
	check(c.maxOutstandingBytes >= 1, "MaxOutstandingBytes %d is less than 1", c.maxOutstandingBytes)
	check(c.retryMin > 0 && c.retryMax >= c.retryMin, "RetryBackoff %v, %v: want 0 < min <= max", c.retryMin, c.retryMax)
	check(c.clock != nil, "Clock is nil")
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}
