package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// ContentType is the HTTP Content-Type of a response whose body is an event
// stream.
const ContentType = "application/vnd.amazon.eventstream"

// Limits from the Smithy event stream specification. Encoding and decoding
// both enforce them.
const (
	MaxPayloadLen = 24 << 20  // payload bytes (25,165,824)
	MaxHeadersLen = 128 << 10 // encoded header bytes (131,072)
	MaxNameLen    = 255       // header name bytes; names are at least 1 byte
	MaxValueLen   = 1<<15 - 1 // bytes of a BytesValue or StringValue (32,767)

	// MaxMessageLen is the largest total length a message can have.
	MaxMessageLen = overhead + MaxHeadersLen + MaxPayloadLen
)

const (
	preludeLen = 12 // total length, headers length, prelude CRC
	overhead   = preludeLen + 4
)

// Errors from Decode, Decoder.Next and Message.AppendTo. Errors from this
// package wrap one of these with detail; test with errors.Is.
var (
	// ErrShort: b holds the start of a message but not all of it. The prelude
	// was valid (or b is shorter than the 12-byte prelude); more bytes may
	// complete the message.
	ErrShort = errors.New("eventstream: message truncated")

	// ErrPreludeCRC: the prelude CRC does not match the first 8 bytes.
	ErrPreludeCRC = errors.New("eventstream: prelude checksum mismatch")

	// ErrMessageCRC: the message CRC does not match the message.
	ErrMessageCRC = errors.New("eventstream: message checksum mismatch")

	// ErrLength: the prelude's lengths are inconsistent (total length below
	// 16, headers longer than the message) or exceed MaxHeadersLen or
	// MaxPayloadLen; or, when encoding, the headers or payload are too long.
	ErrLength = errors.New("eventstream: invalid length")

	// ErrHeader: the headers section is malformed (a header runs past its
	// end, an empty name, an unknown value type, a value longer than
	// MaxValueLen); or, when encoding, a header has such a name or value, or
	// a nil Value.
	ErrHeader = errors.New("eventstream: invalid header")
)

// Header is one message header.
type Header struct {
	Name  string
	Value Value
}

// Message is one event stream message. Headers are kept in wire order.
type Message struct {
	Headers []Header
	Payload []byte // nil when empty
}

// Get returns the value of the first header named name, or nil if there is
// none.
func (m *Message) Get(name string) Value {
	for _, h := range m.Headers {
		if h.Name == name {
			return h.Value
		}
	}
	return nil
}

// HeaderString returns the first header named name if it is a StringValue.
// ok is false if there is no such header or it has another type.
func (m *Message) HeaderString(name string) (s string, ok bool) {
	v, ok := m.Get(name).(StringValue)
	return string(v), ok
}

// EncodedLen returns the number of bytes AppendTo appends for m, or an error
// wrapping ErrHeader or ErrLength if m cannot be encoded.
func (m *Message) EncodedLen() (int, error) {
	hlen := 0
	for i, h := range m.Headers {
		if len(h.Name) == 0 || len(h.Name) > MaxNameLen {
			return 0, fmt.Errorf("%w: header %d: name length %d not in [1, %d]", ErrHeader, i, len(h.Name), MaxNameLen)
		}
		n := valueLen(h.Value)
		if n < 0 {
			if h.Value == nil {
				return 0, fmt.Errorf("%w: header %q: nil value", ErrHeader, h.Name)
			}
			return 0, fmt.Errorf("%w: header %q: value longer than %d bytes", ErrHeader, h.Name, MaxValueLen)
		}
		hlen += 1 + len(h.Name) + 1 + n
		if hlen > MaxHeadersLen {
			return 0, fmt.Errorf("%w: headers longer than %d bytes", ErrLength, MaxHeadersLen)
		}
	}
	if len(m.Payload) > MaxPayloadLen {
		return 0, fmt.Errorf("%w: payload length %d exceeds %d", ErrLength, len(m.Payload), MaxPayloadLen)
	}
	return overhead + hlen + len(m.Payload), nil
}

// AppendTo appends the encoding of m to dst and returns the extended slice.
// If m cannot be encoded (see EncodedLen), it returns dst unchanged and an
// error wrapping ErrHeader or ErrLength.
func (m *Message) AppendTo(dst []byte) ([]byte, error) {
	total, err := m.EncodedLen()
	if err != nil {
		return dst, err
	}
	start := len(dst)
	if cap(dst)-start < total {
		grown := make([]byte, start, start+total)
		copy(grown, dst)
		dst = grown
	}
	hlen := total - overhead - len(m.Payload)
	dst = binary.BigEndian.AppendUint32(dst, uint32(total))
	dst = binary.BigEndian.AppendUint32(dst, uint32(hlen))
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:start+8]))
	for _, h := range m.Headers {
		dst = append(dst, byte(len(h.Name)))
		dst = append(dst, h.Name...)
		dst = h.Value.appendValue(dst)
	}
	dst = append(dst, m.Payload...)
	dst = binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
	return dst, nil
}

// prelude is the decoded first 12 bytes of a message.
type prelude struct {
	total, headers uint32
}

// decodePrelude checks the 12-byte prelude at the start of b (len(b) >= 12):
// its CRC, then its lengths against each other and against the limits.
func decodePrelude(b []byte) (prelude, error) {
	p := prelude{
		total:   binary.BigEndian.Uint32(b[0:4]),
		headers: binary.BigEndian.Uint32(b[4:8]),
	}
	if got, want := binary.BigEndian.Uint32(b[8:12]), crc32.ChecksumIEEE(b[:8]); got != want {
		return prelude{}, fmt.Errorf("%w: got %08x, computed %08x", ErrPreludeCRC, got, want)
	}
	switch {
	case p.total < overhead:
		return prelude{}, fmt.Errorf("%w: total length %d below the minimum %d", ErrLength, p.total, overhead)
	case p.headers > p.total-overhead:
		return prelude{}, fmt.Errorf("%w: headers length %d exceeds total length %d less %d", ErrLength, p.headers, p.total, overhead)
	case p.headers > MaxHeadersLen:
		return prelude{}, fmt.Errorf("%w: headers length %d exceeds %d", ErrLength, p.headers, MaxHeadersLen)
	case p.total-overhead-p.headers > MaxPayloadLen:
		return prelude{}, fmt.Errorf("%w: payload length %d exceeds %d", ErrLength, p.total-overhead-p.headers, MaxPayloadLen)
	}
	return p, nil
}

// Decode decodes the message at the start of b and returns it with the number
// of bytes it occupies; bytes after it are ignored.
//
// The returned Payload and any BytesValue headers alias b: copy them before
// reusing b. Strings are copied.
//
// Checks run in wire order, so a corrupt prelude is reported before
// truncation of the rest, and a corrupt message before malformed headers.
// Errors wrap:
//   - ErrShort: b is shorter than 12 bytes, or than the total length of a
//     valid prelude. Every proper prefix of a valid message gives ErrShort.
//   - ErrPreludeCRC, ErrLength: the prelude is corrupt or out of limits.
//   - ErrMessageCRC: the message CRC does not match.
//   - ErrHeader: the CRCs match but the headers are malformed.
//
// On error the Message is empty and n is 0.
func Decode(b []byte) (m Message, n int, err error) {
	if len(b) < preludeLen {
		return Message{}, 0, fmt.Errorf("%w: have %d bytes of the %d-byte prelude", ErrShort, len(b), preludeLen)
	}
	p, err := decodePrelude(b)
	if err != nil {
		return Message{}, 0, err
	}
	total := int(p.total)
	if len(b) < total {
		return Message{}, 0, fmt.Errorf("%w: have %d of %d bytes", ErrShort, len(b), total)
	}
	if got, want := binary.BigEndian.Uint32(b[total-4:total]), crc32.ChecksumIEEE(b[:total-4]); got != want {
		return Message{}, 0, fmt.Errorf("%w: got %08x, computed %08x", ErrMessageCRC, got, want)
	}
	hend := preludeLen + int(p.headers)
	headers, err := decodeHeaders(b[preludeLen:hend])
	if err != nil {
		return Message{}, 0, err
	}
	m.Headers = headers
	if hend < total-4 {
		m.Payload = b[hend : total-4 : total-4]
	}
	return m, total, nil
}

// decodeHeaders decodes a headers section that has passed the CRC check.
func decodeHeaders(b []byte) ([]Header, error) {
	var hs []Header
	off := 0
	for off < len(b) {
		start := off
		nlen := int(b[off])
		off++
		if nlen == 0 {
			return nil, fmt.Errorf("%w: empty name at headers offset %d", ErrHeader, start)
		}
		if len(b)-off < nlen+1 {
			return nil, fmt.Errorf("%w: header at headers offset %d runs past the headers", ErrHeader, start)
		}
		name := string(b[off : off+nlen])
		off += nlen
		typ := ValueType(b[off])
		off++
		if int(typ) >= len(fixedLen) {
			return nil, fmt.Errorf("%w: header %q: unknown value type %d", ErrHeader, name, typ)
		}
		vlen := fixedLen[typ]
		if vlen < 0 {
			if len(b)-off < 2 {
				return nil, fmt.Errorf("%w: header %q runs past the headers", ErrHeader, name)
			}
			vlen = int(binary.BigEndian.Uint16(b[off:]))
			off += 2
			if vlen > MaxValueLen {
				return nil, fmt.Errorf("%w: header %q: value length %d exceeds %d", ErrHeader, name, vlen, MaxValueLen)
			}
		}
		if len(b)-off < vlen {
			return nil, fmt.Errorf("%w: header %q runs past the headers", ErrHeader, name)
		}
		v := b[off : off+vlen : off+vlen]
		off += vlen
		var val Value
		switch typ {
		case TypeTrue:
			val = BoolValue(true)
		case TypeFalse:
			val = BoolValue(false)
		case TypeByte:
			val = ByteValue(v[0])
		case TypeInt16:
			val = Int16Value(binary.BigEndian.Uint16(v))
		case TypeInt32:
			val = Int32Value(binary.BigEndian.Uint32(v))
		case TypeInt64:
			val = Int64Value(binary.BigEndian.Uint64(v))
		case TypeBytes:
			val = BytesValue(v)
		case TypeString:
			val = StringValue(v)
		case TypeTimestamp:
			val = TimestampValue(binary.BigEndian.Uint64(v))
		case TypeUUID:
			val = UUIDValue(v)
		}
		hs = append(hs, Header{Name: name, Value: val})
	}
	return hs, nil
}
