package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

// Kinesis is what a KinesisSource reads a stream through, in process: the
// kinesis engine.
type Kinesis interface {
	ListShards(ctx context.Context, in *kds.ListShardsInput) (*kds.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kds.GetShardIteratorInput) (*kds.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error)
}

// appendWaiter is what the kinesis engine offers to wait for the next
// append to the shard an iterator reads instead of polling.
type appendWaiter interface {
	Appended(iterator string) (<-chan struct{}, error)
}

// KinesisSource reads every shard of a Kinesis stream for a delivery
// stream whose source is that stream (KinesisStreamAsSource). Records of
// all open shards are read in turn into one sequence of positions; a
// reshard's children are read once their parents were read to their end
// and delivered, so a key's records keep their order. KPL aggregated
// records are deaggregated (Firehose does it for a Kinesis source). The
// checkpoint is per shard, in a MetaStore table: the last sequence number
// delivered, and whether the shard is done.
//
// A shard with no checkpoint starts at the delivery stream's creation
// (AT_TIMESTAMP Start): Firehose "starts reading data from the LATEST
// position of your Kinesis stream" when the delivery stream is created
// (Firehose developer guide, "Write to Firehose from Kinesis Data
// Streams"), and a fixed time keeps that start the same across restarts.
// Children of a reshard start at their beginning.
type KinesisSource struct {
	Kinesis   Kinesis
	StreamARN string
	Start     time.Time
	Meta      storage.MetaStore
	// Table and Prefix name the checkpoints: key Prefix+shardId.
	Table, Prefix string
	// NoIDs leaves Record.ID empty, for a reader that does not use it
	// (an analytics application): a string less per record.
	NoIDs bool
	// Poll is how often the shard list is read again, and the longest a
	// waiting Read sleeps without an append to wake it. Default 1s.
	Poll time.Duration

	shards   map[string]*kshard
	listed   time.Time
	turn     int
	nextPos  uint64
	inflight []kentry       // read, not committed, in position order
	pending  map[string]int // per shard, its entries in inflight
}

// kshard is an open shard being read.
type kshard struct {
	id    string
	child bool
	it    string
	end   bool // read to its end
	cp    shardCheckpoint
}

type shardCheckpoint struct {
	Seq  string `json:"seq,omitempty"`
	Done bool   `json:"done,omitempty"`
}

// kentry is a record read and not committed: committing its position
// checkpoints seq in shard (seq "" for a user record of an aggregate that
// is not the aggregate's last).
type kentry struct {
	pos   uint64
	shard string
	seq   string
}

func (s *KinesisSource) poll() time.Duration {
	if s.Poll <= 0 {
		return time.Second
	}
	return s.Poll
}

func (s *KinesisSource) loadCheckpoint(tx storage.MetaTx, shard string) (shardCheckpoint, error) {
	var cp shardCheckpoint
	b, err := tx.Get(s.Table, s.Prefix+shard)
	if errors.Is(err, storage.ErrNotFound) {
		return cp, nil
	}
	if err != nil {
		return cp, err
	}
	return cp, json.Unmarshal(b, &cp)
}

// refresh lists the stream's shards and opens those ready to read: not
// done, and their parents (still listed) done.
func (s *KinesisSource) refresh(ctx context.Context) error {
	if s.shards == nil {
		s.shards = map[string]*kshard{}
	}
	if s.pending == nil {
		s.pending = map[string]int{}
	}
	var shards []kds.Shard
	in := &kds.ListShardsInput{StreamARN: &s.StreamARN}
	for {
		out, err := s.Kinesis.ListShards(ctx, in)
		if err != nil {
			return err
		}
		shards = append(shards, out.Shards...)
		if out.NextToken == nil {
			break
		}
		in = &kds.ListShardsInput{NextToken: out.NextToken}
	}
	s.listed = time.Now()
	listed := map[string]bool{}
	for _, sh := range shards {
		listed[sh.ShardId] = true
	}
	return s.Meta.View(func(tx storage.MetaTx) error {
		for _, sh := range shards {
			if s.shards[sh.ShardId] != nil {
				continue
			}
			cp, err := s.loadCheckpoint(tx, sh.ShardId)
			if err != nil {
				return err
			}
			if cp.Done {
				continue
			}
			ready := true
			for _, p := range []*string{sh.ParentShardId, sh.AdjacentParentShardId} {
				if p == nil || !listed[*p] { // a parent trimmed away has nothing left
					continue
				}
				pcp, err := s.loadCheckpoint(tx, *p)
				if err != nil {
					return err
				}
				ready = ready && pcp.Done
			}
			if ready {
				s.shards[sh.ShardId] = &kshard{id: sh.ShardId, child: sh.ParentShardId != nil, cp: cp}
			}
		}
		return nil
	})
}

// Read implements Source.
func (s *KinesisSource) Read(ctx context.Context, max int, wait time.Duration) ([]Record, error) {
	deadline := time.Now().Add(wait)
	for {
		if s.shards == nil || time.Since(s.listed) >= s.poll() {
			if err := s.refresh(ctx); err != nil {
				return nil, err
			}
		}
		ids := make([]string, 0, len(s.shards))
		for id := range s.shards {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var out []Record
		var wake []<-chan struct{}
		for i := range ids {
			if len(out) >= max {
				break
			}
			sh := s.shards[ids[(s.turn+i)%len(ids)]]
			if sh.end {
				continue
			}
			recs, ch, err := s.readShard(ctx, sh, max-len(out))
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
			if ch != nil {
				wake = append(wake, ch)
			}
		}
		s.turn++
		if err := s.finishEnded(); err != nil {
			return nil, err
		}
		if len(out) > 0 {
			return out, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, nil
		}
		if err := waitAny(ctx, wake, min(left, s.poll())); err != nil {
			return nil, err
		}
	}
}

// readShard reads up to max records of sh; with none, it returns a channel
// closed at the shard's next append, if the source offers one.
func (s *KinesisSource) readShard(ctx context.Context, sh *kshard, max int) ([]Record, <-chan struct{}, error) {
	if sh.it == "" {
		in := &kds.GetShardIteratorInput{StreamARN: &s.StreamARN, ShardId: &sh.id}
		typ := kds.ShardIteratorTypeTrimHorizon
		switch {
		case sh.cp.Seq != "":
			typ = kds.ShardIteratorTypeAfterSequenceNumber
			seq := sh.cp.Seq
			in.StartingSequenceNumber = &seq
		case !sh.child && !s.Start.IsZero():
			typ = kds.ShardIteratorTypeAtTimestamp
			in.Timestamp = kds.NewTimestamp(s.Start)
		}
		in.ShardIteratorType = &typ
		out, err := s.Kinesis.GetShardIterator(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		sh.it = out.ShardIterator
	}
	var wake <-chan struct{}
	if w, ok := s.Kinesis.(appendWaiter); ok {
		wake, _ = w.Appended(sh.it)
	}
	limit := int32(min(max, 10000))
	out, err := s.Kinesis.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &sh.it, Limit: &limit})
	if err != nil {
		sh.it = ""
		return nil, nil, err
	}
	defer out.Release()
	recs := make([]Record, 0, len(out.Records))
	var one [1]kpl.UserRecord // a record not aggregated, without an allocation
	for _, r := range out.Records {
		arrival := r.ApproximateArrivalTimestamp.Time()
		data := r.Data
		var users []kpl.UserRecord
		if kpl.IsAggregated(data) {
			users, _ = kpl.Deaggregate(data) // one that does not decode is delivered as it is
		}
		if users == nil {
			one[0] = kpl.UserRecord{PartitionKey: r.PartitionKey, Data: data}
			users = one[:]
		}
		for i, u := range users {
			pos := s.nextPos
			s.nextPos++
			seq := ""
			if i == len(users)-1 {
				seq = r.SequenceNumber
			}
			s.inflight = append(s.inflight, kentry{pos: pos, shard: sh.id, seq: seq})
			s.pending[sh.id]++
			rec := Record{
				Pos: pos, Data: append([]byte(nil), u.Data...), Arrival: arrival,
				Kinesis: &KinesisMeta{ShardID: sh.id, PartitionKey: u.PartitionKey, SequenceNumber: r.SequenceNumber, SubsequenceNumber: i},
			}
			if !s.NoIDs {
				rec.ID = sh.id + ":" + r.SequenceNumber + ":" + strconv.Itoa(i)
			}
			recs = append(recs, rec)
		}
	}
	if out.NextShardIterator == nil {
		sh.end = true
	} else {
		sh.it = *out.NextShardIterator
	}
	if len(recs) > 0 {
		wake = nil
	}
	return recs, wake, nil
}

// finishEnded marks done the shards read to their end with nothing left
// in flight, so that their children open.
func (s *KinesisSource) finishEnded() error {
	for id, sh := range s.shards {
		if !sh.end || s.pending[id] > 0 {
			continue
		}
		sh.cp.Done = true
		b, _ := json.Marshal(sh.cp)
		if err := s.Meta.Update(func(tx storage.MetaTx) error { return tx.Put(s.Table, s.Prefix+id, b) }); err != nil {
			return err
		}
		delete(s.shards, id)
		s.listed = time.Time{} // look for the children now
	}
	return nil
}

// Commit implements Source.
func (s *KinesisSource) Commit(pos uint64) error {
	n := 0
	latest := map[string]string{}
	for n < len(s.inflight) && s.inflight[n].pos <= pos {
		e := s.inflight[n]
		if e.seq != "" {
			latest[e.shard] = e.seq
		}
		s.pending[e.shard]--
		n++
	}
	if len(latest) > 0 {
		err := s.Meta.Update(func(tx storage.MetaTx) error {
			for id, seq := range latest {
				cp := shardCheckpoint{Seq: seq}
				if sh := s.shards[id]; sh != nil {
					sh.cp.Seq = seq
					cp = sh.cp
				}
				b, _ := json.Marshal(cp)
				if err := tx.Put(s.Table, s.Prefix+id, b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s.inflight = append(s.inflight[:0], s.inflight[n:]...)
	return s.finishEnded()
}

// Rewind implements Source.
func (s *KinesisSource) Rewind() {
	s.inflight = s.inflight[:0]
	clear(s.pending)
	s.shards = nil // reopened from their checkpoints
}

// waitAny waits until one of chs is closed, d passes or ctx ends.
func waitAny(ctx context.Context, chs []<-chan struct{}, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	woke := make(chan struct{}, 1)
	stop := make(chan struct{})
	defer close(stop)
	for _, ch := range chs {
		go func() {
			select {
			case <-ch:
				select {
				case woke <- struct{}{}:
				default:
				}
			case <-stop:
			}
		}()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	case <-woke:
	}
	return nil
}
