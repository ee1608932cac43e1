package eventstream

import (
	"encoding/binary"
	"strconv"
	"time"
)

// ValueType is the one-byte type tag of a header value on the wire.
type ValueType uint8

// The header value types, numbered as on the wire.
const (
	TypeTrue      ValueType = 0 // BoolValue(true); no value bytes
	TypeFalse     ValueType = 1 // BoolValue(false); no value bytes
	TypeByte      ValueType = 2 // ByteValue
	TypeInt16     ValueType = 3 // Int16Value
	TypeInt32     ValueType = 4 // Int32Value
	TypeInt64     ValueType = 5 // Int64Value
	TypeBytes     ValueType = 6 // BytesValue
	TypeString    ValueType = 7 // StringValue
	TypeTimestamp ValueType = 8 // TimestampValue
	TypeUUID      ValueType = 9 // UUIDValue
)

var typeNames = [...]string{
	TypeTrue:      "true",
	TypeFalse:     "false",
	TypeByte:      "byte",
	TypeInt16:     "int16",
	TypeInt32:     "int32",
	TypeInt64:     "int64",
	TypeBytes:     "bytes",
	TypeString:    "string",
	TypeTimestamp: "timestamp",
	TypeUUID:      "uuid",
}

func (t ValueType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Value is a header value: one of BoolValue, ByteValue, Int16Value,
// Int32Value, Int64Value, BytesValue, StringValue, TimestampValue and
// UUIDValue. The interface is sealed; no other type implements it.
type Value interface {
	// Type is the wire type tag the value is encoded with.
	Type() ValueType

	// appendValue appends the type tag and the value bytes. Lengths are
	// checked by the caller (see checkValue).
	appendValue(dst []byte) []byte
}

// BoolValue is a boolean header value (types 0 and 1).
type BoolValue bool

// ByteValue is a signed 8-bit header value (type 2).
type ByteValue int8

// Int16Value is a signed 16-bit header value (type 3).
type Int16Value int16

// Int32Value is a signed 32-bit header value (type 4).
type Int32Value int32

// Int64Value is a signed 64-bit header value (type 5).
type Int64Value int64

// BytesValue is a byte-array header value (type 6), at most MaxValueLen
// bytes. A decoded BytesValue aliases the decoded buffer.
type BytesValue []byte

// StringValue is a string header value (type 7), at most MaxValueLen bytes.
type StringValue string

// TimestampValue is a timestamp header value (type 8): milliseconds since
// 1970-01-01T00:00:00Z. It is kept as the integer on the wire so that decoding
// and re-encoding is exact; see Timestamp and Time to convert.
type TimestampValue int64

// UUIDValue is a UUID header value (type 9): the 16 bytes of the UUID, in
// RFC 9562 binary order.
type UUIDValue [16]byte

// Timestamp returns t as a TimestampValue, truncated to the millisecond.
func Timestamp(t time.Time) TimestampValue { return TimestampValue(t.UnixMilli()) }

// Time returns v as a time.Time in UTC.
func (v TimestampValue) Time() time.Time { return time.UnixMilli(int64(v)).UTC() }

// Type implements Value.
func (v BoolValue) Type() ValueType {
	if v {
		return TypeTrue
	}
	return TypeFalse
}

// Type implements Value.
func (ByteValue) Type() ValueType { return TypeByte }

// Type implements Value.
func (Int16Value) Type() ValueType { return TypeInt16 }

// Type implements Value.
func (Int32Value) Type() ValueType { return TypeInt32 }

// Type implements Value.
func (Int64Value) Type() ValueType { return TypeInt64 }

// Type implements Value.
func (BytesValue) Type() ValueType { return TypeBytes }

// Type implements Value.
func (StringValue) Type() ValueType { return TypeString }

// Type implements Value.
func (TimestampValue) Type() ValueType { return TypeTimestamp }

// Type implements Value.
func (UUIDValue) Type() ValueType { return TypeUUID }

func (v BoolValue) appendValue(dst []byte) []byte { return append(dst, byte(v.Type())) }

func (v ByteValue) appendValue(dst []byte) []byte { return append(dst, byte(TypeByte), byte(v)) }

func (v Int16Value) appendValue(dst []byte) []byte {
	return binary.BigEndian.AppendUint16(append(dst, byte(TypeInt16)), uint16(v))
}

func (v Int32Value) appendValue(dst []byte) []byte {
	return binary.BigEndian.AppendUint32(append(dst, byte(TypeInt32)), uint32(v))
}

func (v Int64Value) appendValue(dst []byte) []byte {
	return binary.BigEndian.AppendUint64(append(dst, byte(TypeInt64)), uint64(v))
}

func (v BytesValue) appendValue(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint16(append(dst, byte(TypeBytes)), uint16(len(v)))
	return append(dst, v...)
}

func (v StringValue) appendValue(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint16(append(dst, byte(TypeString)), uint16(len(v)))
	return append(dst, v...)
}

func (v TimestampValue) appendValue(dst []byte) []byte {
	return binary.BigEndian.AppendUint64(append(dst, byte(TypeTimestamp)), uint64(v))
}

func (v UUIDValue) appendValue(dst []byte) []byte {
	return append(append(dst, byte(TypeUUID)), v[:]...)
}

// valueLen returns the encoded length of v after its type byte, or -1 for a
// value this package cannot encode (nil, or a variable-length value longer
// than MaxValueLen).
func valueLen(v Value) int {
	switch v := v.(type) {
	case BoolValue:
		return 0
	case ByteValue:
		return 1
	case Int16Value:
		return 2
	case Int32Value:
		return 4
	case Int64Value, TimestampValue:
		return 8
	case UUIDValue:
		return 16
	case BytesValue:
		if len(v) > MaxValueLen {
			return -1
		}
		return 2 + len(v)
	case StringValue:
		if len(v) > MaxValueLen {
			return -1
		}
		return 2 + len(v)
	}
	return -1
}

// fixedLen is the value length of each fixed-size type, indexed by type; -1
// for the variable-length types.
var fixedLen = [...]int{
	TypeTrue:      0,
	TypeFalse:     0,
	TypeByte:      1,
	TypeInt16:     2,
	TypeInt32:     4,
	TypeInt64:     8,
	TypeBytes:     -1,
	TypeString:    -1,
	TypeTimestamp: 8,
	TypeUUID:      16,
}
