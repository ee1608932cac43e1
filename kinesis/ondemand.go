package kinesis

import (
	"errors"
	"math"
	"sort"
	"sync/atomic"
	"time"
)

// On-demand capacity. An ON_DEMAND stream starts with OnDemandMinShards
// shards (4 by default: 4 MiB/s of writes, as on Kinesis) and Eddy sizes it
// to its traffic, as Kinesis does ("A data stream in the on-demand mode
// accommodates up to double the peak write throughput observed in the
// previous 30 days"; "Kinesis Data Streams instantly accommodates your
// workloads as they ramp up or down"). Every OnDemandScaleInterval the
// scaler measures each open shard's write rate over the interval and
//
//   - keeps the stream's peak write rate (bytes and records per second) of
//     each day, for the last 30 days, in the stream's document, so the peak
//     survives a restart;
//   - grows: sizes the stream for twice its 30-day peak, a shard per MiB/s
//     and per 1,000 records/s, and at least the stream's warm throughput in
//     MiB/s; and splits shards that are hot on their own (above half their
//     write limit, where Kinesis splits them), even when the stream as a
//     whole has room;
//   - shrinks, when it did not grow: merges pairs of adjacent open shards
//     that are cold now (together below a quarter of one shard's limit,
//     well below the half that splits a shard, so a merge is not undone at
//     once) and whose merged hash range would still carry its share of twice
//     the peak and of the warm throughput, counting traffic as spread evenly
//     over the key space. So a stream shrinks only as far as its 30-day
//     peak allows: capacity added for a burst goes once the burst is more
//     than 30 days old, and shards added by hot-shard splits, a lowered warm
//     throughput or a switch from PROVISIONED go once they are idle.
//
// within [OnDemandMinShards, OnDemandMaxShards]. Each interval splits or
// merges every open shard at most once (so a stream at most doubles or
// halves); splits go to the hottest shards first, then the widest, and
// halve the parent's range; merges go to the coldest pairs first, then the
// narrowest. Both go through the ordinary resharding path, so consumers
// see the usual lineage (ChildShards; a split child has one parent, a merge
// child exactly its two) and no record moves.
//
// A day's peak is kept for 30 whole days after the day ends, so a peak is
// remembered for at least 30 days and at most 31. AWS does not document how
// fast on-demand streams shrink; this rule is Eddy's.
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
}

// peakDay is one day's peak write rate of an on-demand stream, as its
// document keeps it.
type peakDay struct {
	Day     int64   `json:"day"` // days since the Unix epoch (UTC)
	Bytes   float64 `json:"bytes"`
	Records float64 `json:"records"`
}

// peakDays is how many whole days before today a day's peak still counts.
const peakDays = 30

// hotShardFraction of a shard's write limit makes the scaler split it.
const hotShardFraction = 0.5

// coldPairFraction of one shard's write limit is what two adjacent shards
// may carry together for the scaler to merge them.
const coldPairFraction = 0.25

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

// peakOf returns the stream's peak of the last 30 days as of now.
func peakOf(days []peakDay, now time.Time) onDemandPeak {
	var p onDemandPeak
	today := dayOf(now)
	for _, d := range days {
		if d.Day >= today-peakDays {
			p.bytes, p.records = max(p.bytes, d.Bytes), max(p.records, d.Records)
		}
	}
	return p
}

// recordPeak adds a sample of the stream's write rate to today's peak,
// persisting the stream's document when the day's peak rises. It also
// forgets days that no longer count.
func (e *Engine) recordPeak(s *stream, now time.Time, rate shardRate) {
	today := dayOf(now)
	rises := func(m *streamMeta) bool {
		for _, d := range m.Peaks {
			if d.Day == today {
				return rate.bytes > d.Bytes || rate.records > d.Records
			}
		}
		return rate.bytes > 0 || rate.records > 0
	}
	if m := s.view.Load().meta; !rises(&m) {
		return
	}
	err := s.update(func(m *streamMeta) error {
		if m.Status != StatusActive || m.Mode != ModeOnDemand {
			return errStalePlan // a reshard, deletion or mode switch got here first
		}
		if !rises(m) {
			return errStalePlan
		}
		kept := m.Peaks[:0]
		found := false
		for _, d := range m.Peaks {
			if d.Day < today-peakDays {
				continue
			}
			if d.Day == today {
				d.Bytes, d.Records, found = max(d.Bytes, rate.bytes), max(d.Records, rate.records), true
			}
			kept = append(kept, d)
		}
		if !found {
			kept = append(kept, peakDay{Day: today, Bytes: rate.bytes, Records: rate.records})
		}
		m.Peaks = kept
		return nil
	})
	if err != nil && !errors.Is(err, errStalePlan) {
		e.log.Warn("recording on-demand peak", "stream", s.view.Load().meta.Name, "err", err)
	}
}

// errStalePlan is what a scaling plan returns when the stream changed under
// it and there is nothing left to do.
var errStalePlan = errors.New("engine: the stream changed; nothing to do")

// scheduleScaler runs scaleOnDemand every OnDemandScaleInterval.
func (e *Engine) scheduleScaler() {
	d := e.cfg.OnDemandScaleInterval
	e.every(d, func() { e.scaleOnDemand(d) }, &e.stopScaler)
}

// scaleOnDemand samples every stream's shards over the last interval and
// grows the on-demand ones that need it.
func (e *Engine) scaleOnDemand(interval time.Duration) {
	streams := e.allStreams()
	if !e.leads("ondemand-scaler") {
		// Another node scales: only start this interval's counts afresh,
		// so that taking over later measures one interval, not all
		// since the start.
		for _, s := range streams {
			for _, st := range s.view.Load().open {
				u := st.usage
				u.lastBytes, u.lastRecords = u.bytes.Load(), u.records.Load()
			}
		}
		return
	}
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
// on-demand, splits or merges what needs it. interval 0 only applies the
// stream's settings (a new warm throughput, a switch to ON_DEMAND),
// measuring nothing and merging nothing.
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
	if interval > 0 {
		e.recordPeak(s, now, total)
		peak := peakOf(s.view.Load().meta.Peaks, now)
		if e.grow(s, v, rates, peak) == 0 {
			e.shrink(s, v, rates, peak)
		}
		return
	}
	// A settings change: the warm throughput is there at once, however
	// many doublings it takes.
	peak := peakOf(v.meta.Peaks, now)
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

// shrink merges adjacent cold shards of s (whose view is v and whose open
// shards' rates are rates) that the peak and the warm throughput do not
// need, and returns how many merges it made.
func (e *Engine) shrink(s *stream, v *streamView, rates []shardRate, peak onDemandPeak) int {
	budget := len(rates) - e.cfg.OnDemandMinShards
	if budget <= 0 {
		return 0
	}
	// The stream's need in shards, spread over the key space: a merged
	// shard covering a fraction w of it must carry need×w ≤ 1 shard.
	need := max(2*peak.bytes/shardWriteBytesPerSec, 2*peak.records/shardWriteRecsPerSec, float64(v.meta.WarmMiBps))
	sorted := append([]shardRate(nil), rates...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].st.start.cmp(sorted[j].st.start) < 0 })
	type pair struct {
		lo, hi      shardRate
		load, width float64
	}
	var pairs []pair
	for i := 0; i+1 < len(sorted); i++ {
		lo, hi := sorted[i], sorted[i+1]
		if lo.st.end == maxHashKey || lo.st.end.add1() != hi.st.start {
			continue
		}
		load := max((lo.bytes+hi.bytes)/shardWriteBytesPerSec, (lo.records+hi.records)/shardWriteRecsPerSec)
		width := keySpaceFraction(lo.st.start, hi.st.end)
		if load < coldPairFraction && need*width <= 1 {
			pairs = append(pairs, pair{lo, hi, load, width})
		}
	}
	// The coldest first, then the narrowest; each shard merges once.
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].load != pairs[j].load {
			return pairs[i].load < pairs[j].load
		}
		return pairs[i].width < pairs[j].width
	})
	used := map[int]bool{}
	var merges [][2]int
	for _, p := range pairs {
		if len(merges) == budget {
			break
		}
		a, b := p.lo.st.meta.Index, p.hi.st.meta.Index
		if used[a] || used[b] {
			continue
		}
		used[a], used[b] = true, true
		merges = append(merges, [2]int{a, b})
	}
	if len(merges) == 0 {
		return 0
	}
	if err := e.mergeMany(s, merges); err != nil {
		if !errors.Is(err, errStalePlan) {
			e.log.Warn("on-demand scaling", "stream", v.meta.Name, "err", err)
		}
		return 0
	}
	e.log.Info("on-demand scaling", "stream", v.meta.Name, "shards", len(rates)-len(merges),
		"peak MiB/s", peak.bytes/(1<<20), "peak records/s", peak.records)
	return len(merges)
}

// mergeMany merges each pair of adjacent open shards (lower range first)
// into one child, as MergeShards does, in one reshard. Pairs that are no
// longer open and adjacent are skipped; errStalePlan if none is left.
func (e *Engine) mergeMany(s *stream, pairs [][2]int) error {
	return e.reshard(s, func(m *streamMeta) ([]int, []shardMeta, error) {
		open := map[int]*shardMeta{}
		for i := range m.Shards {
			if !m.Shards[i].Closed {
				open[m.Shards[i].Index] = &m.Shards[i]
			}
		}
		n := nextIndex(m)
		var closing []int
		var kids []shardMeta
		for _, p := range pairs {
			lo, hi := open[p[0]], open[p[1]]
			if lo == nil || hi == nil {
				continue
			}
			loEnd, _ := parseHashKey(lo.HashEnd)
			hiStart, _ := parseHashKey(hi.HashStart)
			if loEnd == maxHashKey || loEnd.add1() != hiStart {
				continue
			}
			kids = append(kids, shardMeta{Index: n, Parent: lo.Index, AdjacentParent: hi.Index, HashStart: lo.HashStart, HashEnd: hi.HashEnd})
			closing = append(closing, lo.Index, hi.Index)
			n++
		}
		if len(kids) == 0 {
			return nil, nil, errStalePlan
		}
		return closing, kids, nil
	})
}

// keySpaceFraction is the share of the hash key space [start, end] covers.
func keySpaceFraction(start, end hashKey) float64 {
	w := end.sub(start) // one less than the width; negligible here
	return (float64(w.hi) + float64(w.lo)/(1<<64)) / (1 << 64)
}
