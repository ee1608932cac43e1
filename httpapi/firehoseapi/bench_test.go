package firehoseapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	fh "github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/httpapi"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// BenchmarkPutRecordBatch: PutRecordBatch calls of 500 records of 1 KiB
// over loopback HTTP into a durable delivery stream (segment store,
// fsync'd appends), one call at a time; reports records/s.
//
//	go test -run '^$' -bench PutRecordBatch ./httpapi/firehoseapi/
func BenchmarkPutRecordBatch(b *testing.B) {
	dir := b.TempDir()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	svc, err := fh.New(fh.DefaultConfig(), meta, logs)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	defer func() { srv.Shutdown(context.Background()); logs.Close(); meta.Close() }()
	if _, err := svc.CreateDeliveryStream("", &fp.CreateDeliveryStreamInput{DeliveryStreamName: fp.String("bench"),
		S3DestinationConfiguration: &fp.S3DestinationConfiguration{RoleARN: fp.String("arn:r"), BucketARN: fp.String("arn:b")}}); err != nil {
		b.Fatal(err)
	}
	rec := `{"Data":"` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("x"), 1024)) + `"}`
	body := []byte(`{"DeliveryStreamName":"bench","Records":[` + strings.Repeat(rec+",", 499) + rec + `]}`)
	url := "http://" + ln.Addr().String() + "/"
	b.SetBytes(500 * 1024)
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "Firehose_20150804.PutRecordBatch")
		req.Header.Set("X-Amz-Date", "20240102T030405Z")
		req.Header.Set("Authorization", unverifiedAuth)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Contains(out, []byte(`"FailedPutCount":0`)) {
			b.Fatalf("%d %s", res.StatusCode, out[:min(len(out), 200)])
		}
	}
	b.ReportMetric(float64(b.N)*500/b.Elapsed().Seconds(), "records/s")
}
