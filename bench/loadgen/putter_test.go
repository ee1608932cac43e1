package main

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/bench/internal/kclient"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	eddykinesis "github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage/mem"
)

// startVerifying serves Eddy in memory on 127.0.0.1, checking every SigV4
// signature against kclient's credentials.
func startVerifying(t *testing.T) string {
	t.Helper()
	eng, err := eddykinesis.New(eddykinesis.DefaultConfig(), mem.NewLogs(), mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	cfg := httpapi.DefaultConfig()
	cfg.Credentials = map[string]string{kclient.Credentials.AccessKeyID: kclient.Credentials.SecretAccessKey}
	srv, err := httpapi.New(cfg, kinesisapi.Service(eng))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Shutdown(context.Background()); eng.Close() })
	return "http://" + ln.Addr().String()
}

// TestLeanPutter: the lean client's requests pass full signature
// verification, store what the SDK reads back, and the SDK and the lean
// client report the same outcome for a request the server refuses.
func TestLeanPutter(t *testing.T) {
	ctx := context.Background()
	endpoint := startVerifying(t)
	hc := &http.Client{}
	kc := kclient.New(endpoint, hc)
	if err := kclient.CreateStream(ctx, kc, "lean", 1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	lean := newLeanPutter(hc, endpoint, kclient.Region, kclient.Credentials)

	var data [][]byte
	var keys []string
	for i := range 300 {
		d := make([]byte, i) // every length from 0: the vector and scalar base64 paths
		for j := range d {
			d[j] = byte(i*7 + j)
		}
		data = append(data, d)
		keys = append(keys, "key-"+strconv.Itoa(i)+`-"quoted"\é`)
	}
	ok := make([]bool, len(data))
	if err := lean.putRecords(ctx, "lean", data, keys, ok); err != nil {
		t.Fatal(err)
	}
	for i, o := range ok {
		if !o {
			t.Fatalf("entry %d not stored", i)
		}
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("lean"),
		ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != len(data) {
		t.Fatalf("read %d records, put %d", len(out.Records), len(data))
	}
	for i, r := range out.Records {
		if string(r.Data) != string(data[i]) || *r.PartitionKey != keys[i] {
			t.Fatalf("record %d: data %x key %q; put %x %q", i, r.Data, *r.PartitionKey, data[i], keys[i])
		}
	}

	// A stream that does not exist: a whole-request error naming it.
	err = lean.putRecords(ctx, "missing", data[:1], keys[:1], ok[:1])
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("put to a missing stream: %v", err)
	}
	// A wrong secret fails verification.
	bad := newLeanPutter(hc, endpoint, kclient.Region, aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "wrong"})
	if err := bad.putRecords(ctx, "lean", data[:1], keys[:1], ok[:1]); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestParsePutAnswer(t *testing.T) {
	ok := make([]bool, 3)
	all := `{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1","ShardId":"s"},{"SequenceNumber":"2","ShardId":"s"},{"SequenceNumber":"3","ShardId":"s"}]}`
	if err := parsePutAnswer([]byte(all), ok); err != nil || !ok[0] || !ok[1] || !ok[2] {
		t.Fatalf("all stored: %v %v", ok, err)
	}
	// The emulators' member order and spacing differ; a refused entry.
	some := `{"Records": [{"SequenceNumber": "1", "ShardId": "s"}, {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded"}, {"SequenceNumber": "3", "ShardId": "s"}], "FailedRecordCount": 1}`
	if err := parsePutAnswer([]byte(some), ok); err != nil || !ok[0] || ok[1] || !ok[2] {
		t.Fatalf("one refused: %v %v", ok, err)
	}
	for _, bad := range []string{
		`{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1"}]}`,                                          // too few results
		`{"FailedRecordCount":0,"Records":[{"SequenceNumber":"1"},{"SequenceNumber":"2"},{"ErrorCode":"X"}]}`, // count disagrees
		`{"Records":[]}`, `not json`,
	} {
		if err := parsePutAnswer([]byte(bad), ok); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
