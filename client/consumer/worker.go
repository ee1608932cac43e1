package consumer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Worker consumes a stream together with the other workers of its
// application: it takes a share of the shard leases, runs a
// RecordProcessor for each, renews them, and gives them up on Shutdown.
type Worker struct {
	cfg          Config
	newProcessor func(shardID string) RecordProcessor
	table        *leaseTable
	log          *slog.Logger
	metrics      Metrics
	stream       string // the stream name or ARN, for metrics and logs
	consumerARN  string // with FanOut

	mu      sync.Mutex
	held    map[string]*heldLease
	running bool
	stopped bool // Shutdown was called

	shutdown     chan struct{}
	shutdownOnce sync.Once
	runDone      chan struct{}
	syncNow      chan struct{}
}

// New checks cfg and returns a Worker that calls newProcessor for each
// shard lease it takes. Run starts it.
func New(cfg Config, newProcessor func(shardID string) RecordProcessor) (*Worker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if newProcessor == nil {
		return nil, errors.New("consumer: New needs a newProcessor function")
	}
	w := &Worker{
		cfg:          cfg,
		newProcessor: newProcessor,
		table:        &leaseTable{ddb: cfg.DynamoDB, name: cfg.LeaseTable},
		log:          cfg.Logger.With("app", cfg.AppName, "worker", cfg.WorkerID),
		metrics:      cfg.Metrics,
		stream:       cfg.StreamName,
		held:         map[string]*heldLease{},
		shutdown:     make(chan struct{}),
		runDone:      make(chan struct{}),
		syncNow:      make(chan struct{}, 1),
	}
	if w.metrics == nil {
		w.metrics = noMetrics{}
	}
	if w.stream == "" {
		w.stream = cfg.StreamARN
	}
	return w, nil
}

// WorkerID is the identity this worker writes in the leases it holds.
func (w *Worker) WorkerID() string { return w.cfg.WorkerID }

// Run creates the lease table if it is missing (and, with FanOut,
// registers the stream consumer), then consumes until ctx ends or
// Shutdown is called. It returns an error only when it cannot start (the
// table or the stream cannot be reached); after that it keeps retrying
// what fails, and returns nil.
//
// When ctx ends, Run stops at once, as a crash would: each processor gets
// LeaseLost, nothing more is checkpointed, and the leases are left to
// expire (other workers take them after LeaseDuration). Shutdown is the
// graceful way out.
func (w *Worker) Run(ctx context.Context) error {
	w.mu.Lock()
	if w.running {
		w.mu.Unlock()
		return errors.New("consumer: Run called twice")
	}
	w.running = true
	w.mu.Unlock()
	defer close(w.runDone)

	if err := w.table.ensure(ctx); err != nil {
		return err
	}
	if w.cfg.FanOut {
		arn := w.cfg.StreamARN
		if arn == "" {
			out, err := w.cfg.Kinesis.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(w.cfg.StreamName)})
			if err != nil {
				return fmt.Errorf("consumer: describing stream %s: %w", w.cfg.StreamName, err)
			}
			arn = aws.ToString(out.StreamDescriptionSummary.StreamARN)
		}
		consumerARN, err := w.registerConsumer(ctx, arn)
		if err != nil {
			return err
		}
		w.consumerARN = consumerARN
	}
	if err := w.syncShards(ctx); err != nil {
		return err
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var loops sync.WaitGroup
	renewCtx, stopRenew := context.WithCancel(runCtx)
	defer stopRenew()
	takeCtx, stopTake := context.WithCancel(runCtx)
	defer stopTake()
	loops.Go(func() { w.renewLoop(renewCtx) })
	loops.Go(func() { w.takeLoop(takeCtx, runCtx) })
	loops.Go(func() { w.syncLoop(takeCtx) })

	select {
	case <-ctx.Done():
		stopTake()
		w.stopAll(nil)
	case <-w.shutdown:
		// Graceful: no more taking; every processor gets
		// ShutdownRequested and its lease is released; renewals go on
		// until then.
		stopTake()
		w.stopAll(func(h *heldLease) { close(h.shutdown) })
	}
	stopRenew()
	loops.Wait()
	return nil
}

// stopAll stops every shard consumer (with request, or by cancelling its
// context when request is nil) and waits until they have all returned.
func (w *Worker) stopAll(request func(*heldLease)) {
	w.mu.Lock()
	w.stopped = true
	hs := make([]*heldLease, 0, len(w.held))
	for _, h := range w.held {
		hs = append(hs, h)
	}
	w.mu.Unlock()
	for _, h := range hs {
		if request != nil {
			request(h)
		} else {
			h.mu.Lock()
			h.lost = true
			h.cancel()
			h.mu.Unlock()
		}
	}
	for _, h := range hs {
		<-h.done
	}
}

// Shutdown stops the worker gracefully: each processor gets
// ShutdownRequested (a chance to checkpoint), each lease is released so
// that the other workers take it at once, and Run returns. Shutdown waits
// for that or for ctx to end.
func (w *Worker) Shutdown(ctx context.Context) error {
	w.shutdownOnce.Do(func() { close(w.shutdown) })
	w.mu.Lock()
	running := w.running
	w.mu.Unlock()
	if !running {
		return nil
	}
	select {
	case <-w.runDone:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// renewLoop renews the held leases every LeaseDuration/3.
func (w *Worker) renewLoop(ctx context.Context) {
	t := time.NewTicker(w.cfg.LeaseDuration / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.mu.Lock()
		hs := make([]*heldLease, 0, len(w.held))
		for _, h := range w.held {
			hs = append(hs, h)
		}
		w.mu.Unlock()
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, h := range hs {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				w.renew(ctx, h)
			})
		}
		wg.Wait()
		w.metrics.Set(CurrentLeases, w.dims(""), float64(w.heldCount()))
	}
}

func (w *Worker) renew(ctx context.Context, h *heldLease) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost {
		return
	}
	err := w.table.renew(ctx, &h.l)
	switch {
	case err == nil:
		h.lastRenewed = time.Now()
	case errors.Is(err, errLeaseChanged):
		w.log.Info("consumer: lease lost", "shard", h.l.key)
		h.loseLocked()
	case ctx.Err() != nil:
	case time.Since(h.lastRenewed) > w.cfg.LeaseDuration:
		// Not renewed for a lease duration: another worker may have
		// taken it by now.
		w.log.Warn("consumer: lease not renewed for a lease duration; giving it up", "shard", h.l.key, "err", err)
		h.loseLocked()
	default:
		w.log.Warn("consumer: renewing a lease", "shard", h.l.key, "err", err)
	}
}

// takeLoop looks for leases to take every LeaseDuration/2; the shard
// consumers it starts run under consumeCtx.
func (w *Worker) takeLoop(ctx, consumeCtx context.Context) {
	tk := newTaker(w.cfg.WorkerID, w.cfg.LeaseDuration, w.cfg.MaxLeasesForWorker, w.cfg.MaxLeasesToStealAtOneTime)
	rnd := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	interval := w.cfg.LeaseDuration / 2
	for {
		wait := interval
		if w.takeOnce(ctx, consumeCtx, tk, rnd) {
			// Another worker took some of the leases chosen: look
			// again soon rather than a whole interval later (workers
			// that start together would otherwise wait for it).
			wait = min(interval, 100*time.Millisecond+time.Duration(jitter(int64(200*time.Millisecond))))
		}
		if sleep(ctx, wait) != nil {
			return
		}
	}
}

// takeOnce runs one round of taking; again is true when a lease it chose
// was taken by another worker first.
func (w *Worker) takeOnce(ctx, consumeCtx context.Context, tk *taker, rnd *rand.Rand) (again bool) {
	all, err := w.table.list(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("consumer: listing leases", "err", err)
		}
		return false
	}
	now := time.Now()
	work := tk.observe(all, now)
	held := func(key string) bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		_, ok := w.held[key]
		return ok
	}
	for _, l := range tk.choose(work, held, now, rnd) {
		if ctx.Err() != nil {
			return false
		}
		taken, err := w.table.take(ctx, l, w.cfg.WorkerID)
		if errors.Is(err, errLeaseChanged) {
			again = true
			continue
		}
		if err != nil {
			if ctx.Err() == nil {
				w.log.Warn("consumer: taking a lease", "shard", l.key, "err", err)
			}
			continue
		}
		if l.owner != "" && l.owner != w.cfg.WorkerID {
			w.log.Info("consumer: took a lease", "shard", l.key, "from", l.owner)
		}
		w.metrics.Add(TakenLeases, w.dims(""), 1)
		if !w.start(consumeCtx, taken) {
			// Shutting down: hand it back at once, even though ctx may
			// be cancelled by now (the lease was taken just before).
			h := &heldLease{w: w, l: taken, cancel: func() {}}
			h.release(context.WithoutCancel(ctx))
		}
	}
	w.metrics.Set(CurrentLeases, w.dims(""), float64(w.heldCount()))
	return again
}

// start begins consuming a lease just taken; false when the worker is
// stopping.
func (w *Worker) start(ctx context.Context, l lease) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return false
	}
	if old := w.held[l.key]; old != nil {
		// A lease still winding down after being lost; the new one
		// replaces it when it is gone (drop checks identity).
		old.mu.Lock()
		old.loseLocked()
		old.mu.Unlock()
	}
	cctx, cancel := context.WithCancel(ctx)
	h := &heldLease{w: w, l: l, lastRenewed: time.Now(), ctx: cctx, cancel: cancel,
		shutdown: make(chan struct{}), done: make(chan struct{})}
	w.held[l.key] = h
	go h.consume()
	return true
}

// drop forgets a lease whose consumer returned.
func (w *Worker) drop(h *heldLease) {
	h.mu.Lock()
	h.lost = true
	h.cancel()
	h.mu.Unlock()
	w.mu.Lock()
	if w.held[h.l.key] == h {
		delete(w.held, h.l.key)
	}
	w.mu.Unlock()
}

func (w *Worker) heldCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.held)
}

// HeldLeases returns the shard ids of the leases this worker holds.
func (w *Worker) HeldLeases() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.held))
	for k, h := range w.held {
		h.mu.Lock()
		if !h.lost {
			out = append(out, k)
		}
		h.mu.Unlock()
	}
	return out
}

// syncLoop syncs the shards every ShardSyncInterval, and when a shard
// consumer asks (requestSync).
func (w *Worker) syncLoop(ctx context.Context) {
	t := time.NewTicker(w.cfg.ShardSyncInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.syncNow:
		}
		if err := w.syncShards(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("consumer: shard sync", "err", err)
		}
	}
}

func (w *Worker) requestSync() {
	select {
	case w.syncNow <- struct{}{}:
	default:
	}
}

func (w *Worker) dims(shardID string) Dimensions {
	return Dimensions{StreamName: w.stream, ShardID: shardID, WorkerID: w.cfg.WorkerID}
}

// streamRef sets a request's stream name or ARN from the Config.
func (w *Worker) streamRef(name, arn **string) {
	if w.cfg.StreamARN != "" {
		*arn = aws.String(w.cfg.StreamARN)
	} else {
		*name = aws.String(w.cfg.StreamName)
	}
}

// arnForRequests is the StreamARN for calls that take one optionally.
func (w *Worker) arnForRequests() *string {
	if w.cfg.StreamARN == "" {
		return nil
	}
	return aws.String(w.cfg.StreamARN)
}

func jitter(n int64) int64 { return rand.Int64N(n) }
