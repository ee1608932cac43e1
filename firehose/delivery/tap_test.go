package delivery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/firehose"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage/mem"
)

// TestTapKeepsRecordsFromTrimming: a tap reads the records put after it
// was opened, including those the delivery has delivered (and would have
// trimmed) before the tap read them; once committed and closed, the log
// is trimmed again.
func TestTapKeepsRecordsFromTrimming(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	meta, logs := mem.NewMeta(), mem.NewLogs()
	var r *Runner
	fcfg := firehose.DefaultConfig()
	fcfg.CreateDelay = 0
	fcfg.Appended = func(id string) {
		if r != nil {
			r.Appended(id)
		}
	}
	svc, err := firehose.New(fcfg, meta, logs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeliveryStream("", &fp.CreateDeliveryStreamInput{DeliveryStreamName: fp.String("ds"),
		ExtendedS3DestinationConfiguration: &fp.ExtendedS3DestinationConfiguration{
			RoleARN: fp.String("arn:aws:iam::000000000000:role/r"), BucketARN: fp.String("arn:aws:s3:::b"),
			BufferingHints: &fp.BufferingHints{IntervalInSeconds: fp.Int32(0), SizeInMBs: fp.Int32(1)}}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	r = NewRunner(Config{Streams: svc, Meta: meta, Poll: 10 * time.Millisecond,
		Objects: func(string) (Objects, error) { return DirObjects{Dir: dir}, nil }})
	defer r.Close()
	put := func(data ...string) {
		t.Helper()
		var recs []fp.Record
		for _, d := range data {
			recs = append(recs, fp.Record{Data: []byte(d + "\n")})
		}
		if out, err := svc.PutRecordBatch("", &fp.PutRecordBatchInput{DeliveryStreamName: fp.String("ds"), Records: recs}); err != nil || *out.FailedPutCount != 0 {
			t.Fatalf("PutRecordBatch: %+v %v", out, err)
		}
	}
	delivered := func(want int) {
		t.Helper()
		for {
			n := 0
			filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					b, _ := os.ReadFile(path)
					n += strings.Count(string(b), "\n")
				}
				return nil
			})
			if n >= want {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("%d of %d records delivered", n, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	put("before-1", "before-2")
	delivered(2)

	var tap *Tap
	for tap == nil { // the stream is ACTIVE once the runner has seen it
		if tap, err = r.Tap("us-east-1", "ds"); err != nil {
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// One at a time, so each has its own arrival time: the delivery trims
	// before the arrival of the last it committed.
	for _, d := range []string{"a", "b", "c"} {
		put(d)
		time.Sleep(5 * time.Millisecond)
	}
	delivered(5) // the delivery committed them: without the tap's hold, a and b trimmed
	recs, err := tap.Read(ctx, 10, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range recs {
		got = append(got, strings.TrimSpace(string(rec.Data)))
	}
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("tap read %q, want a,b,c", got)
	}
	if recs[0].ID == "" || tap.ARN() != "arn:aws:firehose:us-east-1:000000000000:deliverystream/ds" {
		t.Errorf("tap ARN %s", tap.ARN())
	}
	// Read again after a rewind: the same records.
	tap.Rewind()
	again, err := tap.Read(ctx, 10, 0)
	if err != nil || len(again) != 3 {
		t.Fatalf("after Rewind: %d records, %v", len(again), err)
	}
	if err := tap.Commit(again[2].Pos); err != nil {
		t.Fatal(err)
	}
	// Nothing more until more is put; then a Read wakes at the append.
	go func() { time.Sleep(50 * time.Millisecond); put("d") }()
	next, err := tap.Read(ctx, 10, 10*time.Second)
	if err != nil || len(next) != 1 || strings.TrimSpace(string(next[0].Data)) != "d" {
		t.Fatalf("next read: %+v %v", next, err)
	}
	tap.Close()
	if _, held := r.heldBefore(tap.ds.LogID); held {
		t.Error("a closed tap still holds the log")
	}
	if _, err := r.Tap("us-east-1", "missing"); err == nil {
		t.Error("a tap on a missing delivery stream")
	}
}
