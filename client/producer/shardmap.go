package producer

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/client/kpl"
)

// shardMap is one listing of the stream's shards: the open ones sorted by
// the start of their hash key range (they cover [0, 2^128-1] between them),
// and the range of every shard listed, open or closed, to tell whether a
// record that landed on an unexpected shard belongs there.
type shardMap struct {
	open   []*shard
	starts []kpl.HashKey // open[i].start: read by every Put, apart from the shards' locks
	ranges map[string]hashRange
	at     time.Time // when the listing was asked for
}

type hashRange struct{ start, end kpl.HashKey }

// lookup returns the open shard whose range holds k.
func (m *shardMap) lookup(k kpl.HashKey) *shard {
	// Searched in starts, not in the shards: a shard's start shares a
	// cache line with its lock, which other cores write all the time.
	i := sort.Search(len(m.starts), func(i int) bool { return m.starts[i].Compare(k) > 0 })
	if i > 0 {
		i--
	}
	return m.open[i]
}

// refreshShards lists the stream's shards and installs the new map, unless
// a listing asked for after seenAt has already been installed (several
// records that saw the same change trigger one listing). Shards that
// closed give their buffered records back to be routed again.
func (p *Producer) refreshShards(ctx context.Context, seenAt time.Time) error {
	p.refreshMu.Lock()
	defer p.refreshMu.Unlock()
	old := p.shards.Load()
	if old != nil && old.at.After(seenAt) {
		return nil
	}
	at := p.cfg.clock.Now()
	listed, err := p.listShards(ctx)
	if err != nil {
		return err
	}
	m := &shardMap{ranges: make(map[string]hashRange, len(listed)), at: at}
	existing := map[string]*shard{}
	if old != nil {
		for _, s := range old.open {
			existing[s.id] = s
		}
	}
	for _, ls := range listed {
		m.ranges[ls.id] = hashRange{ls.start, ls.end}
		if !ls.open {
			continue
		}
		s := existing[ls.id]
		if s == nil {
			s = newShard(ls.id, ls.start, ls.end, p.cfg.rateLimit, at)
		}
		delete(existing, ls.id)
		m.open = append(m.open, s)
	}
	if len(m.open) == 0 {
		return fmt.Errorf("producer: stream %s has no open shard", p.stream)
	}
	sort.Slice(m.open, func(i, j int) bool { return m.open[i].start.Compare(m.open[j].start) < 0 })
	for _, s := range m.open {
		m.starts = append(m.starts, s.start)
	}
	p.shards.Store(m)
	if old != nil {
		p.log.Info("shard map refreshed", "stream", p.stream, "open", len(m.open), "closed", len(existing))
	}
	// Shards of the old map that are not open now: new Puts no longer
	// find them; take back what they buffer.
	for _, s := range existing {
		p.closeShard(s)
	}
	return nil
}

type listedShard struct {
	id         string
	start, end kpl.HashKey
	open       bool
}

func (p *Producer) listShards(ctx context.Context) ([]listedShard, error) {
	var out []listedShard
	in := &kinesis.ListShardsInput{StreamName: aws.String(p.stream), MaxResults: aws.Int32(1000)}
	for {
		cctx, cancel := context.WithTimeout(ctx, p.cfg.requestTimeout)
		res, err := p.client.ListShards(cctx, in)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("producer: list shards of %s: %w", p.stream, err)
		}
		for _, s := range res.Shards {
			if s.ShardId == nil || s.HashKeyRange == nil || s.HashKeyRange.StartingHashKey == nil || s.HashKeyRange.EndingHashKey == nil {
				return nil, fmt.Errorf("producer: list shards of %s: a shard without id or hash key range", p.stream)
			}
			start, err1 := kpl.ParseHashKey(*s.HashKeyRange.StartingHashKey)
			end, err2 := kpl.ParseHashKey(*s.HashKeyRange.EndingHashKey)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("producer: list shards of %s: shard %s has a bad hash key range", p.stream, *s.ShardId)
			}
			open := s.SequenceNumberRange == nil || s.SequenceNumberRange.EndingSequenceNumber == nil
			out = append(out, listedShard{id: *s.ShardId, start: start, end: end, open: open})
		}
		if res.NextToken == nil || *res.NextToken == "" {
			return out, nil
		}
		in = &kinesis.ListShardsInput{NextToken: res.NextToken, MaxResults: aws.Int32(1000)}
	}
}
