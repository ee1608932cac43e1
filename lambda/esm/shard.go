package esm

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash/fnv"
	"log/slog"
	"sync"
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
	m     *Manager
	mp    lambda.Mapping
	src   Source
	shard string
	child bool // a reshard's child: read from its start
	log   *slog.Logger
	cp    checkpoint
	met   *mappingMetrics
	win   *timeWindow // nil without TumblingWindowInSeconds

	filters filters
}

func (p *shardPoller) iterator(ctx context.Context) (string, error) {
	c := &p.mp.Config
	in := &kds.GetShardIteratorInput{StreamARN: &c.EventSourceArn, ShardId: &p.shard}
	typ := kds.ShardIteratorTypeTrimHorizon
	switch {
	case p.cp.Seq != "":
		typ = kds.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = &p.cp.Seq
	case p.child:
	case c.StartingPosition == lp.StartingPositionLatest:
		typ = kds.ShardIteratorTypeLatest
	case c.StartingPosition == lp.StartingPositionAtTimestamp && c.StartingPositionTimestamp != nil:
		typ = kds.ShardIteratorTypeAtTimestamp
		sec := *c.StartingPositionTimestamp
		in.Timestamp = kds.NewTimestamp(time.UnixMilli(int64(sec * 1000)))
	}
	in.ShardIteratorType = &typ
	out, err := p.src.GetShardIterator(ctx, in)
	if err != nil {
		return "", err
	}
	return out.ShardIterator, nil
}

// run polls until the shard is drained (closed and every record handled)
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
	window := time.Duration(c.MaximumBatchingWindowInSeconds) * time.Second
	var (
		it      string
		pending []kds.Record
		firstAt time.Time
		closed  bool
	)
	for ctx.Err() == nil {
		if it == "" && !closed {
			if it, err = p.iterator(ctx); err != nil {
				p.log.Debug("get shard iterator", "err", err)
				if !sleep(ctx, p.m.cfg.PollInterval) {
					return
				}
				continue
			}
		}
		fetched := 0
		if !closed && len(pending) < int(c.BatchSize) {
			out, err := p.src.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it, Limit: ptr(int32(10000))})
			if err != nil {
				// An expired or broken iterator: start again after the
				// checkpoint, dropping what was read but not handled.
				p.log.Debug("get records", "err", err)
				it, pending, firstAt = "", nil, time.Time{}
				if !sleep(ctx, p.m.cfg.PollInterval) {
					return
				}
				continue
			}
			for _, r := range out.Records {
				r.Data = append([]byte(nil), r.Data...)
				pending = append(pending, r)
			}
			out.Release()
			fetched = len(out.Records)
			if fetched > 0 && firstAt.IsZero() {
				firstAt = p.m.cfg.Clock.Now()
			}
			if out.NextShardIterator == nil {
				closed = true
			} else {
				it = *out.NextShardIterator
			}
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
			p.cp.Done = true
			if err := p.m.saveCheckpoint(c.UUID, p.shard, p.cp); err != nil {
				p.log.Warn("save checkpoint", "err", err)
			}
			return
		}
		if fetched == 0 && len(pending) == 0 && !p.windowExpired(ctx) {
			return
		}
		if fetched == 0 && !sleep(ctx, p.m.cfg.PollInterval) {
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
// (lanes of a parallelized batch run at once, so only the end of the
// whole batch may be checkpointed).
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
// FilterCriteria; the others are dropped and checkpointed.
func (p *shardPoller) handleFiltered(ctx context.Context, batch []kds.Record) bool {
	if p.filters == nil {
		return p.handleParallel(ctx, batch)
	}
	var kept []kds.Record
	for i := range batch {
		if p.filters.match(&batch[i]) {
			kept = append(kept, batch[i])
		}
	}
	p.met.filtered.Add(float64(len(batch) - len(kept)))
	if len(kept) > 0 && !p.handleParallel(ctx, kept) {
		return false
	}
	last := batch[len(batch)-1].SequenceNumber
	return p.cp.Seq == last || p.advance(last)
}

// handleParallel handles records (at most BatchSize × ParallelizationFactor):
// with a factor of 1, in batches of BatchSize one after the other; above,
// split into ParallelizationFactor lanes by partition key (so a key's
// records stay in order, in one lane) that run at once, each lane invoking
// batches of at most BatchSize in order. The checkpoint moves to the last
// record only once every lane is done: a restart meanwhile replays the
// whole set (at least once).
func (p *shardPoller) handleParallel(ctx context.Context, records []kds.Record) bool {
	c := &p.mp.Config
	size := int(c.BatchSize)
	if p.win != nil && !p.enterWindow(ctx, &records[0]) {
		return false
	}
	if c.ParallelizationFactor <= 1 || p.win != nil {
		for len(records) > 0 {
			n := cut(records, size)
			if !p.handle(ctx, records[:n]) {
				return false
			}
			records = records[n:]
		}
		return true
	}
	lanes := make([][]kds.Record, c.ParallelizationFactor)
	for _, r := range records {
		h := fnv.New32a()
		h.Write([]byte(r.PartitionKey))
		i := h.Sum32() % uint32(len(lanes))
		lanes[i] = append(lanes[i], r)
	}
	var wg sync.WaitGroup
	ok := make([]bool, len(lanes))
	for i, lane := range lanes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for len(lane) > 0 {
				n := cut(lane, size)
				if !p.handleLane(ctx, lane[:n], false) {
					return
				}
				lane = lane[n:]
			}
			ok[i] = true
		}()
	}
	wg.Wait()
	for _, done := range ok {
		if !done {
			return false
		}
	}
	return p.advance(records[len(records)-1].SequenceNumber)
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

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
