package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// Kind is the run-time representation of a Value.
type Kind uint8

// The kinds of values. A Value of kind KindNull is SQL NULL, whatever its column's type.
const (
	KindNull       Kind = iota
	KindBool            // I: 0 or 1
	KindInt             // I: TINYINT, SMALLINT, INTEGER, BIGINT
	KindFloat           // F: REAL, DOUBLE, FLOAT (REAL is rounded to float32 when stored)
	KindDecimal         // I unscaled, Scale digits after the point: exact
	KindString          // S: CHAR, VARCHAR
	KindTimestamp       // I: milliseconds since 1970-01-01 00:00:00 UTC
	KindDate            // I: days since 1970-01-01
	KindTime            // I: milliseconds since midnight
	KindIntervalDS      // I: a day-to-second interval in milliseconds
	KindIntervalYM      // I: a year-to-month interval in months
)

// Value is one SQL value. It is a small comparable struct (usable as a map key) so that
// rows are plain []Value slices and evaluating an expression allocates nothing but new
// strings:
//
//	Kind           field used
//	KindNull       none (the zero Value is NULL)
//	KindBool       I (0 false, 1 true)
//	KindInt        I
//	KindFloat      F
//	KindDecimal    I (unscaled) and Scale: I * 10^-Scale, at most 18 digits
//	KindString     S
//	KindTimestamp  I, milliseconds since the Unix epoch, UTC (KDA's precision is the millisecond)
//	KindDate       I, days since the Unix epoch
//	KindTime       I, milliseconds since midnight
//	KindIntervalDS I, milliseconds;  KindIntervalYM I, months
type Value struct {
	Kind  Kind
	Scale int8
	I     int64
	F     float64
	S     string
}

// Null is SQL NULL.
var Null = Value{}

// Bool returns a BOOLEAN value.
func Bool(b bool) Value {
	if b {
		return Value{Kind: KindBool, I: 1}
	}
	return Value{Kind: KindBool}
}

// Int returns an integer value (any of TINYINT..BIGINT).
func Int(i int64) Value { return Value{Kind: KindInt, I: i} }

// Float returns a floating-point value (REAL, DOUBLE, FLOAT).
func Float(f float64) Value {
	if f == 0 {
		f = 0 // no negative zero: equal values are equal map keys
	}
	return Value{Kind: KindFloat, F: f}
}

// Decimal returns unscaled * 10^-scale as a DECIMAL value.
func Decimal(unscaled int64, scale int) Value {
	return Value{Kind: KindDecimal, I: unscaled, Scale: int8(scale)}
}

// String returns a character value.
func String(s string) Value { return Value{Kind: KindString, S: s} }

// Timestamp returns a TIMESTAMP value, truncated to the millisecond.
func Timestamp(t time.Time) Value { return Value{Kind: KindTimestamp, I: t.UnixMilli()} }

// TimestampMillis returns a TIMESTAMP value from milliseconds since the epoch.
func TimestampMillis(ms int64) Value { return Value{Kind: KindTimestamp, I: ms} }

// Date returns the DATE of t (its UTC calendar day).
func Date(t time.Time) Value {
	return Value{Kind: KindDate, I: floorDiv(t.UnixMilli(), msPerDay)}
}

// TimeOfDay returns a TIME value from milliseconds since midnight.
func TimeOfDay(ms int64) Value { return Value{Kind: KindTime, I: ms} }

// IsNull reports whether v is SQL NULL.
func (v Value) IsNull() bool { return v.Kind == KindNull }

// Time returns a TIMESTAMP or DATE value as a time.Time in UTC.
func (v Value) Time() time.Time {
	switch v.Kind {
	case KindDate:
		return time.UnixMilli(v.I * msPerDay).UTC()
	}
	return time.UnixMilli(v.I).UTC()
}

// Float64 returns a numeric value as a float64 (0 for other kinds).
func (v Value) Float64() float64 {
	switch v.Kind {
	case KindInt:
		return float64(v.I)
	case KindFloat:
		return v.F
	case KindDecimal:
		return float64(v.I) / pow10f(int(v.Scale))
	}
	return 0
}

// String prints v as SQL text would show it: NULL, TRUE, 12, 1.5, 'text' unquoted,
// 2006-01-02 15:04:05.000 for timestamps.
func (v Value) String() string {
	switch v.Kind {
	case KindNull:
		return "NULL"
	case KindBool:
		if v.I != 0 {
			return "TRUE"
		}
		return "FALSE"
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindFloat:
		return formatFloat(v.F)
	case KindDecimal:
		return formatDecimal(v.I, int(v.Scale))
	case KindString:
		return v.S
	case KindTimestamp:
		return time.UnixMilli(v.I).UTC().Format("2006-01-02 15:04:05.000")
	case KindDate:
		return time.UnixMilli(v.I * msPerDay).UTC().Format("2006-01-02")
	case KindTime:
		return time.UnixMilli(v.I).UTC().Format("15:04:05.000")
	case KindIntervalDS:
		return fmt.Sprintf("INTERVAL '%d' SECOND", v.I/1000)
	case KindIntervalYM:
		return fmt.Sprintf("INTERVAL '%d' MONTH", v.I)
	}
	return "?"
}

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func formatDecimal(u int64, scale int) string {
	neg := u < 0
	var digits string
	if neg {
		digits = strconv.FormatUint(uint64(-(u+1))+1, 10)
	} else {
		digits = strconv.FormatInt(u, 10)
	}
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

const msPerDay = 24 * 60 * 60 * 1000

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

var pow10tab = [...]int64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000}

func pow10f(n int) float64 { return math.Pow10(n) }

// maxDecimalDigits is the largest DECIMAL precision: the unscaled value is an int64.
const maxDecimalDigits = 18

// Type is a SQL data type of a column or an expression.
type Type struct {
	Kind Kind
	// Name is the SQL name: VARCHAR, CHAR, TINYINT, SMALLINT, INTEGER, BIGINT, REAL, DOUBLE,
	// FLOAT, DECIMAL, BOOLEAN, TIMESTAMP, DATE, TIME; "NULL" for the type of the literal NULL;
	// "INTERVAL DAY TO SECOND" and "INTERVAL YEAR TO MONTH" for intervals.
	Name string
	// Len is the length of CHAR(n) and VARCHAR(n); Prec and Scale those of DECIMAL(p,s).
	Len, Prec, Scale int
}

// String prints t as SQL: VARCHAR(4), DECIMAL(10,2), INTEGER.
func (t Type) String() string {
	switch t.Name {
	case "VARCHAR", "CHAR":
		return fmt.Sprintf("%s(%d)", t.Name, t.Len)
	case "DECIMAL":
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Prec, t.Scale)
	}
	return t.Name
}

// The types expressions take.
var (
	TypeNull      = Type{Kind: KindNull, Name: "NULL"}
	TypeBoolean   = Type{Kind: KindBool, Name: "BOOLEAN"}
	TypeTinyint   = Type{Kind: KindInt, Name: "TINYINT"}
	TypeSmallint  = Type{Kind: KindInt, Name: "SMALLINT"}
	TypeInteger   = Type{Kind: KindInt, Name: "INTEGER"}
	TypeBigint    = Type{Kind: KindInt, Name: "BIGINT"}
	TypeReal      = Type{Kind: KindFloat, Name: "REAL"}
	TypeDouble    = Type{Kind: KindFloat, Name: "DOUBLE"}
	TypeTimestamp = Type{Kind: KindTimestamp, Name: "TIMESTAMP"}
	TypeDate      = Type{Kind: KindDate, Name: "DATE"}
	TypeTime      = Type{Kind: KindTime, Name: "TIME"}
	typeDS        = Type{Kind: KindIntervalDS, Name: "INTERVAL DAY TO SECOND"}
	typeYM        = Type{Kind: KindIntervalYM, Name: "INTERVAL YEAR TO MONTH"}
)

// Varchar returns VARCHAR(n).
func Varchar(n int) Type { return Type{Kind: KindString, Name: "VARCHAR", Len: n} }

// Char returns CHAR(n).
func Char(n int) Type { return Type{Kind: KindString, Name: "CHAR", Len: n} }

// DecimalType returns DECIMAL(p,s).
func DecimalType(p, s int) Type { return Type{Kind: KindDecimal, Name: "DECIMAL", Prec: p, Scale: s} }

// maxVarchar is the length of VARCHAR results of string functions (sqlref REGEX_REPLACE
// returns VARCHAR(65535)).
const maxVarchar = 65535

// TypeOf converts a parsed type (sql.Type) to a Type, or explains why it cannot.
func TypeOf(t sql.Type) (Type, error) {
	p := func(i, def int) int {
		if i < len(t.Params) {
			return t.Params[i]
		}
		return def
	}
	switch t.Name {
	case "VARCHAR":
		return Varchar(p(0, 1)), nil
	case "CHAR":
		return Char(p(0, 1)), nil
	case "TINYINT":
		return TypeTinyint, nil
	case "SMALLINT":
		return TypeSmallint, nil
	case "INTEGER":
		return TypeInteger, nil
	case "BIGINT":
		return TypeBigint, nil
	case "REAL":
		return TypeReal, nil
	case "DOUBLE":
		return TypeDouble, nil
	case "FLOAT":
		return Type{Kind: KindFloat, Name: "FLOAT"}, nil
	case "DECIMAL":
		// Standard SQL default precision; the reference does not give DECIMAL's default.
		pr, sc := p(0, maxDecimalDigits), p(1, 0)
		if pr < 1 || pr > maxDecimalDigits {
			return Type{}, fmt.Errorf("DECIMAL precision %d is out of range 1 to %d", pr, maxDecimalDigits)
		}
		if sc > pr {
			return Type{}, fmt.Errorf("DECIMAL scale %d is larger than its precision %d", sc, pr)
		}
		return DecimalType(pr, sc), nil
	case "BOOLEAN":
		return TypeBoolean, nil
	case "TIMESTAMP":
		return TypeTimestamp, nil
	case "DATE":
		return TypeDate, nil
	case "TIME":
		return TypeTime, nil
	}
	return Type{}, fmt.Errorf("type %s is not supported", t.Name)
}

// ParseType parses a SQL type name as the API's RecordColumn SqlType carries it
// ("VARCHAR(4)", "DECIMAL(10,2)", "DOUBLE").
func ParseType(s string) (Type, error) {
	q, err := sql.ParseQuery("SELECT CAST(NULL AS " + s + ") FROM T")
	if err != nil || len(q.Items) != 1 {
		return Type{}, fmt.Errorf("invalid SQL type %q", s)
	}
	c, ok := q.Items[0].Expr.(*sql.Cast)
	if !ok || q.Items[0].Alias != nil {
		return Type{}, fmt.Errorf("invalid SQL type %q", s)
	}
	return TypeOf(c.Type)
}

func isNumeric(k Kind) bool { return k == KindInt || k == KindFloat || k == KindDecimal }

var intRange = map[string][2]int64{
	"TINYINT":  {math.MinInt8, math.MaxInt8},
	"SMALLINT": {math.MinInt16, math.MaxInt16},
	"INTEGER":  {math.MinInt32, math.MaxInt32},
	"BIGINT":   {math.MinInt64, math.MaxInt64},
}

// Compare orders two non-NULL values of comparable kinds: -1, 0 or 1. Numbers of any
// kinds compare by value; ok is false for kinds that do not compare.
func Compare(a, b Value) (c int, ok bool) {
	if a.Kind == b.Kind {
		switch a.Kind {
		case KindString:
			return strings.Compare(a.S, b.S), true
		case KindFloat:
			return cmpFloat(a.F, b.F), true
		case KindDecimal:
			if a.Scale == b.Scale {
				return cmpInt(a.I, b.I), true
			}
		case KindNull:
			return 0, false
		default:
			return cmpInt(a.I, b.I), true
		}
	}
	if !isNumeric(a.Kind) || !isNumeric(b.Kind) {
		return 0, false
	}
	if a.Kind == KindFloat || b.Kind == KindFloat {
		return cmpFloat(a.Float64(), b.Float64()), true
	}
	// int and decimal, or decimals of different scales: align exactly.
	au, as := decParts(a)
	bu, bs := decParts(b)
	s := max(as, bs)
	x, ok1 := rescale(au, as, s)
	y, ok2 := rescale(bu, bs, s)
	if !ok1 || !ok2 {
		return cmpFloat(a.Float64(), b.Float64()), true
	}
	return cmpInt(x, y), true
}

func decParts(v Value) (int64, int) {
	if v.Kind == KindInt {
		return v.I, 0
	}
	return v.I, int(v.Scale)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
