package kinesis

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

func openShards(e *Engine, name string) int { return len(e.lookup(name).view.Load().open) }

// producer puts records at a steady rate on the fake clock, retrying the
// throttled ones in its next call, as a client with backoff does, and
// remembers every acknowledged record.
type producer struct {
	t       *testing.T
	e       *Engine
	stream  string
	next    int
	backlog []putEntry
	acked   map[string]bool
}

// run puts perSec records a second for d, in steps of 100 ms of the clock.
func (p *producer) run(clock *FakeClock, perSec int, d time.Duration) (throttled int) {
	const step = 100 * time.Millisecond
	for elapsed := time.Duration(0); elapsed < d; elapsed += step {
		for range perSec / 10 {
			p.backlog = append(p.backlog, putEntry{PartitionKey: fmt.Sprint("key-", p.next), Data: []byte(fmt.Sprint(p.next))})
			p.next++
		}
		for len(p.backlog) > 0 {
			batch := p.backlog[:min(500, len(p.backlog))]
			res, err := p.e.putRecords(context.Background(), "PutRecords", p.stream, batch)
			if err != nil {
				p.t.Fatal(err)
			}
			var retry []putEntry
			for i, r := range res {
				switch r.ErrorCode {
				case "":
					p.acked[string(batch[i].Data)] = true
				case eddy.CodeProvisionedThroughput:
					retry = append(retry, batch[i])
					throttled++
				default:
					p.t.Fatalf("put: %+v", r)
				}
			}
			p.backlog = append(retry, p.backlog[len(batch):]...)
			if len(retry) > 0 {
				break // back off until the next step
			}
		}
		clock.Advance(step)
	}
	return throttled
}

// readEverything reads every shard, open and closed, from its start.
func readEverything(t *testing.T, e *Engine, clock *FakeClock, name string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, sm := range e.lookup(name).view.Load().meta.Shards {
		clock.Advance(time.Second) // within the read limits
		it, err := e.getShardIterator(context.Background(), name, shardID(sm.Index), IterTrimHorizon, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for it != "" {
			clock.Advance(250 * time.Millisecond)
			res, err := e.getRecords(context.Background(), it, 10000, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range res.Records {
				seen[string(r.Data)]++
			}
			if len(res.Records) == 0 && !sm.Closed {
				break // the tip of an open shard
			}
			it = res.Next
		}
	}
	return seen
}

func TestOnDemandScalesWithTraffic(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.OnDemandScaleInterval = 10 * time.Second })
	e := env.e
	if _, err := e.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr("od"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("new on-demand stream has %d shards, want 4", n)
	}
	p := &producer{t: t, e: e, stream: "od", acked: map[string]bool{}}
	// 1,500 records/s: below half the capacity of 4 shards, and no shard
	// hot. Nothing changes.
	p.run(env.clock, 1500, 30*time.Second)
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("at 1,500 records/s the stream went to %d shards", n)
	}
	// Double it: every shard is hot, and the stream is sized for twice the
	// new peak.
	p.run(env.clock, 3000, 60*time.Second)
	if n := openShards(e, "od"); n < 8 {
		t.Fatalf("after the rate doubled the stream has %d shards, want at least 8", n)
	}
	env.clock.Advance(time.Second)
	p.run(env.clock, 0, time.Second) // drain the backlog
	if len(p.backlog) != 0 {
		t.Fatalf("%d records still throttled", len(p.backlog))
	}
	seen := readEverything(t, e, env.clock, "od")
	for d := range p.acked {
		if seen[d] != 1 {
			t.Fatalf("record %s read %d times", d, seen[d])
		}
	}
	if len(seen) != len(p.acked) || len(seen) != p.next {
		t.Fatalf("read %d records, %d acknowledged, %d produced", len(seen), len(p.acked), p.next)
	}
}

func TestOnDemandWithLimits(t *testing.T) {
	env := newEnv(t, func(c *Config) {
		c.Limits = LimitsAWS
		c.OnDemandScaleInterval = 10 * time.Second
		c.OnDemandMaxShards = 12
	})
	e := env.e
	e.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr("od"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}})
	p := &producer{t: t, e: e, stream: "od", acked: map[string]bool{}}
	// 6,000 records/s is beyond 4 shards: throttled at first, then the
	// shard count rises to the bound, and the throttling stops.
	if throttled := p.run(env.clock, 6000, 20*time.Second); throttled == 0 {
		t.Fatal("6,000 records/s on 4 shards was not throttled")
	}
	p.run(env.clock, 6000, 40*time.Second)
	if n := openShards(e, "od"); n != 12 {
		t.Fatalf("%d shards, want the bound of 12", n)
	}
	if throttled := p.run(env.clock, 6000, 20*time.Second); throttled != 0 {
		t.Fatalf("%d records throttled on 12 shards", throttled)
	}
	seen := readEverything(t, e, env.clock, "od")
	if len(seen) != len(p.acked) {
		t.Fatalf("read %d records, %d acknowledged", len(seen), len(p.acked))
	}
	for d, n := range seen {
		if n != 1 || !p.acked[d] {
			t.Fatalf("record %s read %d times (acknowledged: %v)", d, n, p.acked[d])
		}
	}
}

func TestOnDemandWarmThroughputAndProvisioned(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.OnDemandScaleInterval = 10 * time.Second })
	e := env.e
	ctx := context.Background()
	e.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("od"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}})
	if _, err := e.UpdateStreamWarmThroughput(ctx, &kds.UpdateStreamWarmThroughputInput{StreamName: ptr("od"), WarmThroughputMiBps: ptr(int32(20))}); err != nil {
		t.Fatal(err)
	}
	if n := openShards(e, "od"); n < 20 {
		t.Fatalf("warm throughput 20 MiB/s: %d shards", n)
	}
	// Also when the stream is created with it.
	if _, err := e.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("warm"), WarmThroughputMiBps: ptr(int32(10)),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	if n := openShards(e, "warm"); n < 10 {
		t.Fatalf("created with warm throughput 10 MiB/s: %d shards", n)
	}
	// A provisioned stream is never resharded by the scaler.
	e.createStream("prov", 1, ModeProvisioned, nil)
	p := &producer{t: t, e: e, stream: "prov", acked: map[string]bool{}}
	p.run(env.clock, 3000, 30*time.Second)
	if n := openShards(e, "prov"); n != 1 {
		t.Fatalf("provisioned stream resharded to %d", n)
	}
}

func TestUpdateStreamModeToOnDemand(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	if _, err := e.UpdateStreamMode(context.Background(), &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("s")),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	if n := openShards(e, "s"); n != 4 {
		t.Fatalf("a 1-shard stream switched to ON_DEMAND has %d shards, want 4", n)
	}
	// Back to PROVISIONED: the shards stay, and the scaler leaves it alone.
	e.UpdateStreamMode(context.Background(), &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("s")),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeProvisioned))}})
	e.scaleOnDemand(time.Minute)
	if n := openShards(e, "s"); n != 4 {
		t.Fatalf("%d shards after switching back", n)
	}
}

// checkMerges fails unless every open shard of name created by a merge has
// exactly its two parents: both listed and closed, adjacent, covering the
// child's range, and parents of no other shard. It returns how many open
// shards are merge children.
func checkMerges(t *testing.T, e *Engine, name string) (merged int) {
	t.Helper()
	m := e.lookup(name).view.Load().meta
	byIndex := map[int]shardMeta{}
	children := map[int]int{}
	for _, sm := range m.Shards {
		byIndex[sm.Index] = sm
		for _, p := range []int{sm.Parent, sm.AdjacentParent} {
			if p >= 0 {
				children[p]++
			}
		}
	}
	for _, sm := range m.Shards {
		if sm.Closed || sm.AdjacentParent < 0 {
			continue
		}
		merged++
		lo, ok1 := byIndex[sm.Parent]
		hi, ok2 := byIndex[sm.AdjacentParent]
		if !ok1 || !ok2 || !lo.Closed || !hi.Closed || children[lo.Index] != 1 || children[hi.Index] != 1 {
			t.Fatalf("merge child %d: parents %d, %d not both listed, closed and parents of it alone", sm.Index, sm.Parent, sm.AdjacentParent)
		}
		loEnd, _ := parseHashKey(lo.HashEnd)
		hiStart, _ := parseHashKey(hi.HashStart)
		if loEnd.add1() != hiStart || sm.HashStart != lo.HashStart || sm.HashEnd != hi.HashEnd {
			t.Fatalf("merge child %d [%s, %s] of [%s, %s] and [%s, %s]", sm.Index, sm.HashStart, sm.HashEnd,
				lo.HashStart, lo.HashEnd, hi.HashStart, hi.HashEnd)
		}
	}
	return merged
}

// onDemandPeakTraffic creates ON_DEMAND stream "od" on env and writes 3,000
// records/s for a minute: every one of the 4 shards is hot, so they split
// into 8, each an eighth of the key space; twice the peak needs 6.
func onDemandPeakTraffic(t *testing.T, env *testEnv) *producer {
	t.Helper()
	e := env.e
	if _, err := e.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr("od"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	p := &producer{t: t, e: e, stream: "od", acked: map[string]bool{}}
	p.run(env.clock, 3000, time.Minute)
	if n := openShards(e, "od"); n != 8 {
		t.Fatalf("after a minute at 3,000 records/s the stream has %d shards, want 8", n)
	}
	return p
}

// TestOnDemandScalesDown: an on-demand stream keeps the capacity its 30-day
// peak needs, then merges idle shards back to the minimum, through
// ordinary merges, with every record still readable.
func TestOnDemandScalesDown(t *testing.T) {
	const interval = 10 * time.Second
	env := newEnv(t, func(c *Config) { c.OnDemandScaleInterval = interval })
	e := env.e
	p := onDemandPeakTraffic(t, env)
	// Records outlive the 30 days, to be read after the merges.
	if err := e.setRetention("od", 40*24, true); err != nil {
		t.Fatal(err)
	}

	// Idle for a day, then for most of the 30 days: twice the peak still
	// needs every eighth of the key space, so nothing merges.
	for _, d := range []time.Duration{interval, interval, 24 * time.Hour, 20 * 24 * time.Hour, interval} {
		env.clock.Advance(d)
		if n := openShards(e, "od"); n != 8 {
			t.Fatalf("%d shards %v into the idle time, want 8", n, d)
		}
	}
	// Once the peak is more than 30 days old, the idle shards merge, at
	// most halving the stream each interval, down to the minimum.
	env.clock.Advance(11 * 24 * time.Hour)
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("%d shards once the peak is forgotten, want 4", n)
	}
	if merged := checkMerges(t, e, "od"); merged != 4 {
		t.Fatalf("%d merge children, want 4", merged)
	}
	for range 5 {
		env.clock.Advance(interval)
	}
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("%d shards, want the minimum of 4", n)
	}
	seen := readEverything(t, e, env.clock, "od")
	if len(seen) != len(p.acked) {
		t.Fatalf("read %d records, %d acknowledged", len(seen), len(p.acked))
	}
	for d, n := range seen {
		if n != 1 || !p.acked[d] {
			t.Fatalf("record %s read %d times (acknowledged: %v)", d, n, p.acked[d])
		}
	}

	// Traffic again: it grows as before.
	p.run(env.clock, 3000, time.Minute)
	if n := openShards(e, "od"); n < 8 {
		t.Fatalf("%d shards after traffic came back", n)
	}
}

// TestOnDemandScalesDownAfterSwitch: a PROVISIONED stream switched to
// ON_DEMAND keeps its shards, then merges the idle ones to the minimum,
// at most halving per interval and never below it.
func TestOnDemandScalesDownAfterSwitch(t *testing.T) {
	const interval = 10 * time.Second
	env := newEnv(t, func(c *Config) { c.OnDemandScaleInterval = interval; c.OnDemandMinShards = 3 })
	e := env.e
	e.createStream("s", 8, ModeProvisioned, nil)
	if _, err := e.UpdateStreamMode(context.Background(), &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("s")),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	if n := openShards(e, "s"); n != 8 {
		t.Fatalf("switched to ON_DEMAND with %d shards, want the 8 it had", n)
	}
	for _, want := range []int{4, 3, 3, 3} {
		env.clock.Advance(interval)
		if n := openShards(e, "s"); n != want {
			t.Fatalf("%d shards, want %d", n, want)
		}
		checkMerges(t, e, "s")
	}
	// Busy shards are not merged: put to every shard of a fresh switch.
	e.createStream("busy", 8, ModeProvisioned, nil)
	e.UpdateStreamMode(context.Background(), &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("busy")),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}})
	p := &producer{t: t, e: e, stream: "busy", acked: map[string]bool{}}
	p.run(env.clock, 2000, 3*interval) // 250 records/s a shard: pairs at half a shard's limit
	if n := openShards(e, "busy"); n != 8 {
		t.Fatalf("busy stream went to %d shards, want 8", n)
	}
}

// TestOnDemandPeakSurvivesRestart: the 30-day peak is in the stream's
// document, so a restarted engine does not shrink the stream it needs.
func TestOnDemandPeakSurvivesRestart(t *testing.T) {
	const interval = 10 * time.Second
	mut := func(c *Config) { c.OnDemandScaleInterval = interval }
	env := newEnv(t, mut)
	onDemandPeakTraffic(t, env)
	before := peakOf(env.e.lookup("od").view.Load().meta.Peaks, env.clock.Now())
	if before.records < 2900 || before.records > 3100 {
		t.Fatalf("peak %v records/s, want about 3,000", before.records)
	}

	env.e.Close()
	env.e = env.open(t, mut)
	if after := peakOf(env.e.lookup("od").view.Load().meta.Peaks, env.clock.Now()); after != before {
		t.Fatalf("peak after restart %+v, want %+v", after, before)
	}
	for range 5 {
		env.clock.Advance(interval)
	}
	if n := openShards(env.e, "od"); n != 8 {
		t.Fatalf("%d shards after a restart and no traffic, want the 8 the peak needs", n)
	}
	// The restored peak still ages out.
	env.clock.Advance(31 * 24 * time.Hour)
	env.clock.Advance(interval)
	if n := openShards(env.e, "od"); n != 4 {
		t.Fatalf("%d shards once the restored peak is forgotten, want 4", n)
	}
}
