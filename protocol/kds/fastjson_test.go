package kds

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var oddKeys = []string{"", "plain", "quote\"back\\slash", "ctl\x00\x01\x1f\t\n\r\b\f", "<html>&amp;", "é ü 日本", "\u2028\u2029", "bad\xffutf8\xc3", "emoji 🙂"}

func TestGetRecordsFastJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		out := GetRecordsOutput{MillisBehindLatest: rng.Int64N(1e6)}
		if n%7 != 0 {
			out.Records = []Record{}
		}
		for i := rng.IntN(5); i > 0; i-- {
			// Up to 300 bytes: the AVX2 encoder takes 28 and more.
			data := make([]byte, rng.IntN(300))
			for j := range data {
				data[j] = byte(rng.IntN(256))
			}
			r := Record{SequenceNumber: "4959033827149025660855969253836157109592157598913658889" + string(rune('0'+i)), Data: data,
				PartitionKey: oddKeys[rng.IntN(len(oddKeys))]}
			if rng.IntN(3) > 0 {
				r.ApproximateArrivalTimestamp = Timestamp(time.UnixMilli(rng.Int64N(2e12)))
			}
			if rng.IntN(4) == 0 {
				r.EncryptionType = "KMS"
			}
			if rng.IntN(9) == 0 {
				r.Data = nil
			}
			out.Records = append(out.Records, r)
		}
		if rng.IntN(2) == 0 {
			s := "AAAAiterator+/="
			out.NextShardIterator = &s
		}
		if rng.IntN(4) == 0 {
			out.ChildShards = []ChildShard{{ShardId: "shardId-000000000001", ParentShards: []string{"shardId-000000000000"}, HashKeyRange: HashKeyRange{"0", "1"}}}
		}
		got, err := out.AppendFastJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdJSON(t, &out); !bytes.Equal(got, want) {
			t.Fatalf("fast:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

func TestPutRecordsOutputFastJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 300; n++ {
		out := PutRecordsOutput{FailedRecordCount: int32(rng.IntN(3))}
		if n%7 != 0 {
			out.Records = []PutRecordsResultEntry{}
		}
		for i := rng.IntN(5); i > 0; i-- {
			var r PutRecordsResultEntry
			if rng.IntN(3) == 0 {
				r.ErrorCode, r.ErrorMessage = "ProvisionedThroughputExceededException", oddKeys[rng.IntN(len(oddKeys))]
			} else {
				r.SequenceNumber, r.ShardId = "49590338271490256608559692538361571095921575989136588898", "shardId-000000000001"
			}
			if rng.IntN(5) == 0 {
				r.ShardId = ""
			}
			out.Records = append(out.Records, r)
		}
		if rng.IntN(2) == 0 {
			out.EncryptionType = EncryptionType(oddKeys[rng.IntN(len(oddKeys))])
		}
		got, err := out.AppendFastJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdJSON(t, &out); !bytes.Equal(got, want) {
			t.Fatalf("fast:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}

func TestPutRecordsFastDecode(t *testing.T) {
	accept := []string{
		`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"},{"Data":"","PartitionKey":"k2","ExplicitHashKey":"123"}]}`,
		` { "Records" : [ ] , "StreamARN" : "arn:aws:kinesis:us-east-1:000000000000:stream/s" } `,
		`{"Records":[{"PartitionKey":"é日本","Data":"AAEC"}],"StreamName":"x","StreamId":"id"}`,
	}
	for _, body := range accept {
		var fast, std PutRecordsInput
		if !fast.DecodeFastJSON([]byte(body)) {
			t.Fatalf("fast path declined %s", body)
		}
		if err := json.Unmarshal([]byte(body), &std); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalize(fast), normalize(std)) {
			t.Fatalf("%s\nfast %+v\nstd  %+v", body, fast, std)
		}
	}
	decline := []string{
		``, `{`, `[]`, `null`, `{"Records":null}`, `{"StreamName":null}`, `{"streamname":"s"}`,
		`{"StreamName":"a\"b"}`, `{"Records":[{"Data":"!!"}]}`, `{"Records":[{"Data":1}]}`, `{"Unknown":1}`,
		`{"StreamName":"s"} x`, `{"StreamName":"s","StreamName":"t"}`, `{"Records":[{"Data":"AA==","Data":"AA=="}]}`,
		"{\"StreamName\":\"bad\xff\"}", `{"DryRun":true}`,
		// Raw line breaks in a blob: invalid JSON that the base64 decoder
		// would skip. Escapes in a blob: valid JSON, left to encoding/json.
		"{\"Records\":[{\"Data\":\"AA\n==\"}]}", "{\"Records\":[{\"Data\":\"AA\r==\"}]}",
		// Four line breaks keep the length a multiple of 4.
		"{\"Records\":[{\"Data\":\"AAAA\n\n\n\nAAAA\"}]}", "{\"Records\":[{\"Data\":\"AAAA\r\n\r\nAA==\"}]}",
		"{\"Records\":[{\"Data\":\"" + strings.Repeat("QUFB", 20) + "\n\r\n\r" + strings.Repeat("QUFB", 20) + "\"}]}",
		`{"Records":[{"Data":"a\/8="}]}`, `{"Records":[{"Data":"AA\"=="}]}`,
	}
	for _, body := range decline {
		var in PutRecordsInput
		if in.DecodeFastJSON([]byte(body)) {
			t.Fatalf("fast path accepted %q", body)
		}
		if !reflect.DeepEqual(in, PutRecordsInput{}) {
			t.Fatalf("declined %q but left %+v", body, in)
		}
	}
}

// TestPutRecordsFastDecodeBlobs compares the fast path's base64 with
// encoding/json's on blobs long enough for the AVX2 decoder (45 bytes and
// more), valid and with one byte replaced: both must accept the same bodies
// and decode them alike.
func TestPutRecordsFastDecodeBlobs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.!~ \x00\x7f\xff\n\r"
	for n := 0; n < 20000; n++ {
		data := make([]byte, rng.IntN(400))
		for i := range data {
			data[i] = byte(rng.IntN(256))
		}
		blob := []byte(base64.StdEncoding.EncodeToString(data))
		if len(blob) > 0 && rng.IntN(2) == 0 {
			blob[rng.IntN(len(blob))] = alphabet[rng.IntN(len(alphabet))]
		}
		if len(blob) > 0 && rng.IntN(8) == 0 { // line breaks the decoder would skip
			at := rng.IntN(len(blob))
			blob = slices.Concat(blob[:at], []byte("\r\n\n\r"[:1+rng.IntN(4)]), blob[at:])
		}
		body := []byte(`{"StreamName":"s","Records":[{"PartitionKey":"k","Data":"` + string(blob) + `"}]}`)
		var fast, std PutRecordsInput
		fastOK := fast.DecodeFastJSON(body)
		stdErr := json.Unmarshal(body, &std)
		if fastOK && stdErr != nil {
			t.Fatalf("fast path accepted %q, encoding/json: %v", blob, stdErr)
		}
		if !fastOK && stdErr == nil && !bytes.ContainsAny(blob, "\\") {
			t.Fatalf("fast path declined %q, which encoding/json accepts", blob)
		}
		if fastOK && !reflect.DeepEqual(normalize(fast), normalize(std)) {
			t.Fatalf("%q\nfast %x\nstd  %x", blob, fast.Records[0].Data, std.Records[0].Data)
		}
	}
}

// TestPutRecordsFastDecodeRelease: Release gives the data buffers back; a
// live input's data is never handed to another decode; the keys of a
// released input stay intact (they are not pooled: storage may keep them).
func TestPutRecordsFastDecodeRelease(t *testing.T) {
	body := func(fill byte, key string) []byte {
		in := PutRecordsInput{StreamName: ptrTo("s")}
		for range 400 {
			in.Records = append(in.Records, PutRecordsRequestEntry{Data: bytes.Repeat([]byte{fill}, 1024), PartitionKey: ptrTo(key)})
		}
		b, _ := json.Marshal(&in)
		return b
	}
	var a PutRecordsInput
	if !a.DecodeFastJSON(body('a', "key-a")) {
		t.Fatal("declined")
	}
	if len(a.arenas) < 2 {
		t.Fatalf("400 KiB of data in %d pooled buffers", len(a.arenas))
	}
	keyA := a.Records[7].PartitionKey
	bufA := a.arenas[0]
	reusedOnce := false
	a.Release()
	if a.Records != nil || a.arenas != nil {
		t.Fatal("Release left records or buffers")
	}
	a.Release() // twice is harmless
	// Decodes while another input is live: neither sees the other's data.
	var live PutRecordsInput
	if !live.DecodeFastJSON(body('l', "key-l")) {
		t.Fatal("declined")
	}
	for range 5 {
		var b PutRecordsInput
		if !b.DecodeFastJSON(body('b', "key-b")) {
			t.Fatal("declined")
		}
		for _, r := range b.Records {
			if !bytes.Equal(r.Data, bytes.Repeat([]byte{'b'}, 1024)) || *r.PartitionKey != "key-b" {
				t.Fatal("a later decode's records are wrong")
			}
		}
		if slices.Contains(b.arenas, bufA) {
			reusedOnce = true
		}
		b.Release()
	}
	for _, r := range live.Records {
		if !bytes.Equal(r.Data, bytes.Repeat([]byte{'l'}, 1024)) {
			t.Fatal("a live input's data changed")
		}
	}
	live.Release()
	t.Logf("released buffer reused: %v (sync.Pool may drop it)", reusedOnce)
	if *keyA != "key-a" {
		t.Fatalf("a released input's key changed to %q", *keyA)
	}
}

// normalize drops the capacity differences of decoded slices.
func normalize(in PutRecordsInput) PutRecordsInput {
	in.arenas = nil
	for i := range in.Records {
		if in.Records[i].Data != nil {
			in.Records[i].Data = append([]byte{}, in.Records[i].Data...)
		}
	}
	return in
}

// FuzzPutRecordsFastDecode: whatever the fast path accepts, encoding/json
// accepts and decodes to the same value.
func FuzzPutRecordsFastDecode(f *testing.F) {
	f.Add([]byte(`{"StreamName":"s","Records":[{"Data":"aGVsbG8=","PartitionKey":"k"}]}`))
	f.Add([]byte(`{"Records":[],"StreamARN":"a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast PutRecordsInput
		if !fast.DecodeFastJSON(b) {
			return
		}
		var std PutRecordsInput
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json: %v", b, err)
		}
		if !reflect.DeepEqual(normalize(fast), normalize(std)) {
			t.Fatalf("%q\nfast %+v\nstd  %+v", b, fast, std)
		}
	})
}

func BenchmarkPutRecordsDecode(b *testing.B) {
	in := PutRecordsInput{StreamName: ptrTo("s")}
	data := make([]byte, 1024)
	for i := 0; i < 500; i++ {
		in.Records = append(in.Records, PutRecordsRequestEntry{Data: data, PartitionKey: ptrTo("partition-key-123")})
	}
	body, _ := json.Marshal(&in)
	b.SetBytes(int64(len(body)))
	b.Run("fast", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var x PutRecordsInput
			if !x.DecodeFastJSON(body) {
				b.Fatal("declined")
			}
			x.Release() // as the server does once the call is over
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var x PutRecordsInput
			if err := json.Unmarshal(body, &x); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func ptrTo(s string) *string { return &s }

func BenchmarkPutRecordsEncode(b *testing.B) {
	out := PutRecordsOutput{}
	for i := 0; i < 500; i++ {
		out.Records = append(out.Records, PutRecordsResultEntry{SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000001"})
	}
	b.Run("fast", func(b *testing.B) {
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf, _ = out.AppendFastJSON(buf[:0])
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		var buf bytes.Buffer
		for i := 0; i < b.N; i++ {
			buf.Reset()
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(&out)
		}
	})
}
