package kinesis

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

// openRegions opens Regions over logs and meta with the default region
// given, closing it when the test ends.
func openRegions(t *testing.T, clock *FakeClock, logs storage.Logs, meta storage.MetaStore, mut func(*Config)) *Regions {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Clock = clock
	if mut != nil {
		mut(&cfg)
	}
	r, err := OpenRegions(cfg, logs, meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func getRegion(t *testing.T, r *Regions, region string) *Engine {
	t.Helper()
	e, err := r.Get(region)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// streamNames lists a region's streams through ListStreams.
func streamNames(t *testing.T, e *Engine) []string {
	t.Helper()
	out, err := e.ListStreams(context.Background(), &kds.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.StreamNames
}

// readShard reads shard 0 of a stream from its start.
func readShard(t *testing.T, e *Engine, stream string) []string {
	t.Helper()
	it, err := e.getShardIterator(context.Background(), stream, shardID(0), IterTrimHorizon, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := readAll(t, e, it)
	return got
}

// regionRecords returns the kinesis/regions table.
func regionRecords(t *testing.T, meta storage.MetaStore) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableRegions, "", "", func(k string, v []byte) (bool, error) {
			got[k] = string(v)
			return true, nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestRegionsAreNamespaces: the same stream name in two regions names two
// streams, with their own records, ARNs, listings, limits and iterators.
func TestRegionsAreNamespaces(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	r := openRegions(t, clock, mem.NewLogs(), mem.NewMeta(), func(c *Config) { c.ShardLimit = 3 })
	us, eu := r.Default(), getRegion(t, r, "eu-central-1")
	if us.Region() != "us-east-1" || eu.Region() != "eu-central-1" || getRegion(t, r, "eu-central-1") != eu {
		t.Fatalf("regions %s, %s", us.Region(), eu.Region())
	}
	if err := us.createStream("s", 2, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	if err := eu.createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatalf("the same name in another region: %v", err)
	}
	if err := eu.createStream("eu-only", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	put(t, us, "s", "us-1", "us-2")
	put(t, eu, "s", "eu-1")
	if got := readShard(t, eu, "s"); fmt.Sprint(got) != "[data-eu-1]" {
		t.Errorf("eu-central-1's s holds %v", got)
	}
	var usRecs []string
	for i := range 2 {
		it, _ := us.getShardIterator(context.Background(), "s", shardID(i), IterTrimHorizon, nil, nil)
		got, _ := readAll(t, us, it)
		usRecs = append(usRecs, got...)
	}
	if slices.Sort(usRecs); fmt.Sprint(usRecs) != "[data-us-1 data-us-2]" {
		t.Errorf("us-east-1's s holds %v", usRecs)
	}

	ctx := context.Background()
	for _, e := range []*Engine{us, eu} {
		sum, err := e.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("s")})
		if err != nil {
			t.Fatal(err)
		}
		if want := "arn:aws:kinesis:" + e.Region() + ":000000000000:stream/s"; sum.StreamDescriptionSummary.StreamARN != want {
			t.Errorf("ARN %s, want %s", sum.StreamDescriptionSummary.StreamARN, want)
		}
	}
	if got := streamNames(t, us); !slices.Equal(got, []string{"s"}) {
		t.Errorf("us-east-1 lists %v", got)
	}
	if got := streamNames(t, eu); !slices.Equal(got, []string{"eu-only", "s"}) {
		t.Errorf("eu-central-1 lists %v", got)
	}
	for _, c := range []struct {
		e    *Engine
		open int32
	}{{us, 2}, {eu, 2}} {
		lim, err := c.e.DescribeLimits(ctx, &kds.DescribeLimitsInput{})
		if err != nil || lim.OpenShardCount != c.open || lim.ShardLimit != 3 {
			t.Errorf("%s DescribeLimits: %+v, %v; want %d open of 3", c.e.Region(), lim, err, c.open)
		}
	}
	// The shard limit is per region: each has 2 of its 3.
	err := us.createStream("two-more", 2, ModeProvisioned, nil)
	wantCode(t, err, eddy.CodeLimitExceeded)
	if !strings.Contains(err.Error(), "for the account 000000000000 in us-east-1.") {
		t.Errorf("limit message: %v", err)
	}
	if err := eu.createStream("one-more", 1, ModeProvisioned, nil); err != nil {
		t.Errorf("eu-central-1's own limit: %v", err)
	}

	// A region's iterator means nothing in another.
	it, err := us.getShardIterator(ctx, "s", shardID(0), IterTrimHorizon, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = eu.getRecords(ctx, it, 10, nil)
	wantCode(t, err, eddy.CodeInvalidArgument)
}

// TestRegionsForeignARN: an ARN of another region (or account) names a
// stream the region does not have, even where the region has a stream of
// that name.
func TestRegionsForeignARN(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	r := openRegions(t, clock, mem.NewLogs(), mem.NewMeta(), nil)
	us, eu := r.Default(), getRegion(t, r, "eu-central-1")
	for _, e := range []*Engine{us, eu} {
		if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	usARN := "arn:aws:kinesis:us-east-1:000000000000:stream/s"
	if _, err := us.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamARN: &usARN}); err != nil {
		t.Fatalf("own region's ARN: %v", err)
	}
	for _, arn := range []string{usARN, "arn:aws:kinesis:eu-central-1:111111111111:stream/s"} {
		_, err := eu.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamARN: &arn})
		wantCode(t, err, eddy.CodeResourceNotFound)
		if want := "Stream s under account 000000000000 not found."; err.(*eddy.Error).Message != want {
			t.Errorf("message %q, want %q", err.(*eddy.Error).Message, want)
		}
		_, err = eu.PutRecord(ctx, &kds.PutRecordInput{StreamARN: &arn, PartitionKey: ptr("k"), Data: []byte("x")})
		wantCode(t, err, eddy.CodeResourceNotFound)
	}
	// A consumer ARN of another region.
	reg, err := us.RegisterStreamConsumer(ctx, &kds.RegisterStreamConsumerInput{StreamARN: &usARN, ConsumerName: ptr("c")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = eu.DescribeStreamConsumer(ctx, &kds.DescribeStreamConsumerInput{ConsumerARN: &reg.Consumer.ConsumerARN})
	wantCode(t, err, eddy.CodeResourceNotFound)
}

// TestRegionsMetrics: the regions share one registry; every series names
// its region.
func TestRegionsMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	clock := NewFakeClock(time.Unix(1700000000, 0))
	r := openRegions(t, clock, mem.NewLogs(), mem.NewMeta(), func(c *Config) { c.Metrics = reg })
	us, eu := r.Default(), getRegion(t, r, "eu-central-1")
	us.createStream("s", 1, ModeProvisioned, nil)
	eu.createStream("s", 2, ModeProvisioned, nil)
	put(t, us, "s", "a")
	put(t, eu, "s", "a", "b", "c")
	for _, e := range []*Engine{us, eu} {
		if _, err := e.EnableEnhancedMonitoring(context.Background(), &kds.EnableEnhancedMonitoringInput{
			StreamName: ptr("s"), ShardLevelMetrics: []kds.MetricsName{"IncomingRecords"}}); err != nil {
			t.Fatal(err)
		}
	}
	wantLines(t, scrape(t, reg),
		`kinesis_incoming_records_total{region="us-east-1",stream="s"} 1`,
		`kinesis_incoming_records_total{region="eu-central-1",stream="s"} 3`,
		`eddy_streams{region="us-east-1"} 1`,
		`eddy_streams{region="eu-central-1"} 1`,
		`eddy_open_shards{region="us-east-1"} 1`,
		`eddy_open_shards{region="eu-central-1"} 2`,
		`kinesis_shard_incoming_records_total{region="us-east-1",shard="shardId-000000000000",stream="s"} 1`,
	)
}

// TestRegionsRetention: each region's engine runs its own background work.
func TestRegionsRetention(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	r := openRegions(t, clock, mem.NewLogs(), mem.NewMeta(), nil)
	eu := getRegion(t, r, "eu-central-1")
	eu.createStream("s", 1, ModeProvisioned, nil)
	put(t, eu, "s", "old")
	if err := eu.splitShard("s", shardID(0), "1000"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(25 * time.Hour)
	if _, ok := eu.lookup("s").view.Load().shards[0]; ok {
		t.Fatal("eu-central-1's expired closed shard is still listed: its retention did not run")
	}
}

// TestRegionsInvalid: names that cannot be regions are refused; so is a
// new region after Close.
func TestRegionsInvalid(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	cfg := DefaultConfig()
	cfg.Clock = clock
	cfg.Region = "US-EAST-1"
	if _, err := OpenRegions(cfg, mem.NewLogs(), mem.NewMeta()); err == nil {
		t.Error("OpenRegions accepted region US-EAST-1")
	}
	r := openRegions(t, clock, mem.NewLogs(), mem.NewMeta(), nil)
	for _, bad := range []string{"", "EU", "eu_west_1", "-eu", strings.Repeat("a", 65), "../x"} {
		if e, err := r.Get(bad); err == nil {
			t.Errorf("Get(%q) = %v", bad, e.Region())
		}
	}
	if r.Ready() != nil {
		t.Error("not ready")
	}
	r.Close()
	if _, err := r.Get("eu-west-3"); err != ErrRegionsClosed {
		t.Errorf("Get after Close: %v", err)
	}
	if r.Ready() == nil {
		t.Error("ready after Close")
	}
}

// durableStore opens the segment log and bbolt metadata in dir, as eddy
// serve lays them out.
func durableStore(t *testing.T, dir string) (storage.Logs, storage.MetaStore, func()) {
	t.Helper()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	return logs, meta, func() {
		if err := logs.Close(); err != nil {
			t.Error(err)
		}
		if err := meta.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestRegionsRestart: a restart brings back every region that was used,
// whatever the default region is then.
func TestRegionsRestart(t *testing.T) {
	dir := t.TempDir()
	clock := NewFakeClock(time.Unix(1700000000, 0))
	logs, meta, closeStore := durableStore(t, dir)
	r := openRegions(t, clock, logs, meta, nil)
	for _, region := range []string{"us-east-1", "eu-central-1"} {
		e := getRegion(t, r, region)
		if err := e.createStream("s", 1, ModeProvisioned, nil); err != nil {
			t.Fatal(err)
		}
		put(t, e, "s", region)
	}
	r.Close()
	closeStore()

	logs, meta, closeStore = durableStore(t, dir)
	defer closeStore()
	r = openRegions(t, clock, logs, meta, func(c *Config) { c.Region = "ap-south-1" })
	defer r.Close()
	if got := r.List(); !slices.Equal(got, []string{"ap-south-1", "eu-central-1", "us-east-1"}) {
		t.Errorf("regions after restart: %v", got)
	}
	for _, region := range []string{"us-east-1", "eu-central-1"} {
		e := r.Lookup(region)
		if e == nil {
			t.Fatalf("region %s not opened at start-up", region)
		}
		if got := readShard(t, e, "s"); fmt.Sprint(got) != "[data-"+region+"]" {
			t.Errorf("%s's s holds %v", region, got)
		}
	}
	if got := streamNames(t, r.Default()); len(got) != 0 {
		t.Errorf("ap-south-1 lists %v", got)
	}
	ids, err := logs.List()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "kinesis/us-east-1/s:") && !strings.HasPrefix(id, "kinesis/eu-central-1/s:") {
			t.Errorf("log id %s outside the regions' namespaces", id)
		}
	}
}

// writeSingleRegionLayout writes what single-region Eddy stored for a
// stream "legacy" of one shard holding two records: its document in table
// "streams", the iterator secret in table "engine", and its shard log under
// "legacy:<created, base 36>/shardId-000000000000".
func writeSingleRegionLayout(t *testing.T, logs storage.Logs, meta storage.MetaStore, now time.Time) {
	t.Helper()
	created := now.Add(-time.Hour).UnixNano()
	doc := fmt.Sprintf(`{"name":"legacy","created":%d,"status":"ACTIVE","retentionHours":24,"mode":"PROVISIONED",`+
		`"shards":[{"index":0,"parent":-1,"adjacentParent":-1,"hashStart":"0","hashEnd":"340282366920938463463374607431768211455","created":%d}],`+
		`"encryption":"NONE","maxRecordKiB":1024}`, created, created)
	err := meta.Update(func(tx storage.MetaTx) error {
		if err := tx.Put("engine", "iterator-secret", []byte(strings.Repeat("k", 32))); err != nil {
			return err
		}
		return tx.Put("streams", "legacy", []byte(doc))
	})
	if err != nil {
		t.Fatal(err)
	}
	l, err := logs.Create("legacy:"+strconv.FormatInt(created, 36)+"/shardId-000000000000", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([]storage.Record{
		{PartitionKey: "a", Data: []byte("data-a"), Arrival: now.Add(-time.Minute)},
		{PartitionKey: "b", Data: []byte("data-b"), Arrival: now.Add(-time.Minute)},
	}); err != nil {
		t.Fatal(err)
	}
}

// TestRegionsSingleRegionData: a data directory of single-region Eddy
// comes back in the configured region, with its records and log ids, and
// stays there when --region changes; opening it again changes nothing.
func TestRegionsSingleRegionData(t *testing.T) {
	dir := t.TempDir()
	clock := NewFakeClock(time.Unix(1700000000, 0))
	logs, meta, closeStore := durableStore(t, dir)
	writeSingleRegionLayout(t, logs, meta, clock.Now())
	closeStore()

	check := func(defaultRegion string) {
		t.Helper()
		logs, meta, closeStore := durableStore(t, dir)
		defer closeStore()
		r := openRegions(t, clock, logs, meta, func(c *Config) { c.Region = defaultRegion })
		defer r.Close()
		eu := r.Lookup("eu-west-1")
		if eu == nil {
			t.Fatalf("--region %s: eu-west-1 not opened", defaultRegion)
		}
		if got := streamNames(t, eu); !slices.Equal(got, []string{"legacy"}) {
			t.Fatalf("--region %s: eu-west-1 lists %v", defaultRegion, got)
		}
		if got := readShard(t, eu, "legacy"); fmt.Sprint(got) != "[data-a data-b]" {
			t.Errorf("--region %s: legacy holds %v", defaultRegion, got)
		}
		sum, err := eu.DescribeStreamSummary(context.Background(), &kds.DescribeStreamSummaryInput{StreamName: ptr("legacy")})
		if err != nil || sum.StreamDescriptionSummary.StreamARN != "arn:aws:kinesis:eu-west-1:000000000000:stream/legacy" {
			t.Errorf("--region %s: %+v, %v", defaultRegion, sum, err)
		}
		for _, region := range []string{"us-east-1", "ap-south-1"} {
			if got := streamNames(t, getRegion(t, r, region)); len(got) != 0 {
				t.Errorf("--region %s: %s lists %v", defaultRegion, region, got)
			}
		}
	}
	check("eu-west-1") // the first start-up with regions: assigns it
	want := map[string]string{"eu-west-1": `{"namespace":""}`, "us-east-1": `{"namespace":"kinesis/us-east-1/"}`,
		"ap-south-1": `{"namespace":"kinesis/ap-south-1/"}`}
	logs, meta, closeStore = durableStore(t, dir)
	if got := regionRecords(t, meta); !mapsEqual(got, want) {
		t.Errorf("regions table %v, want %v", got, want)
	}
	closeStore()
	check("us-east-1") // another --region later: it stays in eu-west-1
	check("eu-west-1")
	logs, meta, closeStore = durableStore(t, dir)
	defer closeStore()
	if got := regionRecords(t, meta); !mapsEqual(got, want) {
		t.Errorf("regions table after more start-ups: %v, want %v", got, want)
	}
	ids, err := logs.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "legacy:") {
		t.Errorf("log ids %v: the old log was moved or copied", ids)
	}
}

// TestRegionsSingleRegionDataOtherRegion: single-region data first opened
// with --region us-east-1 is us-east-1's; eu-west-1 does not see it.
func TestRegionsSingleRegionDataOtherRegion(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	logs, meta := mem.NewLogs(), mem.NewMeta()
	writeSingleRegionLayout(t, logs, meta, clock.Now())
	r := openRegions(t, clock, logs, meta, nil)
	if got := streamNames(t, r.Default()); !slices.Equal(got, []string{"legacy"}) {
		t.Errorf("us-east-1 lists %v", got)
	}
	if got := streamNames(t, getRegion(t, r, "eu-west-1")); len(got) != 0 {
		t.Errorf("eu-west-1 lists %v", got)
	}
	// New streams of the region that holds the old data keep its layout.
	if err := r.Default().createStream("new", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := logs.List()
	if n := len(slices.DeleteFunc(ids, func(id string) bool { return !strings.HasPrefix(id, "new:") })); n != 1 {
		t.Errorf("log ids %v: want new:... beside legacy:...", ids)
	}
}

// TestRegionsFreshStore: with nothing stored, every region, the default one
// too, has its own namespace.
func TestRegionsFreshStore(t *testing.T) {
	clock := NewFakeClock(time.Unix(1700000000, 0))
	logs, meta := mem.NewLogs(), mem.NewMeta()
	r := openRegions(t, clock, logs, meta, nil)
	if err := r.Default().createStream("s", 1, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"us-east-1": `{"namespace":"kinesis/us-east-1/"}`}
	if got := regionRecords(t, meta); !mapsEqual(got, want) {
		t.Errorf("regions table %v, want %v", got, want)
	}
	ids, _ := logs.List()
	if len(ids) != 1 || !strings.HasPrefix(ids[0], "kinesis/us-east-1/s:") {
		t.Errorf("log ids %v", ids)
	}
	// Nothing left in the single-region tables.
	if legacy := hasLegacy(t, meta); legacy {
		t.Error("a fresh store wrote the single-region tables")
	}
}

func hasLegacy(t *testing.T, meta storage.MetaStore) bool {
	var found bool
	if err := meta.View(func(tx storage.MetaTx) error {
		var err error
		found, err = hasLegacyData(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return found
}

func mapsEqual(a, b map[string]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestRegionsAccounts: another account's region is a namespace of its own,
// with its own streams and ARNs, and is opened again at start-up.
func TestRegionsAccounts(t *testing.T) {
	meta := mem.NewMeta()
	logs := mem.NewLogs()
	clock := NewFakeClock(time.Unix(1_700_000_000, 0))
	r := openRegions(t, clock, logs, meta, nil)
	ctx := context.Background()
	other, err := r.GetAccount("222222222222", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.GetAccount("22", "us-east-1"); err == nil {
		t.Error("GetAccount of a malformed account id succeeded")
	}
	if same, _ := r.GetAccount(DefaultConfig().AccountID, "us-east-1"); same != r.Default() {
		t.Error("the default account's GetAccount is not Get")
	}
	for _, e := range []*Engine{other, r.Default()} {
		if _, err := e.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(1))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("only-222"), ShardCount: ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	if got := streamNames(t, r.Default()); !slices.Equal(got, []string{"s"}) {
		t.Errorf("default account's streams: %v", got)
	}
	clock.Advance(time.Second)
	sum, err := other.DescribeStreamSummary(ctx, &kds.DescribeStreamSummaryInput{StreamName: ptr("s")})
	if err != nil || sum.StreamDescriptionSummary.StreamARN != "arn:aws:kinesis:us-east-1:222222222222:stream/s" {
		t.Errorf("the other account's stream: %v, %v", sum, err)
	}
	if got := r.List(); !slices.Equal(got, []string{"222222222222/us-east-1", "us-east-1"}) {
		t.Errorf("List: %v", got)
	}
	r.Close()
	r2 := openRegions(t, clock, logs, meta, nil)
	again := r2.Lookup("222222222222/us-east-1")
	if again == nil {
		t.Fatalf("the other account's region was not opened again: %v", r2.List())
	}
	if got := streamNames(t, again); !slices.Equal(got, []string{"only-222", "s"}) {
		t.Errorf("the other account's streams after reopening: %v", got)
	}
}
