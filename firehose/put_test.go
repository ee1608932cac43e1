package firehose_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/mem"
)

// failingLogs is a Logs whose logs refuse every Append while fail is set.
type failingLogs struct {
	storage.Logs
	fail *bool
}

type failingLog struct {
	storage.ShardLog
	fail *bool
}

func (l failingLogs) Create(id string, base uint64) (storage.ShardLog, error) {
	sl, err := l.Logs.Create(id, base)
	return failingLog{sl, l.fail}, err
}

func (l failingLogs) Open(id string) (storage.ShardLog, error) {
	sl, err := l.Logs.Open(id)
	return failingLog{sl, l.fail}, err
}

func (l failingLog) Append(recs []storage.Record) (uint64, error) {
	if *l.fail {
		return 0, errors.New("disk on fire")
	}
	return l.ShardLog.Append(recs)
}

// TestPutRecordBatchAppendFails: when the log refuses the batch, every
// entry fails with InternalFailure and FailedPutCount counts them; nothing
// is stored; PutRecord fails as a whole; once the log works again, the
// resent records are stored.
func TestPutRecordBatchAppendFails(t *testing.T) {
	fail := false
	logs := mem.NewLogs()
	svc, err := firehose.New(firehose.DefaultConfig(), mem.NewMeta(), failingLogs{logs, &fail})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeliveryStream("", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	batch := &fp.PutRecordBatchInput{DeliveryStreamName: fp.String("ds"), Records: []fp.Record{{Data: []byte("a")}, {Data: []byte("b")}}}
	fail = true
	out, err := svc.PutRecordBatch("", batch)
	if err != nil {
		t.Fatal(err)
	}
	if *out.FailedPutCount != 2 || len(out.RequestResponses) != 2 {
		t.Fatalf("FailedPutCount %d, %d entries", *out.FailedPutCount, len(out.RequestResponses))
	}
	for _, e := range out.RequestResponses {
		if e.RecordId != nil || fp.Deref(e.ErrorCode) != eddy.CodeInternalFailure || fp.Deref(e.ErrorMessage) == "" {
			t.Errorf("entry %+v", e)
		}
	}
	if _, err := svc.PutRecord("", &fp.PutRecordInput{DeliveryStreamName: fp.String("ds"), Record: &fp.Record{Data: []byte("c")}}); err == nil {
		t.Error("PutRecord succeeded while the log fails")
	}
	fail = false
	out, err = svc.PutRecordBatch("", batch)
	if err != nil || *out.FailedPutCount != 0 {
		t.Fatalf("resend: %v %+v", err, out)
	}
	streams, _ := svc.DeliveryStreams("")
	l, err := svc.OpenLog(streams[0])
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := l.Bounds(); b.Next-b.Oldest != 2 {
		t.Errorf("log holds %d records, want 2", b.Next-b.Oldest)
	}
}

// TestRegions: a delivery stream lives in its region only, with that
// region in its ARN.
func TestRegions(t *testing.T) {
	svc, err := firehose.New(firehose.DefaultConfig(), mem.NewMeta(), mem.NewLogs())
	if err != nil {
		t.Fatal(err)
	}
	out, err := svc.CreateDeliveryStream("eu-west-1", s3Create("ds"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fp.Deref(out.DeliveryStreamARN); got != "arn:aws:firehose:eu-west-1:000000000000:deliverystream/ds" {
		t.Errorf("ARN %s", got)
	}
	if _, err := svc.DescribeDeliveryStream("us-east-1", &fp.DescribeDeliveryStreamInput{DeliveryStreamName: fp.String("ds")}); code(err) != eddy.CodeResourceNotFound {
		t.Errorf("describe in us-east-1: %v", err)
	}
	if _, err := svc.CreateDeliveryStream("us-east-1", s3Create("ds")); err != nil {
		t.Fatalf("same name in another region: %v", err)
	}
	l, _ := svc.ListDeliveryStreams("eu-west-1", &fp.ListDeliveryStreamsInput{})
	if len(l.DeliveryStreamNames) != 1 {
		t.Errorf("eu-west-1 lists %v", l.DeliveryStreamNames)
	}
	all, _ := svc.DeliveryStreams("")
	if len(all) != 2 || all[0].LogID == all[1].LogID {
		t.Errorf("DeliveryStreams: %+v", all)
	}
}

// TestRecordIDForm: 32 lower-case hex digits, the creation time in
// nanoseconds then the position, each zero-padded, and ParseRecordID
// reads the position back.
func TestRecordIDForm(t *testing.T) {
	created := time.Unix(0, 0x1234)
	for _, pos := range []uint64{0, 1, 0xabcdef, 1<<64 - 1} {
		id := firehose.RecordID(created, pos)
		want := fmt.Sprintf("%016x%016x", uint64(0x1234), pos)
		if id != want {
			t.Errorf("RecordID(%d) = %s, want %s", pos, id, want)
		}
		if got, err := firehose.ParseRecordID(id); err != nil || got != pos {
			t.Errorf("ParseRecordID(%s) = %d, %v", id, got, err)
		}
	}
}
