package awscbor

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"time"
	"unicode/utf8"
)

// Major types (RFC 8949 section 3.1).
const (
	majorUint   = 0
	majorNegInt = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7
)

// Additional-information values with a fixed meaning.
const (
	aiUint8      = 24
	aiUint16     = 25
	aiUint32     = 26
	aiUint64     = 27
	aiIndefinite = 31

	simpleFalse     = 20
	simpleTrue      = 21
	simpleNull      = 22
	simpleUndefined = 23

	breakByte = 0xff
)

// maxPrealloc caps how many elements are allocated up front for a definite
// array or map, even after its length has been checked against the remaining
// input: a claimed length is only a promise until the elements are read.
const maxPrealloc = 1024

// decoder reads one item from data. Every length is checked against
// len(data)-off before anything is sliced or allocated.
type decoder struct {
	data     []byte
	off      int
	depth    int
	maxDepth int
	unit     TimeUnit
	path     []pathElem // field path for Unmarshal errors
}

func (d *decoder) syntaxErr(off int, format string, args ...any) error {
	return &SyntaxError{Offset: int64(off), Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) eof() error {
	return d.syntaxErr(d.off, "unexpected end of input")
}

// end reports trailing bytes after the top-level item.
func (d *decoder) end() error {
	if d.off != len(d.data) {
		return d.syntaxErr(d.off, "%d trailing bytes after the data item", len(d.data)-d.off)
	}
	return nil
}

func (d *decoder) remaining() uint64 { return uint64(len(d.data) - d.off) }

// enter and leave bracket every array, map and tag.
func (d *decoder) enter(start int) error {
	d.depth++
	if d.depth > d.maxDepth {
		return d.syntaxErr(start, "nesting deeper than %d", d.maxDepth)
	}
	return nil
}

func (d *decoder) leave() { d.depth-- }

// head reads an initial byte and its argument. For ai 31 (indefinite length
// or break) arg is 0; for major type 7 with ai 25..27 arg holds the float
// bits. It rejects reserved ai 28..30 and ai 31 where RFC 8949 forbids it
// (major types 0, 1 and 6), but leaves the break byte to the caller.
func (d *decoder) head() (major, ai byte, arg uint64, err error) {
	start := d.off
	if d.off >= len(d.data) {
		return 0, 0, 0, d.eof()
	}
	ib := d.data[d.off]
	d.off++
	major, ai = ib>>5, ib&0x1f
	var n int
	switch {
	case ai < aiUint8:
		return major, ai, uint64(ai), nil
	case ai == aiUint8:
		n = 1
	case ai == aiUint16:
		n = 2
	case ai == aiUint32:
		n = 4
	case ai == aiUint64:
		n = 8
	case ai == aiIndefinite:
		switch major {
		case majorUint, majorNegInt, majorTag:
			return 0, 0, 0, d.syntaxErr(start, "indefinite length is not allowed for major type %d", major)
		}
		return major, ai, 0, nil
	default:
		return 0, 0, 0, d.syntaxErr(start, "reserved additional information %d", ai)
	}
	if len(d.data)-d.off < n {
		d.off = len(d.data)
		return 0, 0, 0, d.eof()
	}
	b := d.data[d.off : d.off+n]
	d.off += n
	switch n {
	case 1:
		arg = uint64(b[0])
	case 2:
		arg = uint64(binary.BigEndian.Uint16(b))
	case 4:
		arg = uint64(binary.BigEndian.Uint32(b))
	default:
		arg = binary.BigEndian.Uint64(b)
	}
	if major == majorSimple && ai == aiUint8 && arg < 32 {
		return 0, 0, 0, d.syntaxErr(start, "simple value %d encoded in two bytes", arg)
	}
	return major, ai, arg, nil
}

// atBreak consumes a break byte if one is next. It is used inside
// indefinite-length items, where running out of input is an error.
func (d *decoder) atBreak() (bool, error) {
	if d.off >= len(d.data) {
		return false, d.eof()
	}
	if d.data[d.off] == breakByte {
		d.off++
		return true, nil
	}
	return false, nil
}

// str reads the payload of a byte or text string whose head has been read.
// A definite string is returned as a view of d.data (callers copy it); an
// indefinite one is concatenated from definite chunks of the same major
// type into a fresh slice. Text is checked chunk by chunk for valid UTF-8,
// as RFC 8949 section 3.2.3 requires.
func (d *decoder) str(major, ai byte, arg uint64, start int) ([]byte, error) {
	if ai != aiIndefinite {
		return d.chunk(major, arg, start)
	}
	var out []byte
	for {
		brk, err := d.atBreak()
		if err != nil {
			return nil, err
		}
		if brk {
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		cstart := d.off
		cmajor, cai, carg, err := d.head()
		if err != nil {
			return nil, err
		}
		if cmajor != major || cai == aiIndefinite {
			return nil, d.syntaxErr(cstart, "chunk of an indefinite-length %s must be a definite %s", majorName(major), majorName(major))
		}
		c, err := d.chunk(major, carg, cstart)
		if err != nil {
			return nil, err
		}
		out = append(out, c...)
	}
}

func (d *decoder) chunk(major byte, n uint64, start int) ([]byte, error) {
	if n > d.remaining() {
		return nil, d.syntaxErr(start, "%s claims %d bytes but only %d remain", majorName(major), n, d.remaining())
	}
	b := d.data[d.off : d.off+int(n)]
	if major == majorText && !utf8.Valid(b) {
		return nil, d.syntaxErr(start, "invalid UTF-8 in text string")
	}
	d.off += int(n)
	return b, nil
}

// count checks a definite array or map length against the remaining input:
// every element takes at least one byte (a map entry two).
func (d *decoder) count(major byte, n uint64, start int) (int, error) {
	per := uint64(1)
	if major == majorMap {
		per = 2
	}
	if n > d.remaining()/per {
		return 0, d.syntaxErr(start, "%s claims %d elements but only %d bytes remain", majorName(major), n, d.remaining())
	}
	return int(n), nil
}

func prealloc(n int) int { return min(n, maxPrealloc) }

// key reads a map key, which must be a text string.
func (d *decoder) key() (string, error) {
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return "", err
	}
	if major != majorText {
		if major == majorSimple && ai == aiIndefinite {
			return "", d.syntaxErr(start, "unexpected break")
		}
		return "", d.syntaxErr(start, "map key must be a text string, not %s", majorName(major))
	}
	b, err := d.str(major, ai, arg, start)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// value decodes one item into the generic data model.
func (d *decoder) value() (any, error) {
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case majorUint:
		if arg <= math.MaxInt64 {
			return int64(arg), nil
		}
		return arg, nil
	case majorNegInt:
		return negInt(arg), nil
	case majorBytes:
		b, err := d.str(major, ai, arg, start)
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, len(b)), b...), nil
	case majorText:
		b, err := d.str(major, ai, arg, start)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	case majorArray:
		return d.array(ai, arg, start)
	case majorMap:
		return d.mapValue(ai, arg, start)
	case majorTag:
		return d.tag(arg, start)
	default:
		return d.simple(ai, arg, start)
	}
}

// negInt returns -1-arg as an int64, or as a json.Number when it is below
// math.MinInt64.
func negInt(arg uint64) any {
	if arg <= math.MaxInt64 {
		return -1 - int64(arg)
	}
	n := new(big.Int).SetUint64(arg)
	n.Add(n, big.NewInt(1))
	return json.Number("-" + n.String())
}

func (d *decoder) array(ai byte, arg uint64, start int) (any, error) {
	if err := d.enter(start); err != nil {
		return nil, err
	}
	defer d.leave()
	if ai == aiIndefinite {
		out := []any{}
		for {
			brk, err := d.atBreak()
			if err != nil {
				return nil, err
			}
			if brk {
				return out, nil
			}
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
	}
	n, err := d.count(majorArray, arg, start)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, prealloc(n))
	for range n {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *decoder) mapValue(ai byte, arg uint64, start int) (any, error) {
	if err := d.enter(start); err != nil {
		return nil, err
	}
	defer d.leave()
	n := -1
	if ai != aiIndefinite {
		var err error
		if n, err = d.count(majorMap, arg, start); err != nil {
			return nil, err
		}
	}
	out := make(map[string]any, prealloc(max(n, 0)))
	for i := 0; n < 0 || i < n; i++ {
		if n < 0 {
			brk, err := d.atBreak()
			if err != nil {
				return nil, err
			}
			if brk {
				break
			}
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		out[k] = v // a repeated key keeps the last value, as encoding/json does
	}
	return out, nil
}

// tag decodes the content of a tag. Tags 0 and 1 become time.Time; any other
// tag is dropped and its content decoded as if untagged (this covers the
// self-describe tag 55799 and tags Eddy has no use for).
func (d *decoder) tag(num uint64, start int) (any, error) {
	if err := d.enter(start); err != nil {
		return nil, err
	}
	defer d.leave()
	cstart := d.off
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	switch num {
	case 0:
		s, ok := v.(string)
		if !ok {
			return nil, d.syntaxErr(cstart, "tag 0 content must be a text string, not %s", kindName(v))
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || t.Year() < 1 || t.Year() > 9999 {
			return nil, d.syntaxErr(cstart, "tag 0 content %q is not an RFC 3339 time", s)
		}
		return t.UTC(), nil
	case 1:
		t, err := epochTime(v, d.unit)
		if err != nil {
			return nil, d.syntaxErr(cstart, "tag 1: %v", err)
		}
		return t, nil
	}
	return v, nil
}

func (d *decoder) simple(ai byte, arg uint64, start int) (any, error) {
	switch ai {
	case simpleFalse:
		return false, nil
	case simpleTrue:
		return true, nil
	case simpleNull, simpleUndefined:
		return nil, nil
	case aiUint16:
		return halfToFloat64(uint16(arg)), nil
	case aiUint32:
		return float64(math.Float32frombits(uint32(arg))), nil
	case aiUint64:
		return math.Float64frombits(arg), nil
	case aiIndefinite:
		return nil, d.syntaxErr(start, "unexpected break")
	}
	return nil, d.syntaxErr(start, "unsupported simple value %d", arg)
}

// halfToFloat64 widens an IEEE 754 binary16 value (RFC 8949 Appendix D).
func halfToFloat64(h uint16) float64 {
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	var f float64
	switch exp {
	case 0:
		f = math.Ldexp(mant, -24)
	case 0x1f:
		if mant == 0 {
			f = math.Inf(1)
		} else {
			f = math.NaN()
		}
	default:
		f = math.Ldexp(mant+1024, exp-25)
	}
	if h&0x8000 != 0 {
		return -f
	}
	return f
}

func majorName(major byte) string {
	switch major {
	case majorUint:
		return "unsigned integer"
	case majorNegInt:
		return "negative integer"
	case majorBytes:
		return "byte string"
	case majorText:
		return "text string"
	case majorArray:
		return "array"
	case majorMap:
		return "map"
	case majorTag:
		return "tag"
	}
	return "simple value or float"
}

// kindName names a generic value for error messages.
func kindName(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, uint64, json.Number:
		return fmt.Sprintf("integer %v", v)
	case float64:
		return fmt.Sprintf("float %v", v)
	case string:
		return "text string"
	case []byte:
		return "byte string"
	case []any:
		return "array"
	case map[string]any:
		return "map"
	case time.Time:
		return "timestamp"
	}
	return fmt.Sprintf("%T", v)
}
