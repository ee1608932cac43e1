package engine

import (
	"math"
	"sort"
	"sync/atomic"
	"time"
)

// On-demand capacity. An ON_DEMAND stream starts with OnDemandMinShards
// shards (4 by default: 4 MiB/s of writes, as on Kinesis) and Eddy grows it
// with its traffic, as Kinesis does: every OnDemandScaleInterval the scaler
// measures each open shard's write rate over the interval and
//
//   - keeps the stream's peak write rate (bytes and records per second) of
//     the last 30 days;
//   - sizes the stream for twice that peak (Kinesis: "accommodates up to
//     double its previous peak write throughput observed in the last 30
//     days"), a shard per MiB/s and per 1,000 records/s, and at least the
//     stream's warm throughput in MiB/s;
//   - splits shards that are hot on their own (above half their write
//     limit, where Kinesis splits them), even when the stream as a whole has
//     room;
//
// within [OnDemandMinShards, OnDemandMaxShards]. Each interval splits every
// open shard at most once (so a stream at most doubles), the hottest first,
// then the widest hash ranges; children split the parent's range in half.
// Splits go through the ordinary resharding path, so consumers see the
// usual lineage (ChildShards, parent ids) and no record moves. Streams are
// never shrunk. The peak is kept in memory: a restart forgets it, and the
// stream keeps the shards it has.
//
// The per-stream write limit follows: with Config.Limits on, each shard
// takes 1 MiB/s and 1,000 records/s, so capacity is shards × that.

// shardUsage counts what a shard accepted, for the scaler and metrics. It
// is carried from view to view with the shard's log.
type shardUsage struct {
	bytes, records atomic.Int64
	shardCounters
	// The counts at the scaler's previous look; the scaler's own.
	lastBytes, lastRecords int64
}

// onDemandPeak is a stream's peak write rate, per second.
type onDemandPeak struct {
	bytes, records float64
	at             time.Time
}

// peakWindow is how long a peak counts.
const peakWindow = 30 * 24 * time.Hour

// hotShardFraction of a shard's write limit makes the scaler split it.
const hotShardFraction = 0.5

// scheduleScaler runs scaleOnDemand every OnDemandScaleInterval.
func (e *Engine) scheduleScaler() {
	d := e.cfg.OnDemandScaleInterval
	e.every(d, func() { e.scaleOnDemand(d) }, &e.stopScaler)
}

// scaleOnDemand samples every stream's shards over the last interval and
// grows the on-demand ones that need it.
func (e *Engine) scaleOnDemand(interval time.Duration) {
	streams := e.allStreams()
	for _, s := range streams {
		e.scaleStream(s, interval)
	}
}

// shardRate is one open shard's write rate over the last interval.
type shardRate struct {
	st             *shardState
	bytes, records float64 // per second
}

// scaleStream measures s over the interval that just ended and, if it is
// on-demand, splits what needs it. interval 0 only applies the stream's
// settings (a new warm throughput), measuring nothing.
func (e *Engine) scaleStream(s *stream, interval time.Duration) {
	v := s.view.Load()
	secs := interval.Seconds()
	var rates []shardRate
	var total shardRate
	for _, st := range v.open {
		sr := shardRate{st: st}
		if interval > 0 {
			u := st.usage
			b, r := u.bytes.Load(), u.records.Load()
			sr.bytes, sr.records = float64(b-u.lastBytes)/secs, float64(r-u.lastRecords)/secs
			u.lastBytes, u.lastRecords = b, r
		}
		rates = append(rates, sr)
		total.bytes += sr.bytes
		total.records += sr.records
	}
	if v.meta.Mode != ModeOnDemand || v.meta.Status != StatusActive {
		return
	}
	now := e.now()
	// The scaler's ticks and a settings change may both get here.
	s.scaleMu.Lock()
	defer s.scaleMu.Unlock()
	s.peakMu.Lock()
	p := &s.peak
	if interval > 0 {
		if now.Sub(p.at) > peakWindow {
			*p = onDemandPeak{} // the peak is older than 30 days
		}
		if total.bytes > p.bytes || total.records > p.records {
			p.bytes, p.records, p.at = max(p.bytes, total.bytes), max(p.records, total.records), now
		}
	}
	peak := *p
	s.peakMu.Unlock()
	if interval > 0 {
		e.grow(s, v, rates, peak)
		return
	}
	// A settings change: the warm throughput is there at once, however
	// many doublings it takes.
	for e.grow(s, v, rates, peak) > 0 {
		v = s.view.Load()
		rates = rates[:0]
		for _, st := range v.open {
			rates = append(rates, shardRate{st: st})
		}
	}
}

// grow splits shards of s (whose view is v and whose open shards' rates
// are rates) toward the capacity peak and the settings call for, and
// returns how many it split.
func (e *Engine) grow(s *stream, v *streamView, rates []shardRate, peak onDemandPeak) int {
	target := max(
		int(math.Ceil(2*peak.bytes/shardWriteBytesPerSec)),
		int(math.Ceil(2*peak.records/shardWriteRecsPerSec)),
		v.meta.WarmMiBps,
		e.cfg.OnDemandMinShards,
	)
	target = min(target, e.cfg.OnDemandMaxShards)
	open := len(rates)
	var hot []shardRate
	for _, r := range rates {
		if r.bytes > hotShardFraction*shardWriteBytesPerSec || r.records > hotShardFraction*shardWriteRecsPerSec {
			hot = append(hot, r)
		}
	}
	splits := min(max(target-open, len(hot)), open, e.cfg.OnDemandMaxShards-open)
	if splits <= 0 {
		return 0
	}
	// The hottest first (by share of the limit), then the widest ranges.
	load := func(r shardRate) float64 {
		return max(r.bytes/shardWriteBytesPerSec, r.records/shardWriteRecsPerSec)
	}
	sort.SliceStable(rates, func(i, j int) bool {
		ri, rj := rates[i], rates[j]
		if li, lj := load(ri), load(rj); li != lj {
			return li > lj
		}
		wi, wj := ri.st.end.sub(ri.st.start), rj.st.end.sub(rj.st.start)
		return wi.cmp(wj) > 0
	})
	var parents []int
	for _, r := range rates[:splits] {
		if r.st.end.cmp(r.st.start) > 0 { // a one-key shard cannot split
			parents = append(parents, r.st.meta.Index)
		}
	}
	if err := e.splitMany(s, parents); err != nil {
		e.log.Warn("on-demand scaling", "stream", v.meta.Name, "err", err)
		return 0
	}
	if len(parents) > 0 {
		e.log.Info("on-demand scaling", "stream", v.meta.Name, "shards", open+len(parents),
			"peak MiB/s", peak.bytes/(1<<20), "peak records/s", peak.records)
	}
	return len(parents)
}

// splitMany splits each of the open shards parents in half, in one
// reshard.
func (e *Engine) splitMany(s *stream, parents []int) error {
	if len(parents) == 0 {
		return nil
	}
	return e.reshard(s, func(m *streamMeta) ([]int, []shardMeta, error) {
		n := nextIndex(m)
		var kids []shardMeta
		var closing []int
		for _, p := range parents {
			for _, sm := range m.Shards {
				if sm.Index != p || sm.Closed {
					continue
				}
				start, _ := parseHashKey(sm.HashStart)
				end, _ := parseHashKey(sm.HashEnd)
				for _, r := range splitEvenly(start, end, 2) {
					kids = append(kids, shardMeta{Index: n, Parent: p, AdjacentParent: -1, HashStart: r[0].String(), HashEnd: r[1].String()})
					n++
				}
				closing = append(closing, p)
			}
		}
		return closing, kids, nil
	})
}
