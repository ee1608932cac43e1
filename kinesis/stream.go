package kinesis

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// Stream statuses, modes and encryption types as the API names them.
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusUpdating = "UPDATING"
	StatusDeleting = "DELETING"

	ModeProvisioned = "PROVISIONED"
	ModeOnDemand    = "ON_DEMAND"

	EncryptionNone = "NONE"
	EncryptionKMS  = "KMS"
)

// streamMeta is what the metadata store keeps of a stream, as JSON under its
// name in the "streams" table. Everything about a stream but its records.
type streamMeta struct {
	Name    string `json:"name"`
	Created int64  `json:"created"` // Unix ns; distinguishes incarnations of a name
	// Rev counts the stream's stored changes: a change is stored only
	// over the revision it was made from (persist), so engines sharing a
	// store never overwrite each other's changes.
	Rev            uint64            `json:"rev,omitempty"`
	Status         string            `json:"status"`
	StatusUntil    int64             `json:"statusUntil,omitempty"` // Unix ns when a transition ends
	RetentionHours int               `json:"retentionHours"`
	Mode           string            `json:"mode"`
	Shards         []shardMeta       `json:"shards"`
	Encryption     string            `json:"encryption"`
	KeyID          string            `json:"keyId,omitempty"`
	Tags           map[string]string `json:"tags,omitempty"`
	Metrics        []string          `json:"metrics,omitempty"`
	MaxRecordKiB   int               `json:"maxRecordKiB"`
	WarmMiBps      int               `json:"warmMiBps,omitempty"`
	Policy         string            `json:"policy,omitempty"`
	Distribution   string            `json:"distribution,omitempty"`
	Consumers      []consumerMeta    `json:"consumers,omitempty"`
	// Quotas holds, per operation with a daily quota (quotas.go), the Unix
	// ns times of the operations counted in the last 24 hours.
	Quotas map[string][]int64 `json:"quotas,omitempty"`
	// Peaks are the on-demand scaler's daily peak write rates of the last
	// 30 days (ondemand.go), so a restart keeps the stream's capacity.
	Peaks []peakDay `json:"peaks,omitempty"`
	// Pending holds a transition's deferred work: for DELETING, the stream
	// is removed when it ends.
	Pending string `json:"pending,omitempty"`
}

// shardMeta describes one shard, open or closed.
type shardMeta struct {
	Index          int    `json:"index"`
	Parent         int    `json:"parent"`         // -1: none
	AdjacentParent int    `json:"adjacentParent"` // -1: none
	HashStart      string `json:"hashStart"`      // decimal
	HashEnd        string `json:"hashEnd"`
	Created        int64  `json:"created"` // Unix ns
	Closed         bool   `json:"closed,omitempty"`
	ClosedAt       int64  `json:"closedAt,omitempty"` // Unix ns
	// End is the position after the last record of a closed shard.
	End uint64 `json:"end,omitempty"`
	// Floor is the first position reads may return: records before it
	// were purged (PurgeStream), even if their segment is not deleted yet.
	Floor uint64 `json:"floor,omitempty"`
}

func shardID(index int) string {
	if index >= 0 && index < len(shardIDs) {
		return shardIDs[index]
	}
	return formatShardID(index)
}

func formatShardID(index int) string { return fmt.Sprintf("shardId-%012d", index) }

// shardIDs holds the ids of the first shards: PutRecords names a shard per
// record, and formatting them was 1.5% of the server's CPU per record put.
var shardIDs = func() []string {
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = formatShardID(i)
	}
	return ids
}()

// stream is a stream held in memory. Mutations take mu, build a new
// streamMeta, persist it, and publish a new view; readers (the put and get
// paths) only load the view.
type stream struct {
	e    *Engine
	mu   sync.Mutex // serialises mutations
	view atomic.Pointer[streamView]
	// metrics are the stream's metric series, made on first use.
	metrics atomic.Pointer[streamMetrics]
	scaleMu sync.Mutex // one scaling decision at a time
	// keys are the stream's data keys in memory (sse.go).
	keys streamKeys
}

// streamView is an immutable snapshot of a stream.
type streamView struct {
	meta   streamMeta
	shards map[int]*shardState // every shard still listed, by index
	open   []*shardState       // open shards sorted by hash range, for routing
}

type shardState struct {
	meta       shardMeta
	start, end hashKey
	log        storage.ShardLog
	// appended wakes subscribers when records are appended or the shard
	// closes. It is carried from view to view with the log.
	appended *notifier
	// limits are the shard's throughput meters (with Config.Limits on),
	// carried from view to view like the log.
	limits *shardLimits
	// usage counts what the shard accepted; carried like the log.
	usage *shardUsage
}

// notifier is a broadcast wake-up: wait returns a channel that is closed at
// the next notify. notify never blocks, so a slow subscriber cannot hold up
// writers.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
	// remote starts, once, the log's notices of other nodes' appends
	// (waitAppend).
	remote sync.Once
}

func newNotifier() *notifier { return &notifier{ch: make(chan struct{})} }

// waitAppend returns a channel closed at the shard's next append. On a
// log other nodes append to as well (storage.AppendWatcher), their appends
// count too: the first wait asks the log for notices of them, which then
// come for as long as the log lives.
func (st *shardState) waitAppend() <-chan struct{} {
	if w, ok := st.log.(storage.AppendWatcher); ok {
		st.appended.remote.Do(func() { w.WatchAppends(st.appended.notify) })
	}
	return st.appended.wait()
}

func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) notify() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

func (e *Engine) arn(name string) string {
	return fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/%s", e.cfg.Region, e.cfg.AccountID, name)
}

// logID names a shard's log: the stream's name and incarnation, and the shard.
func logID(m *streamMeta, index int) string {
	return m.Name + ":" + strconv.FormatInt(m.Created, 36) + "/" + shardID(index)
}

// openStream builds the in-memory stream for m, opening its shards' logs.
func (e *Engine) openStream(m streamMeta) (*stream, error) {
	s := &stream{e: e}
	v, err := e.buildView(m)
	if err != nil {
		return nil, err
	}
	s.view.Store(v)
	return s, nil
}

func (e *Engine) buildView(m streamMeta) (*streamView, error) {
	v := &streamView{meta: m, shards: make(map[int]*shardState, len(m.Shards))}
	var old *streamView
	if s := e.held(m.Name); s != nil {
		old = s.view.Load()
	}
	for _, sm := range m.Shards {
		st := &shardState{meta: sm}
		var ok1, ok2 bool
		st.start, ok1 = parseHashKey(sm.HashStart)
		st.end, ok2 = parseHashKey(sm.HashEnd)
		if !ok1 || !ok2 {
			return nil, internalf("stream %s shard %d: bad hash range", m.Name, sm.Index)
		}
		if old != nil && old.meta.Created == m.Created {
			if prev, ok := old.shards[sm.Index]; ok {
				st.log, st.appended, st.limits, st.usage = prev.log, prev.appended, prev.limits, prev.usage
			}
		}
		if st.appended == nil {
			st.appended = newNotifier()
		}
		if st.limits == nil {
			st.limits = &shardLimits{}
		}
		if st.usage == nil {
			st.usage = &shardUsage{}
		}
		if st.log == nil {
			l, err := e.logs.Open(logID(&m, sm.Index))
			if err != nil {
				return nil, internalf("open log of stream %s shard %d: %w", m.Name, sm.Index, err)
			}
			st.log = l
		}
		v.shards[sm.Index] = st
		if !sm.Closed {
			v.open = append(v.open, st)
		}
	}
	sort.Slice(v.open, func(i, j int) bool { return v.open[i].start.cmp(v.open[j].start) < 0 })
	return v, nil
}

// lookup returns the named stream or nil. On a store shared with other
// nodes it looks for a stream this engine does not hold in the store, so
// one created through another node is found at once.
func (e *Engine) lookup(name string) *stream {
	if s := e.held(name); s != nil || e.peers == nil {
		return s
	}
	s, err := e.reload(name)
	if err != nil {
		e.log.Warn("looking up a stream in the shared store", "stream", name, "err", err)
	}
	return s
}

// held returns the named stream if the engine holds it, or nil.
func (e *Engine) held(name string) *stream {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.mu.streams[name]
}

// errStale: the stored metadata of a stream is not the revision a change
// was made from: another engine sharing the store (another node of a
// cluster) changed it, or created or deleted the stream.
var errStale = errors.New("kinesis: stream changed by another node")

// persist writes m, a change made to revision prev.Rev, to the metadata
// store as revision prev.Rev+1, if the stored stream is still at that
// revision (prev nil: if no stream of that name is stored), else returns
// errStale and stores nothing.
func (e *Engine) persist(m, prev *streamMeta) error {
	m.Rev = 1
	if prev != nil {
		m.Rev = prev.Rev + 1
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return e.meta.Update(func(tx storage.MetaTx) error {
		cur, err := tx.Get(tableStreams, m.Name)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if prev != nil {
				return errStale
			}
		case err != nil:
			return err
		case prev == nil:
			return errStale
		default:
			var stored streamMeta
			if err := json.Unmarshal(cur, &stored); err != nil {
				return err
			}
			if stored.Created != prev.Created || stored.Rev != prev.Rev {
				return errStale
			}
		}
		return tx.Put(tableStreams, m.Name, b)
	})
}

// update applies fn to a copy of the stream's metadata under its mutation
// lock, persists the result and publishes it. fn returns an *eddy.Error to
// refuse the change (nothing is changed then). If another node changed the
// stream meanwhile, update takes up the stored stream and runs fn again.
func (s *stream) update(fn func(m *streamMeta) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		prev := s.view.Load().meta
		m := prev.clone()
		if err := fn(&m); err != nil {
			return err
		}
		v, err := s.e.buildView(m)
		if err != nil {
			return err
		}
		err = s.e.persist(&m, &prev)
		if errors.Is(err, errStale) && attempt < 10 {
			if err := s.e.refreshLocked(s); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return internalf("persist stream %s: %w", m.Name, err)
		}
		v.meta.Rev = m.Rev
		s.view.Store(v)
		return nil
	}
}

func (m streamMeta) clone() streamMeta {
	c := m
	c.Shards = append([]shardMeta(nil), m.Shards...)
	if m.Tags != nil {
		c.Tags = make(map[string]string, len(m.Tags))
		for k, v := range m.Tags {
			c.Tags[k] = v
		}
	}
	c.Metrics = append([]string(nil), m.Metrics...)
	c.Consumers = append([]consumerMeta(nil), m.Consumers...)
	c.Peaks = append([]peakDay(nil), m.Peaks...)
	if m.Quotas != nil {
		c.Quotas = make(map[string][]int64, len(m.Quotas))
		for op, times := range m.Quotas {
			c.Quotas[op] = append([]int64(nil), times...)
		}
	}
	return c
}

// route returns the open shard owning hash key k.
func (v *streamView) route(k hashKey) *shardState {
	i := sort.Search(len(v.open), func(i int) bool { return v.open[i].end.cmp(k) >= 0 })
	if i < len(v.open) && v.open[i].start.cmp(k) <= 0 {
		return v.open[i]
	}
	return nil
}

// openShardCount counts open shards across all streams, for ShardLimit.
func (e *Engine) openShardCount() int {
	e.mu.RLock()
	defer e.mu.RUnlock()
	n := 0
	for _, s := range e.mu.streams {
		n += len(s.view.Load().open)
	}
	return n
}

// shardLimitError is LimitExceededException as AWS words it.
func (e *Engine) shardLimitError(current, additional int) error {
	return eddy.Errorf(eddy.CodeLimitExceeded,
		"This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		e.cfg.AccountID, e.cfg.Region, current, e.cfg.ShardLimit, additional)
}

// notFound is ResourceNotFoundException for a stream.
func (e *Engine) notFound(name string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Stream %s under account %s not found.", name, e.cfg.AccountID)
}

// transitionDelay is how long a stream stays in status.
func (e *Engine) transitionDelay(status string) time.Duration {
	switch status {
	case StatusCreating:
		return e.cfg.CreateDelay
	case StatusUpdating:
		return e.cfg.UpdateDelay
	case StatusDeleting:
		return e.cfg.DeleteDelay
	}
	return 0
}
