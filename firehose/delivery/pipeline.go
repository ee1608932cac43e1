package delivery

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Record is a record on its way to a destination.
type Record struct {
	// Pos is the position in the source the record came from. A Source
	// gives strictly increasing positions; a Transform keeps its input's
	// Pos on each of its outputs (several for a record it splits).
	Pos uint64
	// ID is Firehose's record id, as the PutRecord answer gave it, or the
	// source's own (a Kinesis record's shard and sequence number).
	ID      string
	Data    []byte
	Arrival time.Time
	// Keys are the record's partition keys for dynamic partitioning (from
	// a query or a Lambda processor); nil without.
	Keys map[string]string
	// Kinesis describes a record read from a Kinesis stream (nil for a
	// directly put one): what a Lambda processor's kinesisRecordMetadata
	// carries.
	Kinesis *KinesisMeta
}

// KinesisMeta is where in a Kinesis stream a record came from.
type KinesisMeta struct {
	ShardID        string
	PartitionKey   string
	SequenceNumber string
	// SubsequenceNumber is the user record's index in a KPL aggregated
	// record (0 for a record that is not one).
	SubsequenceNumber int
}

// Failed is a record a transform (or a format conversion) could not
// process: it goes to the destination's error output, with Firehose's
// error code and message.
type Failed struct {
	Record       Record
	ErrorCode    string
	ErrorMessage string
	// OutputType is the error output it goes to, the value of
	// !{firehose:error-output-type}: "processing-failed" (the default)
	// or "format-conversion-failed".
	OutputType string
	// Attempts is how many invocations of LambdaArn were tried.
	Attempts  int
	LambdaArn string
	// Ended is when the attempts ended.
	Ended time.Time
}

// Source is where a pipeline's records come from.
type Source interface {
	// Read returns up to max records following those it returned before
	// (at first, those after the checkpoint), in order. With none to
	// return it waits up to wait for one, and returns none after that.
	// The records (the slice and their Data) may be reused by the next
	// Read: the pipeline copies what it keeps.
	Read(ctx context.Context, max int, wait time.Duration) ([]Record, error)
	// Commit durably records that every record up to and including pos
	// was delivered: after a restart reading starts after it.
	Commit(pos uint64) error
	// Rewind makes the next Read start again after the checkpoint (the
	// pipeline dropped what it had read and not delivered).
	Rewind()
}

// Transform processes records as they are read: it returns the records to
// deliver (each with its input's Pos), and those that failed; records in
// neither are dropped. An error fails the whole set, which is read again.
type Transform func(ctx context.Context, recs []Record) (out []Record, failed []Failed, err error)

// Buffer is what a destination receives: the records of one partition
// buffered until a hint was reached, in source order.
type Buffer struct {
	// Records hold their Data in the pipeline's memory, valid until
	// Deliver returns: a destination copies what it keeps longer.
	Records []Record
	// Keys are the partition keys the buffer's records share (nil without
	// dynamic partitioning).
	Keys map[string]string
	// Bytes is the sum of the records' data lengths.
	Bytes int
	// Opened is when the buffer's first record was added (on the
	// pipeline's clock); Closed when it was handed over.
	Opened, Closed time.Time

	chunks [][]byte // the memory of the records' data, from a chunkStore
	cur    []byte   // the last chunk, filled up to its length
}

// Destination delivers buffers.
type Destination interface {
	// Deliver returns nil once the buffer's records are durably at the
	// destination (or, after the destination's own retry rules gave up,
	// in its backup). An error leaves them to be delivered again.
	Deliver(ctx context.Context, b *Buffer) error
	// DeliverFailed writes records that failed processing to the error
	// output, with the same contract.
	DeliverFailed(ctx context.Context, failed []Failed) error
}

// Hints are a destination's buffering hints: a buffer is delivered when
// its data reaches Size bytes or Interval passed since its first record,
// whichever comes first.
type Hints struct {
	Size     int
	Interval time.Duration
}

// Clock tells the time of buffering decisions.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Pipeline moves one source's records to one destination.
type Pipeline struct {
	Source      Source
	Transform   Transform // nil: records are delivered as read
	Destination Destination
	Hints       Hints
	// Clock defaults to the system clock.
	Clock Clock
	// Logger defaults to discarding.
	Logger *slog.Logger
	// ReadBatch is the most records read at once. Default 10,000.
	ReadBatch int
	// Idle is the longest a Read waits for records when no buffer is due
	// sooner. Default 1s.
	Idle time.Duration
	// RetryDelay is the wait before trying a failed delivery or read
	// again. Default 1s.
	RetryDelay time.Duration
	// MaxPartitions is the most buffers open at once; one more delivers
	// the oldest first. Default 500 (Firehose's active partitions
	// quota per delivery stream).
	MaxPartitions int
	// MaxBuffered is the most data bytes held in buffers at once; more
	// delivers the oldest buffer first. Default 256 MiB.
	MaxBuffered int
	// Metrics receives the pipeline's counts; nil for none.
	Metrics *StreamMetrics
	// Backup, when set, receives every record as read, before Transform
	// (the source record backup of S3BackupMode Enabled, see backup.go),
	// in one buffer delivered at BackupHints.
	Backup      Destination
	BackupHints Hints

	buffers  map[string]*Buffer
	buffered int
	backup   *Buffer // the source records not yet backed up
	// Positions read and not yet committed, in order, with the record's
	// arrival and how many of its outputs are still undelivered.
	order  []readPos
	chunks chunkStore
}

type readPos struct {
	pos     uint64
	arrival time.Time
	left    int
}

func (p *Pipeline) defaults() {
	if p.Clock == nil {
		p.Clock = realClock{}
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.ReadBatch <= 0 {
		p.ReadBatch = 10000
	}
	if p.Idle <= 0 {
		p.Idle = time.Second
	}
	if p.RetryDelay <= 0 {
		p.RetryDelay = time.Second
	}
	if p.MaxPartitions <= 0 {
		p.MaxPartitions = 500
	}
	if p.MaxBuffered <= 0 {
		p.MaxBuffered = 256 << 20
	}
	if p.buffers == nil {
		p.buffers = map[string]*Buffer{}
	}
	p.chunks.keep = p.Hints.Size/chunkSize + 1
}

// Run moves records until ctx ends. Buffers not yet delivered then are
// dropped: their records are after the checkpoint and read again by the
// next Run.
func (p *Pipeline) Run(ctx context.Context) {
	p.defaults()
	last := "" // the last error logged: a failure repeating every RetryDelay is said once
	for ctx.Err() == nil {
		err := p.Step(ctx, p.wait())
		switch {
		case err != nil && ctx.Err() == nil:
			if err.Error() != last {
				last = err.Error()
				p.Logger.Warn("delivery", "err", err)
			}
			p.reset()
			sleep(ctx, p.RetryDelay)
		case err == nil && last != "":
			last = ""
			p.Logger.Info("delivery resumed")
		}
	}
}

// wait is how long the next read may wait: until the first buffer is due,
// at most Idle.
func (p *Pipeline) wait() time.Duration {
	w := p.Idle
	now := p.Clock.Now()
	for _, b := range p.buffers {
		w = min(w, max(0, b.Opened.Add(p.Hints.Interval).Sub(now)))
	}
	if p.backup != nil {
		w = min(w, max(0, p.backup.Opened.Add(p.BackupHints.Interval).Sub(now)))
	}
	return w
}

// reset forgets what was read and not delivered, to read it again.
func (p *Pipeline) reset() {
	for _, b := range p.buffers {
		p.chunks.put(b)
	}
	clear(p.buffers)
	if p.backup != nil {
		p.chunks.put(p.backup)
		p.backup = nil
	}
	p.order, p.buffered = p.order[:0], 0
	p.Source.Rewind()
}

// Step reads once (waiting up to wait for records), transforms and
// buffers what it read, and delivers every buffer that is due. On an
// error the caller resets the pipeline (Run does): buffers and
// positions are then out of step with the source.
func (p *Pipeline) Step(ctx context.Context, wait time.Duration) error {
	p.defaults()
	recs, err := p.Source.Read(ctx, p.ReadBatch, wait)
	if err != nil {
		return err
	}
	p.Metrics.readRecords(recs)
	if len(recs) > 0 {
		if err := p.add(ctx, recs); err != nil {
			return err
		}
	}
	err = p.flushDue(ctx)
	if len(p.order) > 0 {
		p.Metrics.fresh(p.Clock.Now().Sub(p.order[0].arrival))
	} else {
		p.Metrics.fresh(0)
	}
	return err
}

// add transforms recs and adds the outputs to their buffers (and recs
// to the backup buffer).
func (p *Pipeline) add(ctx context.Context, recs []Record) error {
	out, failed := recs, []Failed(nil)
	var source []Record // the records as read, for the backup
	if p.Backup != nil {
		source = slices.Clone(recs)
		for i := range source {
			source[i].Data = slices.Clone(source[i].Data)
		}
	}
	if p.Transform != nil {
		var err error
		if out, failed, err = p.Transform(ctx, recs); err != nil {
			return err
		}
	}
	if len(failed) > 0 {
		if err := p.Destination.DeliverFailed(ctx, failed); err != nil {
			return err
		}
		p.Metrics.failedRecords(len(failed))
	}
	base := len(p.order)
	for _, r := range recs {
		p.order = append(p.order, readPos{pos: r.Pos, arrival: r.Arrival})
	}
	now := p.Clock.Now()
	p.addBackup(source, base, now)
	at := base
	for _, r := range out {
		i, ok := p.find(r.Pos, at)
		if !ok || i < base {
			return errors.New("delivery: a transform returned a record of a position it was not given")
		}
		p.order[i].left++
		at = i
		key := partitionKey(r.Keys)
		b := p.buffers[key]
		if b == nil {
			if len(p.buffers) >= p.MaxPartitions {
				if err := p.flushOldest(ctx); err != nil {
					return err
				}
			}
			b = &Buffer{Keys: r.Keys, Opened: now, Records: p.chunks.records()}
			p.buffers[key] = b
		}
		r.Data = p.chunks.copy(b, r.Data)
		b.Records = append(b.Records, r)
		b.Bytes += len(r.Data)
		p.buffered += len(r.Data)
		for p.buffered > p.MaxBuffered {
			if err := p.flushOldest(ctx); err != nil {
				return err
			}
		}
	}
	return p.commit()
}

// flushDue delivers the buffers that reached a hint, oldest first.
func (p *Pipeline) flushDue(ctx context.Context) error {
	now := p.Clock.Now()
	var due []string
	for k, b := range p.buffers {
		if b.Bytes >= p.Hints.Size || !now.Before(b.Opened.Add(p.Hints.Interval)) {
			due = append(due, k)
		}
	}
	slices.SortFunc(due, func(a, b string) int { return p.buffers[a].Opened.Compare(p.buffers[b].Opened) })
	for _, k := range due {
		if err := p.flush(ctx, k); err != nil {
			return err
		}
	}
	if p.backupDue(now) {
		return p.flushBackup(ctx)
	}
	return nil
}

// flushOldest delivers the buffer opened first.
func (p *Pipeline) flushOldest(ctx context.Context) error {
	oldest := ""
	for k, b := range p.buffers {
		if o := p.buffers[oldest]; o == nil || b.Opened.Before(o.Opened) {
			oldest = k
		}
	}
	return p.flush(ctx, oldest)
}

// flush delivers buffer k and commits what that completes.
func (p *Pipeline) flush(ctx context.Context, k string) error {
	b := p.buffers[k]
	b.Closed = p.Clock.Now()
	if err := p.Destination.Deliver(ctx, b); err != nil {
		return err
	}
	p.Metrics.delivered(b)
	delete(p.buffers, k)
	p.buffered -= b.Bytes
	return p.done(b)
}

// done counts a delivered buffer's records as delivered outputs of their
// positions, takes its memory back, and commits what that completes.
func (p *Pipeline) done(b *Buffer) error {
	at := 0
	for _, r := range b.Records {
		i, ok := p.find(r.Pos, at)
		if !ok {
			return errors.New("delivery: a delivered record's position was not read")
		}
		p.order[i].left--
		at = i
	}
	p.chunks.put(b)
	return p.commit()
}

// find returns the index in p.order of pos, looking at index at and the
// next first (outputs come mostly in source order), then searching.
func (p *Pipeline) find(pos uint64, at int) (int, bool) {
	for i := at; i < min(at+2, len(p.order)); i++ {
		if p.order[i].pos == pos {
			return i, true
		}
	}
	return slices.BinarySearchFunc(p.order, pos, func(e readPos, pos uint64) int { return cmp.Compare(e.pos, pos) })
}

// commit moves the source's checkpoint past the longest prefix of read
// positions whose outputs were all delivered.
func (p *Pipeline) commit() error {
	n := 0
	for n < len(p.order) && p.order[n].left == 0 {
		n++
	}
	if n == 0 {
		return nil
	}
	if err := p.Source.Commit(p.order[n-1].pos); err != nil {
		return err
	}
	p.order = append(p.order[:0], p.order[n:]...)
	return nil
}

// partitionKey is the buffer a record with keys belongs to.
func partitionKey(keys map[string]string) string {
	if len(keys) == 0 {
		return ""
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	var sb strings.Builder
	for _, k := range names {
		sb.WriteString(k)
		sb.WriteByte(0)
		sb.WriteString(keys[k])
		sb.WriteByte(0)
	}
	return sb.String()
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// chunkSize is the size of the chunks records' data is copied into while
// it is buffered; a record of more than a quarter of it gets its own.
const chunkSize = 1 << 20

// chunkStore hands out the chunks buffers keep their records' data in,
// and keeps up to keep of those given back for the next buffers: a fresh
// chunk per megabyte buffered was the kernel's and the runtime's zeroing
// of every byte delivered.
type chunkStore struct {
	free [][]byte
	keep int
	// recs is a delivered buffer's Records, emptied, for the next buffer:
	// growing a fresh one to tens of thousands of records was a tenth of
	// the delivery's CPU.
	recs []Record
}

// records returns an empty Records slice for a new buffer.
func (st *chunkStore) records() []Record {
	r := st.recs
	st.recs = nil
	return r
}

// copy copies data into b's memory and returns the copy.
func (st *chunkStore) copy(b *Buffer, data []byte) []byte {
	n := len(data)
	if n == 0 {
		return data
	}
	if n > chunkSize/4 {
		return append([]byte(nil), data...)
	}
	if cap(b.cur)-len(b.cur) < n {
		var c []byte
		if k := len(st.free); k > 0 {
			c, st.free = st.free[k-1][:0], st.free[:k-1]
		} else {
			c = make([]byte, 0, chunkSize)
		}
		b.chunks = append(b.chunks, c)
		b.cur = c
	}
	start := len(b.cur)
	b.cur = append(b.cur, data...)
	return b.cur[start:len(b.cur):len(b.cur)]
}

// put takes back b's chunks: b's records must not be read any more.
func (st *chunkStore) put(b *Buffer) {
	for _, c := range b.chunks {
		if len(st.free) < st.keep {
			st.free = append(st.free, c)
		}
	}
	b.chunks, b.cur = nil, nil
	if cap(b.Records) > cap(st.recs) {
		clear(b.Records) // no pointers kept alive from the spare
		st.recs = b.Records[:0]
	}
	b.Records = nil
}
