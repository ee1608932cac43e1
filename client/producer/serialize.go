package producer

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The PutRecords body, written faster than the SDK writes it.
//
// aws-sdk-go-v2 serializes a PutRecordsInput through its protocol
// (Options.Protocol, awsJson1_1) with a general shape serializer: the
// buffer starts at 1 KiB and grows by doubling, each blob is first
// appended as zeroes and then base64-encoded over them, and the result is
// copied once more before it becomes the body. For a call of a few MiB of
// aggregates that is most of the SDK's cost. FastSerialization wraps the
// client's protocol, for the producer's own calls only (a per-call option),
// so that a PutRecords body is sized once and written in one pass, byte for
// byte what the SDK writes (checked against it by tests on random inputs).
// Everything else is the client's: the protocol still sets the method,
// path and headers and decodes the answer, and the SDK's middleware stack
// runs as usual (endpoint resolution, the payload's SHA-256 and SigV4
// signing, retries, the caller's own middleware).

// awsJSON11 is the protocol whose PutRecords body putRecordsProtocol
// writes (smithy-go transport/http/protocol/awsjson, Protocol.ID).
var awsJSON11 = smithy.ShapeID{Namespace: "aws.protocols", Name: "awsJson1_1"}

// fastSerialization is the per-call option that installs
// putRecordsProtocol over a client whose protocol is awsJson1_1; any other
// protocol is left alone.
func fastSerialization(o *kinesis.Options) {
	if o.Protocol == nil || o.Protocol.ID() != awsJSON11 {
		return
	}
	if _, ok := o.Protocol.(*putRecordsProtocol); !ok {
		o.Protocol = &putRecordsProtocol{o.Protocol}
	}
}

// putRecordsProtocol is the client's protocol, but for the body of a
// PutRecords request.
type putRecordsProtocol struct {
	smithyhttp.ClientProtocol
}

// SerializeRequest lets the client's protocol build the request of an
// empty PutRecordsInput (method, path, X-Amz-Target, Content-Type), then
// gives it the body of in. Other operations and inputs go to the client's
// protocol unchanged.
func (p *putRecordsProtocol) SerializeRequest(ctx context.Context, schema *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	pr, ok := in.(*kinesis.PutRecordsInput)
	if !ok || schema == nil || schema.Schema == nil || schema.ID().Name != "PutRecords" || schema.IsInputEventStream() {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	if err := p.ClientProtocol.SerializeRequest(ctx, schema, &kinesis.PutRecordsInput{}, req); err != nil {
		return err
	}
	var stream io.Reader
	if call, ok := ctx.Value(callKey{}).(*callBodies); ok {
		b := call.get(putRecordsSize(pr))
		b.b = appendPutRecords(b.b, pr)
		stream = b
	} else {
		stream = bytes.NewReader(appendPutRecords(nil, pr))
	}
	sreq, err := req.SetStream(stream)
	if err != nil {
		return err
	}
	*req = *sreq
	return nil
}

// bodies lend the serializer buffers for the bodies of one producer's
// calls, and take them back once each call is over. A fresh buffer of a
// few MiB per call costs more in page faults than writing it.
type bodies struct {
	mu    sync.Mutex
	free  [][]byte
	bytes int // in free
	max   int // most bytes kept in free
}

// callBodies are the bodies lent for one call. The producer puts them in
// the call's context (under callKey) and revokes them when the call
// returns.
type callBodies struct {
	bs   *bodies
	mu   sync.Mutex
	lent []*body
}

type callKey struct{}

func (c *callBodies) get(n int) *body {
	b := c.bs.get(n)
	c.mu.Lock()
	c.lent = append(c.lent, b)
	c.mu.Unlock()
	return b
}

// done revokes the bodies lent for the call.
func (c *callBodies) done() {
	c.mu.Lock()
	lent := c.lent
	c.lent = nil
	c.mu.Unlock()
	for _, b := range lent {
		b.revoke()
	}
}

// get returns an empty body with room for n bytes.
func (bs *bodies) get(n int) *body {
	b := &body{owner: bs}
	bs.mu.Lock()
	if k := len(bs.free); k > 0 {
		// The last one kept; if it is too small, it is dropped.
		if buf := bs.free[k-1]; cap(buf) >= n {
			b.b = buf[:0]
		}
		bs.bytes -= cap(bs.free[k-1])
		bs.free[k-1] = nil
		bs.free = bs.free[:k-1]
	}
	bs.mu.Unlock()
	if b.b == nil {
		b.b = make([]byte, 0, n)
	}
	return b
}

// put keeps buf for a later body, within max.
func (bs *bodies) put(buf []byte) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	if bs.bytes+cap(buf) > bs.max {
		return
	}
	bs.free = append(bs.free, buf)
	bs.bytes += cap(buf)
}

// body is a request body in a buffer of bodies. The HTTP transport reads
// it through Read only; revoke, once the call is over, makes every later
// read fail (a transport may go on reading a body after the call returned,
// when it timed out) and gives the buffer back. It is seekable, as the
// SDK's retries rewind the body.
type body struct {
	owner   *bodies
	mu      sync.Mutex
	b       []byte
	off     int
	revoked bool
}

var errRevoked = errors.New("producer: request body read after its call ended")

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.revoked {
		return 0, errRevoked
	}
	if b.off >= len(b.b) {
		return 0, io.EOF
	}
	n := copy(p, b.b[b.off:])
	b.off += n
	return n, nil
}

func (b *body) Seek(offset int64, whence int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.revoked {
		return 0, errRevoked
	}
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = int64(b.off) + offset
	case io.SeekEnd:
		abs = int64(len(b.b)) + offset
	default:
		return 0, errors.New("producer: body seek: bad whence")
	}
	if abs < 0 || abs > int64(len(b.b)) {
		return 0, errors.New("producer: body seek: offset out of range")
	}
	b.off = int(abs)
	return abs, nil
}

// Len is the number of bytes not yet read (as bytes.Reader's Len).
func (b *body) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.revoked {
		return 0
	}
	return len(b.b) - b.off
}

// revoke ends the body's life and gives its buffer back.
func (b *body) revoke() {
	b.mu.Lock()
	buf := b.b
	b.b, b.revoked = nil, true
	b.mu.Unlock()
	if buf != nil {
		b.owner.put(buf[:0])
	}
}

// appendPutRecords appends the awsJson1_1 body of in to dst, as the SDK's
// shape serializer writes it (smithy-go transport/http/protocol/internal/
// json, ShapeSerializer; service/kinesis, PutRecordsInput.SerializeMembers
// and PutRecordsRequestEntry.SerializeMembers): the members that are set,
// in that order, with no space.
func appendPutRecords(dst []byte, in *kinesis.PutRecordsInput) []byte {
	if dst == nil {
		dst = make([]byte, 0, putRecordsSize(in))
	}
	dst = append(dst, '{')
	comma := false
	key := func(name string) {
		if comma {
			dst = append(dst, ',')
		}
		comma = true
		dst = append(dst, '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
	}
	if in.DryRun != nil {
		key("DryRun")
		if *in.DryRun {
			dst = append(dst, "true"...)
		} else {
			dst = append(dst, "false"...)
		}
	}
	if in.Records != nil {
		key("Records")
		dst = append(dst, '[')
		for i := range in.Records {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendEntry(dst, &in.Records[i])
		}
		dst = append(dst, ']')
	}
	if in.StreamARN != nil {
		key("StreamARN")
		dst = appendJSONString(dst, *in.StreamARN)
	}
	if in.StreamId != nil {
		key("StreamId")
		dst = appendJSONString(dst, *in.StreamId)
	}
	if in.StreamName != nil {
		key("StreamName")
		dst = appendJSONString(dst, *in.StreamName)
	}
	return append(dst, '}')
}

func appendEntry(dst []byte, e *types.PutRecordsRequestEntry) []byte {
	dst = append(dst, '{')
	sep := ""
	if e.Data != nil {
		dst = append(dst, `"Data":"`...)
		n, enc := len(dst), base64.StdEncoding.EncodedLen(len(e.Data))
		dst = slices.Grow(dst, enc)[:n+enc]
		encodeBase64(dst[n:], e.Data)
		dst = append(dst, '"')
		sep = ","
	}
	if e.ExplicitHashKey != nil {
		dst = append(dst, sep...)
		dst = append(dst, `"ExplicitHashKey":`...)
		dst = appendJSONString(dst, *e.ExplicitHashKey)
		sep = ","
	}
	if e.PartitionKey != nil {
		dst = append(dst, sep...)
		dst = append(dst, `"PartitionKey":`...)
		dst = appendJSONString(dst, *e.PartitionKey)
	}
	return append(dst, '}')
}

// putRecordsSize is the length of the body of in when its strings need no
// escaping (more otherwise: appending grows the buffer).
func putRecordsSize(in *kinesis.PutRecordsInput) int {
	n := len(`{"DryRun":false,"Records":[],"StreamARN":"","StreamId":"","StreamName":""}`)
	for _, s := range []*string{in.StreamARN, in.StreamId, in.StreamName} {
		if s != nil {
			n += len(*s)
		}
	}
	for i := range in.Records {
		e := &in.Records[i]
		n += len(`{"Data":"","ExplicitHashKey":"","PartitionKey":""},`) + base64.StdEncoding.EncodedLen(len(e.Data))
		if e.ExplicitHashKey != nil {
			n += len(*e.ExplicitHashKey)
		}
		if e.PartitionKey != nil {
			n += len(*e.PartitionKey)
		}
	}
	return n
}

// appendJSONString appends s as a JSON string, escaped as the SDK's shape
// serializer escapes it (ShapeSerializer.appendEscapedString): printable
// ASCII but '"' and '\' as is; \n, \r and \t, '"' and '\' with a
// backslash; other control characters and DEL as \u00XX; valid UTF-8 as
// is but U+2028 and U+2029 (\u2028, \u2029); each invalid byte as U+FFFD.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	i := 0
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	if i == len(s) {
		dst = append(dst, s...)
		return append(dst, '"')
	}
	start := 0
	for i < len(s) {
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\ufffd"...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// base64Pairs maps 12 bits to the two characters of the standard base64
// alphabet (RFC 4648) that encode them, first in the low byte.
var base64Pairs = func() (t [4096]uint16) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range t {
		t[i] = uint16(alphabet[i>>6]) | uint16(alphabet[i&63])<<8
	}
	return t
}()

// encodeBase64 writes the standard, padded base64 of src to dst, which
// must hold base64.StdEncoding.EncodedLen(len(src)) bytes: what
// base64.StdEncoding.Encode writes, about twice as fast (two lookups per 3
// bytes instead of four).
func encodeBase64(dst, src []byte) {
	di, si := 0, 0
	for n := len(src) - len(src)%6; si < n; si, di = si+6, di+8 {
		s := src[si : si+6 : si+6]
		v := uint(s[0])<<16 | uint(s[1])<<8 | uint(s[2])
		w := uint(s[3])<<16 | uint(s[4])<<8 | uint(s[5])
		a, b, c, d := base64Pairs[v>>12], base64Pairs[v&0xFFF], base64Pairs[w>>12], base64Pairs[w&0xFFF]
		o := dst[di : di+8 : di+8]
		o[0], o[1], o[2], o[3] = byte(a), byte(a>>8), byte(b), byte(b>>8)
		o[4], o[5], o[6], o[7] = byte(c), byte(c>>8), byte(d), byte(d>>8)
	}
	base64.StdEncoding.Encode(dst[di:], src[si:])
}

// jsonSafe holds the bytes written as they are: printable ASCII but '"'
// and '\'.
var jsonSafe = func() (t [256]bool) {
	for b := 0x20; b < 0x7F; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()
