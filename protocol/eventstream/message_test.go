package eventstream

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func isErr(err, target error) bool { return err != nil && errors.Is(err, target) }

// unhex decodes hex written with spaces, newlines and "|" separators.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// Golden vectors, worked out by hand from the specification: each line is
// one field. The CRCs were computed with an independent CRC-32 (Python's
// zlib.crc32); TestGolden also checks every vector against the SDK.
var golden = []struct {
	name string
	msg  Message
	hex  string
}{
	{
		name: "empty",
		msg:  Message{},
		hex: `
			00000010 | total length 16
			00000000 | headers length 0
			05c248eb | prelude CRC
			7d98c8ff | message CRC`,
	},
	{
		name: "payload only",
		msg:  Message{Payload: []byte(`{"a":1}`)},
		hex: `
			00000017 | total length 23
			00000000 | headers length 0
			b7e294fb | prelude CRC
			7b2261223a317d | {"a":1}
			7a7ed137 | message CRC`,
	},
	{
		name: "every value type",
		msg: Message{
			Headers: []Header{
				{"true", BoolValue(true)},
				{"false", BoolValue(false)},
				{"byte", ByteValue(-2)},
				{"short", Int16Value(-300)},
				{"int", Int32Value(0x01020304)},
				{"long", Int64Value(-1)},
				{"bytes", BytesValue{0x00, 0xff}},
				{"string", StringValue("héllo")},
				{"time", TimestampValue(1700000000123)},
				{"uuid", UUIDValue{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}},
			},
			Payload: []byte("hi"),
		},
		hex: `
			00000085 | total length 133
			00000073 | headers length 115
			d528c00d | prelude CRC
			04 74727565 00 | "true" type 0
			05 66616c7365 01 | "false" type 1
			04 62797465 02 fe | "byte" type 2: -2
			05 73686f7274 03 fed4 | "short" type 3: -300
			03 696e74 04 01020304 | "int" type 4
			04 6c6f6e67 05 ffffffffffffffff | "long" type 5: -1
			05 6279746573 06 0002 00ff | "bytes" type 6: length 2
			06 737472696e67 07 0006 68c3a96c6c6f | "string" type 7: "héllo", 6 bytes of UTF-8
			04 74696d65 08 0000018bcfe5687b | "time" type 8: 1700000000123 ms
			04 75756964 09 00112233445566778899aabbccddeeff | "uuid" type 9
			6869 | payload "hi"
			7e664612 | message CRC`,
	},
	{
		name: "initial-response",
		msg:  EventMessage(EventTypeInitialResponse, ContentTypeJSON, []byte("{}")),
		hex: `
			00000068 | total length 104
			00000056 | headers length 86
			4e681724 | prelude CRC
			0d 3a6d6573736167652d74797065 07 0005 6576656e74 | :message-type = event
			0b 3a6576656e742d74797065 07 0010 696e697469616c2d726573706f6e7365 | :event-type = initial-response
			0d 3a636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e | :content-type = application/json
			7b7d | payload {}
			fe942c1d | message CRC`,
	},
	{
		name: "exception",
		msg:  ExceptionMessage("ResourceInUseException", ContentTypeJSON, []byte(`{"message":"busy"}`)),
		hex: `
			00000086 | total length 134
			00000064 | headers length 100
			115b3f1a | prelude CRC
			0d 3a6d6573736167652d74797065 07 0009 657863657074696f6e | :message-type = exception
			0f 3a657863657074696f6e2d74797065 07 0016 5265736f75726365496e557365457863657074696f6e | :exception-type = ResourceInUseException
			0d 3a636f6e74656e742d74797065 07 0010 6170706c69636174696f6e2f6a736f6e | :content-type = application/json
			7b226d657373616765223a2262757379227d | payload {"message":"busy"}
			736f9977 | message CRC`,
	},
	{
		name: "error, no payload",
		msg:  ErrorMessage("InternalFailure", "boom"),
		hex: `
			0000005a | total length 90
			0000004a | headers length 74
			8188a08d | prelude CRC
			0d 3a6d6573736167652d74797065 07 0005 6572726f72 | :message-type = error
			0b 3a6572726f722d636f6465 07 000f 496e7465726e616c4661696c757265 | :error-code = InternalFailure
			0e 3a6572726f722d6d657373616765 07 0004 626f6f6d | :error-message = boom
			d78e0703 | message CRC`,
	},
}

// stripComments removes the "| ..." comment from each line of a golden hex
// block.
func stripComments(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if i := strings.Index(line, "|"); i >= 0 {
			line = line[:i]
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

func goldenBytes(t testing.TB, i int) []byte { return unhex(t, stripComments(golden[i].hex)) }

func TestGolden(t *testing.T) {
	for i, g := range golden {
		t.Run(g.name, func(t *testing.T) {
			want := goldenBytes(t, i)
			got, err := g.msg.AppendTo(nil)
			if err != nil {
				t.Fatalf("AppendTo: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("AppendTo:\n got %x\nwant %x", got, want)
			}
			if n, err := g.msg.EncodedLen(); n != len(want) || err != nil {
				t.Errorf("EncodedLen = %d, %v; want %d", n, err, len(want))
			}
			m, n, err := Decode(want)
			if err != nil || n != len(want) {
				t.Fatalf("Decode: n=%d err=%v", n, err)
			}
			if !equalMessages(m, g.msg) {
				t.Errorf("Decode:\n got %+v\nwant %+v", m, g.msg)
			}
			// The SDK agrees on the bytes both ways.
			if sdkBytes := sdkEncode(t, g.msg); !bytes.Equal(sdkBytes, want) {
				t.Errorf("SDK encoding:\n got %x\nwant %x", sdkBytes, want)
			}
			sm, err := sdkDecode(t, want)
			if err != nil {
				t.Fatalf("SDK decode: %v", err)
			}
			if !equalMessages(sm, g.msg) {
				t.Errorf("SDK decode:\n got %+v\nwant %+v", sm, g.msg)
			}
		})
	}
}

func TestAppendToKeepsPrefix(t *testing.T) {
	want := goldenBytes(t, 2)
	for _, dst := range [][]byte{[]byte("abc"), make([]byte, 3, 1000)} {
		copy(dst, "abc")
		got, err := golden[2].msg.AppendTo(dst)
		if err != nil {
			t.Fatal(err)
		}
		if string(got[:3]) != "abc" || !bytes.Equal(got[3:], want) {
			t.Errorf("AppendTo(%q) = %x", dst, got)
		}
	}
}

func TestDecodeIgnoresTrailingBytes(t *testing.T) {
	var stream []byte
	for i := range golden {
		stream = append(stream, goldenBytes(t, i)...)
	}
	for i, g := range golden {
		m, n, err := Decode(stream)
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if n != len(goldenBytes(t, i)) || !equalMessages(m, g.msg) {
			t.Fatalf("message %d: n=%d, %+v", i, n, m)
		}
		stream = stream[n:]
	}
	if len(stream) != 0 {
		t.Fatalf("%d bytes left", len(stream))
	}
}

func TestDecodeAliasesPayload(t *testing.T) {
	b := goldenBytes(t, 2)
	m, _, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-6] = 'H' // first payload byte
	if string(m.Payload) != "Hi" {
		t.Errorf("payload %q does not alias the input", m.Payload)
	}
	if cap(m.Payload) != len(m.Payload) {
		t.Errorf("payload cap %d reaches past the payload", cap(m.Payload))
	}
}

func TestMessageGet(t *testing.T) {
	m := golden[3].msg
	if s, ok := m.HeaderString(HeaderEventType); !ok || s != EventTypeInitialResponse {
		t.Errorf("HeaderString(:event-type) = %q, %v", s, ok)
	}
	if _, ok := m.HeaderString("missing"); ok {
		t.Error("HeaderString(missing) ok")
	}
	m.Headers = append(m.Headers, Header{"n", Int32Value(1)}, Header{"n", Int32Value(2)})
	if v := m.Get("n"); v != Int32Value(1) {
		t.Errorf("Get returns %v, want the first of repeated headers", v)
	}
	if _, ok := m.HeaderString("n"); ok {
		t.Error("HeaderString of an Int32Value ok")
	}
	if m.Get("missing") != nil {
		t.Error("Get(missing) != nil")
	}
}

func TestEventHelpers(t *testing.T) {
	m := EventMessage("SubscribeToShardEvent", "", nil)
	if len(m.Headers) != 2 || m.Get(HeaderContentType) != nil || m.Payload != nil {
		t.Errorf("EventMessage with no content type: %+v", m)
	}
	m = ExceptionMessage("ResourceNotFoundException", ContentTypeJSON, []byte{})
	if len(m.Headers) != 3 || m.Payload != nil {
		t.Errorf("ExceptionMessage: %+v", m)
	}
}

func TestTimestamp(t *testing.T) {
	tm := time.Date(2023, 11, 14, 22, 13, 20, 123_456_789, time.UTC)
	v := Timestamp(tm)
	if v != 1700000000123 {
		t.Errorf("Timestamp = %d", v)
	}
	if got := v.Time(); !got.Equal(tm.Truncate(time.Millisecond)) || got.Location() != time.UTC {
		t.Errorf("Time = %v", got)
	}
	if got := TimestampValue(-1).Time(); !got.Equal(time.Unix(0, -1e6)) {
		t.Errorf("Time(-1) = %v", got)
	}
}

func TestValueTypeString(t *testing.T) {
	if TypeUUID.String() != "uuid" || ValueType(10).String() != "type(10)" {
		t.Errorf("got %q, %q", TypeUUID, ValueType(10))
	}
}

func TestEncodeErrors(t *testing.T) {
	long := strings.Repeat("x", MaxValueLen+1)
	var manyHeaders []Header // 5 headers of 32,767 bytes and a little more each: > 128 KiB
	for i := range 5 {
		manyHeaders = append(manyHeaders, Header{string(rune('a' + i)), StringValue(long[:MaxValueLen])})
	}
	tests := []struct {
		name string
		m    Message
		want error
	}{
		{"empty name", Message{Headers: []Header{{"", BoolValue(true)}}}, ErrHeader},
		{"name too long", Message{Headers: []Header{{strings.Repeat("n", MaxNameLen+1), BoolValue(true)}}}, ErrHeader},
		{"nil value", Message{Headers: []Header{{"a", nil}}}, ErrHeader},
		{"string too long", Message{Headers: []Header{{"a", StringValue(long)}}}, ErrHeader},
		{"bytes too long", Message{Headers: []Header{{"a", BytesValue(long)}}}, ErrHeader},
		{"headers too long", Message{Headers: manyHeaders}, ErrLength},
		{"payload too long", Message{Payload: make([]byte, MaxPayloadLen+1)}, ErrLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := []byte("keep")
			got, err := tt.m.AppendTo(dst)
			if !isErr(err, tt.want) {
				t.Errorf("AppendTo error %v, want %v", err, tt.want)
			}
			if string(got) != "keep" {
				t.Errorf("AppendTo changed dst to %q", got)
			}
		})
	}
	// The limits themselves are allowed.
	ok := Message{
		Headers: []Header{{strings.Repeat("n", MaxNameLen), StringValue(long[:MaxValueLen])}},
		Payload: make([]byte, MaxPayloadLen),
	}
	b, err := ok.AppendTo(nil)
	if err != nil {
		t.Fatalf("message at the limits: %v", err)
	}
	if m, n, err := Decode(b); err != nil || n != len(b) || !equalMessages(m, ok) {
		t.Fatalf("decoding message at the limits: n=%d err=%v", n, err)
	}
}

// testMessages returns the golden messages and some random ones, encoded.
func testMessages(t testing.TB) [][]byte {
	var out [][]byte
	for i := range golden {
		out = append(out, goldenBytes(t, i))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		m := randomMessage(r)
		m.Payload = m.Payload[:min(len(m.Payload), 64)]
		b, err := m.AppendTo(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 600 {
			out = append(out, b)
		}
	}
	return out
}

func TestDecodeTruncated(t *testing.T) {
	for _, b := range testMessages(t) {
		for n := range len(b) {
			m, k, err := Decode(b[:n:n])
			if !isErr(err, ErrShort) || k != 0 || m.Headers != nil || m.Payload != nil {
				t.Fatalf("Decode of %d of %d bytes: %+v, %d, %v; want ErrShort", n, len(b), m, k, err)
			}
		}
	}
}

// TestDecodeBitFlips: CRC-32 detects every single-bit error, so each one is
// reported: in the prelude as ErrPreludeCRC (the prelude CRC is checked
// before its lengths are used), after it as ErrMessageCRC.
func TestDecodeBitFlips(t *testing.T) {
	for _, b := range testMessages(t) {
		for i := range b {
			for bit := range 8 {
				c := bytes.Clone(b)
				c[i] ^= 1 << bit
				_, _, err := Decode(c)
				want := ErrMessageCRC
				if i < preludeLen {
					want = ErrPreludeCRC
				}
				if !isErr(err, want) {
					t.Fatalf("flip bit %d of byte %d of %x: %v, want %v", bit, i, b, err, want)
				}
			}
		}
	}
}

// withPrelude returns a 12-byte prelude with a correct CRC.
func withPrelude(total, headers uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, headers)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

// frame builds a message around raw headers and payload bytes with correct
// lengths and CRCs, whether or not the headers are well formed.
func frame(headers, payload []byte) []byte {
	b := withPrelude(uint32(overhead+len(headers)+len(payload)), uint32(len(headers)))
	b = append(append(b, headers...), payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func TestDecodeBadLengths(t *testing.T) {
	tests := []struct {
		name           string
		total, headers uint32
	}{
		{"total 0", 0, 0},
		{"total 15", 15, 0},
		{"headers past the end", 16, 1},
		{"headers past the end, wrapping", 20, 0xffff_fff0},
		{"headers over the limit", overhead + MaxHeadersLen + 1, MaxHeadersLen + 1},
		{"payload over the limit", overhead + MaxPayloadLen + 1, 0},
		{"total 4 GiB", 0xffff_ffff, 0},
		{"total 4 GiB, headers at the limit", 0xffff_ffff, MaxHeadersLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The prelude alone is enough to reject the lengths.
			if _, _, err := Decode(withPrelude(tt.total, tt.headers)); !isErr(err, ErrLength) {
				t.Errorf("Decode: %v, want ErrLength", err)
			}
		})
	}
	// The largest lengths allowed want more bytes, not an error.
	if _, _, err := Decode(withPrelude(MaxMessageLen, MaxHeadersLen)); !isErr(err, ErrShort) {
		t.Errorf("Decode of the largest prelude: %v, want ErrShort", err)
	}
}

func TestDecodeBadHeaders(t *testing.T) {
	str := func(n int) []byte { // a string header "s" whose value claims n bytes
		return append([]byte{1, 's', byte(TypeString)}, byte(n>>8), byte(n))
	}
	tests := []struct {
		name    string
		headers []byte
	}{
		{"empty name", []byte{0, byte(TypeTrue)}},
		{"name past the end", []byte{5, 'a', 'b'}},
		{"no type", []byte{1, 'a'}},
		{"unknown type 10", []byte{1, 'a', 10}},
		{"unknown type 255", []byte{1, 'a', 255}},
		{"int32 cut short", []byte{1, 'a', byte(TypeInt32), 0, 0}},
		{"uuid cut short", append([]byte{1, 'a', byte(TypeUUID)}, make([]byte, 15)...)},
		{"string length cut short", []byte{1, 'a', byte(TypeString), 0}},
		{"string past the end", append(str(4), "abc"...)},
		{"bytes length only", []byte{1, 'a', byte(TypeBytes)}},
		{"string over MaxValueLen", append(str(MaxValueLen+1), make([]byte, MaxValueLen+1)...)},
		{"good header then bad", []byte{1, 'a', byte(TypeTrue), 1, 'b', 42}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, n, err := Decode(frame(tt.headers, []byte("payload")))
			if !isErr(err, ErrHeader) || n != 0 || m.Headers != nil {
				t.Errorf("Decode: %+v, %d, %v; want ErrHeader", m, n, err)
			}
		})
	}
	// Empty string and bytes values are accepted, as the SDKs write them.
	m, _, err := Decode(frame(append(str(0), 1, 'b', byte(TypeBytes), 0, 0), nil))
	if err != nil || len(m.Headers) != 2 || m.Headers[0].Value != StringValue("") || len(m.Headers[1].Value.(BytesValue)) != 0 {
		t.Errorf("empty values: %+v, %v", m, err)
	}
}
