package awscbor

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"
	"time"
)

func TestToJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"blob and timestamp", map[string]any{
			"Data":                        []byte("hello"),
			"ApproximateArrivalTimestamp": time.UnixMilli(1700000000123),
			"SequenceNumber":              "4959",
		}, `{"ApproximateArrivalTimestamp":1700000000.123,"Data":"aGVsbG8=","SequenceNumber":"4959"}`},
		{"numbers", []any{int64(-1), uint64(1 << 63), 1.5, json.Number("-18446744073709551616")},
			`[-1,9223372036854775808,1.5,-18446744073709551616]`},
		{"no html escaping", "<&>", `"<&>"`},
		{"null and bools", []any{nil, true, false}, `[null,true,false]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			js, err := ToJSON(b)
			if err != nil {
				t.Fatal(err)
			}
			if string(js) != tt.want {
				t.Errorf("got  %s\nwant %s", js, tt.want)
			}
		})
	}
	nan, _ := Marshal(map[string]any{"x": []any{1.0, math.NaN()}})
	if _, err := ToJSON(nan); err == nil {
		t.Error("NaN converted to JSON")
	}
}

// jsonRequest is how a JSON-protocol handler might declare GetShardIterator:
// a custom type for epoch-seconds timestamps, []byte for blobs.
type jsonRequest struct {
	StreamName        string
	ShardIteratorType string
	Timestamp         *epochSecs `json:",omitempty"`
	Blob              []byte     `json:",omitempty"`
}

// TestToJSONFeedsEncodingJSON: a CBOR body the Java SDK would send (tag 1
// milliseconds) reaches an encoding/json struct with the same meaning
// whether it goes through ToJSON + json.Unmarshal or straight Unmarshal.
func TestToJSONFeedsEncodingJSON(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 10e6, time.UTC)
	body, err := Marshal(map[string]any{
		"StreamName":        "s",
		"ShardIteratorType": "AT_TIMESTAMP",
		"Timestamp":         ts,
		"Blob":              []byte{0, 1, 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	js, err := ToJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	var viaJSON, direct jsonRequest
	if err := json.Unmarshal(js, &viaJSON); err != nil {
		t.Fatalf("json.Unmarshal(%s): %v", js, err)
	}
	if err := Unmarshal(body, &direct); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(viaJSON, direct) {
		t.Errorf("via JSON %+v, direct %+v", viaJSON, direct)
	}
	if !direct.Timestamp.Equal(ts) {
		t.Errorf("timestamp %v, want %v", direct.Timestamp.Time, ts)
	}
}
