package kinesis

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// leaderFlag is a Config.Leader that says what the test sets, and records
// the jobs asked about.
type leaderFlag struct {
	lead atomic.Bool
	mu   sync.Mutex
	jobs map[string]bool
}

func (l *leaderFlag) leader(job string) bool {
	l.mu.Lock()
	if l.jobs == nil {
		l.jobs = map[string]bool{}
	}
	l.jobs[job] = true
	l.mu.Unlock()
	return l.lead.Load()
}

// A node that does not lead the retention job trims nothing; once it
// leads, it trims.
func TestRetentionOnlyOnLeader(t *testing.T) {
	var l leaderFlag
	env := newEnv(t, func(c *Config) { c.Leader = l.leader })
	e := env.e
	e.createStream("s", 1, ModeProvisioned, nil)
	put(t, e, "s", "old")
	log := e.lookup("s").view.Load().shards[0].log
	b0, _ := log.Bounds()
	env.clock.Advance(25 * time.Hour)
	put(t, e, "s", "new")
	env.clock.Advance(2 * time.Minute)
	b, _ := log.Bounds()
	if b.Oldest != b0.Oldest {
		t.Fatalf("a node that does not lead trimmed the log to %d", b.Oldest)
	}
	l.lead.Store(true)
	env.clock.Advance(2 * time.Minute)
	b, _ = log.Bounds()
	if b.Oldest != b0.Oldest+1 {
		t.Fatalf("the leader did not trim: oldest %d, want %d", b.Oldest, b0.Oldest+1)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if want := "kinesis/" + e.cfg.AccountID + "/" + e.cfg.Region + "/retention"; !l.jobs[want] {
		t.Fatalf("jobs asked about: %v, want %s", l.jobs, want)
	}
}

// The on-demand scaler runs only on the leader, and a node that takes
// over measures the last interval only, not the traffic since its start.
func TestOnDemandOnlyOnLeader(t *testing.T) {
	var l leaderFlag
	env := newEnv(t, func(c *Config) { c.OnDemandScaleInterval = 10 * time.Second; c.Leader = l.leader })
	e := env.e
	if _, err := e.CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptr("od"),
		StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeOnDemand))}}); err != nil {
		t.Fatal(err)
	}
	p := &producer{t: t, e: e, stream: "od", acked: map[string]bool{}}
	p.run(env.clock, 3000, 60*time.Second)
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("a node that does not lead scaled the stream to %d shards", n)
	}
	// Idle, then leading: nothing measured before counts.
	l.lead.Store(true)
	env.clock.Advance(30 * time.Second)
	if n := openShards(e, "od"); n != 4 {
		t.Fatalf("the new leader scaled an idle stream to %d shards (counted traffic from before it led)", n)
	}
	p.run(env.clock, 3000, 60*time.Second)
	if n := openShards(e, "od"); n < 8 {
		t.Fatalf("the leader did not scale: %d shards", n)
	}
}

// A node finishing a stream's DELETING after another node did, and after
// the name was given to a new stream, deletes nothing of the new one.
func TestRemoveStreamOnlyItsOwn(t *testing.T) {
	env := newEnv(t, nil)
	a := env.e
	if err := a.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	b := env.open(t, nil) // another node: it loads "s"
	old := b.lookup("s")
	if old == nil {
		t.Fatal("node b does not hold the stream")
	}
	if _, err := a.DeleteStream(context.Background(), &kds.DeleteStreamInput{StreamName: ptr("s")}); err != nil {
		t.Fatal(err)
	}
	env.clock.Advance(time.Second)
	if err := a.createStream("s", 2, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	b.removeStream(old) // b's late end of the old stream's DELETING
	m, ok, err := a.loadStored("s")
	if err != nil || !ok || len(m.Shards) != 2 {
		t.Fatalf("the new stream after the old one's late removal: %+v, stored %v, %v", m, ok, err)
	}
	if b.lookup("s") == old {
		t.Fatal("node b still holds the old stream")
	}
}
