// Package esm runs Lambda's Kinesis event source mappings: for every
// enabled mapping, one poller per shard reads the stream in process
// (through Source, which the kinesis engine satisfies), batches records by
// BatchSize, MaximumBatchingWindowInSeconds and Lambda's 6 MB payload cap,
// invokes the function with Lambda's Kinesis event, and checkpoints the
// last handled sequence number in the MetaStore, so a restart resumes
// every shard after it (at least once, nothing skipped). A shard's
// children are read only once the shard is drained. Failures are retried
// up to MaximumRetryAttempts and MaximumRecordAgeInSeconds, bisected when
// BisectBatchOnFunctionError is set, partially retried with
// ReportBatchItemFailures, and discarded batches are described in an
// on-failure record sent to DestinationConfig.OnFailure's Kinesis stream,
// S3 bucket or function (destination.go). TumblingWindowInSeconds runs
// Lambda's tumbling windows (window.go), and every mapping's metrics go to
// Config.Metrics (metrics.go).
//
//	m, _ := esm.New(esm.Config{...}, lambdaService, lambdaService, sources, meta)
//	defer m.Close()
package esm

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
)

// Source is what a poller reads a stream through: the kinesis engine's
// operations of the same names.
type Source interface {
	ListShards(ctx context.Context, in *kds.ListShardsInput) (*kds.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kds.GetShardIteratorInput) (*kds.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error)
	PutRecord(ctx context.Context, in *kds.PutRecordInput) (*kds.PutRecordOutput, error)
}

// Subscriber is what a mapping whose EventSourceArn is a stream consumer
// reads through (enhanced fan-out): the kinesis engine's
// SubscribeToShardEvents, which subscribes like SubscribeToShard and calls
// fn with each event until the subscription ends (nil: its lifetime is
// over, the shard is closed and delivered, or ctx ended). Event record
// data is valid only during fn. A Source without it cannot serve consumer
// mappings.
type Subscriber interface {
	SubscribeToShardEvents(ctx context.Context, in *kds.SubscribeToShardInput, fn func(*kds.SubscribeToShardEvent) error) error
}

// Sources returns the Source of a region (the region's kinesis engine).
type Sources func(region string) (Source, error)

// Mappings lists the stored mappings and records their outcomes; the
// lambda Service implements it.
type Mappings interface {
	EventSourceMappings() ([]lambda.Mapping, error)
	SetLastProcessingResult(uuid, result string) error
}

// Config configures the pollers.
type Config struct {
	// PollInterval is how often mappings and shards are looked up, and the
	// longest an idle shard waits before it is read again: a Source that
	// is an AppendWaiter (the kinesis engine) wakes it at the next append
	// sooner. Default 250ms (Lambda polls each shard about once a second).
	PollInterval time.Duration
	// RetryDelay is the wait before retrying a failed batch. Default 100ms.
	RetryDelay time.Duration
	// Clock tells the time for batching windows and record ages. Default:
	// the system clock.
	Clock lambda.Clock
	// Logger receives the pollers' logs. Default: discard.
	Logger *slog.Logger
	// Objects writes the records of S3 on-failure destinations (an
	// S3-compatible server). Default: none; such records are logged and
	// dropped (the lambda service refuses such mappings without one).
	Objects Objects
	// Async invokes function on-failure destinations. Default: the
	// invoker given to New, if it implements AsyncInvoker.
	Async AsyncInvoker
	// Metrics is the registry the manager publishes its per-mapping
	// metrics in (see metrics.go). Default: a registry of its own, which
	// nothing serves.
	Metrics *metrics.Registry
	// MetricFamilies, if set, are the families to publish in (shared
	// with other managers); Metrics is then unused.
	MetricFamilies *Metrics
	// Exclusive, if set, runs a mapping's pollers once across the nodes
	// sharing the store (cluster.Cluster.Run): fn is called while this
	// node leads the job "lambda/esm/<uuid>", its context cancelled when
	// the lead is lost; the next leader resumes from the checkpoints.
	// Default nil: every enabled mapping is polled here.
	Exclusive func(ctx context.Context, job string, fn func(ctx context.Context))
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (c Config) withDefaults() Config {
	if c.PollInterval <= 0 {
		c.PollInterval = 250 * time.Millisecond
	}
	if c.RetryDelay <= 0 {
		c.RetryDelay = 100 * time.Millisecond
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = metrics.NewRegistry()
	}
	return c
}

// Manager runs the pollers of every enabled mapping.
type Manager struct {
	cfg      Config
	mappings Mappings
	invoker  lambda.Invoker
	sources  Sources
	meta     storage.MetaStore
	log      *slog.Logger
	metrics  *Metrics

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		running map[string]*runner // by UUID
	}
}

// runner is one mapping's set of shard pollers.
type runner struct {
	version  float64 // the LastModified it was started with
	function string  // its FunctionArn, a metrics label
	cancel   context.CancelFunc
	done     chan struct{}
}

// New starts the manager; Close stops it.
func New(cfg Config, mappings Mappings, invoker lambda.Invoker, sources Sources, meta storage.MetaStore) *Manager {
	cfg = cfg.withDefaults()
	if a, ok := invoker.(AsyncInvoker); ok && cfg.Async == nil {
		cfg.Async = a
	}
	m := &Manager{cfg: cfg, mappings: mappings, invoker: invoker, sources: sources, meta: meta, log: cfg.Logger.With("component", "esm"), metrics: cfg.MetricFamilies}
	if m.metrics == nil {
		m.metrics = NewMetrics(cfg.Metrics)
	}
	m.mu.running = map[string]*runner{}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.wg.Add(1)
	go m.loop()
	return m
}

// Close stops every poller and waits for them.
func (m *Manager) Close() error {
	m.cancel()
	m.wg.Wait()
	return nil
}

func (m *Manager) loop() {
	defer m.wg.Done()
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		m.reconcile()
		select {
		case <-m.ctx.Done():
			m.mu.Lock()
			for _, r := range m.mu.running {
				r.cancel()
				<-r.done
			}
			m.mu.Unlock()
			return
		case <-t.C:
		}
	}
}

// reconcile starts the runners of enabled mappings and stops those of
// mappings deleted, disabled or changed (a changed one restarts from its
// checkpoints with the new settings).
func (m *Manager) reconcile() {
	all, err := m.mappings.EventSourceMappings()
	if err != nil {
		m.log.Warn("list event source mappings", "err", err)
		return
	}
	want := map[string]lambda.Mapping{}
	exists := map[string]bool{}
	for _, mp := range all {
		exists[mp.Config.UUID] = true
		if mp.Config.State == lp.ESMStateEnabled {
			want[mp.Config.UUID] = mp
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.mu.running {
		mp, ok := want[id]
		if ok && mp.Config.LastModified == r.version {
			continue
		}
		r.cancel()
		<-r.done
		delete(m.mu.running, id)
		if !exists[id] {
			m.metrics.forget(r.function, id)
		}
	}
	for id, mp := range want {
		if _, ok := m.mu.running[id]; ok {
			continue
		}
		ctx, cancel := context.WithCancel(m.ctx)
		r := &runner{version: mp.Config.LastModified, function: mp.Config.FunctionArn, cancel: cancel, done: make(chan struct{})}
		m.mu.running[id] = r
		go func() {
			defer close(r.done)
			if m.cfg.Exclusive == nil {
				m.runMapping(ctx, mp)
				return
			}
			m.cfg.Exclusive(ctx, "lambda/esm/"+id, func(ctx context.Context) { m.runMapping(ctx, mp) })
		}()
	}
}

// runMapping polls the mapping's shards until ctx ends: a shard is started
// once its parents are drained (their checkpoints say done).
func (m *Manager) runMapping(ctx context.Context, mp lambda.Mapping) {
	log := m.log.With("uuid", mp.Config.UUID)
	region, streamARN, consumer, ok := lp.ParseSourceARN(mp.Config.EventSourceArn)
	if !ok {
		log.Warn("unsupported event source", "arn", mp.Config.EventSourceArn)
		return
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	started := map[string]bool{}
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		src, err := m.sources(region)
		if err == nil {
			err = m.startShards(ctx, &wg, mp, src, streamARN, consumer, started, log)
		}
		if err != nil {
			log.Debug("list shards", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (m *Manager) startShards(ctx context.Context, wg *sync.WaitGroup, mp lambda.Mapping, src Source, streamARN string, consumer bool, started map[string]bool, log *slog.Logger) error {
	var shards []kds.Shard
	in := &kds.ListShardsInput{StreamARN: &streamARN}
	for {
		out, err := src.ListShards(ctx, in)
		if err != nil {
			return err
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			break
		}
		in = &kds.ListShardsInput{NextToken: out.NextToken}
	}
	known := map[string]bool{}
	for _, s := range shards {
		known[s.ShardId] = true
	}
	for _, s := range shards {
		if started[s.ShardId] {
			continue
		}
		ready := true
		for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
			// A parent trimmed away (no longer listed) has nothing left to read.
			if p == nil || !known[*p] {
				continue
			}
			cp, err := m.loadCheckpoint(mp.Config.UUID, *p)
			if err != nil {
				return err
			}
			if !cp.Done {
				ready = false
			}
		}
		if !ready {
			continue
		}
		started[s.ShardId] = true
		isChild := s.ParentShardId != nil
		sp := &shardPoller{m: m, mp: mp, src: src, stream: streamARN, consumer: consumer, shard: s.ShardId, child: isChild, log: log.With("shard", s.ShardId),
			met: m.metrics.mapping(mp.Config.FunctionArn, mp.Config.UUID)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sp.run(ctx)
		}()
	}
	return nil
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
