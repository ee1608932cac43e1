package ddb

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// This file checks attribute values as DynamoDB does before it looks at a
// table: a value names exactly one type, numbers are numbers within
// DynamoDB's range and precision, sets are not empty and hold no
// duplicates, an item is at most 400 KB. The messages and their order are
// dynalite's (validations/index.js validateAttributeValue and checkNum,
// db/index.js itemSize), which records DynamoDB's.
//
// These checks belong with the data they judge, in dynamo/attr, which is
// being written at the same time; until attr has them they live here, and
// the number handling below is the least needed to word the messages
// (significant digits and exponent of a decimal string), not arithmetic.

// MaxItemSize is the largest item DynamoDB stores: 400 KB, counted as
// ItemSize counts (developerguide/ServiceQuotas: "The maximum item size in
// DynamoDB is 400 KB"; dynalite's default maxItemSizeKb is 400).
const MaxItemSize = 400 * 1024

// Messages of the attribute value checks (dynalite validations/index.js).
const (
	msgValueEmpty       = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	msgValueSeveral     = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
	msgNullNotTrue      = "One or more parameter values were invalid: Null attribute value types must have the value of true"
	msgEmptySS          = "One or more parameter values were invalid: An string set  may not be empty"
	msgEmptyNS          = "One or more parameter values were invalid: An number set  may not be empty"
	msgEmptyBS          = "One or more parameter values were invalid: Binary sets should not be empty"
	msgNSDuplicates     = "Input collection contains duplicates"
	msgNotNumeric       = "The parameter cannot be converted to a numeric value"
	msgNumberOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgNumberUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgTooManyDigits    = "Attempting to store more than 38 significant digits in a Number"
	msgItemTooLarge     = "Item size has exceeded the maximum allowed size"
	msgInvalidParameter = "One or more parameter values were invalid: "
)

// CheckValue returns DynamoDB's message for what is wrong with v, or "" if
// it is a valid attribute value. It looks at the types in a fixed order (S,
// N, B, SS, NS, BS, M, L, NULL, BOOL); DynamoDB looks at them in the order
// the request names them, which matters only for a value that names
// several types and has a fault in one.
func CheckValue(v *attr.Value) string {
	_, n := v.Kind()
	if n == 0 {
		return msgValueEmpty
	}
	if v.N != nil {
		if msg := checkNumber(*v.N); msg != "" {
			return msg
		}
	}
	if v.NULL != nil && !*v.NULL {
		return msgNullNotTrue
	}
	switch {
	case v.SS != nil && len(v.SS) == 0:
		return msgEmptySS
	case v.NS != nil && len(v.NS) == 0:
		return msgEmptyNS
	case v.BS != nil && len(v.BS) == 0:
		return msgEmptyBS
	}
	for _, s := range v.NS {
		if msg := checkNumber(s); msg != "" {
			return msg
		}
	}
	if hasDuplicate(v.SS, func(s string) string { return s }) {
		return msgInvalidParameter + "Input collection " + renderStrings(v.SS) + " contains duplicates."
	}
	if hasDuplicate(v.NS, canonicalNumber) {
		return msgNSDuplicates
	}
	if hasDuplicate(v.BS, func(b []byte) string { return string(b) }) {
		enc := make([]string, len(v.BS))
		for i, b := range v.BS {
			enc[i] = base64.StdEncoding.EncodeToString(b)
		}
		// Sic: no space before "of".
		return msgInvalidParameter + "Input collection " + renderStrings(enc) + "of type BS contains duplicates."
	}
	for _, k := range sortedKeys(v.M) {
		e := v.M[k]
		if msg := CheckValue(&e); msg != "" {
			return msg
		}
	}
	for i := range v.L {
		if msg := CheckValue(&v.L[i]); msg != "" {
			return msg
		}
	}
	if n > 1 {
		return msgValueSeveral
	}
	return ""
}

// CheckItem checks every value of item, in the order of its attribute
// names (DynamoDB's is the request's; a map does not keep it), and returns
// the first message.
func CheckItem(item attr.Item) string {
	for _, k := range sortedKeys(item) {
		v := item[k]
		if msg := CheckValue(&v); msg != "" {
			return msg
		}
	}
	return ""
}

func hasDuplicate[T any](l []T, key func(T) string) bool {
	if len(l) < 2 {
		return false
	}
	seen := make(map[string]bool, len(l))
	for _, x := range l {
		k := key(x)
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// decimal is a number string taken apart: its significant digits (no
// leading or trailing zeros; "0" for zero) and the exponent of the first
// of them, so that the value is 0.d1d2... × 10^(exp+1), as big.js (which
// dynalite uses) keeps numbers.
type decimal struct {
	neg    bool
	digits string
	exp    int
}

// parseDecimal reads s as DynamoDB's number syntax (as big.js reads it):
// an optional '-', digits with an optional fraction (or a fraction alone),
// an optional exponent.
func parseDecimal(s string) (decimal, bool) {
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) || strings.Count(mant, ".") > 1 {
		return d, false
	}
	exp := 0
	if hasExp {
		t := strings.TrimPrefix(expText, "+")
		if t == expText {
			t = strings.TrimPrefix(expText, "-")
		}
		if t == "" || !allDigits(t) {
			return d, false
		}
		n, err := strconv.Atoi(expText)
		if err != nil {
			// An exponent beyond int: certainly out of range.
			if strings.HasPrefix(expText, "-") {
				n = -1 << 30
			} else {
				n = 1 << 30
			}
		}
		exp = n
	}
	all := intPart + frac
	lead := len(all) - len(strings.TrimLeft(all, "0"))
	all = strings.TrimRight(all[lead:], "0")
	if all == "" {
		return decimal{digits: "0"}, true
	}
	d.digits = all
	d.exp = len(intPart) - lead - 1 + exp
	return d, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkNumber returns DynamoDB's message for a number string that is not a
// valid Number, or "" (dynalite checkNum).
func checkNumber(s string) string {
	if s == "" {
		return msgNotNumeric
	}
	d, ok := parseDecimal(s)
	switch {
	case !ok:
		return msgNotNumeric + ": " + s
	case d.exp > 125:
		return msgNumberOverflow
	case d.exp < -130:
		return msgNumberUnderflow
	case len(d.digits) > 38:
		return msgTooManyDigits
	}
	return ""
}

// canonicalNumber is a key equal for numbers of equal value ("1", "1.0",
// "10e-1"), for the duplicate check of a number set.
func canonicalNumber(s string) string {
	d, ok := parseDecimal(s)
	if !ok {
		return s
	}
	if d.digits == "0" {
		return "0"
	}
	sign := ""
	if d.neg {
		sign = "-"
	}
	return sign + d.digits + "e" + strconv.Itoa(d.exp)
}

// compareValues compares two scalar values of the same kind (S, N or B) as
// DynamoDB orders them: numbers by value, strings and binaries by their
// bytes. ok is false for other kinds or mixed kinds.
func compareValues(a, b *attr.Value) (c int, ok bool) {
	switch {
	case a.S != nil && b.S != nil:
		return strings.Compare(*a.S, *b.S), true
	case a.B != nil && b.B != nil:
		return bytes.Compare(a.B, b.B), true
	case a.N != nil && b.N != nil:
		x, ok1 := parseDecimal(*a.N)
		y, ok2 := parseDecimal(*b.N)
		if !ok1 || !ok2 {
			return 0, false
		}
		return compareDecimals(x, y), true
	}
	return 0, false
}

func compareDecimals(x, y decimal) int {
	xz, yz := x.digits == "0", y.digits == "0"
	switch {
	case xz && yz:
		return 0
	case xz:
		return sign(!y.neg) * -1
	case yz:
		return sign(!x.neg)
	case x.neg != y.neg:
		return sign(!x.neg)
	}
	c := 0
	if x.exp != y.exp {
		c = 1
		if x.exp < y.exp {
			c = -1
		}
	} else {
		// Same exponent: compare digit strings padded to equal length.
		a, b := x.digits, y.digits
		for len(a) < len(b) {
			a += "0"
		}
		for len(b) < len(a) {
			b += "0"
		}
		c = strings.Compare(a, b)
	}
	if x.neg {
		c = -c
	}
	return c
}

func sign(positive bool) int {
	if positive {
		return 1
	}
	return -1
}

// ItemSize is the size DynamoDB counts for an item against MaxItemSize:
// the UTF-8 length of every attribute name plus the size of its value
// (strings their UTF-8 length, binaries their length, numbers about one
// byte per two significant digits plus one, a set the sum of its
// elements, null and booleans one byte, a list or map 3 bytes plus one per
// element plus its elements and, for a map, its keys). The number formula
// and the list and map overheads are dynalite's (db/index.js valSize),
// which follow the developer guide's "Item sizes and formats".
func ItemSize(item attr.Item) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(&v)
	}
	return n
}

func valueSize(v *attr.Value) int {
	switch {
	case v.S != nil:
		return len(*v.S)
	case v.N != nil:
		return numberSize(*v.N)
	case v.B != nil:
		return len(v.B)
	case v.SS != nil:
		n := 0
		for _, s := range v.SS {
			n += len(s)
		}
		return n
	case v.NS != nil:
		n := 0
		for _, s := range v.NS {
			n += numberSize(s)
		}
		return n
	case v.BS != nil:
		n := 0
		for _, b := range v.BS {
			n += len(b)
		}
		return n
	case v.M != nil:
		return 3 + len(v.M) + ItemSize(v.M)
	case v.L != nil:
		n := 3
		for i := range v.L {
			n += 1 + valueSize(&v.L[i])
		}
		return n
	case v.NULL != nil, v.BOOL != nil:
		return 1
	}
	return 0
}

func numberSize(s string) int {
	d, ok := parseDecimal(s)
	if !ok || d.digits == "0" {
		return 1
	}
	n := len(d.digits)
	size := 1 + (n+1)/2
	if n%2 == 0 && d.exp%2 == 0 {
		size++
	}
	if d.neg {
		size++
	}
	return size
}
