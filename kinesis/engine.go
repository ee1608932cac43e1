package kinesis

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/storage"
)

// Config configures an Engine. Start from DefaultConfig.
type Config struct {
	// Region and AccountID appear in ARNs and messages. Defaults
	// "us-east-1" and "000000000000".
	Region    string
	AccountID string
	// MetricsRegion is the "region" label of the engine's metric series.
	// Default Region; Regions gives another account's engines
	// "<account>/<region>", so that accounts' series stay apart.
	MetricsRegion string
	// CreateDelay, UpdateDelay and DeleteDelay are how long a stream stays
	// CREATING, UPDATING or DELETING. Default 0: transitions are instant.
	CreateDelay, UpdateDelay, DeleteDelay time.Duration
	// ShardLimit is the most open shards the account may have. Default
	// 10000.
	ShardLimit int
	// IteratorTTL is how long a shard iterator stays valid. Default 5 min.
	IteratorTTL time.Duration
	// RetentionCheck is how often expired records and shards are trimmed.
	// Default 1 min.
	RetentionCheck time.Duration
	// SubscriptionLifetime is how long a SubscribeToShard stream lasts
	// before it ends and the consumer subscribes again. Default 5 min.
	SubscriptionLifetime time.Duration
	// SubscriptionHeartbeat is the longest a subscription goes without an
	// event: when no records arrive it sends an empty one, carrying the
	// continuation sequence number. Default 5 s.
	SubscriptionHeartbeat time.Duration
	// OnDemandScaleInterval is how often the on-demand scaler measures
	// write rates and grows ON_DEMAND streams. Default 1 min.
	OnDemandScaleInterval time.Duration
	// OnDemandMinShards is the shard count of a new ON_DEMAND stream and the
	// least the scaler keeps. Default 4 (4 MiB/s of writes, as on Kinesis).
	OnDemandMinShards int
	// OnDemandMaxShards is the most shards the scaler grows an ON_DEMAND
	// stream to. Default 200 (200 MiB/s, Kinesis's default on-demand
	// maximum in most regions).
	OnDemandMaxShards int
	// Limits is LimitsOff (the default: nothing is throttled) or LimitsAWS:
	// Kinesis's per-shard throughput limits and control-plane call rates
	// (see limits.go).
	Limits string
	// Metrics is the registry the engine publishes its metrics in (see
	// metrics.go). Default nil: a registry of its own, unpublished.
	Metrics *metrics.Registry
	// Clock is the source of time. Default RealClock.
	Clock Clock
	// Logger receives the engine's logs. Default: discard.
	Logger *slog.Logger
	// KeyService, if set, returns the key service of a region, which
	// encrypts the records of streams with KMS encryption (sse.go).
	// Default nil: StartStreamEncryption records the setting without
	// checking the key, and records are stored in the clear (a reader of
	// records stored encrypted by an engine with a key service gets
	// InternalFailure). `eddy serve` always sets it.
	KeyService func(region string) KeyService
	// AccountKeyService, if set, returns the key service of another
	// account's region (Regions.GetAccount's engines); without it they use
	// KeyService's.
	AccountKeyService func(account, region string) KeyService
	// Leader, if set, reports whether this node runs a background job now
	// (cluster.Cluster.Leader): with several engines on a shared store
	// (storage/jetstream), retention trimming and the on-demand scaler
	// run on one node only, checked at each tick. Jobs are named
	// "kinesis/<account>/<region>/retention" and ".../ondemand-scaler".
	// Default nil: this engine runs them all. Stream transitions
	// (CREATING, UPDATING and DELETING ending) run on every node: each is
	// a compare-and-set of the stream's stored revision, so the first
	// node to make it wins and the others find nothing to do.
	Leader func(job string) bool
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config {
	return Config{
		Region:                "us-east-1",
		AccountID:             "000000000000",
		ShardLimit:            10000,
		IteratorTTL:           5 * time.Minute,
		RetentionCheck:        time.Minute,
		SubscriptionLifetime:  5 * time.Minute,
		SubscriptionHeartbeat: 5 * time.Second,
		Limits:                LimitsOff,
		OnDemandScaleInterval: time.Minute,
		OnDemandMinShards:     4,
		OnDemandMaxShards:     200,
		Clock:                 RealClock{},
		Logger:                slog.New(slog.DiscardHandler),
	}
}

// Validate reports the first invalid field.
func (c *Config) Validate() error {
	switch {
	case c.Region == "":
		return errors.New("engine: empty region")
	case len(c.AccountID) != 12:
		return fmt.Errorf("engine: account id %q must have 12 digits", c.AccountID)
	case c.CreateDelay < 0 || c.UpdateDelay < 0 || c.DeleteDelay < 0:
		return errors.New("engine: negative transition delay")
	case c.ShardLimit < 1:
		return fmt.Errorf("engine: shard limit %d below 1", c.ShardLimit)
	case c.IteratorTTL <= 0:
		return errors.New("engine: iterator TTL must be positive")
	case c.RetentionCheck <= 0:
		return errors.New("engine: retention check interval must be positive")
	case c.SubscriptionLifetime <= 0 || c.SubscriptionHeartbeat <= 0:
		return errors.New("engine: subscription lifetime and heartbeat must be positive")
	case c.OnDemandScaleInterval <= 0:
		return errors.New("engine: on-demand scale interval must be positive")
	case c.OnDemandMinShards < 1 || c.OnDemandMaxShards < c.OnDemandMinShards:
		return fmt.Errorf("engine: on-demand shard bounds [%d, %d]: want 1 <= min <= max", c.OnDemandMinShards, c.OnDemandMaxShards)
	case c.Limits != LimitsOff && c.Limits != LimitsAWS:
		return fmt.Errorf("engine: limits %q: want %q or %q", c.Limits, LimitsOff, LimitsAWS)
	case c.Clock == nil || c.Logger == nil:
		return errors.New("engine: no clock or logger")
	}
	for _, r := range c.AccountID {
		if r < '0' || r > '9' {
			return fmt.Errorf("engine: account id %q must have 12 digits", c.AccountID)
		}
	}
	return nil
}

// Engine is the Kinesis Data Streams service over one storage backend. Its
// exported methods are the API operations; all are safe for concurrent use.
type Engine struct {
	cfg    Config
	logs   storage.Logs
	meta   storage.MetaStore
	log    *slog.Logger
	secret []byte // keys shard iterator MACs

	mu struct {
		sync.RWMutex
		streams map[string]*stream
		subs    map[string]*Subscription // active SubscribeToShard streams
		closed  bool
	}
	stopRetention func() bool
	stopScaler    func() bool
	limits        limiter
	faults        faultSet
	metrics       engineMetrics
	keys          KeyService // nil: no encryption at rest (Config.KeyService)
	sse           sseState
	peers         *peers // other nodes' changes, on a shared store (cluster.go)
	// ctl serialises control-plane changes to the set of streams (create,
	// delete) so shard-limit checks and name reservations are atomic.
	ctl sync.Mutex
}

// Metadata tables.
const (
	tableStreams = "streams"
	tableEngine  = "engine"
	keySecret    = "iterator-secret"
)

// New opens an engine over logs and meta, loading the streams they hold.
// The engine does not own them: the caller closes them after Close. It
// serves cfg.Region alone; Regions serves several over one store.
func New(cfg Config, logs storage.Logs, meta storage.MetaStore) (*Engine, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	reg := cfg.Metrics
	if reg == nil {
		reg = metrics.NewRegistry()
	}
	return open(cfg, logs, meta, newMetricFamilies(reg))
}

// open is New with the metric families given: the engines of Regions share
// theirs.
func open(cfg Config, logs storage.Logs, meta storage.MetaStore, fams *metricFamilies) (_ *Engine, err error) {
	e := &Engine{cfg: cfg, logs: logs, meta: meta, log: cfg.Logger.With("component", "engine", "region", cfg.Region)}
	e.mu.streams = make(map[string]*stream)
	if cfg.KeyService != nil {
		e.keys = cfg.KeyService(cfg.Region)
	}
	e.useMetrics(fams)
	defer func() {
		if err != nil {
			fams.remove(e)
		}
	}()
	var metas []streamMeta
	err = meta.Update(func(tx storage.MetaTx) error {
		s, err := tx.Get(tableEngine, keySecret)
		if errors.Is(err, storage.ErrNotFound) {
			s = make([]byte, 32)
			if _, err := rand.Read(s); err != nil {
				return err
			}
			if err := tx.Put(tableEngine, keySecret, s); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		e.secret = s
		return tx.Scan(tableStreams, "", "", func(key string, value []byte) (bool, error) {
			var m streamMeta
			if err := json.Unmarshal(value, &m); err != nil {
				return false, fmt.Errorf("engine: stream %s: %w", key, err)
			}
			metas = append(metas, m)
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("engine: load: %w", err)
	}
	for _, m := range metas {
		s, err := e.openStream(m)
		if err != nil {
			return nil, err
		}
		e.mu.streams[m.Name] = s
		// Finish transitions a restart interrupted.
		e.scheduleTransition(s)
	}
	e.watchPeers()
	e.scheduleRetention()
	e.scheduleScaler()
	return e, nil
}

// Close stops background work. It does not close the storage.
func (e *Engine) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.mu.closed {
		return nil
	}
	e.mu.closed = true
	e.stopPeers()
	if e.stopRetention != nil {
		e.stopRetention()
	}
	if e.stopScaler != nil {
		e.stopScaler()
	}
	for k, sub := range e.mu.subs {
		close(sub.done)
		delete(e.mu.subs, k)
	}
	return nil
}

func (e *Engine) now() time.Time { return e.cfg.Clock.Now() }

// internalf wraps a non-domain error for the transport, which logs it and
// answers InternalFailure.
func internalf(format string, args ...any) error {
	return fmt.Errorf("engine: "+format, args...)
}

// errorf is eddy.Errorf, short.
func errorf(code, format string, args ...any) error { return eddy.Errorf(code, format, args...) }

// Ready reports whether the engine serves requests: nil while it is open.
func (e *Engine) Ready() error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.mu.closed {
		return errors.New("engine closed")
	}
	return nil
}

// allStreams returns the streams held now, in no order.
func (e *Engine) allStreams() []*stream {
	e.mu.RLock()
	defer e.mu.RUnlock()
	streams := make([]*stream, 0, len(e.mu.streams))
	for _, s := range e.mu.streams {
		streams = append(streams, s)
	}
	return streams
}

// leads reports whether this engine runs the background job named name
// now (Config.Leader).
func (e *Engine) leads(name string) bool {
	return e.cfg.Leader == nil || e.cfg.Leader(e.jobName(name))
}

// jobName is the cluster-wide name of one of this engine's background jobs.
func (e *Engine) jobName(name string) string {
	return "kinesis/" + e.cfg.AccountID + "/" + e.cfg.Region + "/" + name
}

// every runs fn every d on the engine's clock until Close; *stop always
// holds the stop function of the pending timer, for Close.
func (e *Engine) every(d time.Duration, fn func(), stop *func() bool) {
	var tick func()
	tick = func() {
		e.mu.RLock()
		closed := e.mu.closed
		e.mu.RUnlock()
		if closed {
			return
		}
		fn()
		e.mu.Lock()
		if !e.mu.closed {
			*stop = e.cfg.Clock.AfterFunc(d, tick)
		}
		e.mu.Unlock()
	}
	// Under the lock the ticks take: a short d fires the first tick
	// before this assignment otherwise, and both write *stop.
	e.mu.Lock()
	*stop = e.cfg.Clock.AfterFunc(d, tick)
	e.mu.Unlock()
}
