package producer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/schemas"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"
)

// sdkProtocol is the protocol a Kinesis client uses (service/kinesis,
// api_client.go: awsjson.New11(schemas.Kinesis_20131202)).
var sdkProtocol = awsjson.New11(schemas.Kinesis_20131202)

var putRecordsSchema = smithy.NewOperationSchema(schemas.PutRecords, schemas.PutRecordsInput, schemas.PutRecordsOutput)

// serialized returns the method, path, headers and body proto writes for
// in.
func serialized(t *testing.T, proto smithyhttp.ClientProtocol, op *smithy.OperationSchema, in smithy.Serializable) (string, []byte) {
	t.Helper()
	req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	if err := proto.SerializeRequest(context.Background(), op, in, req); err != nil {
		t.Fatal(err)
	}
	var body []byte
	if s := req.GetStream(); s != nil {
		var err error
		if body, err = io.ReadAll(s); err != nil {
			t.Fatal(err)
		}
	}
	var head strings.Builder
	head.WriteString(req.Method + " " + req.URL.Path + "\n")
	req.Header.Write(&head)
	return head.String(), body
}

// randString draws a string that exercises the JSON escaping: printable
// ASCII, quotes and backslashes, control characters, DEL, valid UTF-8
// (U+2028 and U+2029 among it) and invalid bytes.
func randString(r *rand.Rand, max int) string {
	pieces := []string{"a", "Z", "9", " ", "-", "\"", "\\", "/", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f",
		"é", "€", "\U0001F600", "\u2028", "\u2029", "\xff", "\xc3", "\xe2\x80", "<", "&"}
	var b strings.Builder
	for n := r.IntN(max + 1); n > 0; n-- {
		if r.IntN(3) == 0 {
			b.WriteString(pieces[r.IntN(len(pieces))])
		} else {
			b.WriteByte(byte(0x20 + r.IntN(0x5f)))
		}
	}
	return b.String()
}

func randOptString(r *rand.Rand, max int) *string {
	if r.IntN(4) == 0 {
		return nil
	}
	return aws.String(randString(r, max))
}

func randInput(r *rand.Rand) *kinesis.PutRecordsInput {
	in := &kinesis.PutRecordsInput{StreamName: randOptString(r, 20), StreamARN: randOptString(r, 40), StreamId: randOptString(r, 10)}
	if r.IntN(4) == 0 {
		in.DryRun = aws.Bool(r.IntN(2) == 0)
	}
	if r.IntN(8) == 0 {
		return in // no Records
	}
	in.Records = []types.PutRecordsRequestEntry{}
	for n := r.IntN(20); n > 0; n-- {
		e := types.PutRecordsRequestEntry{PartitionKey: randOptString(r, 30), ExplicitHashKey: randOptString(r, 39)}
		switch r.IntN(6) {
		case 0: // no data
		case 1:
			e.Data = []byte{}
		default:
			e.Data = make([]byte, r.IntN(300))
			for i := range e.Data {
				e.Data[i] = byte(r.Uint32())
			}
		}
		in.Records = append(in.Records, e)
	}
	return in
}

// TestFastSerializationIsTheSDKs serializes random PutRecords inputs with
// the SDK's protocol and with putRecordsProtocol over it: the requests
// (method, path, headers, body) are the same, byte for byte.
func TestFastSerializationIsTheSDKs(t *testing.T) {
	fast := &putRecordsProtocol{sdkProtocol}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		in := randInput(r)
		wantHead, want := serialized(t, sdkProtocol, putRecordsSchema, in)
		gotHead, got := serialized(t, fast, putRecordsSchema, in)
		if gotHead != wantHead || !bytes.Equal(got, want) {
			t.Fatalf("input %d:\nSDK:  %s%s\nfast: %s%s", i, wantHead, want, gotHead, got)
		}
		if n := putRecordsSize(in); len(got) > n && isPlain(in) {
			t.Fatalf("input %d: %d bytes, sized %d", i, len(got), n)
		}
	}
	// Other operations go to the SDK's protocol untouched.
	ls := &kinesis.ListShardsInput{StreamName: aws.String("s"), MaxResults: aws.Int32(7)}
	lsSchema := smithy.NewOperationSchema(schemas.ListShards, schemas.ListShardsInput, schemas.ListShardsOutput)
	wantHead, want := serialized(t, sdkProtocol, lsSchema, ls)
	gotHead, got := serialized(t, fast, lsSchema, ls)
	if gotHead != wantHead || !bytes.Equal(got, want) {
		t.Fatalf("ListShards:\nSDK:  %s%s\nfast: %s%s", wantHead, want, gotHead, got)
	}
}

// isPlain reports whether no string of in needs escaping (putRecordsSize
// is then an upper bound).
func isPlain(in *kinesis.PutRecordsInput) bool {
	plain := func(s *string) bool {
		if s == nil {
			return true
		}
		for i := 0; i < len(*s); i++ {
			if !jsonSafe[(*s)[i]] {
				return false
			}
		}
		return true
	}
	ok := plain(in.StreamName) && plain(in.StreamARN) && plain(in.StreamId)
	for i := range in.Records {
		ok = ok && plain(in.Records[i].PartitionKey) && plain(in.Records[i].ExplicitHashKey)
	}
	return ok
}

// TestFastSerializationOnlyOverJSON11: the option wraps a client protocol
// that is awsJson1_1, once, and leaves any other alone.
func TestFastSerializationOnlyOverJSON11(t *testing.T) {
	o := kinesis.Options{Protocol: sdkProtocol}
	fastSerialization(&o)
	w, ok := o.Protocol.(*putRecordsProtocol)
	if !ok || w.ClientProtocol != sdkProtocol {
		t.Fatalf("protocol %T over awsJson1_1", o.Protocol)
	}
	fastSerialization(&o)
	if o.Protocol != w {
		t.Fatal("wrapped twice")
	}
	other := awsjson.New10(schemas.Kinesis_20131202)
	o = kinesis.Options{Protocol: other}
	fastSerialization(&o)
	if o.Protocol != other {
		t.Fatalf("awsJson1_0 replaced by %T", o.Protocol)
	}
	o = kinesis.Options{}
	fastSerialization(&o)
	if o.Protocol != nil {
		t.Fatal("a nil protocol replaced")
	}
}

func BenchmarkSerializePutRecords(b *testing.B) {
	in := &kinesis.PutRecordsInput{StreamName: aws.String("bench")}
	for i := range 100 {
		data := make([]byte, 51200)
		for j := range data {
			data[j] = byte(i + j)
		}
		in.Records = append(in.Records, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String("a"),
			ExplicitHashKey: aws.String("170141183460469231731687303715884105728")})
	}
	for _, bc := range []struct {
		name  string
		proto smithyhttp.ClientProtocol
	}{{"sdk", sdkProtocol}, {"fast", &putRecordsProtocol{sdkProtocol}}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(100 * 51200)
			for b.Loop() {
				req := smithyhttp.NewStackRequest().(*smithyhttp.Request)
				if err := bc.proto.SerializeRequest(context.Background(), putRecordsSchema, in, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestEncodeBase64 checks encodeBase64 against encoding/base64 for every
// length up to 100 and random contents.
func TestEncodeBase64(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 100 {
		for range 20 {
			src := make([]byte, n)
			for i := range src {
				src[i] = byte(r.Uint32())
			}
			want := base64.StdEncoding.EncodeToString(src)
			dst := make([]byte, len(want))
			encodeBase64(dst, src)
			if string(dst) != want {
				t.Fatalf("% x: %s, want %s", src, dst, want)
			}
		}
	}
}

// TestBodyRevoked: a call's body reads and seeks like a bytes.Reader until
// the call is done; then every read fails, and its buffer serves the next
// body.
func TestBodyRevoked(t *testing.T) {
	bs := &bodies{max: 1 << 20}
	call := &callBodies{bs: bs}
	b := call.get(10)
	b.b = append(b.b, "0123456789"...)
	buf := b.b
	p := make([]byte, 4)
	if n, err := b.Read(p); n != 4 || err != nil || string(p) != "0123" || b.Len() != 6 {
		t.Fatalf("Read = %d, %v, %q; Len %d", n, err, p, b.Len())
	}
	if off, err := b.Seek(0, io.SeekStart); off != 0 || err != nil || b.Len() != 10 {
		t.Fatalf("Seek = %d, %v; Len %d", off, err, b.Len())
	}
	if end, err := b.Seek(0, io.SeekEnd); end != 10 || err != nil {
		t.Fatalf("Seek to the end = %d, %v", end, err)
	}
	if _, err := b.Seek(11, io.SeekStart); err == nil {
		t.Fatal("Seek past the end")
	}
	call.done()
	if _, err := b.Read(p); !errors.Is(err, errRevoked) {
		t.Fatalf("Read after the call = %v", err)
	}
	if _, err := b.Seek(0, io.SeekStart); !errors.Is(err, errRevoked) {
		t.Fatalf("Seek after the call = %v", err)
	}
	if b.Len() != 0 {
		t.Fatalf("Len after the call = %d", b.Len())
	}
	next := (&callBodies{bs: bs}).get(5)
	if len(next.b) != 0 || cap(next.b) != cap(buf) || &next.b[:1][0] != &buf[:1][0] {
		t.Fatal("the next body did not get the buffer back")
	}
	// A kept buffer too small for a body is dropped.
	bs.put(next.b)
	big := (&callBodies{bs: bs}).get(1000)
	if cap(big.b) < 1000 || len(bs.free) != 0 || bs.bytes != 0 {
		t.Fatalf("cap %d, %d kept (%d bytes)", cap(big.b), len(bs.free), bs.bytes)
	}
	// At most max bytes are kept.
	bs.put(make([]byte, 0, 1<<20))
	bs.put(make([]byte, 0, 1))
	if len(bs.free) != 1 || bs.bytes != 1<<20 {
		t.Fatalf("%d kept (%d bytes), want the first only", len(bs.free), bs.bytes)
	}
}
