package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// TestKinesisRetentionOnOneNode runs two Kinesis engines (nodes) on one
// JetStream store, each with its Cluster's Leader: at each retention tick
// exactly one node's engine trims, and when that node's connection goes,
// the other takes the job over.
func TestKinesisRetentionOnOneNode(t *testing.T) {
	nodes := startNodes(t, 2)
	var mu sync.Mutex
	type answer struct {
		node int
		at   time.Time
	}
	var yes []answer
	var engines []*kinesis.Engine
	for i, nd := range nodes {
		logs, err := nd.conn.Logs()
		if err != nil {
			t.Fatal(err)
		}
		cfg := kinesis.DefaultConfig()
		cfg.RetentionCheck = 20 * time.Millisecond
		cfg.Leader = func(job string) bool {
			ok := nd.c.Leader(job)
			if ok && job == "kinesis/000000000000/us-east-1/retention" {
				mu.Lock()
				yes = append(yes, answer{i, time.Now()})
				mu.Unlock()
			}
			return ok
		}
		e, err := kinesis.New(cfg, logs, nd.meta)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		engines = append(engines, e)
	}
	if _, err := engines[0].CreateStream(context.Background(), &kds.CreateStreamInput{StreamName: ptrTo("s"), ShardCount: ptrTo(int32(1))}); err != nil {
		t.Fatal(err)
	}
	leaderOf := func() int {
		mu.Lock()
		defer mu.Unlock()
		if len(yes) == 0 {
			return -1
		}
		return yes[len(yes)-1].node
	}
	waitFor(t, 5*time.Second, "a node to trim", func() bool { return leaderOf() >= 0 })
	time.Sleep(2 * testTTL)
	first := leaderOf()
	nodes[first].conn.Close()
	killed := time.Now()
	waitFor(t, 3*testTTL, "the other node to trim", func() bool { return leaderOf() == 1-first })
	t.Logf("node %d's connection closed; node %d trims %v later", first, 1-first, time.Since(killed))
	time.Sleep(testTTL)
	mu.Lock()
	defer mu.Unlock()
	// Node first answered yes, then node 1-first: one switch, no
	// interleaving (both trimming in the same period).
	switches := 0
	for i := 1; i < len(yes); i++ {
		if yes[i].node != yes[i-1].node {
			switches++
		}
	}
	if switches != 1 || yes[0].node != first {
		var seq []string
		for _, a := range yes {
			seq = append(seq, fmt.Sprint(a.node))
		}
		t.Fatalf("the nodes that trimmed, in order: %v; want node %d, then node %d only", seq, first, 1-first)
	}
}

func ptrTo[T any](v T) *T { return &v }
