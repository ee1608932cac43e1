package kinesis

import (
	"strings"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/gcra"
)

// Throughput limits (Config.Limits = LimitsAWS). Kinesis holds each shard
// to fixed rates and each control-plane operation to a call rate; code that
// handles throttling is only tested if something throttles it. With
// LimitsOff (the default) none of this runs.
//
// Every rate is a GCRA meter ("generic cell rate algorithm"), which is a
// token bucket kept as one number: tat, the theoretical time at which the
// meter is empty again. A request costing c at rate r is admitted if
//
//	tat <= now  or  tat - now < burst
//
// and then tat = max(tat, now) + c/r. burst is how far ahead of real time
// the meter may run: a meter idle for a while admits burst×r at once, as a
// full token bucket would (an idle shard takes exactly 1,000 records).
// Admission only requires the meter not to be beyond its burst, so one
// request larger than the burst (a 10 MiB record, a 10 MiB GetRecords
// answer) is admitted and then holds the meter off for as long as the rate
// takes to pay for it: a GetRecords call that returned 10 MiB at 2 MiB/s
// throttles the shard's reads for the next 5 s, exactly as Kinesis
// documents.
//
// Per shard (provisioned and on-demand streams alike):
//
//	writes          1 MiB/s of data and partition keys, and 1,000 records/s;
//	                burst 1 s
//	GetRecords      5 calls/s (burst 5) and 2 MiB/s (no burst: a call is
//	                admitted while the previous answers are paid for)
//	GetShardIterator 5 calls/s (burst 5)
//	SubscribeToShard 1 call/s per consumer and shard; its pushes are paced
//	                to 2 MiB/s per consumer and shard (burst 1 s)
//
// Control-plane operations have per-account or per-stream call rates
// (controlRates).

// Limits modes.
const (
	LimitsOff = "off"
	LimitsAWS = "aws"
)

// Per-shard rates of Kinesis Data Streams.
const (
	shardWriteBytesPerSec = 1 << 20
	shardWriteRecsPerSec  = 1000
	shardReadBytesPerSec  = 2 << 20
	shardReadCallsPerSec  = 5
	shardIterCallsPerSec  = 5
	subPushBytesPerSec    = 2 << 20
	subCallsPerSec        = 1
)

// meter is one GCRA rate meter (internal/gcra).
type meter = gcra.Meter

// per returns the cost in ns of n units at perSec units per second.
func per(n, perSec int64) int64 { return gcra.Per(n, perSec) }

// shardLimits are one shard's meters. A shard keeps them across views (as
// it keeps its log), so resharding other shards does not reset them.
type shardLimits struct {
	mu         sync.Mutex
	writeBytes meter
	writeRecs  meter
	readCalls  meter
	readBytes  meter
	iterCalls  meter
}

// admitWrite charges one record of size bytes if the shard's write rates
// allow it now.
func (l *shardLimits) admitWriteLocked(now int64, size int) bool {
	const burst = int64(time.Second)
	if !l.writeBytes.Admit(now, burst) || !l.writeRecs.Admit(now, burst) {
		return false
	}
	l.writeBytes.Charge(now, per(int64(size), shardWriteBytesPerSec))
	l.writeRecs.Charge(now, per(1, shardWriteRecsPerSec))
	return true
}

// admitRead admits a GetRecords call: within 5 calls/s, and the data of
// earlier calls paid for at 2 MiB/s.
func (l *shardLimits) admitRead(now int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.readBytes.Admit(now, 0) || !l.readCalls.Admit(now, int64(time.Second)) {
		return false
	}
	l.readCalls.Charge(now, per(1, shardReadCallsPerSec))
	return true
}

// chargeRead charges the bytes a GetRecords call returned.
func (l *shardLimits) chargeRead(now int64, bytes int) {
	l.mu.Lock()
	l.readBytes.Charge(now, per(int64(bytes), shardReadBytesPerSec))
	l.mu.Unlock()
}

// admitIterator admits a GetShardIterator call.
func (l *shardLimits) admitIterator(now int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.iterCalls.Take(now, per(1, shardIterCallsPerSec), int64(time.Second))
}

// subLimits are the meters of one consumer on one shard: SubscribeToShard
// calls and the bytes pushed. They outlive subscriptions (a consumer
// resubscribes every 5 minutes) and are dropped with the consumer.
type subLimits struct {
	mu    sync.Mutex
	calls meter
	push  meter
}

// controlScope says what a control-plane rate is counted per.
type controlScope int

const (
	perAccount controlScope = iota
	perStream
)

// controlRate is one control-plane operation's documented call rate.
type controlRate struct {
	perSec float64
	scope  controlScope
}

// controlRates are the call rates of the control-plane operations, from the
// Kinesis API reference ("This operation has a limit of five transactions
// per second per account.") and the Developer Guide's quota table. Where
// the two disagree on the scope (ListTagsForStream, RemoveTagsFromStream,
// MergeShards, SplitShard, RegisterStreamConsumer: per account in the API
// reference, per stream in the guide) the guide's current table wins.
// Operations with no documented rate (TagResource, UntagResource,
// ListTagsForResource, UpdateMaxRecordSize, ...) are not limited.
var controlRates = map[string]controlRate{
	"AddTagsToStream":               {5, perAccount},
	"CreateChannel":                 {5, perAccount},
	"CreateStream":                  {5, perAccount},
	"DecreaseStreamRetentionPeriod": {5, perStream},
	"DeleteResourcePolicy":          {5, perAccount},
	"DeleteStream":                  {5, perAccount},
	"DeregisterStreamConsumer":      {5, perStream},
	"DescribeAccountSettings":       {5, perAccount},
	"DescribeLimits":                {1, perAccount},
	"DescribeStream":                {10, perAccount},
	"DescribeStreamConsumer":        {20, perStream},
	"DescribeStreamSummary":         {20, perAccount},
	"DisableEnhancedMonitoring":     {5, perStream},
	"EnableEnhancedMonitoring":      {5, perStream},
	"GetResourcePolicy":             {5, perAccount},
	"IncreaseStreamRetentionPeriod": {5, perStream},
	"ListShards":                    {1000, perStream},
	"ListStreamConsumers":           {5, perStream},
	"ListStreams":                   {5, perAccount},
	"ListTagsForStream":             {5, perStream},
	"MergeShards":                   {5, perStream},
	"PutResourcePolicy":             {5, perAccount},
	"RegisterStreamConsumer":        {5, perStream},
	"RemoveTagsFromStream":          {5, perStream},
	"SplitShard":                    {5, perStream},
	"UpdateAccountSettings":         {5, perAccount},
	"UpdateShardCount":              {10, perAccount},
	"UpdateStreamWarmThroughput":    {5, perAccount},
}

// limiter holds the meters that are not a shard's: control-plane rates and
// subscriptions'.
type limiter struct {
	mu      sync.Mutex
	control map[string]*meter     // op, or op + "/" + stream
	subs    map[string]*subLimits // subscription key
}

// admitControl admits a control-plane call of op on stream ("" for
// account-level operations), if op has a rate.
func (l *limiter) admitControl(now int64, op, stream string) bool {
	r, ok := controlRates[op]
	if !ok {
		return true
	}
	key := op
	if r.scope == perStream {
		key += "/" + stream
	}
	interval := int64(float64(time.Second) / r.perSec)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.control == nil {
		l.control = map[string]*meter{}
	}
	m := l.control[key]
	if m == nil {
		m = &meter{}
		l.control[key] = m
	}
	return m.Take(now, interval, int64(time.Second))
}

// sub returns the meters of a consumer on a shard.
func (l *limiter) sub(key string) *subLimits {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.subs == nil {
		l.subs = map[string]*subLimits{}
	}
	s := l.subs[key]
	if s == nil {
		s = &subLimits{}
		l.subs[key] = s
	}
	return s
}

// dropStream forgets the per-stream meters of a deleted stream and of its
// consumers' subscriptions.
func (l *limiter) dropStream(stream string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	suffix := "/" + stream
	for k := range l.control {
		if len(k) > len(suffix) && k[len(k)-len(suffix):] == suffix {
			delete(l.control, k)
		}
	}
	l.dropSubsLocked(stream + "/")
}

// dropSubs forgets the subscription meters whose key starts with prefix.
func (l *limiter) dropSubs(prefix string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.dropSubsLocked(prefix)
}

func (l *limiter) dropSubsLocked(prefix string) {
	for k := range l.subs {
		if strings.HasPrefix(k, prefix) {
			delete(l.subs, k)
		}
	}
}

// Account quotas that LimitsAWS enforces besides rates, with the messages
// Kinesis answers them with (as users have quoted them, "would have
// exceed" and the double space included).
const maxTransitioningStreams = 5

// checkTransitioning refuses a CreateStream or DeleteStream while 5
// streams are CREATING or DELETING. The caller holds e.ctl.
func (e *Engine) checkTransitioning() error {
	if e.cfg.Limits != LimitsAWS {
		return nil
	}
	n := 0
	for _, s := range e.allStreams() {
		if st := s.view.Load().meta.Status; st == StatusCreating || st == StatusDeleting {
			n++
		}
	}
	if n >= maxTransitioningStreams {
		return eddy.Errorf(eddy.CodeLimitExceeded,
			"This request would have exceed the limit on the number  of streams that can simultaneously be in CREATING or DELETING for the account %s. Limit: %d.",
			e.cfg.AccountID, maxTransitioningStreams)
	}
	return nil
}

// checkOnDemandQuota refuses one more ON_DEMAND stream beyond the
// account's 50.
func (e *Engine) checkOnDemandQuota() error {
	if e.cfg.Limits != LimitsAWS {
		return nil
	}
	n := 0
	for _, s := range e.allStreams() {
		if s.view.Load().meta.Mode == ModeOnDemand {
			n++
		}
	}
	if n >= onDemandStreamLimit {
		return eddy.Errorf(eddy.CodeLimitExceeded,
			"This request would exceed the limit on the number of On-Demand streams for the account %s in %s. Current On-Demand streams count: %d. Limit: %d.",
			e.cfg.AccountID, e.cfg.Region, n, onDemandStreamLimit)
	}
	return nil
}
