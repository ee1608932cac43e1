package awscbor

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// putRecordsBody is a 500-record, 1 KiB-per-record PutRecords request.
func putRecordsBody(b *testing.B) []byte {
	var in fuzzPutRecords
	in.StreamName = "bench"
	for i := range 500 {
		in.Records = append(in.Records, struct {
			Data            []byte
			PartitionKey    string
			ExplicitHashKey *string
		}{bytes.Repeat([]byte{byte(i)}, 1024), "pk-" + strconv.Itoa(i), nil})
	}
	body, err := Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func BenchmarkUnmarshalPutRecords(b *testing.B) {
	body := putRecordsBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out fuzzPutRecords
		if err := Unmarshal(body, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePutRecords(b *testing.B) {
	body := putRecordsBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONPutRecords is the encoding/json baseline for the same request.
func BenchmarkJSONPutRecords(b *testing.B) {
	js, err := ToJSON(putRecordsBody(b))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(js)))
	b.ReportAllocs()
	for b.Loop() {
		var out fuzzPutRecords
		if err := json.Unmarshal(js, &out); err != nil {
			b.Fatal(err)
		}
	}
}

type getRecordsOutput struct {
	MillisBehindLatest int64
	NextShardIterator  *string
	Records            []struct {
		ApproximateArrivalTimestamp time.Time
		Data                        []byte
		PartitionKey                string
		SequenceNumber              string
		EncryptionType              string `json:",omitempty"`
	}
}

func BenchmarkMarshalGetRecords(b *testing.B) {
	var out getRecordsOutput
	it := "iterator"
	out.NextShardIterator = &it
	out.Records = make([]struct {
		ApproximateArrivalTimestamp time.Time
		Data                        []byte
		PartitionKey                string
		SequenceNumber              string
		EncryptionType              string `json:",omitempty"`
	}, 1000)
	for i := range out.Records {
		r := &out.Records[i]
		r.ApproximateArrivalTimestamp = time.UnixMilli(1700000000000 + int64(i))
		r.Data = bytes.Repeat([]byte{1}, 1024)
		r.PartitionKey = "pk"
		r.SequenceNumber = "49590338271490256608559692538361571095921575989136588898"
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Marshal(&out); err != nil {
			b.Fatal(err)
		}
	}
}
