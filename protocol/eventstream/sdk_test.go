package eventstream

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	sdk "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// This file cross-checks the package against the aws-sdk-go-v2 event stream
// codec, used here only as an independent implementation.

func toSDK(t testing.TB, m Message) sdk.Message {
	t.Helper()
	var out sdk.Message
	for _, h := range m.Headers {
		var v sdk.Value
		switch hv := h.Value.(type) {
		case BoolValue:
			v = sdk.BoolValue(hv)
		case ByteValue:
			v = sdk.Int8Value(hv)
		case Int16Value:
			v = sdk.Int16Value(hv)
		case Int32Value:
			v = sdk.Int32Value(hv)
		case Int64Value:
			v = sdk.Int64Value(hv)
		case BytesValue:
			v = sdk.BytesValue(hv)
		case StringValue:
			v = sdk.StringValue(hv)
		case TimestampValue:
			v = sdk.TimestampValue(hv.Time())
		case UUIDValue:
			v = sdk.UUIDValue(hv)
		default:
			t.Fatalf("header %q: unexpected value %T", h.Name, h.Value)
		}
		// Append, not Headers.Set: keep duplicates and order as they are.
		out.Headers = append(out.Headers, sdk.Header{Name: h.Name, Value: v})
	}
	out.Payload = m.Payload
	return out
}

func fromSDK(t testing.TB, m sdk.Message) Message {
	t.Helper()
	var out Message
	for _, h := range m.Headers {
		var v Value
		switch hv := h.Value.(type) {
		case sdk.BoolValue:
			v = BoolValue(hv)
		case sdk.Int8Value:
			v = ByteValue(hv)
		case sdk.Int16Value:
			v = Int16Value(hv)
		case sdk.Int32Value:
			v = Int32Value(hv)
		case sdk.Int64Value:
			v = Int64Value(hv)
		case sdk.BytesValue:
			v = BytesValue(hv)
		case sdk.StringValue:
			v = StringValue(hv)
		case sdk.TimestampValue:
			v = Timestamp(time.Time(hv))
		case sdk.UUIDValue:
			v = UUIDValue(hv)
		default:
			t.Fatalf("header %q: unexpected SDK value %T", h.Name, h.Value)
		}
		out.Headers = append(out.Headers, Header{h.Name, v})
	}
	if len(m.Payload) > 0 {
		out.Payload = m.Payload
	}
	return out
}

func sdkEncode(t testing.TB, m Message) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := sdk.NewEncoder().Encode(&buf, toSDK(t, m)); err != nil {
		t.Fatalf("SDK encode: %v", err)
	}
	return buf.Bytes()
}

func sdkDecode(t testing.TB, b []byte) (Message, error) {
	t.Helper()
	m, err := sdk.NewDecoder().Decode(bytes.NewReader(b), nil)
	if err != nil {
		return Message{}, err
	}
	return fromSDK(t, m), nil
}

// equalMessages reports whether a and b have the same headers in the same
// order and the same payload; nil and empty byte slices are equal.
func equalMessages(a, b Message) bool {
	if len(a.Headers) != len(b.Headers) || !bytes.Equal(a.Payload, b.Payload) {
		return false
	}
	for i := range a.Headers {
		ha, hb := a.Headers[i], b.Headers[i]
		if ha.Name != hb.Name || ha.Value.Type() != hb.Value.Type() {
			return false
		}
		if va, ok := ha.Value.(BytesValue); ok {
			if !bytes.Equal(va, hb.Value.(BytesValue)) {
				return false
			}
		} else if ha.Value != hb.Value {
			return false
		}
	}
	return true
}

// randomMessage returns a message with up to 12 headers of random types and
// distinct names (the SDK decoder keeps only the last of a repeated name) and
// a payload of up to 2 KiB.
func randomMessage(r *rand.Rand) Message {
	var m Message
	n := r.IntN(13)
	for i := range n {
		name := fmt.Sprintf("h%d-%s", i, strings.Repeat("x", r.IntN(40)))
		if r.IntN(20) == 0 {
			name = fmt.Sprintf("%02d%s", i, strings.Repeat("n", MaxNameLen-2))
		}
		m.Headers = append(m.Headers, Header{name, randomValue(r)})
	}
	switch r.IntN(4) {
	case 0: // no payload
	case 1:
		m.Payload = randomBytes(r, 1+r.IntN(16))
	default:
		m.Payload = randomBytes(r, 1+r.IntN(2048))
	}
	return m
}

func randomValue(r *rand.Rand) Value {
	switch ValueType(r.IntN(10)) {
	case TypeTrue:
		return BoolValue(true)
	case TypeFalse:
		return BoolValue(false)
	case TypeByte:
		return ByteValue(r.Uint32())
	case TypeInt16:
		return Int16Value(r.Uint32())
	case TypeInt32:
		return Int32Value(r.Uint32())
	case TypeInt64:
		return Int64Value(r.Uint64())
	case TypeBytes:
		return BytesValue(randomBytes(r, r.IntN(64)))
	case TypeString:
		if r.IntN(30) == 0 {
			return StringValue(strings.Repeat("s", MaxValueLen))
		}
		return StringValue(randomBytes(r, r.IntN(64)))
	case TypeTimestamp:
		// Within ±285 years of the epoch: the SDK encodes a timestamp
		// through time.Time.UnixNano, which overflows outside 1678-2262.
		return TimestampValue(r.Int64N(18e12) - 9e12)
	default:
		var u UUIDValue
		for i := range u {
			u[i] = byte(r.Uint32())
		}
		return u
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestSDKCrossCheck: for random messages, this package and the SDK encode
// the same bytes, and each decodes the other's encoding to the same message.
func TestSDKCrossCheck(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 3000 {
		m := randomMessage(r)
		ours, err := m.AppendTo(nil)
		if err != nil {
			t.Fatalf("message %d: AppendTo: %v", i, err)
		}
		theirs := sdkEncode(t, m)
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("message %d: encodings differ\nours:   %x\ntheirs: %x", i, ours, theirs)
		}
		got, err := sdkDecode(t, ours)
		if err != nil {
			t.Fatalf("message %d: SDK decode of our encoding: %v", i, err)
		}
		if !equalMessages(got, m) {
			t.Fatalf("message %d: SDK decoded\n%+v\nwant\n%+v", i, got, m)
		}
		got, n, err := Decode(theirs)
		if err != nil || n != len(theirs) {
			t.Fatalf("message %d: Decode of SDK encoding: n=%d err=%v", i, n, err)
		}
		if !equalMessages(got, m) {
			t.Fatalf("message %d: decoded\n%+v\nwant\n%+v", i, got, m)
		}
	}
}

// sdkTestdata returns the directory of the SDK's event stream test vectors
// (the cross-SDK set also used by aws-c-event-stream), or skips the test.
func sdkTestdata(t *testing.T) string {
	t.Helper()
	const mod = "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", mod).Output()
	dir := filepath.Join(strings.TrimSpace(string(out)), "testdata")
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("cannot locate %s: %v", mod, err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no SDK test vectors: %v", err)
	}
	return dir
}

// TestSDKVectors decodes the SDK's positive test vectors, re-encodes them
// byte for byte, and checks the negative vectors fail with the CRC error the
// vectors name.
func TestSDKVectors(t *testing.T) {
	dir := sdkTestdata(t)
	pos, err := filepath.Glob(filepath.Join(dir, "encoded", "positive", "*"))
	if err != nil || len(pos) == 0 {
		t.Fatalf("no positive vectors in %s: %v", dir, err)
	}
	for _, p := range pos {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, n, err := Decode(b)
		if err != nil || n != len(b) {
			t.Errorf("%s: Decode: n=%d of %d, err=%v", filepath.Base(p), n, len(b), err)
			continue
		}
		want, err := sdkDecode(t, b)
		if err != nil {
			t.Fatalf("%s: SDK decode: %v", filepath.Base(p), err)
		}
		if !equalMessages(m, want) {
			t.Errorf("%s: decoded %+v, SDK decoded %+v", filepath.Base(p), m, want)
		}
		again, err := m.AppendTo(nil)
		if err != nil || !bytes.Equal(again, b) {
			t.Errorf("%s: re-encoded %x, %v; want %x", filepath.Base(p), again, err, b)
		}
	}
	neg, _ := filepath.Glob(filepath.Join(dir, "encoded", "negative", "*"))
	for _, p := range neg {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		desc, err := os.ReadFile(filepath.Join(dir, "decoded", "negative", filepath.Base(p)))
		if err != nil {
			t.Fatal(err)
		}
		want := ErrMessageCRC
		if strings.HasPrefix(string(desc), "Prelude") {
			want = ErrPreludeCRC
		}
		if _, _, err := Decode(b); !isErr(err, want) {
			t.Errorf("%s (%s): Decode error %v, want %v", filepath.Base(p), desc, err, want)
		}
	}
}
