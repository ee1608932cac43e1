package kinesis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// clusterEngines opens n engines on one embedded nats-server, sharing a
// prefix: n nodes of a cluster.
func clusterEngines(t *testing.T, n int) []*Engine {
	t.Helper()
	srv := natstest.Embedded(t)
	var b [6]byte
	rand.Read(b[:])
	prefix := "K" + hex.EncodeToString(b[:])
	var engines []*Engine
	for range n {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		logs, err := c.Logs()
		if err != nil {
			t.Fatal(err)
		}
		meta, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(DefaultConfig(), logs, meta)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close(); meta.Close(); logs.Close(); c.Close() })
		engines = append(engines, e)
	}
	return engines
}

// TestEnginesKeepEachOthersChanges: tags added at once through two
// engines sharing a store are all kept. Each change is made from the
// engine's copy of the stream, which the other engine's changes make
// stale; without the revision check the last writer would drop the
// other's tags.
func TestEnginesKeepEachOthersChanges(t *testing.T) {
	es := clusterEngines(t, 2)
	ctx := context.Background()
	name := "tags"
	if _, err := es[0].CreateStream(ctx, &kds.CreateStreamInput{StreamName: &name, ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i, e := range es {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 15 {
				k := fmt.Sprintf("node%d-tag%02d", i, j)
				if _, err := e.AddTagsToStream(ctx, &kds.AddTagsToStreamInput{StreamName: &name, Tags: map[string]string{k: "v"}}); err != nil {
					errs <- fmt.Errorf("%s: %w", k, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, e := range es {
		out, err := e.ListTagsForStream(ctx, &kds.ListTagsForStreamInput{StreamName: &name})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Tags) != 30 {
			t.Errorf("engine %d lists %d tags, want the 30 added through both", i, len(out.Tags))
		}
	}
}

// TestEnginesSeeEachOthersStreams: a stream created through one engine
// takes puts through the other at once, and a reshard through one moves
// the other's puts to the children.
func TestEnginesSeeEachOthersStreams(t *testing.T) {
	es := clusterEngines(t, 2)
	ctx := context.Background()
	name := "shared"
	if _, err := es[0].CreateStream(ctx, &kds.CreateStreamInput{StreamName: &name, ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	put := func(e *Engine, data string) *kds.PutRecordsOutput {
		t.Helper()
		out, err := e.PutRecords(ctx, &kds.PutRecordsInput{StreamName: &name, Records: []kds.PutRecordsRequestEntry{{PartitionKey: ptr("k"), Data: []byte(data)}}})
		if err != nil || out.FailedRecordCount != 0 {
			t.Fatalf("put %s: %v %+v", data, err, out)
		}
		return out
	}
	put(es[1], "first")
	if _, err := es[0].UpdateShardCount(ctx, &kds.UpdateShardCountInput{StreamName: &name, TargetShardCount: ptr(int32(2)), ScalingType: ptr(kds.ScalingTypeUniformScaling)}); err != nil {
		t.Fatal(err)
	}
	// Engine 1 still routes by its copy until the notice arrives; its put
	// to the sealed parent is routed again to a child.
	out := put(es[1], "second")
	if id := out.Records[0].ShardId; id == "shardId-000000000000" {
		t.Fatalf("engine 1 put into the parent %s after engine 0 resharded", id)
	}
}

// TestRegionsFollowEachOther: a region first used through one node is
// opened by the other too (its background work and metrics cover it).
func TestRegionsFollowEachOther(t *testing.T) {
	srv := natstest.Embedded(t)
	var b [6]byte
	rand.Read(b[:])
	prefix := "R" + hex.EncodeToString(b[:])
	var rs []*Regions
	for range 2 {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		logs, _ := c.Logs()
		meta, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		r, err := OpenRegions(DefaultConfig(), logs, meta)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); meta.Close(); logs.Close(); c.Close() })
		rs = append(rs, r)
	}
	if _, err := rs[0].Get("eu-west-1"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for rs[1].Lookup("eu-west-1") == nil {
		if time.Now().After(deadline) {
			t.Fatalf("node 1 did not open eu-west-1 within 10 s; it has %v", rs[1].List())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
