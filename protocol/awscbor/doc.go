// Package awscbor encodes and decodes CBOR (RFC 8949) for the AWS
// application/x-amz-cbor-1.1 protocol, which the AWS SDK for Java uses for
// Kinesis by default. It handles the JSON-like data model AWS shapes need,
// uses only the standard library, and mirrors encoding/json so the HTTP layer
// can serve JSON and CBOR from the same request and response structs.
//
// # Usage
//
// The primary API works on Go structs tagged for encoding/json:
//
//	var req PutRecordsInput // fields tagged `json:"StreamName"`, Data []byte, ...
//	if err := awscbor.Unmarshal(body, &req); err != nil {
//		// *SyntaxError: malformed body; *UnmarshalTypeError: wrong type,
//		// err.Field says where. Both map to SerializationException.
//	}
//	out, err := awscbor.Marshal(resp) // []byte -> byte string, time.Time -> tag 1
//
// Decode and Encode convert to and from generic values; ToJSON turns a CBOR
// body into AWS JSON 1.1 text for code that only speaks JSON. Options selects
// the timestamp unit and the nesting limit; its zero value (used by the
// package-level functions) is what the Java SDK expects.
//
// # Data model
//
//	CBOR item (major type)       Decode returns    Marshal writes it from
//	---------------------------  ----------------  ------------------------------------
//	unsigned integer (0)         int64, or uint64  int and uint kinds, json.Number
//	                             above MaxInt64
//	negative integer (1)         int64, or         int kinds, json.Number
//	                             json.Number below
//	                             MinInt64
//	byte string (2)              []byte            []byte (any slice of uint8 kind)
//	text string (3)              string            string kinds, encoding.TextMarshaler
//	array (4)                    []any             slices, arrays
//	map (5), text keys only      map[string]any    structs by json name, maps with
//	                                               string keys (sorted)
//	tag 1 epoch, tag 0 RFC 3339  time.Time (UTC)   time.Time, always as tag 1
//	any other tag                its content       -
//	float16, float32, float64    float64           float32, float64 (always as float64)
//	false, true                  bool              bool
//	null, undefined              nil               nil pointer, slice, map, interface
//
// Definite and indefinite lengths are accepted; an indefinite byte or text
// string must consist of definite chunks of the same major type. Encoding
// always uses definite lengths and the shortest integer heads. Map keys that
// repeat keep the last value, as in encoding/json.
//
// Every item starts with one initial byte:
//
//	 7   5 4       0
//	+-----+---------+----------------------+
//	|major|   ai    | argument: 0/1/2/4/8  |  ai < 24: argument is ai
//	+-----+---------+  big-endian bytes    |  ai 24..27: 1, 2, 4, 8 bytes follow
//	                +----------------------+  ai 28..30: rejected (reserved)
//	                                          ai 31: indefinite length / break
//
// # Safety
//
// Decoding never trusts a length: a string's claimed length is checked
// against the remaining input before it is sliced, an array's or map's count
// against the remaining input (one byte per element, two per entry) before
// anything is allocated, and preallocation is capped besides. Nesting of
// arrays, maps and tags is limited by Options.MaxDepth (default 128). Text
// must be valid UTF-8, map keys must be text, reserved and ill-formed heads
// are rejected, and trailing bytes are an error. Errors carry the byte offset.
// Unmarshal copies byte strings; nothing returned aliases the input.
//
// # Timestamps: the Java SDK uses epoch milliseconds under tag 1
//
// RFC 8949 defines tag 1 as epoch seconds, but the AWS SDK for Java writes
// and reads x-amz-cbor-1.1 timestamps as tag 1 followed by an integer number
// of milliseconds since the epoch:
//
//   - SDK v1: aws-java-sdk-core/src/main/java/com/amazonaws/protocol/json/SdkCborGenerator.java
//     writes generator.writeTag(1) then generator.writeNumber(date.getTime())
//     (milliseconds); com/amazonaws/transform/SimpleTypeCborUnmarshallers.java
//     (DateCborUnmarshaller) reads new Date(parser.getLongValue()), ignoring
//     the tag.
//   - SDK v2: core/protocols/aws-cbor-protocol/src/main/java/software/amazon/awssdk/protocols/cbor/internal/SdkCborGenerator.java
//     writes writeTag(1) then writeNumber(instant.toEpochMilli());
//     .../protocols/cbor/AwsCborProtocolFactory.java sets the default payload
//     timestamp format to UNIX_TIMESTAMP_MILLIS ("CBOR uses epoch millis for
//     timestamps rather than epoch seconds with millisecond decimal precision
//     like JSON protocols").
//   - Reading, v2 converts the number with Instant.ofEpochMilli(value.longValue())
//     (protocol-core NumberToInstant.java); older v2 releases go through
//     StringToInstant.java and DateUtils.parseUnixTimestampMillisInstant,
//     which is Long.parseLong, so a fractional or float-encoded value fails.
//
// Hence EpochMillis is the default TimeUnit: Marshal writes tag 1 + integer
// milliseconds (sub-millisecond precision is dropped, rounding toward the
// past as Instant.toEpochMilli does) and Decode/Unmarshal read tag 1 numbers,
// integer or float, as milliseconds. Options{TimeUnit: EpochSeconds} gives
// the RFC 8949 reading, writing an integer for whole seconds and a float64
// otherwise. Timestamps must lie in years 1 through 9999.
//
// # JSON interoperation
//
// ToJSON renders byte strings as base64 strings and timestamps as
// epoch-seconds numbers, exactly as AWS JSON 1.1 does, so a CBOR request can
// be fed to an encoding/json-based handler. There is deliberately no generic
// JSON-to-CBOR conversion: JSON text does not say which strings are blobs or
// which numbers are timestamps. The Java SDK sends blobs as byte strings and
// timestamps as tag 1; whether its parser would take base64 text instead
// depends on the Jackson version it runs with, so Eddy must not rely on it.
// Responses are therefore encoded from Go structs with Marshal, where the
// field types say which is which.
//
// In the other direction Unmarshal also accepts the JSON forms: base64 text
// into []byte, numbers into time.Time (in the Options unit), RFC 3339 text
// into time.Time. A type implementing json.Unmarshaler receives its item
// converted as by ToJSON; a type implementing json.Marshaler is encoded from
// its JSON output (strings stay text, numbers stay numbers).
// encoding.TextMarshaler and TextUnmarshaler map to text strings.
package awscbor
