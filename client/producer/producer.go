package producer

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/client/kpl"
)

// Client is what the producer needs of aws-sdk-go-v2's *kinesis.Client
// (which satisfies it): its endpoint, credentials, HTTP client and
// retryer are the caller's.
type Client interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, optFns ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
	ListShards(ctx context.Context, in *kinesis.ListShardsInput, optFns ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
}

// maxKeptBodies bounds the bytes of request body buffers a producer keeps
// for its next calls: a few calls of 5 MiB of data.
const maxKeptBodies = 32 << 20

// recordOverhead is what the outstanding budget charges per user record on
// top of its data and keys: the producer's bookkeeping.
const recordOverhead = 64

// Producer puts records into one stream. It is safe for concurrent use.
type Producer struct {
	client  Client
	stream  string
	cfg     config
	putOpts []func(*kinesis.Options) // of every PutRecords call
	bodies  *bodies                  // buffers for their bodies (FastSerialization)
	log     *slog.Logger
	budget  *budget

	shards    atomic.Pointer[shardMap]
	refreshMu sync.Mutex

	closed    atomic.Bool   // Close has begun
	closing   chan struct{} // closed when Close begins
	abandoned atomic.Bool   // Close gave up: what remains fails with ErrClosed
	flushing  atomic.Int32  // Flush or Close is waiting: everything buffered is due
	pending   atomic.Int64  // user records put and not completed (counted only for Metrics)

	queuedRecs, queuedBytes atomic.Int64 // Kinesis records sealed into queues, ever: see queuedCall

	ctx    context.Context // of the producer's calls; cancelled when Close gives up
	cancel context.CancelFunc

	wake     chan struct{}
	stop     chan struct{}
	stopped  chan struct{}
	inflight atomic.Int32   // PutRecords calls under way
	sends    sync.WaitGroup // the goroutines making them
	d        dispatcher     // the dispatcher goroutine's own state
}

// New returns a producer for the stream, after listing its shards with
// ListShards (an error there, such as ResourceNotFoundException, is
// returned). Close it to send what it buffers and stop its goroutines.
func New(ctx context.Context, client Client, stream string, opts ...Option) (*Producer, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg.pools = newPools(&cfg)
	cfg.epoch = cfg.clock.Now()
	if client == nil || stream == "" {
		return nil, errors.New("producer: New needs a client and a stream name")
	}
	log := cfg.logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Producer{
		client:  client,
		stream:  stream,
		cfg:     cfg,
		log:     log.With("component", "producer"),
		budget:  newBudget(cfg.maxOutstandingBytes, cfg.failWhenFull),
		closing: make(chan struct{}),
		wake:    make(chan struct{}, 1),
		stop:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	if cfg.fastSerialization {
		p.putOpts = []func(*kinesis.Options){fastSerialization}
		p.bodies = &bodies{max: maxKeptBodies}
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	if err := p.refreshShards(ctx, p.cfg.clock.Now()); err != nil {
		p.cancel()
		return nil, err
	}
	go p.run()
	return p, nil
}

// Put buffers r and returns at once with its Future, or with an error if r
// is invalid (wrapping ErrInvalidRecord), the producer is closed
// (ErrClosed), or MaxOutstandingBytes are outstanding and FailWhenFull is
// set (ErrBufferFull). Without FailWhenFull, Put blocks while the bound is
// reached, until ctx ends (returning its error); ctx has no other use.
func (p *Producer) Put(ctx context.Context, r Record) (*Future, error) {
	f := &Future{}
	if err := p.put(ctx, &r, f, nil); err != nil {
		return nil, err
	}
	return f, nil
}

// PutFunc is Put with a callback instead of a Future: fn is called once
// with the result, from one of the producer's goroutines; it must not
// block for long. If PutFunc returns an error, fn is not called.
func (p *Producer) PutFunc(ctx context.Context, r Record, fn func(Result)) error {
	return p.put(ctx, &r, nil, fn)
}

func (p *Producer) put(ctx context.Context, r *Record, f *Future, cb func(Result)) error {
	hash, err := validate(r, p.cfg.maxRecordSize)
	if err != nil {
		return err
	}
	if p.closed.Load() {
		return ErrClosed
	}
	cost := p.budget.cost(int64(len(r.Data)+len(r.PartitionKey)+len(r.ExplicitHashKey)) + recordOverhead)
	if err := p.budget.acquire(ctx, cost, p.closing, ErrClosed); err != nil {
		return err
	}
	u := userRecord{arrival: p.cfg.since(), cost: cost, dataLen: int32(len(r.Data)), fut: f, cb: cb}
	s := p.route(r, hash, u, true)
	if s == nil {
		p.budget.release(cost)
		return ErrClosed
	}
	if m := p.cfg.metrics; m != nil {
		p.pending.Add(1)
		m.Add(UserRecordsReceived, Dimensions{StreamName: p.stream, ShardID: s.id}, 1)
	}
	return nil
}

// route buffers a user record in the open shard its hash key belongs to.
// A new record (not one routed again) is refused, with a nil shard, once
// Close has begun: checked after the record took its budget, this makes
// sure that Close's Flush either waits for the record or it is refused.
func (p *Producer) route(r *Record, hash kpl.HashKey, u userRecord, isNew bool) *shard {
	for {
		s := p.shards.Load().lookup(hash)
		s.mu.Lock()
		if s.mu.closed {
			// A newer map is installed before a shard is closed.
			s.mu.Unlock()
			continue
		}
		if isNew && p.closed.Load() {
			s.mu.Unlock()
			return nil
		}
		idle, queued, sealed := s.addLocked(&p.cfg, r, hash, u)
		s.mu.Unlock()
		if sealed != nil {
			sealed.finish(&p.cfg)
		}
		if idle || (queued > 0 && p.queuedCall(queued)) {
			p.kick()
		}
		return s
	}
}

// Flush sends everything buffered without waiting for RecordMaxBufferedTime
// and waits until no record is outstanding (records put meanwhile
// included, as with the KPL's flushSync), or ctx ends.
func (p *Producer) Flush(ctx context.Context) error {
	p.flushing.Add(1)
	defer p.flushing.Add(-1)
	p.kick()
	return p.budget.waitIdle(ctx)
}

// Close stops accepting records (Put returns ErrClosed), sends everything
// buffered, waits for it to complete and stops the producer. If ctx ends
// first, Close cancels the calls under way, completes every record still
// outstanding with ErrClosed and returns ctx's error. Close is idempotent;
// later calls return nil.
func (p *Producer) Close(ctx context.Context) error {
	if !p.closed.CompareAndSwap(false, true) {
		<-p.stopped
		return nil
	}
	close(p.closing)
	err := p.Flush(ctx)
	if err != nil {
		p.abandoned.Store(true)
		p.cancel()
	}
	close(p.stop)
	<-p.stopped
	p.sends.Wait()
	if err != nil {
		// Nothing sends any more: fail what is left.
		for _, s := range p.shards.Load().open {
			s.mu.Lock()
			left := s.takeAllLocked(&p.cfg)
			s.mu.Unlock()
			for _, kr := range left {
				p.failRecord(kr, ErrClosed)
			}
		}
	}
	p.cancel()
	return err
}

// queuedCall counts size bytes of Kinesis records sealed into a shard's
// queue and reports whether the dispatcher should look: with StrictOrder
// always (a sealed record is due at once), else when a PutRecords call's
// worth (CollectionMaxCount records or CollectionMaxSize bytes) has been
// queued since it last did.
func (p *Producer) queuedCall(size int) bool {
	if p.cfg.strictOrder {
		return true
	}
	n := p.queuedRecs.Add(1)
	b := p.queuedBytes.Add(int64(size))
	max := int64(p.cfg.collectionMaxSize)
	return n%int64(p.cfg.collectionMaxCount) == 0 || b/max != (b-int64(size))/max
}

func (p *Producer) kick() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// finish completes one user record. The caller then calls released for
// the records it finished (once per Kinesis record, not per user record).
func (p *Producer) finish(u *userRecord, r Result) {
	if u.fut != nil {
		u.fut.complete(r)
	}
	if u.cb != nil {
		u.cb(r)
	}
}

// released gives back the budget of n finished user records that cost
// cost bytes.
func (p *Producer) released(n int, cost int64) {
	if p.cfg.metrics != nil {
		p.pending.Add(-int64(n))
	}
	p.budget.release(cost)
}

// recycle gives kr's aggregate buffer back once nothing refers to it.
func (p *Producer) recycle(kr *kinesisRecord) {
	kr.finishing.Lock()
	defer kr.finishing.Unlock()
	if kr.agg != nil {
		p.cfg.putAgg(kr.agg)
		kr.agg = nil
	}
	if kr.buf != nil {
		p.cfg.putBuf(kr.buf)
		kr.buf, kr.data = nil, nil
	}
	p.cfg.putUsers(kr.users)
	kr.users = nil
}

// failRecord completes every user record of kr with err.
func (p *Producer) failRecord(kr *kinesisRecord, err error) {
	if m := p.cfg.metrics; m != nil {
		d := Dimensions{StreamName: p.stream, ShardID: kr.shard.id}
		for i := range kr.users {
			m.Observe(RetriesPerRecord, d, float64(max(kr.users[i].attempts-1, 0)))
		}
		if errors.Is(err, ErrExpired) {
			m.Add(UserRecordExpired, d, float64(len(kr.users)))
		}
	}
	var cost int64
	for i := range kr.users {
		p.finish(&kr.users[i], Result{Attempts: int(kr.users[i].attempts), Err: err})
		cost += kr.users[i].cost
	}
	p.released(len(kr.users), cost)
	p.recycle(kr)
}

// closeShard marks a shard that is no longer open and routes what it
// buffers again. A call under way for it completes normally; its retries
// are routed again too.
func (p *Producer) closeShard(s *shard) {
	s.mu.Lock()
	s.mu.closed = true
	left := s.takeAllLocked(&p.cfg)
	s.mu.Unlock()
	for _, kr := range left {
		p.reroute(kr, nil)
	}
}

// reroute routes the user records of kr again, those for which keep
// returns true (all if keep is nil), keeping their attempts and arrival
// times; it completes the others with nothing (the caller did).
func (p *Producer) reroute(kr *kinesisRecord, keep func(i int) bool) {
	recs := kr.userRecords(&p.cfg)
	for i := range recs {
		if keep != nil && !keep(i) {
			continue
		}
		if kr.aggregated {
			recs[i].Data = bytes.Clone(recs[i].Data) // the aggregate's buffer is recycled
		}
		// The record was valid when put: its hash key parses.
		hash, _ := kpl.HashKeyOf(recs[i].PartitionKey, recs[i].ExplicitHashKey)
		p.route(&recs[i], hash, kr.users[i], false)
	}
	p.recycle(kr)
	p.kick()
}
