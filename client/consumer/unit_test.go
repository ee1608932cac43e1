package consumer

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestESNCompare(t *testing.T) {
	ordered := []esn{
		{seq: checkpointTrimHorizon},
		{seq: "9"},
		{seq: "10"},
		{seq: "10", sub: 1},
		{seq: "10", sub: 2},
		{seq: "49590338271490256608559692538361571095921575989136588898"},
		{seq: "49590338271490256608559692538361571095921575989136588899"},
		{seq: checkpointShardEnd},
	}
	for i := range ordered {
		for j := range ordered {
			got := ordered[i].compare(ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if (got < 0) != (want < 0) || (got > 0) != (want > 0) {
				t.Errorf("%v compare %v = %d, want sign %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	for _, s := range []string{checkpointLatest, checkpointAtTimestamp, ""} {
		if (esn{seq: s}).compare(esn{seq: checkpointTrimHorizon}) != 0 {
			t.Errorf("start sentinel %q does not sort with TRIM_HORIZON", s)
		}
	}
}

func TestValidSequenceNumber(t *testing.T) {
	for _, s := range []string{"0", "1", "49590338271490256608559692538361571095921575989136588898"} {
		if err := validSequenceNumber(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", "01", "12a", "-1", "SHARD_END", "1.5"} {
		if validSequenceNumber(s) == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestLeaseItemRoundTrip(t *testing.T) {
	l := lease{
		key: "shardId-000000000002", owner: "w1", counter: 7, ownerSwitches: 2,
		checkpoint: esn{seq: "123", sub: 4}, pending: &esn{seq: "125"},
		parents: []string{"shardId-000000000000", "shardId-000000000001"}, children: []string{"shardId-000000000003"},
		startingHash: "0", endingHash: "170141183460469231731687303715884105727",
	}
	got, err := leaseFromItem(l.item())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, l) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, l)
	}
}

func work(owners ...string) []lease {
	var out []lease
	for i, o := range owners {
		out = append(out, lease{key: fmt.Sprintf("s%02d", i), owner: o, counter: 1, checkpoint: esn{seq: checkpointTrimHorizon}})
	}
	return out
}

func notHeld(string) bool { return false }

func TestTakerTakesAvailableUpToTarget(t *testing.T) {
	now := time.Unix(1000, 0)
	tk := newTaker("me", 10*time.Second, 1<<30, 1)
	rnd := rand.New(rand.NewPCG(1, 2))
	// 6 unowned leases, another worker holds 2: target ceil(8/2) = 4.
	all := work("", "", "", "", "", "", "other", "other")
	w := tk.observe(all, now)
	got := tk.choose(w, notHeld, now, rnd)
	if len(got) != 4 {
		t.Fatalf("took %d leases, want 4", len(got))
	}
	for _, l := range got {
		if l.owner != "" {
			t.Errorf("took %s owned by %q; unowned ones were available", l.key, l.owner)
		}
	}
}

func TestTakerExpiry(t *testing.T) {
	t0 := time.Unix(1000, 0)
	tk := newTaker("me", 10*time.Second, 1<<30, 1)
	rnd := rand.New(rand.NewPCG(1, 2))
	all := work("dead", "dead")
	tk.observe(all, t0)
	// Not expired yet: the owner is counted; target 1, and stealing
	// from "dead" (2 > target) takes one.
	if got := tk.choose(tk.observe(all, t0.Add(9*time.Second)), notHeld, t0.Add(9*time.Second), rnd); len(got) != 1 {
		t.Fatalf("before expiry: took %d, want 1 (stolen)", len(got))
	}
	// Renewed at 9 s: the clock restarts.
	all[0].counter, all[1].counter = 2, 2
	tk.observe(all, t0.Add(9*time.Second))
	at := t0.Add(18 * time.Second)
	w := tk.observe(all, at)
	if tk.expired(w[0], at) {
		t.Error("lease renewed 9 s ago counted as expired")
	}
	at = t0.Add(19*time.Second + time.Millisecond)
	w = tk.observe(all, at)
	if !tk.expired(w[0], at) {
		t.Error("lease not renewed for 10 s is not expired")
	}
	// Both expired: the worker ("dead" no longer counts) takes both.
	if got := tk.choose(w, notHeld, at, rnd); len(got) != 2 {
		t.Errorf("took %d expired leases, want 2", len(got))
	}
}

func TestTakerSteals(t *testing.T) {
	now := time.Unix(1000, 0)
	rnd := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name     string
		owners   []string
		maxSteal int
		want     int
	}{
		// 16 leases, 2 workers + me: target 6; a has 10 (4 over), need 6.
		{"over target", append(slices.Repeat([]string{"a"}, 10), slices.Repeat([]string{"b"}, 6)...), 10, 4},
		{"capped by maxSteal", append(slices.Repeat([]string{"a"}, 10), slices.Repeat([]string{"b"}, 6)...), 1, 1},
		// 6 leases, a has 3, b has 3, me 0: target 2, a over by 1.
		{"one over", []string{"a", "a", "a", "b", "b", "b"}, 5, 1},
		// 4 leases, a 2, b 2, me 0: target 2... workers 3 < 4 leases so target ceil(4/3)=2;
		// most loaded at target and I need 2 > 1: steal one.
		{"at target, need more than one", []string{"a", "a", "b", "b"}, 5, 1},
		// 3 leases, a 1, b 1, c 1, me 0: target 1 and nobody is over: no steal.
		{"balanced", []string{"a", "b", "c"}, 5, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tk := newTaker("me", 10*time.Second, 1<<30, c.maxSteal)
			all := work(c.owners...)
			w := tk.observe(all, now)
			got := tk.choose(w, notHeld, now, rnd)
			if len(got) != c.want {
				t.Fatalf("stole %d, want %d", len(got), c.want)
			}
			owner := ""
			for _, l := range got {
				if owner != "" && l.owner != owner {
					t.Errorf("stole from %s and %s; want one worker", owner, l.owner)
				}
				owner = l.owner
			}
		})
	}
}

func TestTakerIgnoresFinishedLeases(t *testing.T) {
	now := time.Unix(1000, 0)
	tk := newTaker("me", 10*time.Second, 1<<30, 1)
	all := work("", "")
	all[0].checkpoint = esn{seq: checkpointShardEnd}
	w := tk.observe(all, now)
	got := tk.choose(w, notHeld, now, rand.New(rand.NewPCG(1, 2)))
	if len(got) != 1 || got[0].key != all[1].key {
		t.Errorf("took %v, want only the unfinished lease", got)
	}
}

func TestTakerMaxLeasesForWorker(t *testing.T) {
	now := time.Unix(1000, 0)
	tk := newTaker("me", 10*time.Second, 3, 1)
	w := tk.observe(work("", "", "", "", "", ""), now)
	if got := tk.choose(w, notHeld, now, rand.New(rand.NewPCG(1, 2))); len(got) != 3 {
		t.Errorf("took %d, want MaxLeasesForWorker 3", len(got))
	}
}

func TestTakerRetakesOwnLeaseFromEarlierRun(t *testing.T) {
	now := time.Unix(1000, 0)
	tk := newTaker("me", 10*time.Second, 1<<30, 1)
	all := work("me")
	all[0].counter = 5
	w := tk.observe(all, now)
	if got := tk.choose(w, notHeld, now, rand.New(rand.NewPCG(1, 2))); len(got) != 1 {
		t.Errorf("a lease owned by this WorkerID but not held was not taken at once")
	}
	if got := tk.choose(w, func(string) bool { return true }, now, rand.New(rand.NewPCG(1, 2))); len(got) != 0 {
		t.Errorf("a held lease was taken again")
	}
}
