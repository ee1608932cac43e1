package parquet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// deserializer reads JSON records as OpenX JSON SerDe or Hive JSON SerDe
// would, and shreds each JSON object into a Parquet row.
type deserializer struct {
	s *schema

	openx           bool
	caseInsensitive bool
	dotsToUnder     bool
	mappings        map[string]string // lower-cased column name -> JSON key (OpenX)
	tsLayouts       []string          // Hive: Go layouts of TimestampFormats
	tsMillis        bool              // Hive: TimestampFormats has "millis"
	topIndex        map[string]int    // normalized JSON key -> top-level column
}

// rows returns the rows of one record: one per JSON object in it
// (Firehose reads concatenated objects such as {"a":1}{"a":2} as several
// rows; an array is not a valid record).
func (d *deserializer) rows(rec []byte, dst []pq.Row, cols [][]pq.Value) ([]pq.Row, error) {
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	n := 0
	for {
		var v any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			return dst, fmt.Errorf("the record is not valid JSON: %v", err)
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return dst, fmt.Errorf("the record holds a JSON %s, not an object", jsonKind(v))
		}
		for i := range cols {
			cols[i] = cols[i][:0]
		}
		if err := d.fields(d.s.root, obj, 0, 0, 0, cols, true); err != nil {
			return dst, err
		}
		size := 0
		for _, c := range cols {
			size += len(c)
		}
		row := make(pq.Row, 0, size)
		for _, c := range cols {
			row = append(row, c...)
		}
		dst = append(dst, row)
		n++
	}
	if n == 0 {
		return dst, errors.New("the record holds no JSON object")
	}
	return dst, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// normalize returns the key a JSON key is looked up by.
func (d *deserializer) normalize(k string) string {
	if d.dotsToUnder {
		k = strings.ReplaceAll(k, ".", "_")
	}
	if d.caseInsensitive {
		k = strings.ToLower(k)
	}
	return k
}

// fields shreds the fields of struct t from obj; rep and def are the
// levels of the struct itself, depth its count of repeated ancestors.
// When several JSON keys normalize to one column (Id and ID with
// CaseInsensitive), the key already in normalized form wins, then the
// smallest, so that the result does not depend on map order.
func (d *deserializer) fields(t *htype, obj map[string]any, rep, def, depth int, cols [][]pq.Value, top bool) error {
	type slot struct {
		v   any
		key string
		set bool
	}
	var buf [16]slot
	slots := buf[:0]
	if len(t.fields) <= len(buf) {
		slots = buf[:len(t.fields)]
	} else {
		slots = make([]slot, len(t.fields))
	}
	index := t.index
	if top {
		index = d.topIndex
	}
	for k, v := range obj {
		nk := d.normalize(k)
		i, ok := index[nk]
		if !ok {
			continue
		}
		s := &slots[i]
		if s.set {
			sExact, kExact := s.key == nk, k == nk
			if sExact && !kExact || sExact == kExact && s.key < k {
				continue
			}
		}
		*s = slot{v: v, key: k, set: true}
	}
	for i, f := range t.fields {
		if err := d.value(f.typ, slots[i].v, rep, def, depth, cols); err != nil {
			return fmt.Errorf("%s: %v", f.name, err)
		}
	}
	return nil
}

// buildIndexes gives every struct type the map from a normalized JSON key
// to its field, and the deserializer the one of the top-level columns
// (where ColumnToJsonKeyMappings apply).
func (d *deserializer) buildIndexes(t *htype) {
	switch t.kind {
	case kStruct:
		t.index = make(map[string]int, len(t.fields))
		for i, f := range t.fields {
			t.index[d.normalize(f.name)] = i
			d.buildIndexes(f.typ)
		}
	case kArray:
		d.buildIndexes(t.elem)
	case kMap:
		d.buildIndexes(t.value)
	}
}

func (d *deserializer) init() {
	d.buildIndexes(d.s.root)
	d.topIndex = make(map[string]int, len(d.s.root.fields))
	for i, f := range d.s.root.fields {
		key := f.name
		if m, ok := d.mappings[strings.ToLower(f.name)]; ok {
			key = m
		}
		d.topIndex[d.normalize(key)] = i
	}
}

// value shreds v, the value of an optional node of type t whose parent is
// defined at level def; rep is the repetition level of its first value.
func (d *deserializer) value(t *htype, v any, rep, def, depth int, cols [][]pq.Value) error {
	if v == nil {
		nulls(t, rep, def, cols)
		return nil
	}
	def++ // the optional node is present
	switch t.kind {
	case kStruct:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("a struct<...> needs a JSON object, not a %s", jsonKind(v))
		}
		return d.fields(t, obj, rep, def, depth, cols, false)
	case kArray:
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("an array<...> needs a JSON array, not a %s", jsonKind(v))
		}
		if len(arr) == 0 {
			nulls(t.elem, rep, def, cols) // an empty list: defined, no element
			return nil
		}
		for i, e := range arr {
			r := rep
			if i > 0 {
				r = depth + 1
			}
			if err := d.value(t.elem, e, r, def+1, depth+1, cols); err != nil {
				return fmt.Errorf("element %d: %v", i, err)
			}
		}
		return nil
	case kMap:
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("a map<...> needs a JSON object, not a %s", jsonKind(v))
		}
		if len(obj) == 0 {
			nulls(t.key, rep, def, cols)
			nulls(t.value, rep, def, cols)
			return nil
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sortStrings(keys)
		for i, k := range keys {
			r := rep
			if i > 0 {
				r = depth + 1
			}
			kv, err := d.primitive(t.key, k)
			if err != nil {
				return fmt.Errorf("key %q: %v", k, err)
			}
			cols[t.key.leaf] = append(cols[t.key.leaf], kv.Level(r, def+1, t.key.leaf))
			if err := d.value(t.value, obj[k], r, def+1, depth+1, cols); err != nil {
				return fmt.Errorf("key %q: %v", k, err)
			}
		}
		return nil
	}
	pv, err := d.primitive(t, v)
	if err != nil {
		return err
	}
	cols[t.leaf] = append(cols[t.leaf], pv.Level(rep, def, t.leaf))
	return nil
}

// nulls writes a null at (rep, def) to every leaf under t.
func nulls(t *htype, rep, def int, cols [][]pq.Value) {
	switch t.kind {
	case kStruct:
		for _, f := range t.fields {
			nulls(f.typ, rep, def, cols)
		}
	case kArray:
		nulls(t.elem, rep, def, cols)
	case kMap:
		nulls(t.key, rep, def, cols)
		nulls(t.value, rep, def, cols)
	default:
		cols[t.leaf] = append(cols[t.leaf], pq.NullValue().Level(rep, def, t.leaf))
	}
}

func sortStrings(s []string) {
	// insertion sort: maps in records are small, and this keeps the
	// package free of a sort import for one call
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// primitive converts a JSON scalar to the Parquet value of t.
func (d *deserializer) primitive(t *htype, v any) (pq.Value, error) {
	switch t.kind {
	case kString, kBinary:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case json.Number:
			s = x.String()
		case bool:
			s = strconv.FormatBool(x)
		default:
			if !d.openx {
				return pq.Value{}, fmt.Errorf("a %s needs a JSON string, not a %s (the Hive JSON SerDe does not turn nested JSON into strings)", t.name, jsonKind(v))
			}
			b, err := json.Marshal(x)
			if err != nil {
				return pq.Value{}, err
			}
			s = string(b)
		}
		return pq.ByteArrayValue([]byte(s)), nil
	case kTinyint, kSmallint, kInt, kBigint:
		n, err := d.integer(t, v)
		if err != nil {
			return pq.Value{}, err
		}
		if t.kind == kBigint {
			return pq.Int64Value(n), nil
		}
		return pq.Int32Value(int32(n)), nil
	case kFloat, kDouble:
		text, err := d.numberText(t, v)
		if err != nil {
			return pq.Value{}, err
		}
		bits := 64
		if t.kind == kFloat {
			bits = 32
		}
		f, err := strconv.ParseFloat(text, bits)
		if err != nil {
			return pq.Value{}, fmt.Errorf("%q is not a %s", text, t.name)
		}
		if t.kind == kFloat {
			return pq.FloatValue(float32(f)), nil
		}
		return pq.DoubleValue(f), nil
	case kBoolean:
		switch x := v.(type) {
		case bool:
			return pq.BooleanValue(x), nil
		case string:
			if d.openx {
				switch strings.ToLower(x) {
				case "true":
					return pq.BooleanValue(true), nil
				case "false":
					return pq.BooleanValue(false), nil
				}
			}
		}
		return pq.Value{}, fmt.Errorf("%s is not a boolean", jsonText(v))
	case kTimestamp:
		ts, err := d.timestamp(v)
		if err != nil {
			return pq.Value{}, err
		}
		return pq.Int96Value(int96Of(ts)), nil
	case kDate:
		s, ok := v.(string)
		if !ok {
			return pq.Value{}, fmt.Errorf("a date needs a JSON string yyyy-MM-dd, not a %s", jsonKind(v))
		}
		day, err := time.Parse("2006-1-2", strings.TrimSpace(s))
		if err != nil {
			return pq.Value{}, fmt.Errorf("%q is not a date (yyyy-MM-dd)", s)
		}
		return pq.Int32Value(int32(day.Unix() / 86400)), nil
	case kDecimal:
		text, err := d.numberText(t, v)
		if err != nil {
			return pq.Value{}, err
		}
		b, err := decimalValue(text, t.precision, t.scale)
		if err != nil {
			return pq.Value{}, err
		}
		return pq.FixedLenByteArrayValue(b), nil
	}
	return pq.Value{}, fmt.Errorf("%s is not a primitive type", t.name)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// numberText returns the text of a JSON number, or of a string holding
// one when the OpenX SerDe reads it (the Hive SerDe refuses strings for
// numeric columns, as the Firehose developer guide says).
func (d *deserializer) numberText(t *htype, v any) (string, error) {
	switch x := v.(type) {
	case json.Number:
		return x.String(), nil
	case string:
		if d.openx {
			return strings.TrimSpace(x), nil
		}
		return "", fmt.Errorf("a %s needs a JSON number, not the string %q (the Hive JSON SerDe does not read numbers from strings)", t.name, x)
	}
	return "", fmt.Errorf("a %s needs a JSON number, not a %s", t.name, jsonKind(v))
}

func (d *deserializer) integer(t *htype, v any) (int64, error) {
	text, err := d.numberText(t, v)
	if err != nil {
		return 0, err
	}
	bits := map[kind]int{kTinyint: 8, kSmallint: 16, kInt: 32, kBigint: 64}[t.kind]
	n, err := strconv.ParseInt(text, 10, bits)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%s is out of range for %s", text, t.name)
		}
		return 0, fmt.Errorf("%s is not an integer", text)
	}
	return n, nil
}

// decimalValue returns text as the unscaled two's complement big-endian
// FIXED_LEN_BYTE_ARRAY of a decimal(precision, scale), rounding half up
// to the scale as Hive's HiveDecimal does; a value with more than
// precision digits is an error.
func decimalValue(text string, precision, scale int) ([]byte, error) {
	// An exponent far beyond 38 digits cannot fit (or rounds to zero),
	// and big.Rat would spend seconds expanding 1e9999999.
	if i := strings.IndexAny(text, "eE"); i >= 0 {
		if exp, err := strconv.Atoi(text[i+1:]); err != nil || exp > 100 || exp < -100 {
			return nil, fmt.Errorf("%s does not fit decimal(%d,%d)", text, precision, scale)
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("%q is not a decimal number", text)
	}
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	r.Mul(r, new(big.Rat).SetInt(pow))
	// round half away from zero
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if len(q.String()) > precision && q.Sign() != 0 {
		return nil, fmt.Errorf("%s does not fit decimal(%d,%d)", text, precision, scale)
	}
	if neg {
		q.Neg(q)
	}
	n := decimalBytes(precision)
	out := make([]byte, n)
	if q.Sign() >= 0 {
		q.FillBytes(out)
	} else {
		// two's complement: 2^(8n) + q
		mod := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		mod.Add(mod, q)
		mod.FillBytes(out)
	}
	return out, nil
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

// int96Of returns t as Hive's INT96 timestamp: nanoseconds of the day
// (little-endian int64) then the Julian day (little-endian int32), in UTC.
func int96Of(t time.Time) deprecated.Int96 {
	t = t.UTC()
	days := int64(math.Floor(float64(t.Unix()) / 86400))
	midnight := time.Unix(days*86400, 0).UTC()
	nanos := uint64(t.Sub(midnight))
	return deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(days + julianUnixEpoch)}
}

// TimeOfInt96 returns the time of a Hive INT96 timestamp (the inverse of
// what the converter writes), for readers of the files.
func TimeOfInt96(v deprecated.Int96) time.Time {
	nanos := int64(uint64(v[0]) | uint64(v[1])<<32)
	days := int64(v[2]) - julianUnixEpoch
	return time.Unix(days*86400, nanos).UTC()
}

// timestamp reads a timestamp as the configured SerDe does.
func (d *deserializer) timestamp(v any) (time.Time, error) {
	if d.openx {
		return openxTimestamp(v)
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	default:
		return time.Time{}, fmt.Errorf("a timestamp needs a JSON string or number, not a %s", jsonKind(v))
	}
	if d.tsMillis {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.UnixMilli(ms).UTC(), nil
		}
	}
	for _, layout := range d.tsLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, ok := sqlTimestamp(s); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q matches none of the timestamp formats", s)
}

// sqlTimestamp parses java.sql.Timestamp.valueOf's format,
// yyyy-[m]m-[d]d hh:mm:ss[.f...], in UTC.
func sqlTimestamp(s string) (time.Time, bool) {
	t, err := time.Parse("2006-1-2 15:04:05", s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// openxTimestamp reads the timestamp forms the Firehose developer guide
// lists for the OpenX JSON SerDe: yyyy-MM-dd'T'HH:mm:ss[.S]'Z' and
// yyyy-[M]M-[d]d HH:mm:ss[.S] (fractions up to 9 digits), epoch seconds,
// epoch milliseconds and floating point epoch seconds. An integer of 12
// or more digits is read as milliseconds (the guide does not say how the
// two are told apart; 12 digits of seconds is past the year 5000).
func openxTimestamp(v any) (time.Time, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	default:
		return time.Time{}, fmt.Errorf("a timestamp needs a JSON string or number, not a %s", jsonKind(v))
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		digits := len(strings.TrimLeft(s, "-+"))
		if digits >= 12 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if t, ok := fractionalSeconds(s); ok {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05Z", "2006-1-2 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp the OpenX JSON SerDe reads", s)
}

// jodaLayout turns a Joda-Time DateTimeFormat pattern (HiveJsonSerDe's
// TimestampFormats) into a Go time layout. Supported: yyyy yy MM M MMM
// MMMM dd d HH H hh h mm m ss s S... a Z ZZ and quoted text; other letters
// are rejected.
func jodaLayout(p string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", fmt.Errorf("timestamp format %q: unclosed quote", p)
			}
			lit := p[i+1 : i+1+j]
			if lit == "" {
				lit = "'"
			}
			if strings.ContainsAny(lit, "0123456789") {
				return "", fmt.Errorf("timestamp format %q: digits in quoted text are not supported", p)
			}
			b.WriteString(lit)
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			if c >= '0' && c <= '9' {
				return "", fmt.Errorf("timestamp format %q: digits outside quotes are not supported", p)
			}
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		var tok string
		switch {
		case c == 'y' && n == 2:
			tok = "06"
		case c == 'y' && n == 4, c == 'Y' && n == 4:
			tok = "2006"
		case c == 'M' && n == 1:
			tok = "1"
		case c == 'M' && n == 2:
			tok = "01"
		case c == 'M' && n == 3:
			tok = "Jan"
		case c == 'M' && n == 4:
			tok = "January"
		case c == 'd' && n == 1:
			tok = "2"
		case c == 'd' && n == 2:
			tok = "02"
		case c == 'H' && n <= 2:
			tok = "15"
		case c == 'h' && n == 1:
			tok = "3"
		case c == 'h' && n == 2:
			tok = "03"
		case c == 'm' && n == 1:
			tok = "4"
		case c == 'm' && n == 2:
			tok = "04"
		case c == 's' && n == 1:
			tok = "5"
		case c == 's' && n == 2:
			tok = "05"
		case c == 'S' && n <= 9:
			// Go reads a fraction after the seconds even when the layout
			// has none; the separator before it was written as a literal.
			s := b.String()
			if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ",") {
				return "", fmt.Errorf("timestamp format %q: a fraction must follow '.' or ','", p)
			}
			tr := strings.TrimRight(s, ".,")
			b.Reset()
			b.WriteString(tr)
			tok = "." + strings.Repeat("9", n)
		case c == 'a' && n == 1:
			tok = "PM"
		case c == 'Z' && n == 1:
			tok = "-0700"
		case c == 'Z' && n == 2:
			tok = "-07:00"
		default:
			return "", fmt.Errorf("timestamp format %q: %s is not supported", p, strings.Repeat(string(c), n))
		}
		b.WriteString(tok)
		i += n
	}
	return b.String(), nil
}

// fractionalSeconds parses "seconds.fraction" exactly (a float64 would
// lose the last digits of the milliseconds).
func fractionalSeconds(s string) (time.Time, bool) {
	intPart, frac, ok := strings.Cut(s, ".")
	if !ok || frac == "" || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	ns, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
	if strings.HasPrefix(intPart, "-") {
		ns = -ns
	}
	return time.Unix(sec, int64(ns)).UTC(), true
}
