package firehose_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/kinesis"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage/mem"
)

// TestDirectPutQuotas: with Quotas aws, a delivery stream in a smaller
// Region (1 MiB/s, 1,000 requests/s) takes a second's worth at once,
// then fails the records beyond it one by one with
// ServiceUnavailableException "Slow down." and FailedPutCount, and the
// calls beyond the request rate whole; time passing restores it, and
// only the admitted records are in the log. With Quotas off nothing is
// refused.
func TestDirectPutQuotas(t *testing.T) {
	clk := kinesis.NewFakeClock(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC))
	cfg := firehose.DefaultConfig()
	cfg.Clock, cfg.Quotas = clk, firehose.QuotasAWS
	logs := mem.NewLogs()
	svc, err := firehose.New(cfg, mem.NewMeta(), logs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateDeliveryStream("eu-central-1", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	batch := func(n, size int) *fp.PutRecordBatchInput {
		in := &fp.PutRecordBatchInput{DeliveryStreamName: fp.String("ds")}
		for range n {
			in.Records = append(in.Records, fp.Record{Data: bytes.Repeat([]byte{'x'}, size)})
		}
		return in
	}
	// 1 MiB/s with a second's burst: 1,000 KiB records, so the second
	// batch's second record is the first beyond the burst.
	out, err := svc.PutRecordBatch("eu-central-1", batch(1, 1000<<10))
	if err != nil || *out.FailedPutCount != 0 {
		t.Fatalf("first: %v %+v", err, out)
	}
	out, err = svc.PutRecordBatch("eu-central-1", batch(3, 1000<<10))
	if err != nil {
		t.Fatal(err)
	}
	if *out.FailedPutCount != 2 || out.RequestResponses[0].RecordId == nil {
		t.Fatalf("second: FailedPutCount %d, want 2; %+v", *out.FailedPutCount, out.RequestResponses)
	}
	for _, e := range out.RequestResponses[1:] {
		if fp.Deref(e.ErrorCode) != "ServiceUnavailableException" || fp.Deref(e.ErrorMessage) != "Slow down." || e.RecordId != nil {
			t.Errorf("throttled entry %+v", e)
		}
	}
	if _, err := svc.PutRecord("eu-central-1", &fp.PutRecordInput{DeliveryStreamName: fp.String("ds"), Record: &fp.Record{Data: []byte("y")}}); code(err) != eddy.CodeServiceUnavailable || err.Error() != "ServiceUnavailableException: Slow down." {
		t.Errorf("PutRecord over the byte rate: %v", err)
	}
	clk.Advance(2 * time.Second)
	if _, err := svc.PutRecord("eu-central-1", &fp.PutRecordInput{DeliveryStreamName: fp.String("ds"), Record: &fp.Record{Data: []byte("y")}}); err != nil {
		t.Errorf("PutRecord two seconds later: %v", err)
	}
	// The request rate: 1,000 calls/s with a second's burst.
	clk.Advance(10 * time.Second)
	refused := 0
	for range 1100 {
		if _, err := svc.PutRecordBatch("eu-central-1", batch(1, 1)); code(err) == eddy.CodeServiceUnavailable {
			refused++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if refused != 100 {
		t.Errorf("%d of 1,100 calls in one instant refused, want 100", refused)
	}
	all, _ := svc.DeliveryStreams("")
	l, err := logs.Open(all[0].LogID)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := l.Bounds(); b.Next-b.Oldest != 1+1+1+1000 {
		t.Errorf("log holds %d records, want the 1,003 admitted", b.Next-b.Oldest)
	}

	// Off: the same calls all pass.
	off, err := firehose.New(firehose.DefaultConfig(), mem.NewMeta(), mem.NewLogs())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.CreateDeliveryStream("eu-central-1", s3Create("ds")); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if out, err := off.PutRecordBatch("eu-central-1", batch(3, 1000<<10)); err != nil || *out.FailedPutCount != 0 {
			t.Fatalf("quotas off: %v %+v", err, out)
		}
	}
}
