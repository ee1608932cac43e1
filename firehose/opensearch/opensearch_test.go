package opensearch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/firehose/types"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose/delivery"
)

type memObjects struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (m *memObjects) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[bucket+"/"+key] = bytes.Clone(body)
	return nil
}

func (m *memObjects) get(k string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[k]
	return b, ok
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var arrival = time.Date(2016, 2, 25, 13, 0, 0, 0, time.UTC)

func buffer(recs ...string) *delivery.Buffer {
	b := &delivery.Buffer{}
	for i, r := range recs {
		b.Records = append(b.Records, delivery.Record{Pos: uint64(i), ID: "rec" + string(rune('A'+i)), Data: []byte(r), Arrival: arrival})
		b.Bytes += len(r)
	}
	return b
}

func newDest(t *testing.T, endpoint string, objs *memObjects, edit func(*Config)) *Destination {
	t.Helper()
	cfg := Config{
		ClusterEndpoint: endpoint, IndexName: "myindex", Objects: objs, Bucket: "bkt",
		ErrorKey: func(outputType string, now time.Time) (string, error) {
			return outputType + "/" + now.Format("2006/01/02/15/") + "e", nil
		},
		RetryEvery: time.Millisecond, Clock: &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)},
	}
	if edit != nil {
		edit(&cfg)
	}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func deliver(t *testing.T, d *Destination, b *delivery.Buffer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := d.Deliver(ctx, b); err != nil {
		t.Fatal(err)
	}
}

func TestIndexFor(t *testing.T) {
	// The Firehose developer guide's table, for myindex at 2016-02-25T13:00:00Z.
	for _, tc := range []struct {
		period string
		at     time.Time
		want   string
	}{
		{"NoRotation", arrival, "myindex"},
		{"OneHour", arrival, "myindex-2016-02-25-13"},
		{"OneDay", arrival, "myindex-2016-02-25"},
		{"OneWeek", arrival, "myindex-2016-w08"},
		{"OneMonth", arrival, "myindex-2016-02"},
		{"OneHour", time.Date(2016, 2, 25, 14, 30, 0, 0, time.FixedZone("x", 3600)), "myindex-2016-02-25-13"}, // UTC
		{"OneWeek", time.Date(2016, 1, 2, 0, 0, 0, 0, time.UTC), "myindex-2016-w00"},                          // Saturday before the first Sunday
		{"OneWeek", time.Date(2016, 1, 3, 0, 0, 0, 0, time.UTC), "myindex-2016-w01"},                          // the first Sunday
		{"OneWeek", time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), "myindex-2017-w01"},                          // the year starts on a Sunday
		{"OneWeek", time.Date(2016, 12, 31, 0, 0, 0, 0, time.UTC), "myindex-2016-w52"},
	} {
		if got := IndexFor("myindex", tc.period, tc.at); got != tc.want {
			t.Errorf("%s at %s: %s, want %s", tc.period, tc.at, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name string
		edit func(*Config)
		err  string
	}{
		{"ok", func(*Config) {}, ""},
		{"domain mapped", func(c *Config) {
			c.ClusterEndpoint, c.DomainARN = "", "arn:aws:es:us-east-1:000000000000:domain/d"
			c.Domains = map[string]string{c.DomainARN: "http://127.0.0.1:9200"}
		}, ""},
		{"domain unknown", func(c *Config) { c.ClusterEndpoint, c.DomainARN = "", "arn:aws:es:us-east-1:000000000000:domain/d" }, "Eddy runs no OpenSearch domains"},
		{"both", func(c *Config) { c.DomainARN = "arn:aws:es:us-east-1:000000000000:domain/d" }, "not both"},
		{"neither", func(c *Config) { c.ClusterEndpoint = "" }, "either ClusterEndpoint or DomainARN"},
		{"bad endpoint", func(c *Config) { c.ClusterEndpoint = "ftp://x" }, "http:// or https://"},
		{"no index", func(c *Config) { c.IndexName = "" }, "IndexName is required"},
		{"bad rotation", func(c *Config) { c.IndexRotationPeriod = "OneYear" }, "IndexRotationPeriod must be"},
		{"bad id format", func(c *Config) { c.DocumentIdOptions = &DocumentIdOptions{"UUID"} }, "FIREHOSE_DEFAULT or NO_DOCUMENT_ID"},
		{"retry 7200", func(c *Config) { c.RetryOptions.DurationInSeconds = n(7200) }, ""},
		{"retry 7201", func(c *Config) { c.RetryOptions.DurationInSeconds = n(7201) }, "between 0 and 7200"},
		{"retry -1", func(c *Config) { c.RetryOptions.DurationInSeconds = n(-1) }, "between 0 and 7200"},
		{"bad backup mode", func(c *Config) { c.S3BackupMode = "Enabled" }, "FailedDocumentsOnly or AllDocuments"},
		{"all documents without backup", func(c *Config) { c.S3BackupMode = "AllDocuments" }, "needs the S3Configuration's destination"},
		{"no bucket", func(c *Config) { c.Bucket = "" }, "S3Configuration"},
	} {
		c := Config{ClusterEndpoint: "https://search.example:443/", IndexName: "i", Objects: &memObjects{}, Bucket: "b",
			ErrorKey: func(string, time.Time) (string, error) { return "", nil }}
		tc.edit(&c)
		_, err := New(c)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, &eddy.Error{Code: eddy.CodeInvalidArgument}) {
			t.Errorf("%s: %v, want an InvalidArgumentException with %q", tc.name, err, tc.err)
		}
	}
}

// TestFieldNamesMatchFirehose keeps Config's Firehose fields named as both
// Firehose destination configurations name them.
func TestFieldNamesMatchFirehose(t *testing.T) {
	ours := []string{"ClusterEndpoint", "DomainARN", "IndexName", "TypeName", "IndexRotationPeriod", "DocumentIdOptions", "RetryOptions", "S3BackupMode"}
	for _, theirs := range []reflect.Type{reflect.TypeFor[types.AmazonopensearchserviceDestinationConfiguration](), reflect.TypeFor[types.ElasticsearchDestinationConfiguration]()} {
		for _, name := range ours {
			if _, ok := reflect.TypeFor[Config]().FieldByName(name); !ok {
				t.Errorf("Config has no field %s", name)
			}
			if _, ok := theirs.FieldByName(name); !ok {
				t.Errorf("Config.%s is not a field of %s", name, theirs)
			}
		}
	}
	if _, ok := reflect.TypeFor[types.DocumentIdOptions]().FieldByName("DefaultDocumentIdFormat"); !ok {
		t.Error("DocumentIdOptions.DefaultDocumentIdFormat is not Firehose's")
	}
	for _, v := range []string{FirehoseDefault, NoDocumentID} {
		found := false
		for _, f := range types.DefaultDocumentIdFormat("").Values() {
			found = found || string(f) == v
		}
		if !found {
			t.Errorf("%s is not a DefaultDocumentIdFormat", v)
		}
	}
	for _, v := range []string{"NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth"} {
		if _, err := suffixFormat(v); err != nil {
			t.Error(err)
		}
		found := false
		for _, f := range types.AmazonopensearchserviceIndexRotationPeriod("").Values() {
			found = found || string(f) == v
		}
		if !found {
			t.Errorf("%s is not an IndexRotationPeriod", v)
		}
	}
}

func TestBulkIndexActions(t *testing.T) {
	f := startFakeBulk(t)
	d := newDest(t, f.URL, &memObjects{}, func(c *Config) { c.TypeName = "_doc"; c.IndexRotationPeriod = "OneHour" })
	b := buffer(`{"a": 1,`+"\n"+` "b": "x"}`+"\n", `{"c":[1,2]}`)
	b.Records = append(b.Records, delivery.Record{Pos: 1, ID: "recB", Data: []byte(`{"split":2}`), Arrival: arrival})
	deliver(t, d, b)
	docs, _, reqs := f.snapshot()
	if len(reqs) != 1 || len(reqs[0]) != 3 {
		t.Fatalf("requests %+v", reqs)
	}
	want := []bulkLine{
		{"myindex-2016-02-25-13", "_doc", "recA.0", `{"a":1,"b":"x"}`},
		{"myindex-2016-02-25-13", "_doc", "recB.0", `{"c":[1,2]}`},
		{"myindex-2016-02-25-13", "_doc", "recB.1", `{"split":2}`},
	}
	if !reflect.DeepEqual(reqs[0], want) {
		t.Fatalf("actions\n%+v\nwant\n%+v", reqs[0], want)
	}
	if len(docs["myindex-2016-02-25-13"]) != 3 {
		t.Fatalf("indexed %v", docs)
	}
	// Delivered again (a retry after a restart), the same ids: no duplicates.
	deliver(t, d, b)
	if docs, _, _ := f.snapshot(); len(docs["myindex-2016-02-25-13"]) != 3 {
		t.Fatalf("indexed twice: %v", docs)
	}
}

func TestNoDocumentID(t *testing.T) {
	f := startFakeBulk(t)
	d := newDest(t, f.URL, &memObjects{}, func(c *Config) { c.DocumentIdOptions = &DocumentIdOptions{NoDocumentID} })
	deliver(t, d, buffer(`{"a":1}`, `{"a":2}`))
	docs, noID, reqs := f.snapshot()
	if len(docs) != 0 || len(noID["myindex-2016-02-25"]) != 2 || reqs[0][0].ID != "" || reqs[0][0].Type != "" {
		t.Fatalf("docs %v, without id %v, requests %+v", docs, noID, reqs)
	}
}

// TestItemFailuresRetried: documents the cluster refuses are sent again,
// alone, until it takes them.
func TestItemFailuresRetried(t *testing.T) {
	f := startFakeBulk(t)
	tries := map[string]int{}
	f.fail = func(index, id string, src []byte) (int, string) {
		tries[id]++
		if id == "recB.0" && tries[id] <= 2 {
			return http.StatusTooManyRequests, "es_rejected_execution_exception"
		}
		return 0, ""
	}
	objs := &memObjects{}
	d := newDest(t, f.URL, objs, nil)
	deliver(t, d, buffer(`{"a":1}`, `{"b":2}`, `{"c":3}`))
	docs, _, reqs := f.snapshot()
	if len(docs["myindex-2016-02-25"]) != 3 || len(reqs) != 3 || len(reqs[1]) != 1 || len(reqs[2]) != 1 || reqs[2][0].ID != "recB.0" {
		t.Fatalf("docs %v, requests %+v", docs, reqs)
	}
	if len(objs.objects) != 0 {
		t.Fatalf("error output written: %v", objs.objects)
	}
}

// TestFailedDocumentsAfterRetryDuration: documents refused for the whole
// retry duration go to the error output, in Firehose's shape.
func TestFailedDocumentsAfterRetryDuration(t *testing.T) {
	f := startFakeBulk(t)
	f.fail = func(index, id string, src []byte) (int, string) {
		if id == "recB.0" {
			return http.StatusBadRequest, "mapper_parsing_exception"
		}
		return 0, ""
	}
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	objs := &memObjects{}
	retry := int32(60)
	var attempts int
	d := newDest(t, f.URL, objs, func(c *Config) {
		c.Clock = clock
		c.TypeName = "t"
		c.RetryOptions.DurationInSeconds = &retry
		c.Attempted = func(int, error) { attempts++; clock.Advance(25 * time.Second) }
	})
	b := buffer(`{"a":1}`, `{"b":"bad"}`, "not json\n")
	deliver(t, d, b)
	if attempts != 3 { // at 0, 25 and 50 s; the third ends at 75 s, past 60
		t.Fatalf("%d attempts, want 3", attempts)
	}
	body, ok := objs.get("bkt/AmazonOpenSearchService-failed/2026/12/04/10/e")
	if !ok {
		t.Fatalf("no error output: %v", objs.objects)
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("error output %s", body)
	}
	var got []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		got = append(got, m)
	}
	fields := []string{"attemptsMade", "arrivalTimestamp", "errorCode", "errorMessage", "attemptEndingTimestamp", "esDocumentId", "esIndexName", "esTypeName", "rawData"}
	for _, m := range got {
		if len(m) != len(fields) {
			t.Errorf("fields %v, want %v", m, fields)
		}
		for _, k := range fields {
			if _, ok := m[k]; !ok {
				t.Errorf("no %s in %v", k, m)
			}
		}
	}
	byID := map[string]map[string]any{}
	for _, m := range got {
		byID[m["esDocumentId"].(string)] = m
	}
	bad, notJSON := byID["recB.0"], byID["recC.0"]
	raw, _ := base64.StdEncoding.DecodeString(bad["rawData"].(string))
	if bad["errorCode"] != "400" || !strings.Contains(bad["errorMessage"].(string), "mapper_parsing_exception") ||
		bad["attemptsMade"] != 3.0 || string(raw) != `{"b":"bad"}` || bad["esIndexName"] != "myindex-2016-02-25" || bad["esTypeName"] != "t" ||
		bad["arrivalTimestamp"] != float64(arrival.UnixMilli()) || bad["attemptEndingTimestamp"] != float64(clock.Now().UnixMilli()) {
		t.Errorf("failed document %v", bad)
	}
	// "not json" is one line: the cluster refuses it (400), like any.
	if notJSON == nil || notJSON["errorCode"] != "400" {
		t.Errorf("not-JSON document %v", notJSON)
	}
	if docs, _, _ := f.snapshot(); len(docs["myindex-2016-02-25"]) != 1 {
		t.Errorf("indexed %v", docs)
	}
}

// TestRequestFailures: a failing cluster (HTTP 503) is retried; one that
// cannot be reached, with a retry duration of 0, is tried once and its
// documents go to the error output with ConnectionFailed.
func TestRequestFailures(t *testing.T) {
	f := startFakeBulk(t)
	f.failRequest = func(n int) int {
		if n < 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	}
	d := newDest(t, f.URL, &memObjects{}, nil)
	deliver(t, d, buffer(`{"a":1}`))
	if docs, _, reqs := f.snapshot(); len(docs["myindex-2016-02-25"]) != 1 || len(reqs) != 3 {
		t.Fatalf("docs %v after %d requests", docs, len(reqs))
	}

	down := startFakeBulk(t)
	url := down.URL
	down.Close()
	objs := &memObjects{}
	zero := int32(0)
	var attempts int
	d = newDest(t, url, objs, func(c *Config) {
		c.RetryOptions.DurationInSeconds = &zero
		c.ErrorOutputType = "elasticsearch-failed"
		c.Attempted = func(n int, err error) {
			attempts++
			if err == nil || n != 2 {
				t.Errorf("attempt: %d failed, %v", n, err)
			}
		}
	})
	deliver(t, d, buffer(`{"a":1}`, `{"a":2}`))
	body, ok := objs.get("bkt/elasticsearch-failed/2026/12/04/10/e")
	if attempts != 1 || !ok || strings.Count(string(body), `"errorCode":"ConnectionFailed"`) != 2 {
		t.Fatalf("%d attempts, error output %q", attempts, body)
	}
}

// TestBackupModes: AllDocuments backs every buffer up first;
// FailedDocumentsOnly does not.
func TestBackupModes(t *testing.T) {
	f := startFakeBulk(t)
	backup := &recordingDest{}
	d := newDest(t, f.URL, &memObjects{}, func(c *Config) { c.S3BackupMode = "AllDocuments"; c.Backup = backup })
	deliver(t, d, buffer(`{"a":1}`))
	if len(backup.buffers) != 1 {
		t.Fatalf("backup got %d buffers", len(backup.buffers))
	}
	backup.err = errors.New("s3 down")
	if err := d.Deliver(context.Background(), buffer(`{"a":2}`)); err == nil {
		t.Fatal("Deliver succeeded with the backup failing")
	}
	other := &recordingDest{}
	d = newDest(t, f.URL, &memObjects{}, func(c *Config) { c.S3BackupMode = "FailedDocumentsOnly"; c.Backup = other })
	deliver(t, d, buffer(`{"a":3}`))
	if len(other.buffers) != 0 {
		t.Fatal("FailedDocumentsOnly backed a buffer up")
	}
}

func TestDeliverFailedToErrorOutput(t *testing.T) {
	objs := &memObjects{}
	d := newDest(t, "http://127.0.0.1:1", objs, nil)
	if err := d.DeliverFailed(context.Background(), []delivery.Failed{{Record: delivery.Record{Data: []byte("x")}, ErrorCode: "Lambda.FunctionError"}}); err != nil {
		t.Fatal(err)
	}
	if body, ok := objs.get("bkt/processing-failed/2026/12/04/10/e"); !ok || !strings.Contains(string(body), "Lambda.FunctionError") {
		t.Fatalf("error output %q", body)
	}
}

type recordingDest struct {
	buffers []*delivery.Buffer
	err     error
}

func (r *recordingDest) Deliver(ctx context.Context, b *delivery.Buffer) error {
	if r.err != nil {
		return r.err
	}
	r.buffers = append(r.buffers, b)
	return nil
}

func (r *recordingDest) DeliverFailed(context.Context, []delivery.Failed) error { return nil }
