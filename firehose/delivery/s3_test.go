package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeObjects keeps objects in memory, failing the first fails puts.
type fakeObjects struct {
	mu      sync.Mutex
	objects map[string]string
	fails   int
	puts    int
	onPut   func()
}

func (f *fakeObjects) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.puts++
	if f.onPut != nil {
		f.onPut()
	}
	if f.fails > 0 {
		f.fails--
		return errors.New("503 SlowDown")
	}
	if f.objects == nil {
		f.objects = map[string]string{}
	}
	f.objects[bucket+"/"+key] = string(body)
	return nil
}

func testS3(objs *fakeObjects, clock Clock) *S3 {
	return &S3{
		Objects: objs, Bucket: "b", RetryEvery: time.Millisecond, Clock: clock,
		Key: func(b *Buffer, now time.Time) (string, error) {
			return now.Format("2006/01/02/15/") + "d-1-" + b.Keys["k"], nil
		},
		ErrorKey: func(t string, now time.Time) (string, error) {
			return t + "/" + now.Format("2006/01/02/15/") + "e", nil
		},
	}
}

func TestS3WritesOneObjectPerBufferRetrying(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	objs := &fakeObjects{fails: 3}
	s := testS3(objs, clock)
	b := &Buffer{Records: []Record{{Data: []byte("a\n")}, {Data: []byte("bc\n")}}, Keys: map[string]string{"k": "x"}, Bytes: 5}
	if err := s.Deliver(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if objs.puts != 4 || objs.objects["b/2026/12/04/10/d-1-x"] != "a\nbc\n" {
		t.Fatalf("%d puts, objects %q", objs.puts, objs.objects)
	}
}

func TestS3DropsAfterRetryFor(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	objs := &fakeObjects{fails: 1 << 30, onPut: func() { clock.Advance(time.Hour) }}
	s := testS3(objs, clock)
	var dropped string
	s.Dropped = func(key string, n int, err error) { dropped = key }
	b := &Buffer{Records: []Record{{Data: []byte("a")}}, Bytes: 1}
	if err := s.Deliver(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if objs.puts != 24 || dropped != "2026/12/04/10/d-1-" {
		t.Fatalf("%d puts (want 24: each takes an hour, for 24h), dropped %q", objs.puts, dropped)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Deliver(ctx, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("Deliver with its context ended: %v", err)
	}
}

func TestS3FailedRecordsDocument(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	objs := &fakeObjects{}
	s := testS3(objs, clock)
	arrived := time.Date(2026, 12, 4, 9, 59, 0, 0, time.UTC)
	err := s.DeliverFailed(context.Background(), []Failed{
		{Record: Record{Data: []byte("one"), Arrival: arrived}, ErrorCode: "Lambda.ProcessingFailedStatus", ErrorMessage: "bad", Attempts: 1, LambdaArn: "arn:aws:lambda:us-east-1:000000000000:function:f"},
		{Record: Record{Data: []byte("two"), Arrival: arrived}, ErrorCode: "Lambda.FunctionError", Attempts: 4, Ended: arrived.Add(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	body := objs.objects["b/processing-failed/2026/12/04/10/e"]
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("error object %q", body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"attemptsMade": 1.0, "arrivalTimestamp": float64(arrived.UnixMilli()), "errorCode": "Lambda.ProcessingFailedStatus",
		"errorMessage": "bad", "attemptEndingTimestamp": float64(clock.Now().UnixMilli()), "rawData": "b25l",
		"lambdaArn": "arn:aws:lambda:us-east-1:000000000000:function:f"}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
	if len(doc) != len(want) {
		t.Errorf("document %v has other fields", doc)
	}
	var doc2 failedDoc
	if err := json.Unmarshal([]byte(lines[1]), &doc2); err != nil {
		t.Fatal(err)
	}
	if doc2.AttemptsMade != 4 || doc2.AttemptEndingTimestamp != arrived.Add(time.Second).UnixMilli() || doc2.RawData != "dHdv" || strings.Contains(lines[1], "lambdaArn") {
		t.Errorf("second document %s", lines[1])
	}
}

// encodedObjects are fakeObjects that also take a Content-Encoding.
type encodedObjects struct {
	fakeObjects
	encodings map[string]string
}

func (e *encodedObjects) PutEncoded(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error {
	if err := e.fakeObjects.Put(ctx, bucket, key, body, contentType); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.encodings == nil {
		e.encodings = map[string]string{}
	}
	e.encodings[bucket+"/"+key] = contentEncoding
	return nil
}

// A buffer's object carries the S3 destination's Content-Encoding when the
// Objects can set it; the error output's JSON documents carry none.
func TestS3ContentEncoding(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)}
	objs := &encodedObjects{}
	s := testS3(&objs.fakeObjects, clock)
	s.Objects, s.ContentEncoding = objs, "gzip"
	if err := s.Deliver(context.Background(), &Buffer{Records: []Record{{Data: []byte("a")}}, Keys: map[string]string{"k": "x"}, Bytes: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeliverFailed(context.Background(), []Failed{{Record: Record{Data: []byte("z")}, ErrorCode: "Lambda.X"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"b/2026/12/04/10/d-1-x": "gzip"}
	if len(objs.encodings) != 1 || objs.encodings["b/2026/12/04/10/d-1-x"] != "gzip" {
		t.Fatalf("encodings %v, want %v (objects %v)", objs.encodings, want, objs.objects)
	}
	if len(objs.objects) != 2 {
		t.Fatalf("objects %v: want the buffer's and the error output's", objs.objects)
	}
}
