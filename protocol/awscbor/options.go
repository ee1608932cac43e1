package awscbor

import (
	"encoding/json"
	"reflect"
	"time"
)

// TimeUnit is the unit of the epoch number that follows tag 1 (and of an
// untagged number decoded into a time.Time field).
type TimeUnit uint8

const (
	// EpochMillis counts milliseconds since 1970-01-01T00:00:00Z. It is the
	// zero value and the default because it is what the AWS SDK for Java
	// sends and expects in application/x-amz-cbor-1.1 (see the package doc).
	// Encoding writes an integer and drops sub-millisecond precision.
	EpochMillis TimeUnit = iota
	// EpochSeconds counts seconds, as RFC 8949 section 3.4.2 defines tag 1.
	// Encoding writes an integer for whole seconds and a float64 otherwise.
	EpochSeconds
)

func (u TimeUnit) String() string {
	switch u {
	case EpochMillis:
		return "epoch-millis"
	case EpochSeconds:
		return "epoch-seconds"
	}
	return "TimeUnit(invalid)"
}

// DefaultMaxDepth is the nesting limit used when Options.MaxDepth is zero.
const DefaultMaxDepth = 128

// maxEncodeDepth stops Marshal from recursing forever through a pointer
// cycle. Encoding is not limited by MaxDepth: a value we build ourselves is
// trusted, and the peer enforces its own limit.
const maxEncodeDepth = 1000

// Options configures encoding and decoding. The zero value is ready to use
// and speaks the AWS x-amz-cbor-1.1 dialect; the package-level functions use
// it.
type Options struct {
	// TimeUnit is the unit of tag-1 timestamps in both directions.
	// Default (zero): EpochMillis. Use EpochSeconds for RFC 8949 peers.
	TimeUnit TimeUnit

	// MaxDepth bounds the nesting of arrays, maps and tags while decoding;
	// deeper input fails with a *SyntaxError. Default (zero or negative):
	// DefaultMaxDepth (128).
	MaxDepth int
}

func (o Options) maxDepth() int {
	if o.MaxDepth <= 0 {
		return DefaultMaxDepth
	}
	return o.MaxDepth
}

// Decode decodes exactly one CBOR data item into a generic value (see the
// package doc for the mapping) and rejects trailing bytes. It never retains
// data.
func (o Options) Decode(data []byte) (any, error) {
	d := o.newDecoder(data)
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	if err := d.end(); err != nil {
		return nil, err
	}
	return v, nil
}

// DecodePrefix decodes the one CBOR data item data starts with, as Decode
// does, and returns it with the number of bytes it took; the bytes after it
// are not looked at. With an UnmarshalTypeError's Offset it reads the item
// that did not fit again: DecodePrefix(data[e.Offset:]).
func (o Options) DecodePrefix(data []byte) (v any, n int, err error) {
	d := o.newDecoder(data)
	if v, err = d.value(); err != nil {
		return nil, 0, err
	}
	return v, d.off, nil
}

// Encode encodes v as one CBOR data item. It accepts everything Marshal
// accepts; it exists as the counterpart of Decode.
func (o Options) Encode(v any) ([]byte, error) { return o.Marshal(v) }

// Marshal encodes v as one CBOR data item. Structs become maps keyed by their
// encoding/json names (honouring "-", omitempty and omitzero), []byte becomes
// a byte string, time.Time becomes tag 1 in o.TimeUnit, map keys are sorted.
func (o Options) Marshal(v any) ([]byte, error) {
	e := encoder{unit: o.TimeUnit, b: make([]byte, 0, 256)}
	if err := e.encode(v); err != nil {
		return nil, err
	}
	return e.b, nil
}

// Unmarshal decodes exactly one CBOR data item into v, which must be a
// non-nil pointer, matching map keys to struct fields as encoding/json does.
// Unknown keys are ignored. A value of the wrong type fails with an
// *UnmarshalTypeError naming the field; malformed input with a *SyntaxError.
// On error v may be partly filled. v never aliases data.
func (o Options) Unmarshal(data []byte, v any) error {
	d := o.newDecoder(data)
	if err := d.unmarshal(v); err != nil {
		return err
	}
	return d.end()
}

// ToJSON converts one CBOR data item into the equivalent AWS JSON 1.1 text:
// byte strings become base64 strings, timestamps become epoch-seconds
// numbers, maps are written with sorted keys. NaN and infinities, which
// JSON cannot carry, are an error.
func (o Options) ToJSON(data []byte) ([]byte, error) {
	v, err := o.Decode(data)
	if err != nil {
		return nil, err
	}
	return toJSON(v)
}

func (o Options) newDecoder(data []byte) *decoder {
	return &decoder{data: data, unit: o.TimeUnit, maxDepth: o.maxDepth()}
}

// DecodePrefix is Options{}.DecodePrefix.
func DecodePrefix(data []byte) (any, int, error) { return Options{}.DecodePrefix(data) }

// Decode is Options{}.Decode: generic decoding, tag-1 timestamps in epoch
// milliseconds.
func Decode(data []byte) (any, error) { return Options{}.Decode(data) }

// Encode is Options{}.Encode.
func Encode(v any) ([]byte, error) { return Options{}.Marshal(v) }

// Marshal is Options{}.Marshal: the encoder for x-amz-cbor-1.1 responses.
func Marshal(v any) ([]byte, error) { return Options{}.Marshal(v) }

// Unmarshal is Options{}.Unmarshal: the decoder for x-amz-cbor-1.1 requests.
func Unmarshal(data []byte, v any) error { return Options{}.Unmarshal(data, v) }

// ToJSON is Options{}.ToJSON.
func ToJSON(data []byte) ([]byte, error) { return Options{}.ToJSON(data) }

var (
	timeType   = reflect.TypeFor[time.Time]()
	numberType = reflect.TypeFor[json.Number]()
)
