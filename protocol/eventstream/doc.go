// Package eventstream encodes and decodes the AWS event stream binary format
// (media type application/vnd.amazon.eventstream), the framing Kinesis uses for
// the body of a SubscribeToShard response. It uses only the standard library.
//
// The format is specified in the Smithy "Amazon Event Stream Specification"
// (https://smithy.io/2.0/aws/amazon-eventstream.html); the AWS SDKs implement
// it (aws-sdk-go-v2 aws/protocol/eventstream, aws-c-event-stream, the Java
// software.amazon.eventstream library).
//
// # Usage
//
// A server writes one message per event and flushes after each:
//
//	w.Header().Set("Content-Type", eventstream.ContentType)
//	rc := http.NewResponseController(w)
//	enc := eventstream.NewEncoder(w)
//	err := enc.Encode(eventstream.EventMessage(eventstream.EventTypeInitialResponse,
//		eventstream.ContentTypeJSON, []byte("{}")))
//	... rc.Flush()
//	err = enc.Encode(eventstream.EventMessage("SubscribeToShardEvent", eventstream.ContentTypeJSON, body))
//	... rc.Flush()
//
// A client reads messages until io.EOF:
//
//	dec := eventstream.NewDecoder(resp.Body)
//	for {
//		m, err := dec.Next()
//		if err != nil { ... } // io.EOF at a clean end of stream
//		typ, _ := m.HeaderString(eventstream.HeaderMessageType)
//		...
//	}
//
// Decode and Message.AppendTo work on byte slices for callers that do their
// own buffering.
//
// # Message layout
//
// All integers are big-endian. Both CRCs are CRC-32 (IEEE polynomial, as in
// gzip and hash/crc32.ChecksumIEEE) of every byte of the message before them.
//
//	 0               4               8               12
//	+---------------+---------------+---------------+-----------...-----------+
//	| total length  | headers length| prelude CRC   | headers                 |
//	| uint32        | uint32        | CRC of [0,8)  | (headers length bytes)  |
//	+---------------+---------------+---------------+-----------...-----------+
//	| payload (total length - headers length - 16 bytes) ... | message CRC    |
//	|                                                         | CRC of [0,n-4) |
//	+------------------------------...------------------------+----------------+
//
// The prelude is the first 12 bytes. A message with no headers and no payload
// is 16 bytes long, the minimum.
//
// Each header is
//
//	+----------+--------------+-------+-----------------------+
//	| name len | name         | type  | value                 |
//	| uint8    | 1..255 bytes | uint8 | depends on the type   |
//	+----------+--------------+-------+-----------------------+
//
// with these value types:
//
//	type  Go value          value bytes
//	----  ----------------  ------------------------------------------------
//	0     BoolValue(true)   none
//	1     BoolValue(false)  none
//	2     ByteValue         1: int8
//	3     Int16Value        2: int16
//	4     Int32Value        4: int32
//	5     Int64Value        8: int64
//	6     BytesValue        2: uint16 length, then that many bytes (<= 32767)
//	7     StringValue       2: uint16 length, then that many bytes of UTF-8 (<= 32767)
//	8     TimestampValue    8: int64 milliseconds since the Unix epoch
//	9     UUIDValue         16: the UUID's bytes
//
// # Limits
//
// The Smithy specification limits a payload to 24 MiB (25,165,824 bytes) and
// the encoded headers to 128 KiB (131,072 bytes), says services must enforce
// these limits, and that header names and values are 1..255 and at most
// 32,767 bytes long. This package enforces all of them when encoding and when
// decoding (MaxPayloadLen, MaxHeadersLen, MaxNameLen, MaxValueLen), so a
// decoder never allocates more than MaxMessageLen bytes for a message, whatever
// the prelude claims. The one relaxation: string and byte-array values may be
// empty, as the AWS SDKs allow.
//
// The aws-sdk-go-v2 decoder enforces no size limit since v1.6.9 (pull request
// aws/aws-sdk-go-v2#3009, after Kinesis users hit its former 16 MiB payload
// limit); aws-c-event-stream raised its limit from 16 MiB to 256 MiB. Eddy's
// own events stay within the limits above, so its clients lose nothing by
// checking them.
//
// # What this package does not check
//
// Header names and string values are not checked for valid UTF-8, and a name
// that appears twice is kept twice, in wire order (the specification forbids
// both; the AWS SDKs do not check them either). Message.Get returns the first.
// Decoding followed by encoding reproduces the input bytes exactly.
package eventstream
