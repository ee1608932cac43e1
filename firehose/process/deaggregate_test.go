package process

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/client/kpl"
)

func dataOf(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

func TestDeaggregation(t *testing.T) {
	many := strings.Repeat(`{"a":1}`, MaxSubRecords)
	tooMany := many + `{"a":1}`
	tests := []struct {
		name  string
		d     Deaggregation
		data  string
		want  []string
		whole bool // the record passes unsplit
	}{
		{"json concatenated", Deaggregation{SubRecordType: SubRecordJSON}, `{"a":1}{"a":2}`, []string{`{"a":1}`, `{"a":2}`}, false},
		{"json lines", Deaggregation{SubRecordType: SubRecordJSON}, "{\"a\":1}\n{\"a\":2}\n", []string{`{"a":1}`, `{"a":2}`}, false},
		{"json nested and spaced", Deaggregation{SubRecordType: SubRecordJSON}, ` {"a":{"b":[1,2]}} {"c":"}{"}`, []string{`{"a":{"b":[1,2]}}`, `{"c":"}{"}`}, false},
		{"json single", Deaggregation{SubRecordType: SubRecordJSON}, `{"a":1}`, []string{`{"a":1}`}, false},
		{"json array is not valid input", Deaggregation{SubRecordType: SubRecordJSON}, `[{"a":1},{"a":2}]`, nil, true},
		{"json scalar", Deaggregation{SubRecordType: SubRecordJSON}, `{"a":1} 2`, nil, true},
		{"json truncated", Deaggregation{SubRecordType: SubRecordJSON}, `{"a":1}{"a":`, nil, true},
		{"json empty", Deaggregation{SubRecordType: SubRecordJSON}, ``, nil, true},
		{"json at the cap", Deaggregation{SubRecordType: SubRecordJSON}, many, nil, false},
		{"json past the cap", Deaggregation{SubRecordType: SubRecordJSON}, tooMany, nil, true},
		{"delimited", Deaggregation{SubRecordType: SubRecordDelimited, Delimiter: []byte("####")}, "a####b####c", []string{"a", "b", "c"}, false},
		{"delimited trailing", Deaggregation{SubRecordType: SubRecordDelimited, Delimiter: []byte("####")}, "a####b####", []string{"a", "b"}, false},
		{"delimited empty middle", Deaggregation{SubRecordType: SubRecordDelimited, Delimiter: []byte("|")}, "a||b", []string{"a", "", "b"}, false},
		{"delimited none", Deaggregation{SubRecordType: SubRecordDelimited, Delimiter: []byte("|")}, "abc", []string{"abc"}, false},
		{"delimited past the cap", Deaggregation{SubRecordType: SubRecordDelimited, Delimiter: []byte("|")}, strings.Repeat("x|", MaxSubRecords) + "x", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arrival := time.UnixMilli(1600000000000)
			out, err := tt.d.Process(context.Background(), []Record{{RecordID: "p", Data: []byte(tt.data), ApproximateArrival: arrival}})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Failed) != 0 || out.Dropped != 0 {
				t.Fatalf("failed %d dropped %d", len(out.Failed), out.Dropped)
			}
			if tt.whole {
				if len(out.Records) != 1 || string(out.Records[0].Data) != tt.data || out.Records[0].RecordID != "p" {
					t.Fatalf("got %q, want the record whole", dataOf(out.Records))
				}
				return
			}
			if tt.want == nil { // at the cap: count only
				if len(out.Records) != MaxSubRecords {
					t.Fatalf("got %d records, want %d", len(out.Records), MaxSubRecords)
				}
				return
			}
			if got := dataOf(out.Records); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i, r := range out.Records {
				if r.RecordID != subID("p", i) || !r.ApproximateArrival.Equal(arrival) {
					t.Errorf("record %d: id %q arrival %v", i, r.RecordID, r.ApproximateArrival)
				}
			}
		})
	}
}

func TestKPLDeaggregation(t *testing.T) {
	agg := kpl.Aggregate([]kpl.UserRecord{
		{PartitionKey: "k1", Data: []byte("one")},
		{PartitionKey: "k2", Data: []byte("two")},
		{PartitionKey: "k1", Data: []byte("three")},
	})
	// The magic number and a matching MD5 around a message that does not
	// decode: kept whole, not lost.
	bad := append(append([]byte(nil), kpl.Magic[:]...), 0xff, 0xff)
	sum := md5sum(bad[len(kpl.Magic):])
	bad = append(bad, sum[:]...)
	md := &KinesisMetadata{ShardID: "shardId-000000000001", PartitionKey: "outer", SequenceNumber: "4954", ApproximateArrival: time.UnixMilli(5)}
	out, err := KPLDeaggregation{}.Process(context.Background(), []Record{
		{RecordID: "a", Data: agg, Kinesis: md},
		{RecordID: "b", Data: []byte("plain"), Kinesis: md},
		{RecordID: "c", Data: bad, Kinesis: md},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := dataOf(out.Records), []string{"one", "two", "three", "plain", string(bad)}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i, pk := range []string{"k1", "k2", "k1"} {
		r := out.Records[i]
		if r.Kinesis.PartitionKey != pk || r.Kinesis.SubsequenceNumber != int64(i) || r.Kinesis.SequenceNumber != "4954" || r.Kinesis.ShardID != md.ShardID || r.RecordID != subID("a", i) {
			t.Errorf("user record %d: %+v %+v", i, r, r.Kinesis)
		}
	}
	if md.PartitionKey != "outer" {
		t.Error("the parent's metadata was changed")
	}
	if r := out.Records[3]; r.RecordID != "b" || r.Kinesis.PartitionKey != "outer" {
		t.Errorf("plain record %+v", r)
	}
}
