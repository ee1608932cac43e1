package esm

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
)

// checkpointTable holds each mapping's progress per shard, keyed
// "UUID/shardId": the last sequence number handled (invoked successfully
// or discarded to the on-failure destination), and whether the shard is
// closed and drained. Deleting the mapping deletes them.
const checkpointTable = lambda.ESMCheckpointTable

// maxPayload is Lambda's synchronous invocation payload cap (6 MB), which
// bounds a batch's event ("up to the payload limit for synchronous
// invocation (6 MB)", API_EventSourceMappingConfiguration BatchSize).
const maxPayload = 6 * 1024 * 1024

type checkpoint struct {
	Seq  string `json:"seq,omitempty"`
	Done bool   `json:"done,omitempty"`
	// LatestAt is when a mapping starting at LATEST first read the shard
	// (Unix ms, on Config.Clock), recorded before that first LATEST read:
	// until a record is handled, reading starts again AT_TIMESTAMP
	// LatestAt, so records put meanwhile are not skipped by a restart.
	LatestAt int64 `json:"latestAt,omitempty"`
	// The open tumbling window (its start, Unix ms) and its state, as of
	// Seq (see window.go).
	WindowStart int64           `json:"windowStart,omitempty"`
	State       json.RawMessage `json:"state,omitempty"`
}

func (m *Manager) loadCheckpoint(uuid, shard string) (checkpoint, error) {
	var cp checkpoint
	err := m.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(checkpointTable, uuid+"/"+shard)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &cp)
	})
	return cp, err
}

func (m *Manager) saveCheckpoint(uuid, shard string, cp checkpoint) error {
	b, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	return m.meta.Update(func(tx storage.MetaTx) error { return tx.Put(checkpointTable, uuid+"/"+shard, b) })
}

// shardPoller reads one shard for one mapping.
type shardPoller struct {
	m        *Manager
	mp       lambda.Mapping
	src      Source
	stream   string // the stream's ARN (the mapping's, or its consumer's stream)
	consumer bool   // EventSourceArn is a stream consumer: read with SubscribeToShard
	shard    string
	child    bool // a reshard's child: read from its start
	log      *slog.Logger
	cp       checkpoint
	met      *mappingMetrics
	win      *timeWindow // nil without TumblingWindowInSeconds
	lanes    *lanes      // nil without a ParallelizationFactor above 1 (lanes.go)
	// dispatched is the last record handed to the lanes: reading again
	// after an error resumes after it, not after the checkpoint, which
	// lags behind what the lanes hold.
	dispatched string

	filters filters
}

// reader reads a shard for the run loop: by GetRecords (pollReader) or
// by SubscribeToShard (fanoutReader, fanout.go).
type reader interface {
	// next returns the records read since the last call, in order; with
	// none to return it waits up to Config.PollInterval first. end is
	// true once the shard is closed and all its records were returned.
	next(ctx context.Context) (recs []kds.Record, end bool, err error)
	// reset forgets the position: the next read starts again after the
	// checkpoint (or at the starting position).
	reset()
	// close releases the reader.
	close()
}

// startPosition is where reading starts: after the last record given to
// the lanes; else after the checkpoint; else a child shard's start; else
// the mapping's StartingPosition. A mapping at LATEST first records
// LatestAt (durably, before reading), and resumes AT_TIMESTAMP LatestAt
// from then on.
func (p *shardPoller) startPosition() (typ kds.ShardIteratorType, seq *string, ts *kds.Timestamp, err error) {
	c := &p.mp.Config
	switch {
	case p.dispatched != "":
		seq := p.dispatched
		return kds.ShardIteratorTypeAfterSequenceNumber, &seq, nil, nil
	case p.cp.Seq != "":
		seq := p.cp.Seq // a copy: the checkpoint moves on
		return kds.ShardIteratorTypeAfterSequenceNumber, &seq, nil, nil
	case p.child:
	case c.StartingPosition == lp.StartingPositionLatest && p.cp.LatestAt != 0:
		return kds.ShardIteratorTypeAtTimestamp, nil, kds.NewTimestamp(time.UnixMilli(p.cp.LatestAt)), nil
	case c.StartingPosition == lp.StartingPositionLatest:
		p.cp.LatestAt = p.m.cfg.Clock.Now().UnixMilli()
		if err := p.m.saveCheckpoint(c.UUID, p.shard, p.cp); err != nil {
			p.cp.LatestAt = 0
			return "", nil, nil, err
		}
		return kds.ShardIteratorTypeLatest, nil, nil, nil
	case c.StartingPosition == lp.StartingPositionAtTimestamp && c.StartingPositionTimestamp != nil:
		sec := *c.StartingPositionTimestamp
		return kds.ShardIteratorTypeAtTimestamp, nil, kds.NewTimestamp(time.UnixMilli(int64(sec * 1000))), nil
	}
	return kds.ShardIteratorTypeTrimHorizon, nil, nil, nil
}

// pollReader reads a shard with GetShardIterator and GetRecords.
type pollReader struct {
	p  *shardPoller
	it string
}

func (r *pollReader) reset() { r.it = "" }
func (r *pollReader) close() {}

func (r *pollReader) next(ctx context.Context) ([]kds.Record, bool, error) {
	p := r.p
	if r.it == "" {
		typ, seq, ts, err := p.startPosition()
		if err != nil {
			return nil, false, err
		}
		out, err := p.src.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamARN: &p.stream, ShardId: &p.shard,
			ShardIteratorType: &typ, StartingSequenceNumber: seq, Timestamp: ts})
		if err != nil {
			return nil, false, err
		}
		r.it = out.ShardIterator
	}
	// Taken before the read, so that an append between the read and the
	// wait below is not missed.
	var appended <-chan struct{}
	if w, ok := p.src.(AppendWaiter); ok {
		appended, _ = w.Appended(r.it)
	}
	out, err := p.src.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &r.it, Limit: ptr(int32(10000))})
	if err != nil {
		// An expired or broken iterator: start again after the checkpoint.
		r.it = ""
		return nil, false, err
	}
	recs := make([]kds.Record, len(out.Records))
	for i, rec := range out.Records {
		rec.Data = append([]byte(nil), rec.Data...)
		recs[i] = rec
	}
	out.Release()
	if out.NextShardIterator == nil {
		return recs, true, nil
	}
	r.it = *out.NextShardIterator
	if len(recs) == 0 {
		waitAppend(ctx, appended, p.m.cfg.PollInterval)
	}
	return recs, false, nil
}

// AppendWaiter is what a Source may offer so that a caught-up poller waits
// for the next append instead of the whole PollInterval: the kinesis
// engine's Appended, a channel closed at the next append to the shard an
// iterator reads.
type AppendWaiter interface {
	Appended(iterator string) (<-chan struct{}, error)
}

// waitAppend waits until appended is closed (nil: never), d passes or ctx
// ends. PollInterval stays the bound, so a missed wake-up costs at most one
// interval.
func waitAppend(ctx context.Context, appended <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	case <-appended:
	}
}

// run reads until the shard is drained (closed and every record handled)
// or ctx ends.
func (p *shardPoller) run(ctx context.Context) {
	var err error
	if p.cp, err = p.m.loadCheckpoint(p.mp.Config.UUID, p.shard); err != nil {
		p.log.Warn("load checkpoint", "err", err)
		return
	}
	if p.cp.Done {
		return
	}
	c := &p.mp.Config
	p.filters = compileFilters(c.FilterCriteria)
	if c.TumblingWindowInSeconds > 0 {
		p.win = &timeWindow{size: time.Duration(c.TumblingWindowInSeconds) * time.Second}
		p.win.restore(p.cp)
	}
	if c.ParallelizationFactor > 1 && p.win == nil {
		p.lanes = p.startLanes(ctx)
		defer p.lanes.close()
	}
	window := time.Duration(c.MaximumBatchingWindowInSeconds) * time.Second
	var rd reader = &pollReader{p: p}
	if p.consumer {
		rd = newFanoutReader(p)
	}
	defer rd.close()
	var (
		pending []kds.Record
		firstAt time.Time
		closed  bool
	)
	for ctx.Err() == nil {
		fetched := 0
		var readAt time.Time // when the last read began
		if !closed && len(pending) < int(c.BatchSize) {
			readAt = p.m.cfg.Clock.Now()
			recs, end, err := rd.next(ctx)
			if err != nil {
				// Start again after the checkpoint, dropping what was
				// read but not handled.
				p.log.Debug("read shard", "err", err)
				rd.reset()
				pending, firstAt = nil, time.Time{}
				if !sleep(ctx, p.m.cfg.PollInterval) {
					return
				}
				continue
			}
			pending = append(pending, recs...)
			fetched = len(recs)
			if len(recs) > 0 && firstAt.IsZero() {
				firstAt = p.m.cfg.Clock.Now()
			}
			closed = end
		}
		full := len(pending) >= int(c.BatchSize) || batchBytes(pending) >= maxPayload
		if len(pending) > 0 && (full || closed || window == 0 || p.m.cfg.Clock.Now().Sub(firstAt) >= window) {
			n := cut(pending, int(c.BatchSize)*int(max(c.ParallelizationFactor, 1)))
			if p.win != nil {
				n = min(cut(pending, int(c.BatchSize)), p.win.sameWindow(pending))
			}
			if !p.handleFiltered(ctx, pending[:n]) {
				return
			}
			if p.win != nil && p.win.overflow && !p.finishWindow(ctx, true) {
				return
			}
			pending = pending[n:]
			firstAt = time.Time{}
			if len(pending) > 0 {
				firstAt = p.m.cfg.Clock.Now()
			}
			continue
		}
		if closed && len(pending) == 0 {
			// The shard's end ends its window: state is per shard.
			if p.win != nil && p.win.open() && !p.finishWindow(ctx, false) {
				return
			}
			if p.lanes != nil && !p.lanes.drain(ctx) {
				return
			}
			p.cp.Done = true
			if err := p.m.saveCheckpoint(c.UUID, p.shard, p.cp); err != nil {
				p.log.Warn("save checkpoint", "err", err)
			}
			return
		}
		// Nothing new and nothing pending: a tumbling window whose end
		// the clock had passed when the read began gets its final
		// invocation now (a read that began before the end may have
		// missed records of the window stored since).
		if fetched == 0 && len(pending) == 0 && !readAt.IsZero() && !p.windowExpired(ctx, readAt) {
			return
		}
	}
}

func ptr[T any](v T) *T { return &v }

// recordBytes is a record's share of the event: its data in base64 plus
// room for the fixed fields.
func recordBytes(r *kds.Record) int {
	return base64.StdEncoding.EncodedLen(len(r.Data)) + len(r.PartitionKey) + 2*len(r.SequenceNumber) + 512
}

func batchBytes(rs []kds.Record) int {
	n := 0
	for i := range rs {
		n += recordBytes(&rs[i])
	}
	return n
}

// cut returns how many of rs make the next batch: at most max records
// whose event stays under the payload cap, and at least one.
func cut(rs []kds.Record, max int) int {
	size := 64
	for i := range rs {
		if i == max {
			return i
		}
		size += recordBytes(&rs[i])
		if size > maxPayload && i > 0 {
			return i
		}
	}
	return len(rs)
}

// handle runs one batch to completion: invoked successfully, or
// discarded after the retry policy, its records then described to the
// on-failure destination. It checkpoints what it handled and returns
// false only when ctx ended.
func (p *shardPoller) handle(ctx context.Context, batch []kds.Record) bool {
	return p.handleLane(ctx, batch, true)
}

// handleLane is handle; commit false leaves checkpointing to the caller
// (a lane, lanes.go, whose records interleave with other lanes').
func (p *shardPoller) handleLane(ctx context.Context, batch []kds.Record, commit bool) bool {
	advance := func(seq string) bool { return !commit || p.advance(seq) }
	c := &p.mp.Config
	queue := [][]kds.Record{batch}
	attempts := 0 // invocations of queue[0] that failed
	for len(queue) > 0 {
		if ctx.Err() != nil {
			return false
		}
		b := queue[0]
		// Records past MaximumRecordAgeInSeconds are discarded.
		if c.MaximumRecordAgeInSeconds >= 0 {
			oldest := p.m.cfg.Clock.Now().Add(-time.Duration(c.MaximumRecordAgeInSeconds) * time.Second)
			n := 0
			for n < len(b) && b[n].ApproximateArrivalTimestamp.Time().Before(oldest) {
				n++
			}
			if n > 0 {
				p.discard(ctx, b[:n], conditionRecordAge, attempts, response{})
				if !advance(b[n-1].SequenceNumber) {
					return false
				}
				b = b[n:]
				queue[0] = b
				if len(b) == 0 {
					queue, attempts = queue[1:], 0
					continue
				}
			}
		}
		res := p.invoke(ctx, b)
		if ctx.Err() != nil {
			return false
		}
		if res.ok {
			failedAt := len(b)
			if res.failedAt >= 0 {
				failedAt = res.failedAt
			}
			if failedAt > 0 && !advance(b[failedAt-1].SequenceNumber) {
				return false
			}
			if failedAt == len(b) {
				p.m.mappings.SetLastProcessingResult(c.UUID, lp.LastProcessingResultOK)
				queue, attempts = queue[1:], 0
				continue
			}
			// ReportBatchItemFailures: retry from the lowest failed record.
			b = b[failedAt:]
			queue[0] = b
		}
		p.m.mappings.SetLastProcessingResult(c.UUID, lp.LastProcessingResultProblem)
		if res.invoked {
			attempts++
		}
		if res.invoked && c.BisectBatchOnFunctionError && len(b) > 1 {
			// Splitting does not consume the retry quota (AWS docs,
			// kinesis-on-failure-destination).
			h := len(b) / 2
			queue = append([][]kds.Record{b[:h], b[h:]}, queue[1:]...)
			attempts = 0
			continue
		}
		if res.invoked && c.MaximumRetryAttempts >= 0 && attempts > int(c.MaximumRetryAttempts) {
			p.discard(ctx, b, conditionRetries, attempts, res.resp)
			if !advance(b[len(b)-1].SequenceNumber) {
				return false
			}
			queue, attempts = queue[1:], 0
			continue
		}
		if !sleep(ctx, p.m.cfg.RetryDelay) {
			return false
		}
	}
	return true
}

// handleFiltered handles the records of batch that pass the mapping's
// FilterCriteria; the others are dropped and checkpointed. With lanes, it
// hands the whole batch to them and returns before it is handled.
func (p *shardPoller) handleFiltered(ctx context.Context, batch []kds.Record) bool {
	if p.lanes != nil {
		return p.lanes.dispatch(ctx, batch)
	}
	if p.filters == nil {
		return p.handleBatches(ctx, batch)
	}
	var kept []kds.Record
	for i := range batch {
		if p.filters.match(&batch[i]) {
			kept = append(kept, batch[i])
		}
	}
	p.met.filtered.Add(float64(len(batch) - len(kept)))
	if len(kept) > 0 && !p.handleBatches(ctx, kept) {
		return false
	}
	last := batch[len(batch)-1].SequenceNumber
	return p.cp.Seq == last || p.advance(last)
}

// handleBatches handles records in batches of BatchSize, one after the
// other (a tumbling window's records first enter their window).
func (p *shardPoller) handleBatches(ctx context.Context, records []kds.Record) bool {
	if p.win != nil && !p.enterWindow(ctx, &records[0]) {
		return false
	}
	for len(records) > 0 {
		n := cut(records, int(p.mp.Config.BatchSize))
		if !p.handle(ctx, records[:n]) {
			return false
		}
		records = records[n:]
	}
	return true
}

// advance checkpoints seq as handled.
func (p *shardPoller) advance(seq string) bool {
	p.cp.Seq = seq
	if err := p.m.saveCheckpoint(p.mp.Config.UUID, p.shard, p.cp); err != nil {
		p.log.Warn("save checkpoint", "err", err)
		return false
	}
	return true
}
