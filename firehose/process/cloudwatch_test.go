package process

import (
	"context"
	"crypto/md5"
	"reflect"
	"testing"
	"time"
)

func md5sum(b []byte) [16]byte { return md5.Sum(b) }

func TestDecompression(t *testing.T) {
	clock := &instantClock{now: time.Unix(1000, 0)}
	p, err := newDecompression(map[string]string{ParamCompressionFormat: "GZIP"}, clock)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   []byte
		want   string
		failed bool
	}{
		{"gzip", gz(t, []byte("hello")), "hello", false},
		{"empty gzip", gz(t, nil), "", false},
		{"not gzip", []byte("hello"), "", true},
		{"truncated gzip", gz(t, []byte("hello world"))[:12], "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := p.Process(context.Background(), []Record{{RecordID: "r", Data: tt.data}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.failed {
				if len(out.Failed) != 1 || len(out.Records) != 0 {
					t.Fatalf("got %d records, %d failed; want the record failed", len(out.Records), len(out.Failed))
				}
				f := out.Failed[0]
				if f.OutputType != OutputDecompressionFailed || f.ErrorCode != CodeDecompressionFailed || string(f.Record.Data) != string(tt.data) ||
					f.AttemptsMade != 1 || !f.AttemptEnding.Equal(time.Unix(1000, 0)) {
					t.Fatalf("failure %+v", f)
				}
				return
			}
			if len(out.Records) != 1 || string(out.Records[0].Data) != tt.want {
				t.Fatalf("got %q, want %q", dataOf(out.Records), tt.want)
			}
		})
	}
}

func TestDecompressionBoundsSize(t *testing.T) {
	d := &Decompression{clock: realClock{}, max: 1000}
	out, _ := d.Process(context.Background(), []Record{{Data: gz(t, make([]byte, 1001))}, {Data: gz(t, make([]byte, 1000))}})
	if len(out.Failed) != 1 || len(out.Records) != 1 || len(out.Records[0].Data) != 1000 {
		t.Fatalf("got %d records, %d failed; want the record decompressing past the bound failed", len(out.Records), len(out.Failed))
	}
}

func TestCloudWatchLogs(t *testing.T) {
	const data = `{"messageType":"DATA_MESSAGE","owner":"111111111111","logGroup":"CloudTrail/logs","logStream":"111111111111_CloudTrail/logs_us-east-1",` +
		`"subscriptionFilters":["Destination"],"logEvents":[` +
		`{"id":"31953106606966983378809025079804211143289615424298221568","timestamp":1432826855000,"message":"{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root1\"}"},` +
		`{"id":"31953106606966983378809025079804211143289615424298221569","timestamp":1432826855000,"message":"{\"eventVersion\":\"1.03\",\"userIdentity\":{\"type\":\"Root2\"}"}]}`
	const control = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],` +
		`"logEvents":[{"id":"","timestamp":1432826855000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`
	tests := []struct {
		name    string
		data    string
		want    []string
		dropped int
	}{
		{"data message", data, []string{`{"eventVersion":"1.03","userIdentity":{"type":"Root1"}` + "\n" + `{"eventVersion":"1.03","userIdentity":{"type":"Root2"}`}, 0},
		{"control message dropped", control, nil, 1},
		{"no log events", `{"messageType":"DATA_MESSAGE","logEvents":[]}`, []string{""}, 0},
		{"not an envelope", `{"hello":"world"}`, []string{`{"hello":"world"}`}, 0},
		{"not json", `plain text`, []string{`plain text`}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := CloudWatchLogs{}.Process(context.Background(), []Record{{RecordID: "r", Data: []byte(tt.data)}})
			if err != nil {
				t.Fatal(err)
			}
			got := dataOf(out.Records)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tt.want) || out.Dropped != tt.dropped || len(out.Failed) != 0 {
				t.Fatalf("got %q dropped %d failed %d; want %q dropped %d", got, out.Dropped, len(out.Failed), tt.want, tt.dropped)
			}
		})
	}
}
