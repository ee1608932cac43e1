package esm

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// TestLaneRetryingDoesNotHoldOtherLanes: with ParallelizationFactor 2, a
// batch retried forever in one lane holds back that lane's keys only;
// records of the other lane put afterwards are invoked meanwhile. The
// checkpoint stays before the failing record, so after a restart (the
// function fixed) it is handled, and the other lane's records again: at
// least once.
func TestLaneRetryingDoesNotHoldOtherLanes(t *testing.T) {
	var healed atomic.Bool
	fn := &fakeFunction{}
	fn.respond = func(call int, ev event) ([]byte, string) {
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "bad" && !healed.Load() {
				return []byte(`{"errorMessage":"bad record"}`), "Unhandled"
			}
		}
		return []byte("null"), ""
	}
	e := setup(t, fn)
	ctx := context.Background()
	// Two keys in different lanes.
	bad, good := "k0", ""
	for i := 1; good == ""; i++ {
		if k := "k" + strconv.Itoa(i); laneOf(k, 2) != laneOf(bad, 2) {
			good = k
		}
	}
	put := func(key, data string) {
		t.Helper()
		if _, err := e.eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("src"), PartitionKey: ptr(key), Data: []byte(data)}); err != nil {
			t.Fatal(err)
		}
	}
	put(bad, "bad")
	put(bad, "after-bad")
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.ParallelizationFactor = ptr(int32(2))
		in.BatchSize = ptr(int32(10))
		in.MaximumRetryAttempts = ptr(int32(-1))
	})
	e.start()
	waitFor(t, func() bool { return len(fn.snapshot()) >= 3 }) // the bad batch is being retried
	for i := range 5 {
		put(good, "g"+strconv.Itoa(i))
	}
	invoked := func(data string) int {
		n := 0
		for _, b := range datas(fn.snapshot()) {
			for _, d := range b {
				if d == data {
					n++
				}
			}
		}
		return n
	}
	waitFor(t, func() bool { return invoked("g4") > 0 })
	for _, b := range datas(fn.snapshot()) {
		if i := slices.Index(b, "after-bad"); i >= 0 && b[0] != "bad" {
			t.Fatalf("a batch %v has after-bad without bad before it: the key's order is broken", b)
		}
	}
	ms, _ := e.svc.EventSourceMappings()
	uuid := ms[0].Config.UUID
	cp, err := e.manager.loadCheckpoint(uuid, "shardId-000000000000")
	if err != nil || cp.Seq != "" {
		t.Fatalf("checkpoint %+v, %v: want none (the first record is not handled)", cp, err)
	}

	e.stop()
	healed.Store(true)
	before := invoked("g0")
	e.start()
	waitFor(t, func() bool { return invoked("after-bad") > 0 && invoked("g0") > before })
	last := ""
	for _, c := range fn.snapshot() {
		for _, r := range c.Records {
			last = max(last, r.Kinesis.SequenceNumber)
		}
	}
	waitFor(t, func() bool {
		cp, err := e.manager.loadCheckpoint(uuid, "shardId-000000000000")
		return err == nil && cp.Seq == last
	})
}

// TestLanesFilterAndCheckpoint: with lanes, records the filters drop are
// not invoked but count as handled: the checkpoint reaches the last record
// even when it was dropped.
func TestLanesFilterAndCheckpoint(t *testing.T) {
	e := setup(t, &fakeFunction{})
	var data []string
	for i := range 12 {
		if i%3 == 0 {
			data = append(data, `{"keep":true,"i":`+strconv.Itoa(i)+`}`)
		} else {
			data = append(data, `{"keep":false,"i":`+strconv.Itoa(i)+`}`)
		}
	}
	seqs := e.put(t, "src", data...)
	e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
		in.ParallelizationFactor = ptr(int32(3))
		in.BatchSize = ptr(int32(2))
		in.FilterCriteria = &lp.FilterCriteria{Filters: []lp.Filter{{Pattern: `{"data":{"keep":[true]}}`}}}
	})
	e.start()
	ms, _ := e.svc.EventSourceMappings()
	waitFor(t, func() bool {
		cp, err := e.manager.loadCheckpoint(ms[0].Config.UUID, "shardId-000000000000")
		return err == nil && cp.Seq == seqs[len(seqs)-1]
	})
	var got []string
	for _, b := range datas(e.fn.snapshot()) {
		got = append(got, b...)
	}
	slices.Sort(got)
	want := []string{data[0], data[3], data[6], data[9]}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("invoked with %v, want %v", got, want)
	}
}
