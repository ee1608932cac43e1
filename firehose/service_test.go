package firehose_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/kinesis"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
	"github.com/eddy-streams/eddy/storage/segment"
)

func s3Create(name string) *fp.CreateDeliveryStreamInput {
	return &fp.CreateDeliveryStreamInput{DeliveryStreamName: fp.String(name),
		ExtendedS3DestinationConfiguration: &fp.ExtendedS3DestinationConfiguration{
			RoleARN: fp.String("arn:aws:iam::000000000000:role/r"), BucketARN: fp.String("arn:aws:s3:::b")}}
}

func code(err error) string {
	var e *eddy.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return fmt.Sprint(err)
}

// openDurable opens the service over a segment store and a bbolt file in
// dir, as eddy serve does.
func openDurable(t *testing.T, dir string) (*firehose.Service, func()) {
	t.Helper()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	svc, err := firehose.New(firehose.DefaultConfig(), meta, logs)
	if err != nil {
		t.Fatal(err)
	}
	return svc, func() {
		if err := logs.Close(); err != nil {
			t.Error(err)
		}
		if err := meta.Close(); err != nil {
			t.Error(err)
		}
	}
}

// TestRecordsSurviveRestart: every record acknowledged by PutRecord and
// PutRecordBatch is in the delivery stream's log, in order, after the
// stores are closed and opened again, and each RecordId names its
// position; the configuration survives too.
func TestRecordsSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	svc, closeAll := openDurable(t, dir)
	if _, err := svc.CreateDeliveryStream("us-east-1", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	var want [][]byte
	ids := map[string]int{}
	one, err := svc.PutRecord("us-east-1", &fp.PutRecordInput{DeliveryStreamName: fp.String("ds"), Record: &fp.Record{Data: []byte("first")}})
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, []byte("first"))
	ids[*one.RecordId] = 0
	batch := &fp.PutRecordBatchInput{DeliveryStreamName: fp.String("ds")}
	for i := 0; i < 100; i++ {
		batch.Records = append(batch.Records, fp.Record{Data: []byte(fmt.Sprintf("record-%03d", i))})
		want = append(want, batch.Records[i].Data)
	}
	out, err := svc.PutRecordBatch("us-east-1", batch)
	if err != nil || *out.FailedPutCount != 0 {
		t.Fatalf("PutRecordBatch: %v %+v", err, out)
	}
	for i, e := range out.RequestResponses {
		ids[*e.RecordId] = i + 1
	}
	closeAll()

	svc, closeAll = openDurable(t, dir)
	defer closeAll()
	streams, err := svc.DeliveryStreams("")
	if err != nil || len(streams) != 1 {
		t.Fatalf("DeliveryStreams = %+v, %v", streams, err)
	}
	ds := streams[0]
	if ds.Name != "ds" || ds.Status != firehose.StatusActive || ds.Destination.ExtendedS3 == nil ||
		*ds.Destination.ExtendedS3.BucketARN != "arn:aws:s3:::b" || ds.Version != 1 {
		t.Fatalf("after restart: %+v", ds)
	}
	log, err := svc.OpenLog(ds)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := log.Read(1, 1000, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(want) {
		t.Fatalf("log has %d records after restart, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		if !bytes.Equal(r.Data, want[i]) {
			t.Errorf("record %d = %q, want %q", i, r.Data, want[i])
		}
	}
	if len(ids) != len(want) {
		t.Fatalf("%d distinct record ids for %d records", len(ids), len(want))
	}
	for id, i := range ids {
		pos, err := firehose.ParseRecordID(id)
		if err != nil || pos != recs[i].Seq {
			t.Errorf("RecordId %s -> %d, %v; the record is at %d", id, pos, err, recs[i].Seq)
		}
	}
}

// TestStates: CREATING for CreateDelay (Put refused, Delete refused),
// then ACTIVE; DELETING for DeleteDelay, then gone with its log.
func TestStates(t *testing.T) {
	clk := kinesis.NewFakeClock(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	cfg := firehose.DefaultConfig()
	cfg.Clock, cfg.CreateDelay, cfg.DeleteDelay = clk, 10*time.Second, 5*time.Second
	logs := mem.NewLogs()
	svc, err := firehose.New(cfg, mem.NewMeta(), logs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeliveryStream("", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	status := func() string {
		d, err := svc.DescribeDeliveryStream("", &fp.DescribeDeliveryStreamInput{DeliveryStreamName: fp.String("ds")})
		if err != nil {
			return code(err)
		}
		return d.DeliveryStreamDescription.DeliveryStreamStatus
	}
	put := &fp.PutRecordInput{DeliveryStreamName: fp.String("ds"), Record: &fp.Record{Data: []byte("x")}}
	if got := status(); got != firehose.StatusCreating {
		t.Fatalf("status = %s, want CREATING", got)
	}
	if _, err := svc.PutRecord("", put); code(err) != eddy.CodeResourceInUse {
		t.Errorf("PutRecord while CREATING: %v", err)
	}
	if _, err := svc.DeleteDeliveryStream("", &fp.DeleteDeliveryStreamInput{DeliveryStreamName: fp.String("ds")}); code(err) != eddy.CodeResourceInUse {
		t.Errorf("Delete while CREATING: %v", err)
	}
	clk.Advance(10 * time.Second)
	if got := status(); got != firehose.StatusActive {
		t.Fatalf("status = %s, want ACTIVE", got)
	}
	if _, err := svc.PutRecord("", put); err != nil {
		t.Fatal(err)
	}
	streams, _ := svc.DeliveryStreams("us-east-1")
	if _, err := svc.DeleteDeliveryStream("", &fp.DeleteDeliveryStreamInput{DeliveryStreamName: fp.String("ds")}); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != firehose.StatusDeleting {
		t.Fatalf("status = %s, want DELETING", got)
	}
	clk.Advance(5 * time.Second)
	if got := status(); got != eddy.CodeResourceNotFound {
		t.Fatalf("after DeleteDelay: %s, want ResourceNotFoundException", got)
	}
	// The name is free again, and the old log is gone.
	if _, err := svc.CreateDeliveryStream("", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	if _, err := logs.Open(streams[0].LogID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old log still there: %v", err)
	}
}

// TestUpdateDestinationVersions: UpdateDestination merges into the
// destination, increments VersionId, and refuses a stale one.
func TestUpdateDestinationVersions(t *testing.T) {
	svc, err := firehose.New(firehose.DefaultConfig(), mem.NewMeta(), mem.NewLogs())
	if err != nil {
		t.Fatal(err)
	}
	in := s3Create("ds")
	in.ExtendedS3DestinationConfiguration.Prefix = fp.String("p/")
	if _, err := svc.CreateDeliveryStream("", in); err != nil {
		t.Fatal(err)
	}
	up := &fp.UpdateDestinationInput{DeliveryStreamName: fp.String("ds"), CurrentDeliveryStreamVersionId: fp.String("1"),
		DestinationId:               fp.String(firehose.DestinationID),
		ExtendedS3DestinationUpdate: &fp.ExtendedS3DestinationUpdate{BufferingHints: &fp.BufferingHints{SizeInMBs: fp.Int32(64)}}}
	if _, err := svc.UpdateDestination("", up); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdateDestination("", up); code(err) != eddy.CodeConcurrentModification {
		t.Fatalf("stale version: %v", err)
	}
	d, err := svc.DescribeDeliveryStream("", &fp.DescribeDeliveryStreamInput{DeliveryStreamName: fp.String("ds")})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.DeliveryStreamDescription
	s3 := desc.Destinations[0].ExtendedS3DestinationDescription
	if *desc.VersionId != "2" || *s3.BufferingHints.SizeInMBs != 64 || *s3.BufferingHints.IntervalInSeconds != 300 ||
		*s3.Prefix != "p/" || *s3.BucketARN != "arn:aws:s3:::b" || desc.LastUpdateTimestamp == nil {
		t.Fatalf("after update: version %s, hints %+v, prefix %v", *desc.VersionId, s3.BufferingHints, s3.Prefix)
	}
}

// stepClock returns t and then moves it on by step at every call.
type stepClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.t
	c.t = c.t.Add(c.step)
	return t
}

func (c *stepClock) set(t time.Time, step time.Duration) {
	c.mu.Lock()
	c.t, c.step = t, step
	c.mu.Unlock()
}

// TestRecreateAfterDeleteRemovesOldLog: a CreateDeliveryStream that takes
// the name of a stream whose DELETING period ends while it runs (after its
// sweep, before its transaction) removes the old stream's log: the clock
// moves 600 ms at every reading, so the old stream is not yet gone when
// Create sweeps and gone when it writes.
func TestRecreateAfterDeleteRemovesOldLog(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := &stepClock{t: t0}
	cfg := firehose.DefaultConfig()
	cfg.Clock, cfg.DeleteDelay = clk, time.Second
	logs := mem.NewLogs()
	svc, err := firehose.New(cfg, mem.NewMeta(), logs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeliveryStream("", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	old, _ := svc.DeliveryStreams("")
	if _, err := svc.DeleteDeliveryStream("", &fp.DeleteDeliveryStreamInput{DeliveryStreamName: fp.String("ds")}); err != nil {
		t.Fatal(err)
	}
	// DeleteAt is t0+1s. Create reads the clock at t0+0.5s (its sweep),
	// t0+1.1s (the new stream's creation) and t0+1.7s (in its transaction).
	clk.set(t0.Add(500*time.Millisecond), 600*time.Millisecond)
	if _, err := svc.CreateDeliveryStream("", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	clk.set(t0.Add(time.Hour), 0)
	if _, err := logs.Open(old[0].LogID); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("the old stream's log is still there: %v", err)
	}
	now, _ := svc.DeliveryStreams("")
	if len(now) != 1 || now[0].LogID == old[0].LogID {
		t.Fatalf("streams after re-create: %+v", now)
	}
}

// TestStreamLimit: MaxDeliveryStreams counts the streams of a region that
// are not gone.
func TestStreamLimit(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := &stepClock{t: t0}
	cfg := firehose.DefaultConfig()
	cfg.Clock, cfg.MaxDeliveryStreams, cfg.DeleteDelay = clk, 2, time.Second
	svc, err := firehose.New(cfg, mem.NewMeta(), mem.NewLogs())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b"} {
		if _, err := svc.CreateDeliveryStream("", s3Create(n)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.CreateDeliveryStream("", s3Create("c")); code(err) != eddy.CodeLimitExceeded {
		t.Fatalf("third stream: %v", err)
	}
	if _, err := svc.CreateDeliveryStream("eu-west-1", s3Create("c")); err != nil {
		t.Fatalf("another region: %v", err)
	}
	if _, err := svc.DeleteDeliveryStream("", &fp.DeleteDeliveryStreamInput{DeliveryStreamName: fp.String("a")}); err != nil {
		t.Fatal(err)
	}
	// "a" is gone by the time Create writes, not when it sweeps (as in
	// TestRecreateAfterDeleteRemovesOldLog): it must not count.
	clk.set(t0.Add(500*time.Millisecond), 600*time.Millisecond)
	if _, err := svc.CreateDeliveryStream("", s3Create("a")); err != nil {
		t.Fatalf("after a deletion: %v", err)
	}
}
