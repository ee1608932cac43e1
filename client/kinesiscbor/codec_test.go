package kinesiscbor

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecodeEncodings decodes answers written the ways a CBOR encoder may
// write them (Jackson, which AWS's Java services use, writes
// indefinite-length maps and arrays): every variant must give the same
// output.
func TestDecodeEncodings(t *testing.T) {
	at := time.UnixMilli(1700000000123).UTC()
	for _, tc := range []struct{ name, hex string }{
		{"definite", `a3
			67 5265636f726473 81 a4
				64 44617461 43 010203
				6e 53657175656e63654e756d626572 62 3432
				6c 506172746974696f6e4b6579 61 6b
				78 1b 417070726f78696d6174654172726976616c54696d657374616d70 c1 1b 0000018bcfe5687b
			71 4e65787453686172644974657261746f72 62 6974
			72 4d696c6c6973426568696e644c6174657374 19 03e8`},
		{"indefinite, chunked, untagged time, unknown keys", `bf
			65 4578747261 bf 61 61 9f 01 02 ff ff
			67 5265636f726473 9f bf
				64 44617461 5f 41 01 42 0203 ff
				6e 53657175656e63654e756d626572 7f 61 34 61 32 ff
				6c 506172746974696f6e4b6579 61 6b
				6e 456e6372797074696f6e54797065 f6
				78 1b 417070726f78696d6174654172726976616c54696d657374616d70 1b 0000018bcfe5687b
			ff ff
			71 4e65787453686172644974657261746f72 62 6974
			72 4d696c6c6973426568696e644c6174657374 19 03e8
			ff`},
		{"float milliseconds", `a3
			67 5265636f726473 81 a4
				64 44617461 43 010203
				6e 53657175656e63654e756d626572 62 3432
				6c 506172746974696f6e4b6579 61 6b
				78 1b 417070726f78696d6174654172726976616c54696d657374616d70 c1 fb 4278bcfe5687b000
			71 4e65787453686172644974657261746f72 62 6974
			72 4d696c6c6973426568696e644c6174657374 19 03e8`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out kinesis.GetRecordsOutput
			if err := decodeOutput(unhex(t, tc.hex), &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Records) != 1 {
				t.Fatalf("records: %+v", out.Records)
			}
			r := out.Records[0]
			if string(r.Data) != "\x01\x02\x03" || aws.ToString(r.SequenceNumber) != "42" || aws.ToString(r.PartitionKey) != "k" ||
				r.ApproximateArrivalTimestamp == nil || !r.ApproximateArrivalTimestamp.Equal(at) || r.EncryptionType != "" {
				t.Fatalf("record: %+v (at %v)", r, r.ApproximateArrivalTimestamp)
			}
			if aws.ToString(out.NextShardIterator) != "it" || aws.ToInt64(out.MillisBehindLatest) != 1000 {
				t.Fatalf("output: %+v", out)
			}
		})
	}
}

// TestDecodeRejects checks that every proper prefix of a valid answer, and
// malformed items, are errors rather than panics or partial successes.
func TestDecodeRejects(t *testing.T) {
	valid := unhex(t, `a2 67 5265636f726473 81 a1 64 44617461 43 010203 71 4e65787453686172644974657261746f72 62 6974`)
	var out kinesis.GetRecordsOutput
	if err := decodeOutput(valid, &out); err != nil {
		t.Fatal(err)
	}
	for i := range len(valid) {
		var out kinesis.GetRecordsOutput
		if err := decodeOutput(valid[:i], &out); err == nil {
			t.Errorf("prefix of %d bytes decoded without an error", i)
		}
	}
	for name, h := range map[string]string{
		"trailing bytes":        `a0 00`,
		"not a map":             `80`,
		"integer key":           `a1 01 02`,
		"text as data":          `a1 67 5265636f726473 81 a1 64 44617461 63 616263`,
		"bad utf-8":             `a1 71 4e65787453686172644974657261746f72 62 c328`,
		"reserved header":       `a1 61 78 1c`,
		"huge array":            `a1 67 5265636f726473 9b ffffffffffffffff`,
		"timestamp tag 0":       `a1 67 5265636f726473 81 a1 78 1b 417070726f78696d6174654172726976616c54696d657374616d70 c0 00`,
		"nested chunk":          `a1 61 78 5f 5f ff ff`,
		"break outside of item": `a1 61 78 ff`,
	} {
		var out kinesis.GetRecordsOutput
		if err := decodeOutput(unhex(t, h), &out); err == nil {
			t.Errorf("%s: decoded without an error", name)
		}
	}
	deep := strings.Repeat("a1 61 78 ", 40) + "00"
	if err := decodeOutput(unhex(t, deep), &kinesis.GetRecordsOutput{}); err == nil || !strings.Contains(err.Error(), "deeply") {
		t.Errorf("40 nested maps: %v", err)
	}
}

// TestEncodeInput checks the request body byte for byte.
func TestEncodeInput(t *testing.T) {
	got := encodeInput(&kinesis.GetRecordsInput{ShardIterator: aws.String("it"), Limit: aws.Int32(10000)})
	want := unhex(t, `a2 6d 5368617264497465726174 6f72 62 6974 65 4c696d6974 19 2710`)
	if string(got) != string(want) {
		t.Fatalf("got %x, want %x", got, want)
	}
	// The decoder reads the encoder's heads back.
	d := decoder{b: got}
	n := 0
	if err := d.mapEach(func(string) error { n++; return d.skip() }); err != nil || n != 2 {
		t.Fatalf("re-read: %d keys, %v", n, err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte{0xa0})
	f.Add(unhex(f, `bf 67 5265636f726473 9f bf 64 44617461 5f 41 01 ff ff ff ff`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out kinesis.GetRecordsOutput
		decodeOutput(b, &out)
		errorAsJSON(b)
	})
}

// answer encodes a GetRecords answer of n records of size bytes each, as
// Eddy's server does (definite lengths, tag 1 timestamps).
func answer(n, size int) []byte {
	b := appendHead(nil, majorMap, 3)
	b = appendText(b, "Records")
	b = appendHead(b, majorArray, uint64(n))
	data := make([]byte, size)
	for i := range n {
		b = appendHead(b, majorMap, 4)
		b = appendText(b, "Data")
		b = appendHead(b, majorBytes, uint64(size))
		b = append(b, data...)
		b = appendText(b, "SequenceNumber")
		b = appendText(b, fmt.Sprintf("4965%052d", i))
		b = appendText(b, "PartitionKey")
		b = appendText(b, fmt.Sprintf("key-%d", i))
		b = appendText(b, "ApproximateArrivalTimestamp")
		b = append(b, 0xc1) // tag 1
		b = appendHead(b, majorUint, uint64(1_700_000_000_000+i))
	}
	b = appendText(b, "NextShardIterator")
	b = appendText(b, "AAAAiterator")
	b = appendText(b, "MillisBehindLatest")
	return appendHead(b, majorUint, 0)
}

func TestDecodeAnswer(t *testing.T) {
	var out kinesis.GetRecordsOutput
	if err := decodeOutput(answer(3, 5), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Records) != 3 || *out.NextShardIterator != "AAAAiterator" || *out.MillisBehindLatest != 0 {
		t.Fatalf("decoded %+v", out)
	}
	for i, r := range out.Records {
		if *r.SequenceNumber != fmt.Sprintf("4965%052d", i) || *r.PartitionKey != fmt.Sprintf("key-%d", i) ||
			len(r.Data) != 5 || !r.ApproximateArrivalTimestamp.Equal(time.UnixMilli(int64(1_700_000_000_000+i))) {
			t.Errorf("record %d: %s %s %d %v", i, *r.SequenceNumber, *r.PartitionKey, len(r.Data), r.ApproximateArrivalTimestamp)
		}
	}
}

// BenchmarkDecodeOutput decodes a full answer: 10,000 records of 1 KiB.
func BenchmarkDecodeOutput(b *testing.B) {
	body := answer(10000, 1024)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var out kinesis.GetRecordsOutput
		if err := decodeOutput(body, &out); err != nil {
			b.Fatal(err)
		}
	}
}
