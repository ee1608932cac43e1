package attr

import (
	"math/big"
	"strings"

	"github.com/eddy-streams/eddy"
)

// Number is a DynamoDB number held exactly: a sign, up to 38 significant
// decimal digits and an exponent, with a magnitude of zero or between
// 1E-130 and 9.9999999999999999999999999999999999999E+125 (the limits the
// DynamoDB developer guide states under "Data types", and the bounds
// dynalite's tests record DynamoDB enforcing: 1e126 overflows, 1e-131
// underflows).
//
// The zero Number is 0. A Number built by ParseNumber, Add or Sub is always
// within those limits.
//
// The decimal is implemented here rather than pinned from a module: Eddy
// needs parsing, formatting, comparison and addition at a fixed 38-digit
// precision, and nothing of a general decimal library's rounding contexts;
// addition goes through math/big and is exact.
type Number struct {
	neg bool
	// digits are the significant digits with no leading or trailing zero;
	// empty for zero.
	digits string
	// exp is the power of ten of the first digit: the value is
	// d1.d2d3... × 10^exp.
	exp int
}

// Limits of a DynamoDB number.
const (
	MaxDigits   = 38   // significant digits
	MaxExponent = 125  // of the first significant digit
	MinExponent = -130 // of the first significant digit
)

// DynamoDB's messages for numbers, as dynalite's tests record them
// (test/updateItem.js, "should return ValidationException for empty/invalid
// numbers in Key"). A string that is not a number gets the message with
// ": <string>" appended; an empty string gets it bare.
const (
	msgNotNumeric = "The parameter cannot be converted to a numeric value"
	msgOverflow   = "Number overflow. Attempting to store a number with magnitude larger than supported range"
	msgUnderflow  = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
	msgPrecision  = "Attempting to store more than 38 significant digits in a Number"
)

func invalid(msg string) error {
	return &eddy.Error{Code: eddy.CodeValidation, Message: msg}
}

// ParseNumber parses s the way DynamoDB reads the N member of an
// AttributeValue: an optional sign, digits with an optional decimal point
// (at least one digit on either side), and an optional exponent (e or E,
// optional sign, digits). No spaces, no "Infinity", no hexadecimal. A leading
// "+" is accepted, as Java's BigDecimal (which DynamoDB Local parses numbers
// with) accepts it; dynalite refuses it and no capture of DynamoDB itself
// decides it.
//
// Errors are ValidationExceptions with DynamoDB's messages. Out-of-range
// checks come in dynalite's order: overflow, underflow, then precision.
func ParseNumber(s string) (Number, error) {
	if s == "" {
		return Number{}, invalid(msgNotNumeric)
	}
	bad := func() (Number, error) { return Number{}, invalid(msgNotNumeric + ": " + s) }
	i := 0
	neg := false
	if s[0] == '+' || s[0] == '-' {
		neg = s[0] == '-'
		i++
	}
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intPart := s[intStart:i]
	fracPart := ""
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			i++
		}
		fracPart = s[fracStart:i]
	}
	if intPart == "" && fracPart == "" {
		return bad()
	}
	exp10 := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		expNeg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			expNeg = s[i] == '-'
			i++
		}
		start := i
		for i < len(s) && isDigit(s[i]) {
			// An exponent beyond 32 bits is not a number to BigDecimal.
			if exp10 > (1<<31)/10 {
				return bad()
			}
			exp10 = exp10*10 + int(s[i]-'0')
			i++
		}
		if i == start {
			return bad()
		}
		if expNeg {
			exp10 = -exp10
		}
	}
	if i != len(s) {
		return bad()
	}
	n := fromDigits(neg, intPart, fracPart, exp10)
	if err := n.checkRange(); err != nil {
		return Number{}, err
	}
	return n, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// fromDigits builds the number intPart.fracPart × 10^exp10, normalised.
func fromDigits(neg bool, intPart, fracPart string, exp10 int) Number {
	// The first significant digit, counting positions across both parts.
	first := -1
	for j := 0; j < len(intPart)+len(fracPart); j++ {
		if digitAt(intPart, fracPart, j) != '0' {
			first = j
			break
		}
	}
	if first < 0 {
		return Number{} // zero, whatever its sign
	}
	last := first
	for j := len(intPart) + len(fracPart) - 1; j > first; j-- {
		if digitAt(intPart, fracPart, j) != '0' {
			last = j
			break
		}
	}
	var digits string
	switch {
	case last < len(intPart):
		digits = intPart[first : last+1]
	case first >= len(intPart):
		digits = fracPart[first-len(intPart) : last+1-len(intPart)]
	default:
		digits = intPart[first:] + fracPart[:last+1-len(intPart)]
	}
	return Number{neg: neg, digits: digits, exp: len(intPart) - 1 - first + exp10}
}

func digitAt(intPart, fracPart string, j int) byte {
	if j < len(intPart) {
		return intPart[j]
	}
	return fracPart[j-len(intPart)]
}

func (n Number) checkRange() error {
	if n.digits == "" {
		return nil
	}
	switch {
	case n.exp > MaxExponent:
		return invalid(msgOverflow)
	case n.exp < MinExponent:
		return invalid(msgUnderflow)
	case len(n.digits) > MaxDigits:
		return invalid(msgPrecision)
	}
	return nil
}

// MustNumber is ParseNumber for constants known to be valid; it panics on
// an invalid s.
func MustNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// NumberFromInt returns i as a Number.
func NumberFromInt(i int64) Number {
	if i == 0 {
		return Number{}
	}
	neg := i < 0
	var buf [20]byte
	p := len(buf)
	u := uint64(i)
	if neg {
		u = -u
	}
	for u > 0 {
		p--
		buf[p] = byte('0' + u%10)
		u /= 10
	}
	return fromDigits(neg, string(buf[p:]), "", 0)
}

// IsZero reports whether n is zero.
func (n Number) IsZero() bool { return n.digits == "" }

// Sign returns -1, 0 or 1.
func (n Number) Sign() int {
	switch {
	case n.digits == "":
		return 0
	case n.neg:
		return -1
	}
	return 1
}

// Neg returns -n.
func (n Number) Neg() Number {
	if n.digits == "" {
		return n
	}
	n.neg = !n.neg
	return n
}

// String returns n in DynamoDB's canonical form, the form DynamoDB returns
// numbers in: plain decimal notation with no exponent, no leading zeros
// (except the single zero before a decimal point), no trailing zeros after
// the decimal point, no "+", and "0" for every zero. "00042" is "42", "1.0"
// is "1", "3.1400" is "3.14", "-0" is "0", "1.5E2" is "150", and "1E125" is a
// 1 followed by 125 zeros (all captured from DynamoDB: ExtendDB pull request
// 7 and nubo-db/dynamodb-conformance tests/tier3/limits/numberPrecision and
// numberByteSize).
func (n Number) String() string {
	if n.digits == "" {
		return "0"
	}
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	switch {
	case n.exp < 0:
		b.WriteString("0.")
		for i := -1; i > n.exp; i-- {
			b.WriteByte('0')
		}
		b.WriteString(n.digits)
	case n.exp >= len(n.digits)-1:
		b.WriteString(n.digits)
		for i := len(n.digits) - 1; i < n.exp; i++ {
			b.WriteByte('0')
		}
	default:
		b.WriteString(n.digits[:n.exp+1])
		b.WriteByte('.')
		b.WriteString(n.digits[n.exp+1:])
	}
	return b.String()
}

// Cmp compares n and m numerically: -1 if n < m, 0 if equal, 1 if n > m.
func (n Number) Cmp(m Number) int {
	ns, ms := n.Sign(), m.Sign()
	if ns != ms {
		if ns < ms {
			return -1
		}
		return 1
	}
	if ns == 0 {
		return 0
	}
	c := cmpAbs(n, m)
	if ns < 0 {
		return -c
	}
	return c
}

// cmpAbs compares magnitudes of two non-zero numbers. Digit strings carry no
// trailing zeros, so at equal exponents they compare as strings ("12" before
// "123" as 1.2 before 1.23).
func cmpAbs(n, m Number) int {
	if n.exp != m.exp {
		if n.exp < m.exp {
			return -1
		}
		return 1
	}
	return strings.Compare(n.digits, m.digits)
}

// Add returns n + m, exactly. A result outside DynamoDB's range or with more
// than 38 significant digits is refused with the message DynamoDB gives for
// such a number on input; DynamoDB refuses an overflowing SET a = a + :n or
// ADD with "Number overflow. ..." (ExtendDB issue 94, captured from
// DynamoDB). No capture shows what DynamoDB does with a sum that is in range
// but needs more than 38 digits (1E37 + 0.1): Eddy refuses it with the
// precision message rather than round.
func (n Number) Add(m Number) (Number, error) {
	switch {
	case n.digits == "":
		return m, m.checkRange()
	case m.digits == "":
		return n, n.checkRange()
	}
	// Both as integer coefficients at the smaller scale.
	qn, qm := n.exp-len(n.digits)+1, m.exp-len(m.digits)+1
	q := min(qn, qm)
	a, b := n.coefficient(qn-q), m.coefficient(qm-q)
	sum := new(big.Int).Add(a, b)
	if sum.Sign() == 0 {
		return Number{}, nil
	}
	text := sum.String()
	neg := text[0] == '-'
	if neg {
		text = text[1:]
	}
	r := fromDigits(neg, text, "", q)
	return r, r.checkRange()
}

// Sub returns n - m; see Add.
func (n Number) Sub(m Number) (Number, error) { return n.Add(m.Neg()) }

// coefficient returns the signed integer digits × 10^shift.
func (n Number) coefficient(shift int) *big.Int {
	c, _ := new(big.Int).SetString(n.digits, 10)
	if shift > 0 {
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(shift)), nil))
	}
	if n.neg {
		c.Neg(c)
	}
	return c
}

// Size returns the number of bytes DynamoDB counts for n in an item's size:
// the length of its storage encoding (DynamoDB Local's encodeBigDecimal, a
// base-100 form like Oracle's NUMBER): one byte of exponent, one per pair of
// digits aligned on the decimal point, and for a negative number of fewer
// than 20 digit pairs a terminating byte. Zero is one byte. This matches the
// 23 numbers whose cost nubo-db/dynamodb-conformance measured against
// DynamoDB's 400 KB gate (src/item-size.ts: "1.5" costs 3, "15" costs 2,
// "3.14159" costs 5, "-42" costs 3, "1E125" costs 2).
func (n Number) Size() int {
	if n.digits == "" {
		return 1
	}
	pad := 0
	if (n.exp+1)%2 != 0 {
		pad = 1
	}
	pairs := (len(n.digits) + pad + 1) / 2
	size := 1 + pairs
	if n.neg && pairs < 20 {
		size++
	}
	return size
}
