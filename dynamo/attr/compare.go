package attr

import (
	"bytes"
	"strings"
)

// Equal reports whether a and b are equal as DynamoDB's = compares them:
// values of different types are never equal; numbers compare by value ("1"
// equals "1.0"); sets compare as sets, whatever their order; lists compare
// element by element and maps name by name, recursively. A value without
// exactly one type set equals nothing.
func Equal(a, b Value) bool {
	ka, na := a.Kind()
	kb, nb := b.Kind()
	if na != 1 || nb != 1 || ka != kb {
		return false
	}
	switch ka {
	case KindS:
		return *a.S == *b.S
	case KindN:
		return numbersEqual(*a.N, *b.N)
	case KindB:
		return bytes.Equal(a.B, b.B)
	case KindBOOL:
		return *a.BOOL == *b.BOOL
	case KindNULL:
		return *a.NULL == *b.NULL
	case KindSS:
		return sameSet(a.SS, b.SS, func(x, y string) bool { return x == y })
	case KindNS:
		return sameSet(a.NS, b.NS, numbersEqual)
	case KindBS:
		return sameSet(a.BS, b.BS, bytes.Equal)
	case KindL:
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case KindM:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, va := range a.M {
			vb, ok := b.M[k]
			if !ok || !Equal(va, vb) {
				return false
			}
		}
		return true
	}
	return false
}

// numbersEqual compares two number strings by value; canonical strings that
// are equal are equal without parsing.
func numbersEqual(a, b string) bool {
	if a == b {
		return true
	}
	na, errA := ParseNumber(a)
	nb, errB := ParseNumber(b)
	return errA == nil && errB == nil && na.Cmp(nb) == 0
}

// sameSet reports whether two sets (without duplicates) hold the same
// members.
func sameSet[T any](a, b []T, eq func(x, y T) bool) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slicesContain(b, x, eq) {
			return false
		}
	}
	return true
}

func slicesContain[T any](s []T, x T, eq func(x, y T) bool) bool {
	for _, y := range s {
		if eq(x, y) {
			return true
		}
	}
	return false
}

// Compare orders a and b as DynamoDB orders key values and as its <, <=, >,
// >= and BETWEEN compare: strings by their UTF-8 bytes, numbers by value,
// binaries bytewise (unsigned). ok is false when the two are not both S,
// both N or both B; DynamoDB's ordering comparisons are then false.
func Compare(a, b Value) (c int, ok bool) {
	ka, na := a.Kind()
	kb, nb := b.Kind()
	if na != 1 || nb != 1 || ka != kb {
		return 0, false
	}
	switch ka {
	case KindS:
		return strings.Compare(*a.S, *b.S), true
	case KindB:
		return bytes.Compare(a.B, b.B), true
	case KindN:
		x, errA := ParseNumber(*a.N)
		y, errB := ParseNumber(*b.N)
		if errA != nil || errB != nil {
			return 0, false
		}
		return x.Cmp(y), true
	}
	return 0, false
}

// Number returns v's number (v must be a valid N).
func (v Value) Number() (Number, error) {
	if v.N == nil {
		return Number{}, invalid(msgNotNumeric)
	}
	return ParseNumber(*v.N)
}
