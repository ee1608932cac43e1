package producer

import (
	"sync"
	"time"

	"github.com/eddy-streams/eddy/client/kpl"
)

// userRecord is what the producer keeps of a user record while it is
// outstanding; its data and keys (and so its hash key) live in the Kinesis
// record carrying it. Put writes one per record: it is kept small.
type userRecord struct {
	arrival  int64 // config.since() at Put
	cost     int64 // bytes charged to the outstanding budget
	fut      *Future
	cb       func(Result)
	dataLen  int32 // at most MaxRecordSize
	attempts int32 // PutRecords calls that carried it
}

// kinesisRecord is one entry of a PutRecords call: an aggregate of user
// records, or one user record alone.
type kinesisRecord struct {
	finishing  sync.Mutex // held while agg becomes data, and while the buffers are recycled
	data       []byte
	agg        *kpl.Aggregator // until finish encodes it into data: off the shard's lock
	buf        []byte          // the allocation data lies in, recycled when done
	dataLen    int
	pk, ehk    string // the entry's partition key and explicit hash key ("" none)
	aggregated bool
	users      []userRecord // in order: users[i] has subsequence number i
	shard      *shard       // the shard it was aggregated for (predicted)

	deadline  time.Time // when it must go: the first arrival + RecordMaxBufferedTime
	arrival   time.Time // the oldest user record's arrival
	full      bool      // sealed because full: it may go before its deadline
	attempts  int       // PutRecords calls that carried this Kinesis record
	notBefore time.Time // retry backoff
	lastErr   error
}

// size is what the record counts for in a PutRecords call (0 for nil).
func (k *kinesisRecord) size() int {
	if k == nil {
		return 0
	}
	return k.dataLen + len(k.pk) + len(k.ehk)
}

// finish encodes a sealed aggregate (MD5 and all) into data, once. The
// Put that sealed it calls it, after the shard's lock is released, while
// the aggregate is still in its CPU's cache; the sender calls it too, for
// aggregates sealed elsewhere (and waits if that Put is still at it).
func (k *kinesisRecord) finish(c *config) {
	k.finishing.Lock()
	defer k.finishing.Unlock()
	if k.agg == nil {
		return
	}
	k.data, k.buf = k.agg.Take(c.getBuf())
	c.putAgg(k.agg)
	k.agg = nil
}

// oldestArrival returns the earliest arrival of users.
func oldestArrival(c *config, users []userRecord) time.Time {
	t := users[0].arrival
	for _, u := range users[1:] {
		t = min(t, u.arrival)
	}
	return c.at(t)
}

// userRecords returns the user records k carries, in order.
func (k *kinesisRecord) userRecords(c *config) []Record {
	k.finish(c)
	if !k.aggregated {
		return []Record{{PartitionKey: k.pk, ExplicitHashKey: k.ehk, Data: k.data}}
	}
	recs, err := kpl.Deaggregate(k.data)
	if err != nil || len(recs) != len(k.users) {
		// The producer wrote these bytes itself.
		panic("producer: cannot read back an aggregate it wrote")
	}
	out := make([]Record, len(recs))
	for i, r := range recs {
		out[i] = Record(r)
	}
	return out
}

// shard is the producer's state for one open shard: the aggregate being
// filled, the Kinesis records waiting to go, and the shard's rate limiter.
// Records of a shard are in at most one PutRecords call at a time, and a
// retried record goes back to the front of the queue, so records reach
// the shard in the order they were put.
type shard struct {
	id         string
	start, end kpl.HashKey

	mu struct {
		sync.Mutex
		agg         *kpl.Aggregator
		aggUsers    []userRecord
		aggFirst    Record      // the aggregate's first user record, sent alone if it stays alone
		aggFirstKey kpl.HashKey // and its hash key, the aggregate's explicit hash key
		aggDeadline time.Time
		queue       []*kinesisRecord
		queuedBytes int
		inflight    bool // a PutRecords call carries records of this shard
		closed      bool // no longer open in the shard map
		limiter     shardLimiter
	}
}

func newShard(id string, start, end kpl.HashKey, ratePercent int, now time.Time) *shard {
	s := &shard{id: id, start: start, end: end}
	s.mu.limiter = newShardLimiter(ratePercent, now)
	s.mu.agg = new(kpl.Aggregator)
	return s
}

// addLocked buffers one user record. It reports whether the shard buffered
// nothing before (the dispatcher must schedule its deadline), the bytes of
// the Kinesis records it queued meanwhile, if any, and the aggregate it
// sealed, if any, for the caller to finish once the lock is released.
func (s *shard) addLocked(c *config, r *Record, hash kpl.HashKey, u userRecord) (wasIdle bool, queued int, sealed *kinesisRecord) {
	wasIdle = s.mu.agg.Count() == 0 && len(s.mu.queue) == 0
	ur := kpl.UserRecord{PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey, Data: r.Data}
	if !c.aggregationEnabled || kpl.SizeOf(ur) > c.aggregationMaxSize {
		// The aggregate being filled holds earlier records: it goes first.
		sealed = s.sealLocked(c, false)
		kr := &kinesisRecord{data: r.Data, dataLen: len(r.Data), pk: r.PartitionKey, ehk: r.ExplicitHashKey, users: []userRecord{u},
			shard: s, deadline: c.at(u.arrival).Add(c.recordMaxBufferedTime), arrival: c.at(u.arrival)}
		s.pushLocked(kr)
		return wasIdle, sealed.size() + kr.size(), sealed
	}
	if s.mu.agg.Count() >= c.aggregationMaxCount || !s.mu.agg.TryAdd(ur, c.aggregationMaxSize) {
		sealed = s.sealLocked(c, true)
		queued = sealed.size()
		s.mu.agg.Add(ur)
	}
	if s.mu.agg.Count() == 1 {
		s.mu.aggFirst, s.mu.aggFirstKey = *r, hash
		s.mu.aggDeadline = c.at(u.arrival).Add(c.recordMaxBufferedTime)
	}
	s.mu.aggUsers = append(s.mu.aggUsers, u)
	return wasIdle, queued, sealed
}

func (s *shard) pushLocked(kr *kinesisRecord) {
	s.mu.queue = append(s.mu.queue, kr)
	s.mu.queuedBytes += kr.size()
}

// popLocked removes the queue's first record.
func (s *shard) popLocked() *kinesisRecord {
	kr := s.mu.queue[0]
	s.mu.queue[0] = nil
	s.mu.queue = s.mu.queue[1:]
	s.mu.queuedBytes -= kr.size()
	return kr
}

// sealLocked turns the aggregate being filled into a Kinesis record at the
// end of the queue. As the KPL does, an aggregate of one user record is
// sent as that record alone, and an aggregate of several gets partition
// key "a" and, as explicit hash key, its first user record's hash key, so
// it lands on the shard it was built for.
func (s *shard) sealLocked(c *config, full bool) *kinesisRecord {
	n := s.mu.agg.Count()
	if n == 0 {
		return nil
	}
	kr := &kinesisRecord{users: s.mu.aggUsers, shard: s, deadline: s.mu.aggDeadline, full: full,
		arrival: oldestArrival(c, s.mu.aggUsers)}
	if n == 1 {
		kr.data, kr.pk, kr.ehk = s.mu.aggFirst.Data, s.mu.aggFirst.PartitionKey, s.mu.aggFirst.ExplicitHashKey
		kr.dataLen = len(kr.data)
		s.mu.agg.Reset()
	} else {
		kr.agg, kr.dataLen = s.mu.agg, s.mu.agg.Size()
		s.mu.agg = c.getAgg()
		kr.aggregated = true
		kr.pk = "a"
		kr.ehk = s.mu.aggFirstKey.String()
	}
	s.mu.aggUsers = c.getUsers(n)
	s.mu.aggFirst = Record{}
	s.pushLocked(kr)
	return kr
}

// takeAllLocked removes and returns every Kinesis record the shard
// buffers, sealing the open aggregate.
func (s *shard) takeAllLocked(c *config) []*kinesisRecord {
	s.sealLocked(c, false)
	q := s.mu.queue
	s.mu.queue, s.mu.queuedBytes = nil, 0
	return q
}
