package dynamo

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Stored items (the values of items/<table id> and index/<index id>) are
// in a binary encoding, version 1:
//
//	item  := 0x01 count:uvarint (name value){count}
//	name  := len:uvarint bytes
//	value := tag:byte payload
//
//	tag  kind  payload
//	0    none  (nothing: a value with no type set, kept as it was)
//	1    S     len:uvarint UTF-8 bytes
//	2    N     len:uvarint the number's text, as written
//	3    B     len:uvarint bytes
//	4    SS    count:uvarint (len:uvarint bytes){count}
//	5    NS    count:uvarint (len:uvarint bytes){count}
//	6    BS    count:uvarint (len:uvarint bytes){count}
//	7    M     count:uvarint (name value){count}
//	8    L     count:uvarint value{count}
//	9    NULL  0 or 1
//	10   BOOL  0 or 1
//
// Attributes are in map iteration order (the encoding of one item is not
// unique; nothing compares encodings of items other than bytes read back
// from the store). Items written before this encoding are JSON objects
// (attr.Item's JSON, the wire's AttributeValue form), whose first byte is
// '{': decodeItem reads both, so data directories written by earlier
// builds stay readable without a migration, and an old item is rewritten
// in the binary form the next time it is written.
const itemFormatV1 = 0x01

const (
	tagNone byte = iota
	tagS
	tagN
	tagB
	tagSS
	tagNS
	tagBS
	tagM
	tagL
	tagNULL
	tagBOOL
)

// encodeItem encodes item in the binary form (version 1).
func encodeItem(item attr.Item) ([]byte, error) {
	b := make([]byte, 0, 16+attr.ItemSize(item)+4*len(item))
	b = append(b, itemFormatV1)
	return appendAttrs(b, item), nil
}

func appendAttrs(b []byte, m map[string]attr.Value) []byte {
	b = binary.AppendUvarint(b, uint64(len(m)))
	for name, v := range m {
		b = appendBytes(b, name)
		b = appendValue(b, v)
	}
	return b
}

func appendBytes[T string | []byte](b []byte, s T) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendList[T string | []byte](b []byte, tag byte, l []T) []byte {
	b = append(b, tag)
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendBytes(b, s)
	}
	return b
}

func appendBool(b []byte, tag byte, v bool) []byte {
	if v {
		return append(b, tag, 1)
	}
	return append(b, tag, 0)
}

func appendValue(b []byte, v attr.Value) []byte {
	switch {
	case v.S != nil:
		return appendBytes(append(b, tagS), *v.S)
	case v.N != nil:
		return appendBytes(append(b, tagN), *v.N)
	case v.B != nil:
		return appendBytes(append(b, tagB), v.B)
	case v.SS != nil:
		return appendList(b, tagSS, v.SS)
	case v.NS != nil:
		return appendList(b, tagNS, v.NS)
	case v.BS != nil:
		return appendList(b, tagBS, v.BS)
	case v.M != nil:
		return appendAttrs(append(b, tagM), v.M)
	case v.L != nil:
		b = append(b, tagL)
		b = binary.AppendUvarint(b, uint64(len(v.L)))
		for _, e := range v.L {
			b = appendValue(b, e)
		}
		return b
	case v.NULL != nil:
		return appendBool(b, tagNULL, *v.NULL)
	case v.BOOL != nil:
		return appendBool(b, tagBOOL, *v.BOOL)
	}
	return append(b, tagNone)
}

// decodeItem decodes a stored item, in the binary form or (written by
// builds before it) JSON.
func decodeItem(b []byte) (attr.Item, error) {
	if len(b) > 0 && b[0] == '{' {
		var item attr.Item
		if err := json.Unmarshal(b, &item); err != nil {
			return nil, fmt.Errorf("dynamo: stored item: %w", err)
		}
		return item, nil
	}
	if len(b) == 0 || b[0] != itemFormatV1 {
		return nil, fmt.Errorf("dynamo: stored item: unknown format (%d bytes)", len(b))
	}
	d := itemDecoder{b: b, off: 1}
	item := d.attrs(0)
	if d.err == nil && d.off != len(d.b) {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return nil, d.err
	}
	return item, nil
}

// maxItemDepth bounds the nesting of stored maps and lists when reading
// one back, so that a corrupt record cannot recurse without end. DynamoDB
// accepts 32 levels of nesting (Amazon DynamoDB Developer Guide, "Service,
// account, and table quotas", ServiceQuotas.html#limits-attributes), and
// the engine stores nothing deeper; 64 leaves room.
const maxItemDepth = 64

var errItemCorrupt = errors.New("dynamo: stored item corrupt")

// itemDecoder reads one binary item; the first error sticks.
type itemDecoder struct {
	b   []byte
	off int
	err error
}

func (d *itemDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s at offset %d of %d", errItemCorrupt, what, d.off, len(d.b))
	}
}

func (d *itemDecoder) uvarint() int {
	if d.err != nil {
		return 0
	}
	n, w := binary.Uvarint(d.b[d.off:])
	if w <= 0 || n > uint64(len(d.b)) { // a count or length cannot exceed the record
		d.fail("bad length")
		return 0
	}
	d.off += w
	return int(n)
}

func (d *itemDecoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > len(d.b)-d.off {
		d.fail("short record")
		return nil
	}
	s := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return s
}

func (d *itemDecoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("short record")
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *itemDecoder) attrs(depth int) map[string]attr.Value {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	m := make(map[string]attr.Value, min(n, 64))
	for range n {
		name := string(d.bytes())
		v := d.value(depth)
		if d.err != nil {
			return nil
		}
		m[name] = v
	}
	return m
}

func (d *itemDecoder) strs() []string {
	n := d.uvarint()
	l := make([]string, 0, min(n, 64))
	for range n {
		s := d.bytes()
		if d.err != nil {
			return nil
		}
		l = append(l, string(s))
	}
	return l
}

func (d *itemDecoder) value(depth int) attr.Value {
	if depth > maxItemDepth {
		d.fail("nested too deeply")
		return attr.Value{}
	}
	var v attr.Value
	switch tag := d.byte(); tag {
	case tagNone:
	case tagS:
		s := string(d.bytes())
		v.S = &s
	case tagN:
		s := string(d.bytes())
		v.N = &s
	case tagB:
		v.B = append([]byte{}, d.bytes()...)
	case tagSS:
		v.SS = d.strs()
	case tagNS:
		v.NS = d.strs()
	case tagBS:
		n := d.uvarint()
		v.BS = make([][]byte, 0, min(n, 64))
		for range n {
			s := d.bytes()
			if d.err != nil {
				break
			}
			v.BS = append(v.BS, append([]byte{}, s...))
		}
	case tagM:
		v.M = d.attrs(depth + 1)
	case tagL:
		n := d.uvarint()
		v.L = make([]attr.Value, 0, min(n, 64))
		for range n {
			e := d.value(depth + 1)
			if d.err != nil {
				break
			}
			v.L = append(v.L, e)
		}
	case tagNULL, tagBOOL:
		var t bool
		switch d.byte() {
		case 0:
		case 1:
			t = true
		default:
			d.fail("bad boolean")
		}
		if tag == tagNULL {
			v.NULL = &t
		} else {
			v.BOOL = &t
		}
	default:
		d.fail(fmt.Sprintf("unknown tag %d", tag))
	}
	return v
}
