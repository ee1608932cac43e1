package attr

import (
	"bytes"
	"errors"
	"fmt"
)

// Key encoding: AppendKey writes a key attribute (S, N or B) as bytes whose
// unsigned bytewise order is DynamoDB's order of the values (Compare), so
// the engine can keep items in a sorted key-value store and scan a range key
// in DynamoDB's order with plain byte ranges. Each encoding is
// self-delimiting (no encoding is a prefix of another's), so a hash key's
// encoding followed by a range key's sorts by hash key first, and
// DecodeKey can split them again. The type is not encoded: a key
// attribute's type is fixed by the table.
//
// Byte layout:
//
//	S, B   the bytes (S: UTF-8), each 0x00 written as 0x00 0xFF,
//	       then the terminator 0x00 0x01
//	N = 0  0x80
//	N > 0  0xC0, byte(exp+130), one byte per significant digit (digit+1),
//	       then the terminator 0x00
//	N < 0  0x40, byte(125-exp), one byte per significant digit (10-digit),
//	       then the terminator 0xFF
//
// exp is the power of ten of the first significant digit (-130..125, so
// exp+130 and 125-exp fit in a byte). Digits of a positive number encode as
// 1..10 and end with 0x00, which sorts a shorter mantissa (1.2) before a
// longer one sharing its prefix (1.23); a negative number's digits are
// complemented and end with 0xFF, which reverses both orders.

// AppendKey appends the order-preserving encoding of v to dst. v must be a
// valid S, N or B value.
func AppendKey(dst []byte, v Value) ([]byte, error) {
	switch {
	case v.S != nil:
		return appendEscaped(dst, []byte(*v.S)), nil
	case v.B != nil:
		return appendEscaped(dst, v.B), nil
	case v.N != nil:
		n, err := ParseNumber(*v.N)
		if err != nil {
			return dst, err
		}
		return appendNumberKey(dst, n), nil
	}
	k, _ := v.Kind()
	return dst, fmt.Errorf("attr: a key value must be S, N or B, not %q", k)
}

func appendEscaped(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			dst = append(dst, 0, 0xFF)
			continue
		}
		dst = append(dst, c)
	}
	return append(dst, 0, 1)
}

func appendNumberKey(dst []byte, n Number) []byte {
	switch n.Sign() {
	case 0:
		return append(dst, 0x80)
	case 1:
		dst = append(dst, 0xC0, byte(n.exp-MinExponent))
		for i := 0; i < len(n.digits); i++ {
			dst = append(dst, n.digits[i]-'0'+1)
		}
		return append(dst, 0x00)
	}
	dst = append(dst, 0x40, byte(MaxExponent-n.exp))
	for i := 0; i < len(n.digits); i++ {
		dst = append(dst, 10-(n.digits[i]-'0'))
	}
	return append(dst, 0xFF)
}

var errKeyCode = errors.New("attr: malformed key encoding")

// DecodeKey decodes one value of the given kind (S, N or B) from the start
// of src, as AppendKey wrote it, and returns it with the rest of src.
func DecodeKey(src []byte, kind Kind) (Value, []byte, error) {
	switch kind {
	case KindS, KindB:
		var out []byte
		for i := 0; i < len(src); i++ {
			if src[i] != 0 {
				out = append(out, src[i])
				continue
			}
			if i+1 >= len(src) {
				return Value{}, src, errKeyCode
			}
			switch src[i+1] {
			case 0xFF:
				out = append(out, 0)
				i++
			case 0x01:
				if kind == KindS {
					return S(string(out)), src[i+2:], nil
				}
				return B(out), src[i+2:], nil
			default:
				return Value{}, src, errKeyCode
			}
		}
		return Value{}, src, errKeyCode
	case KindN:
		if len(src) == 0 {
			return Value{}, src, errKeyCode
		}
		switch src[0] {
		case 0x80:
			return N("0"), src[1:], nil
		case 0xC0, 0x40:
		default:
			return Value{}, src, errKeyCode
		}
		neg := src[0] == 0x40
		if len(src) < 2 {
			return Value{}, src, errKeyCode
		}
		exp := int(src[1]) + MinExponent
		term := byte(0x00)
		if neg {
			exp = MaxExponent - int(src[1])
			term = 0xFF
		}
		end := bytes.IndexByte(src[2:], term)
		if end <= 0 || end > MaxDigits {
			return Value{}, src, errKeyCode
		}
		digits := make([]byte, end)
		for i, c := range src[2 : 2+end] {
			d := int(c) - 1
			if neg {
				d = 10 - int(c)
			}
			if d < 0 || d > 9 {
				return Value{}, src, errKeyCode
			}
			digits[i] = byte('0' + d)
		}
		n := Number{neg: neg, digits: string(digits), exp: exp}
		if digits[0] == '0' || digits[len(digits)-1] == '0' || n.checkRange() != nil {
			return Value{}, src, errKeyCode
		}
		return NumberValue(n), src[2+end+1:], nil
	}
	return Value{}, src, fmt.Errorf("attr: a key value must be S, N or B, not %q", kind)
}
