package admin

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/metrics"
	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage/mem"
)

func setup(t *testing.T) (*kinesis.Engine, *httptest.Server) {
	t.Helper()
	regions, srv := setupRegions(t)
	return regions.Default(), srv
}

func setupRegions(t *testing.T) (*kinesis.Regions, *httptest.Server) {
	t.Helper()
	reg := metrics.NewRegistry()
	cfg := kinesis.DefaultConfig()
	cfg.Metrics = reg
	regions, err := kinesis.OpenRegions(cfg, mem.NewLogs(), mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(regions, reg))
	t.Cleanup(func() { srv.Close(); regions.Close() })
	return regions, srv
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	eng, srv := setup(t)
	ctx := context.Background()
	if _, err := eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(2))}); err != nil {
		t.Fatal(err)
	}
	if code, body := do(t, "GET", srv.URL+"/health", ""); code != 200 || body != "ok\n" {
		t.Fatalf("health: %d %q", code, body)
	}
	if code, body := do(t, "GET", srv.URL+"/ready", ""); code != 200 || body != "ready\n" {
		t.Fatalf("ready: %d %q", code, body)
	}
	code, body := do(t, "GET", srv.URL+"/metrics", "")
	if code != 200 || !strings.Contains(body, "\neddy_open_shards{region=\"us-east-1\"} 2\n") {
		t.Fatalf("metrics: %d\n%s", code, body)
	}
	eng.Close()
	if code, body := do(t, "GET", srv.URL+"/ready", ""); code != 503 || !strings.Contains(body, "closed") {
		t.Fatalf("ready after close: %d %q", code, body)
	}
	if code, _ := do(t, "GET", srv.URL+"/health", ""); code != 200 {
		t.Fatalf("health after close: %d", code)
	}
}

func TestFaultsAPI(t *testing.T) {
	eng, srv := setup(t)
	ctx := context.Background()
	eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(1))})
	code, body := do(t, "PUT", srv.URL+"/faults", `{"rules":[{"stream":"s","operation":"PutRecord","throttleRate":1,"latency":"1ms","seed":3}]}`)
	if code != 200 {
		t.Fatalf("PUT /faults: %d %s", code, body)
	}
	var doc struct{ Rules []kinesis.FaultRule }
	json.Unmarshal([]byte(body), &doc)
	if len(doc.Rules) != 1 || doc.Rules[0].ThrottleRate != 1 || doc.Rules[0].Seed != 3 {
		t.Fatalf("rules echoed: %s", body)
	}
	_, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
	if err == nil || !strings.Contains(err.Error(), "ProvisionedThroughputExceededException") {
		t.Fatalf("PutRecord under a throttle rule: %v", err)
	}
	if code, body := do(t, "GET", srv.URL+"/faults", ""); code != 200 || !strings.Contains(body, `"latency":"1ms"`) {
		t.Fatalf("GET /faults: %d %s", code, body)
	}
	// Bad rules are refused and change nothing.
	for _, bad := range []string{`{"rules":[{"throttleRate":2}]}`, `{"rules":[{"operation":"Nope"}]}`, `{"rulez":[]}`, `{`, `{"rules":[{"latency":"soon"}]}`} {
		code, body := do(t, "PUT", srv.URL+"/faults", bad)
		if code != 400 || !strings.Contains(body, `"__type":"InvalidArgumentException"`) {
			t.Fatalf("PUT %s: %d %s", bad, code, body)
		}
	}
	if len(eng.Faults()) != 1 {
		t.Fatal("a refused PUT changed the rules")
	}
	if code, body := do(t, "DELETE", srv.URL+"/faults", ""); code != 200 || !strings.Contains(body, `"rules":[]`) {
		t.Fatalf("DELETE /faults: %d %s", code, body)
	}
	if _, err := eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
}

func TestPurgeAPI(t *testing.T) {
	eng, srv := setup(t)
	ctx := context.Background()
	eng.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(1))})
	eng.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")})
	if code, body := do(t, "POST", srv.URL+"/streams/s/purge", ""); code != 200 {
		t.Fatalf("purge: %d %s", code, body)
	}
	it, err := eng.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr("shardId-000000000000"),
		ShardIteratorType: ptr(kds.ShardIteratorType("TRIM_HORIZON"))})
	if err != nil {
		t.Fatal(err)
	}
	out, err := eng.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it.ShardIterator})
	if err != nil || len(out.Records) != 0 {
		t.Fatalf("after purge: %v, %d records", err, len(out.Records))
	}
	if code, body := do(t, "POST", srv.URL+"/streams/nope/purge", ""); code != 404 || !strings.Contains(body, "ResourceNotFoundException") {
		t.Fatalf("purge of a missing stream: %d %s", code, body)
	}
	if code, body := do(t, "GET", srv.URL+"/streams/s/purge", ""); code != 405 || !strings.Contains(body, "MethodNotAllowed") {
		t.Fatalf("GET purge: %d %s", code, body)
	}
	if code, body := do(t, "GET", srv.URL+"/nothing", ""); code != 404 || !strings.Contains(body, `"__type":"NotFound"`) {
		t.Fatalf("unknown path: %d %s", code, body)
	}
}

func ptr[T any](v T) *T { return &v }

// TestRegionParameter: faults and purge act on the region ?region= names,
// the default region without it.
func TestRegionParameter(t *testing.T) {
	regions, srv := setupRegions(t)
	ctx := context.Background()
	us := regions.Default()
	us.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(1))})
	// GET and DELETE of a region not used yet make nothing.
	if code, body := do(t, "GET", srv.URL+"/faults?region=eu-central-1", ""); code != 200 || body != `{"region":"eu-central-1","rules":[]}`+"\n" {
		t.Fatalf("GET /faults of an unused region: %d %s", code, body)
	}
	if code, _ := do(t, "DELETE", srv.URL+"/faults?region=eu-central-1", ""); code != 200 || regions.Lookup("eu-central-1") != nil {
		t.Fatalf("DELETE /faults: %d; region opened: %v", code, regions.Lookup("eu-central-1") != nil)
	}
	code, body := do(t, "PUT", srv.URL+"/faults?region=eu-central-1", `{"rules":[{"stream":"s","throttleRate":1}]}`)
	if code != 200 || !strings.Contains(body, `"region":"eu-central-1"`) {
		t.Fatalf("PUT /faults: %d %s", code, body)
	}
	eu := regions.Lookup("eu-central-1")
	if eu == nil || len(eu.Faults()) != 1 || len(us.Faults()) != 0 {
		t.Fatalf("rules went to the wrong region")
	}
	if code, body := do(t, "GET", srv.URL+"/faults", ""); code != 200 || body != `{"region":"us-east-1","rules":[]}`+"\n" {
		t.Fatalf("GET /faults of the default region: %d %s", code, body)
	}

	// Purge: a stream of the same name in each region; only the named
	// region's is purged.
	eu.CreateStream(ctx, &kds.CreateStreamInput{StreamName: ptr("s"), ShardCount: ptr(int32(1))})
	eu.SetFaults(nil)
	for _, e := range []*kinesis.Engine{us, eu} {
		if _, err := e.PutRecord(ctx, &kds.PutRecordInput{StreamName: ptr("s"), PartitionKey: ptr("k"), Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if code, body := do(t, "POST", srv.URL+"/streams/s/purge?region=eu-central-1", ""); code != 200 || !strings.Contains(body, `"region":"eu-central-1"`) {
		t.Fatalf("purge: %d %s", code, body)
	}
	for e, want := range map[*kinesis.Engine]int{us: 1, eu: 0} {
		it, err := e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr("shardId-000000000000"),
			ShardIteratorType: ptr(kds.ShardIteratorType("TRIM_HORIZON"))})
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it.ShardIterator})
		if err != nil || len(out.Records) != want {
			t.Errorf("%s after purge: %v, %d records, want %d", e.Region(), err, len(out.Records), want)
		}
	}
	if code, body := do(t, "POST", srv.URL+"/streams/s/purge?region=ap-south-1", ""); code != 404 || !strings.Contains(body, "ResourceNotFoundException") {
		t.Fatalf("purge in a region without the stream: %d %s", code, body)
	}

	// Invalid names are refused, and open nothing.
	for _, req := range [][2]string{{"GET", "/faults?region=EU"}, {"PUT", "/faults?region=eu_west_1"}, {"POST", "/streams/s/purge?region=-x"}} {
		body := ""
		if req[0] == "PUT" {
			body = `{"rules":[]}`
		}
		if code, out := do(t, req[0], srv.URL+req[1], body); code != 400 || !strings.Contains(out, "InvalidArgumentException") {
			t.Errorf("%s %s: %d %s", req[0], req[1], code, out)
		}
	}
	// A refused rule opens no region.
	if code, _ := do(t, "PUT", srv.URL+"/faults?region=sa-east-1", `{"rules":[{"throttleRate":2}]}`); code != 400 || regions.Lookup("sa-east-1") != nil {
		t.Errorf("refused PUT: %d; region opened: %v", code, regions.Lookup("sa-east-1") != nil)
	}
	if got := strings.Join(regions.List(), " "); got != "ap-south-1 eu-central-1 us-east-1" {
		t.Errorf("regions %s", got)
	}
}
