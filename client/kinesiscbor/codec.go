package kinesiscbor

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// CBOR major types (RFC 8949, section 3.1).
const (
	majorUint   = 0
	majorNegInt = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7

	aiIndefinite = 31
	maxDepth     = 32
)

var errTruncated = errors.New("cbor: unexpected end of data")

// encodeInput writes a GetRecords input as a definite-length CBOR map.
func encodeInput(in *kinesis.GetRecordsInput) []byte {
	n := 0
	for _, set := range []bool{in.ShardIterator != nil, in.Limit != nil, in.StreamARN != nil, in.StreamId != nil, in.DryRun != nil} {
		if set {
			n++
		}
	}
	b := appendHead(make([]byte, 0, 64+len(stringOr(in.ShardIterator))), majorMap, uint64(n))
	if in.ShardIterator != nil {
		b = appendText(appendText(b, "ShardIterator"), *in.ShardIterator)
	}
	if in.Limit != nil {
		b = appendText(b, "Limit")
		if v := *in.Limit; v >= 0 {
			b = appendHead(b, majorUint, uint64(v))
		} else {
			b = appendHead(b, majorNegInt, uint64(-(int64(v) + 1)))
		}
	}
	if in.StreamARN != nil {
		b = appendText(appendText(b, "StreamARN"), *in.StreamARN)
	}
	if in.StreamId != nil {
		b = appendText(appendText(b, "StreamId"), *in.StreamId)
	}
	if in.DryRun != nil {
		b = appendText(b, "DryRun")
		if *in.DryRun {
			b = append(b, 0xf5)
		} else {
			b = append(b, 0xf4)
		}
	}
	return b
}

func stringOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendText(b []byte, s string) []byte {
	return append(appendHead(b, majorText, uint64(len(s))), s...)
}

// decoder reads the subset of CBOR a Kinesis answer uses: maps with text
// keys, arrays, byte and text strings (definite or chunked), integers,
// floats, tags, booleans and null, with definite or indefinite lengths.
// Anything else it meets under a key it does not know it skips.
type decoder struct {
	b     []byte
	off   int
	depth int

	// Slabs the records' *string and *time.Time fields point into, and
	// the arena text strings are copied into: one allocation for many
	// fields instead of one each.
	strs  []string
	times []time.Time
	arena []byte
}

// ptrString returns a pointer to a copy of s, taken from the slab.
func (d *decoder) ptrString(s string) *string {
	if len(d.strs) == cap(d.strs) {
		d.strs = make([]string, 0, 256)
	}
	d.strs = append(d.strs, s)
	return &d.strs[len(d.strs)-1]
}

// ptrTime returns a pointer to a copy of t, taken from the slab.
func (d *decoder) ptrTime(t time.Time) *time.Time {
	if len(d.times) == cap(d.times) {
		d.times = make([]time.Time, 0, 128)
	}
	d.times = append(d.times, t)
	return &d.times[len(d.times)-1]
}

// peek returns the next item's major type, additional information and
// argument without consuming it.
func (d *decoder) peek() (major, ai byte, arg uint64, err error) {
	off := d.off
	major, ai, arg, err = d.head()
	d.off = off
	return
}

// head consumes an item's initial byte and argument.
func (d *decoder) head() (major, ai byte, arg uint64, err error) {
	if d.off >= len(d.b) {
		return 0, 0, 0, errTruncated
	}
	c := d.b[d.off]
	d.off++
	major, ai = c>>5, c&0x1f
	switch {
	case ai < 24:
		return major, ai, uint64(ai), nil
	case ai <= 27:
		n := 1 << (ai - 24)
		if len(d.b)-d.off < n {
			return 0, 0, 0, errTruncated
		}
		for _, x := range d.b[d.off : d.off+n] {
			arg = arg<<8 | uint64(x)
		}
		d.off += n
		return major, ai, arg, nil
	case ai == aiIndefinite && (major == majorBytes || major == majorText || major == majorArray || major == majorMap || major == majorSimple):
		return major, ai, 0, nil
	}
	return 0, 0, 0, fmt.Errorf("cbor: malformed item header 0x%02x at offset %d", c, d.off-1)
}

// atBreak consumes a break byte (0xff) if one is next.
func (d *decoder) atBreak() (bool, error) {
	if d.off >= len(d.b) {
		return false, errTruncated
	}
	if d.b[d.off] == 0xff {
		d.off++
		return true, nil
	}
	return false, nil
}

// str reads a byte or text string of the given major type. A definite
// string aliases the input; a chunked one is joined into a new slice.
func (d *decoder) str(want byte) ([]byte, error) {
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	if major != want {
		return nil, fmt.Errorf("cbor: major type %d where %d was expected, at offset %d", major, want, d.off)
	}
	if ai != aiIndefinite {
		if arg > uint64(len(d.b)-d.off) {
			return nil, errTruncated
		}
		s := d.b[d.off : d.off+int(arg)]
		d.off += int(arg)
		return s, nil
	}
	var out []byte
	for {
		end, err := d.atBreak()
		if err != nil {
			return nil, err
		}
		if end {
			return out, nil
		}
		major, ai, arg, err := d.head()
		if err != nil {
			return nil, err
		}
		if major != want || ai == aiIndefinite {
			return nil, fmt.Errorf("cbor: bad chunk in an indefinite-length string at offset %d", d.off)
		}
		if arg > uint64(len(d.b)-d.off) {
			return nil, errTruncated
		}
		out = append(out, d.b[d.off:d.off+int(arg)]...)
		d.off += int(arg)
	}
}

// text reads a text string. It is copied into the decoder's string arena
// rather than allocated alone (two strings per record of a 10,000-record
// answer had been a fifth of a fast consumer's CPU): a string keeps alive
// only its arena chunk (textChunk), never the whole answer, so a sequence
// number that a caller keeps does not pin a 10 MB buffer.
func (d *decoder) text() (string, error) {
	s, err := d.str(majorText)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(s) {
		return "", errors.New("cbor: text string is not valid UTF-8")
	}
	if len(s) == 0 {
		return "", nil
	}
	if len(s) > textChunk/4 {
		return string(s), nil
	}
	if cap(d.arena)-len(d.arena) < len(s) {
		d.arena = make([]byte, 0, textChunk)
	}
	start := len(d.arena)
	d.arena = append(d.arena, s...)
	// The arena's bytes up to len are never written again: the string
	// made from them stays immutable.
	return unsafeString(d.arena[start:]), nil
}

// textChunk is the size of the string arena's chunks.
const textChunk = 32 << 10

// unsafeString returns b as a string without copying it; b must not change
// while the string is in use.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// int reads an integer (negative ones too); floats are refused.
func (d *decoder) int() (int64, error) {
	major, _, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	switch {
	case major == majorUint && arg <= math.MaxInt64:
		return int64(arg), nil
	case major == majorNegInt && arg <= math.MaxInt64:
		return -1 - int64(arg), nil
	}
	return 0, fmt.Errorf("cbor: expected an integer at offset %d", d.off)
}

// number reads an integer or a float as a float64.
func (d *decoder) number() (float64, error) {
	major, ai, arg, err := d.head()
	if err != nil {
		return 0, err
	}
	switch {
	case major == majorUint:
		return float64(arg), nil
	case major == majorNegInt:
		return -1 - float64(arg), nil
	case major == majorSimple && ai == 25:
		return halfToFloat(uint16(arg)), nil
	case major == majorSimple && ai == 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case major == majorSimple && ai == 27:
		return math.Float64frombits(arg), nil
	}
	return 0, fmt.Errorf("cbor: expected a number at offset %d", d.off)
}

func halfToFloat(h uint16) float64 {
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	var v float64
	switch exp {
	case 0:
		v = math.Ldexp(frac, -24)
	case 31:
		if frac == 0 {
			v = math.Inf(1)
		} else {
			v = math.NaN()
		}
	default:
		v = math.Ldexp(frac+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -v
	}
	return v
}

// timestamp reads tag 1 (or an untagged number) as epoch milliseconds.
func (d *decoder) timestamp() (time.Time, error) {
	major, _, arg, err := d.peek()
	if err != nil {
		return time.Time{}, err
	}
	if major == majorTag {
		d.head()
		if arg != 1 {
			return time.Time{}, fmt.Errorf("cbor: tag %d where a timestamp (tag 1) was expected", arg)
		}
	}
	ms, err := d.number()
	if err != nil {
		return time.Time{}, err
	}
	if math.IsNaN(ms) || math.Abs(ms) > 1e17 {
		return time.Time{}, fmt.Errorf("cbor: timestamp %v out of range", ms)
	}
	whole := math.Floor(ms)
	return time.UnixMilli(int64(whole)).Add(time.Duration((ms - whole) * 1e6)).UTC(), nil
}

// null consumes a null or undefined if one is next.
func (d *decoder) null() bool {
	if d.off < len(d.b) && (d.b[d.off] == 0xf6 || d.b[d.off] == 0xf7) {
		d.off++
		return true
	}
	return false
}

// each calls fn for each element of the array, or each key-value pair of
// the map, that comes next; fn must consume it.
func (d *decoder) each(want byte, fn func() error) error {
	major, ai, n, err := d.head()
	if err != nil {
		return err
	}
	if major != want {
		return fmt.Errorf("cbor: major type %d where %d was expected, at offset %d", major, want, d.off)
	}
	if d.depth++; d.depth > maxDepth {
		return errors.New("cbor: nested too deeply")
	}
	defer func() { d.depth-- }()
	if ai != aiIndefinite && n > uint64(len(d.b)-d.off) {
		return errTruncated // every element takes at least a byte
	}
	for i := uint64(0); ai == aiIndefinite || i < n; i++ {
		if ai == aiIndefinite {
			end, err := d.atBreak()
			if err != nil {
				return err
			}
			if end {
				return nil
			}
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return nil
}

// mapEach calls fn for each key of the map that comes next; fn must
// consume the value. The key aliases the input.
func (d *decoder) mapEach(fn func(key string) error) error {
	return d.each(majorMap, func() error {
		// A key is only compared with the known ones, so it is not
		// checked for UTF-8: a malformed key matches none and is skipped.
		key, err := d.str(majorText)
		if err != nil {
			return err
		}
		return fn(unsafeString(key))
	})
}

// arrayEach calls fn for each element of the array that comes next; fn
// must consume the element.
func (d *decoder) arrayEach(fn func() error) error { return d.each(majorArray, fn) }

// arrayLen returns the number of elements of the definite-length array
// that comes next, or -1 for an indefinite one, without consuming it.
func (d *decoder) arrayLen() int {
	major, ai, n, err := d.peek()
	if err != nil || major != majorArray || ai == aiIndefinite || n > uint64(len(d.b)) {
		return -1
	}
	return int(n)
}

// skip consumes one item of any type.
func (d *decoder) skip() error {
	major, ai, _, err := d.peek()
	if err != nil {
		return err
	}
	switch major {
	case majorUint, majorNegInt:
		d.head()
		return nil
	case majorBytes, majorText:
		_, err := d.str(major)
		return err
	case majorArray:
		return d.arrayEach(d.skip)
	case majorMap:
		return d.mapEach(func(string) error { return d.skip() })
	case majorTag:
		d.head()
		if d.depth++; d.depth > maxDepth {
			return errors.New("cbor: nested too deeply")
		}
		defer func() { d.depth-- }()
		return d.skip()
	}
	// Simple values and floats.
	if ai == aiIndefinite {
		return fmt.Errorf("cbor: unexpected break at offset %d", d.off)
	}
	d.head()
	return nil
}

// decodeOutput fills out from a GetRecords answer.
func decodeOutput(body []byte, out *kinesis.GetRecordsOutput) error {
	d := &decoder{b: body}
	err := d.mapEach(func(key string) error {
		if d.null() {
			return nil
		}
		switch key {
		case "Records":
			if n := d.arrayLen(); n > 0 {
				out.Records = make([]types.Record, 0, n)
				d.strs = make([]string, 0, 2*n)
				d.times = make([]time.Time, 0, n)
			} else {
				out.Records = []types.Record{}
			}
			return d.arrayEach(func() error {
				var r types.Record
				if err := d.record(&r); err != nil {
					return err
				}
				out.Records = append(out.Records, r)
				return nil
			})
		case "NextShardIterator":
			s, err := d.text()
			out.NextShardIterator = &s
			return err
		case "MillisBehindLatest":
			v, err := d.int()
			out.MillisBehindLatest = &v
			return err
		case "ChildShards":
			out.ChildShards = []types.ChildShard{}
			return d.arrayEach(func() error {
				var c types.ChildShard
				if err := d.childShard(&c); err != nil {
					return err
				}
				out.ChildShards = append(out.ChildShards, c)
				return nil
			})
		}
		return d.skip()
	})
	if err == nil && d.off != len(d.b) {
		err = fmt.Errorf("cbor: %d bytes after the answer", len(d.b)-d.off)
	}
	return err
}

func (d *decoder) record(r *types.Record) error {
	return d.mapEach(func(key string) error {
		if d.null() {
			return nil
		}
		switch key {
		case "Data":
			// The data aliases the answer's buffer, which is the
			// call's alone: no copy. The capacity is cut so an
			// append cannot overwrite what follows.
			b, err := d.str(majorBytes)
			r.Data = b[:len(b):len(b)]
			return err
		case "SequenceNumber":
			s, err := d.text()
			r.SequenceNumber = d.ptrString(s)
			return err
		case "PartitionKey":
			s, err := d.text()
			r.PartitionKey = d.ptrString(s)
			return err
		case "ApproximateArrivalTimestamp":
			t, err := d.timestamp()
			r.ApproximateArrivalTimestamp = d.ptrTime(t)
			return err
		case "EncryptionType":
			s, err := d.text()
			r.EncryptionType = types.EncryptionType(s)
			return err
		}
		return d.skip()
	})
}

func (d *decoder) childShard(c *types.ChildShard) error {
	return d.mapEach(func(key string) error {
		if d.null() {
			return nil
		}
		switch key {
		case "ShardId":
			s, err := d.text()
			c.ShardId = &s
			return err
		case "ParentShards":
			c.ParentShards = []string{}
			return d.arrayEach(func() error {
				s, err := d.text()
				c.ParentShards = append(c.ParentShards, s)
				return err
			})
		case "HashKeyRange":
			c.HashKeyRange = &types.HashKeyRange{}
			return d.mapEach(func(key string) error {
				if d.null() {
					return nil
				}
				switch key {
				case "StartingHashKey":
					s, err := d.text()
					c.HashKeyRange.StartingHashKey = &s
					return err
				case "EndingHashKey":
					s, err := d.text()
					c.HashKeyRange.EndingHashKey = &s
					return err
				}
				return d.skip()
			})
		}
		return d.skip()
	})
}
