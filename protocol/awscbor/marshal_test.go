package awscbor

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

type status string

// upper is a TextMarshaler: it travels as a text string.
type upper struct{ s string }

func (u upper) MarshalText() ([]byte, error)  { return []byte(strings.ToUpper(u.s)), nil }
func (u *upper) UnmarshalText(b []byte) error { u.s = strings.ToLower(string(b)); return nil }

// epochSecs is the kind of type a JSON-protocol server defines for AWS
// timestamps: it marshals to and from an epoch-seconds JSON number.
type epochSecs struct{ time.Time }

func (e epochSecs) MarshalJSON() ([]byte, error) { return []byte(epochSeconds(e.Time)), nil }
func (e *epochSecs) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	e.Time = time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
	return nil
}

type Inner struct {
	Name string `json:"name"`
	N    int
}

type Embedded struct {
	Promoted string
	Shadowed string
}

type everything struct {
	Embedded
	*Inner `json:"InnerPtr,omitempty"`

	S        string
	SP       *string
	Status   status
	B        bool
	I        int
	I8       int8
	I16      int16
	I32      int32
	I64      int64
	U        uint
	U8       uint8
	U16      uint16
	U32      uint32
	U64      uint64
	F32      float32
	F64      float64
	Data     []byte
	Fixed    [3]byte
	Strings  []string
	Inners   []Inner
	InnerPs  []*Inner
	Counts   map[string]int
	Loose    map[string]any
	Any      any
	T        time.Time
	TP       *time.Time
	Num      json.Number
	Up       upper
	Epoch    epochSecs
	Renamed  string    `json:"renamed_field"`
	Skipped  string    `json:"-"`
	Dash     string    `json:"-,"`
	Empty    string    `json:",omitempty"`
	ZeroT    time.Time `json:",omitzero"`
	Shadowed int
	private  int
}

func fullValue() everything {
	s := "pointed"
	tp := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	return everything{
		Embedded: Embedded{Promoted: "promoted", Shadowed: "hidden"},
		Inner:    &Inner{Name: "embedded-ptr", N: 7},
		S:        "hello", SP: &s, Status: "ACTIVE", B: true,
		I: -1, I8: math.MinInt8, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MaxInt64,
		U: 1, U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
		F32: 1.5, F64: -0.1,
		Data:    []byte{0, 1, 2, 0xff},
		Fixed:   [3]byte{9, 8, 7},
		Strings: []string{"a", "", "c"},
		Inners:  []Inner{{"x", 1}, {"y", 2}},
		InnerPs: []*Inner{{"p", 3}, nil},
		Counts:  map[string]int{"one": 1, "two": 2},
		Loose:   map[string]any{"n": int64(1), "list": []any{"x", true, nil}, "blob": []byte("b")},
		Any:     "anything",
		T:       time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC),
		TP:      &tp,
		Num:     "12345678901234567890",
		Up:      upper{s: "shout"},
		Epoch:   epochSecs{time.Date(2020, 1, 2, 3, 4, 5, 6e6, time.UTC)},
		Renamed: "r", Skipped: "not sent", Dash: "dash",
		Shadowed: 42,
		private:  3,
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	in := fullValue()
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out everything
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	want := in
	want.Skipped, want.private = "", 0
	want.Embedded.Shadowed = "" // hidden by the outer Shadowed, so not sent
	if !reflect.DeepEqual(out, want) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, want)
	}

	// The wire form has the JSON names, no skipped or omitted fields, and
	// the right CBOR types.
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	m := v.(map[string]any)
	for _, k := range []string{"Skipped", "Empty", "ZeroT", "private", "Inner", "Embedded"} {
		if _, ok := m[k]; ok {
			t.Errorf("field %q present", k)
		}
	}
	checks := map[string]any{
		"Promoted":      "promoted",
		"Shadowed":      int64(42),
		"renamed_field": "r",
		"-":             "dash",
		"Data":          []byte{0, 1, 2, 0xff},
		"Fixed":         []any{int64(9), int64(8), int64(7)},
		"T":             in.T,
		"Num":           uint64(12345678901234567890),
		"Up":            "SHOUT",
		"Epoch":         1577934245.006, // via MarshalJSON: a JSON number, so a float
		"InnerPtr":      map[string]any{"name": "embedded-ptr", "N": int64(7)},
	}
	for k, want := range checks {
		if got := m[k]; !equalValues(got, want, 0) {
			t.Errorf("wire %s = %#v, want %#v", k, got, want)
		}
	}
}

func TestMarshalZeroValue(t *testing.T) {
	b, err := Marshal(everything{})
	if err != nil {
		t.Fatal(err)
	}
	var out everything
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	// Year 1 is the earliest timestamp, so the zero time.Time round-trips;
	// an empty json.Number is sent as 0, as encoding/json does.
	if !reflect.DeepEqual(out, everything{Num: "0"}) {
		t.Errorf("got %+v", out)
	}
}

func TestMarshalDeterministic(t *testing.T) {
	m := map[string]any{}
	for i := range 50 {
		m[strconv.Itoa(i)] = i
	}
	first, _ := Marshal(m)
	for range 20 {
		if again, _ := Marshal(m); string(again) != string(first) {
			t.Fatal("map encoding is not deterministic")
		}
	}
}

func TestTimestampEncoding(t *testing.T) {
	ts := time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC) // 1700000000.123456789
	whole := ts.Truncate(time.Second)
	tests := []struct {
		opts Options
		t    time.Time
		hex  string
	}{
		// Java SDK: tag 1, integer milliseconds.
		{Options{}, ts, "c11b0000018bcfe5687b"},
		{Options{}, whole, "c11b0000018bcfe56800"},
		{Options{}, time.UnixMilli(-1).UTC(), "c120"},
		// RFC 8949: integer seconds, or a double with the fraction.
		{Options{TimeUnit: EpochSeconds}, whole, "c11a6553f100"},
		{Options{TimeUnit: EpochSeconds}, ts, "c1fb41d954fc4007e6b7"},
	}
	for _, tt := range tests {
		b, err := tt.opts.Marshal(tt.t)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(b); got != tt.hex {
			t.Errorf("%v in %v: got %s, want %s", tt.t, tt.opts.TimeUnit, got, tt.hex)
		}
	}

	// Decoding: integer and float millis, and the documented range.
	for _, tc := range []struct {
		hex  string
		want time.Time
	}{
		{"c11b0000018bcfe5687b", time.UnixMilli(1700000000123).UTC()},
		{"c1fb4278bcfe5687b800", time.Date(2023, 11, 14, 22, 13, 20, 123500000, time.UTC)}, // 1700000000123.5
		{"c13a00000000", time.UnixMilli(-1).UTC()},
		{"c13b00003883122cd7ff", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		v, err := Decode(unhex(t, tc.hex))
		if err != nil {
			t.Errorf("Decode(%s): %v", tc.hex, err)
			continue
		}
		if got := v.(time.Time); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("Decode(%s) = %v, want %v", tc.hex, got, tc.want)
		}
	}

	if _, err := Marshal(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("year 10000 encoded")
	}
}

func TestEpochSecondsFormat(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1700000000, 0), "1700000000"},
		{time.Unix(1700000000, 123e6), "1700000000.123"},
		{time.Unix(1700000000, 1), "1700000000.000000001"},
		{time.Unix(-1, 5e8), "-0.5"},
		{time.Unix(-2, 5e8), "-1.5"},
		{time.Unix(-5, 0), "-5"},
	} {
		if got := epochSeconds(tc.t); got != tc.want {
			t.Errorf("epochSeconds(%v) = %s, want %s", tc.t, got, tc.want)
		}
	}
}

type putRecordsEntry struct {
	Data            []byte
	ExplicitHashKey *string `json:",omitempty"`
	PartitionKey    string
}

type putRecordsInput struct {
	Records    []putRecordsEntry
	StreamARN  *string `json:",omitempty"`
	StreamName string  `json:",omitempty"`
}

func TestUnmarshalTypeErrors(t *testing.T) {
	enc := func(v any) []byte {
		b, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rec := func(data any) map[string]any { return map[string]any{"Data": data, "PartitionKey": "k"} }
	tests := []struct {
		name  string
		in    any
		dst   any
		field string
		value string
	}{
		{"string into []byte elem", map[string]any{"Records": []any{rec([]byte("ok")), rec(int64(5))}}, &putRecordsInput{}, "Records[1].Data", "integer 5"},
		{"bad base64", map[string]any{"Records": []any{rec("!!!")}}, &putRecordsInput{}, "Records[0].Data", "text string"},
		{"int for string", map[string]any{"StreamName": int64(3)}, &putRecordsInput{}, "StreamName", "integer 3"},
		{"map for array", map[string]any{"Records": map[string]any{}}, &putRecordsInput{}, "Records", "map"},
		{"overflow int8", map[string]any{"I8": int64(300)}, &everything{}, "I8", "integer 300"},
		{"negative uint", map[string]any{"U": int64(-1)}, &everything{}, "U", "integer -1"},
		{"float into int", map[string]any{"I": 1.5}, &everything{}, "I", "float 1.5"},
		{"uint64 into int64", map[string]any{"I64": uint64(math.MaxUint64)}, &everything{}, "I64", "integer 18446744073709551615"},
		{"text into bool", map[string]any{"B": "true"}, &everything{}, "B", "text string"},
		{"timestamp into string", map[string]any{"S": time.Unix(0, 0)}, &everything{}, "S", "timestamp"},
		{"bytes into time", map[string]any{"T": []byte{1}}, &everything{}, "T", "byte string"},
		{"map value", map[string]any{"Counts": map[string]any{"x": "y"}}, &everything{}, "Counts.x", "text string"},
		{"bad json unmarshaler", map[string]any{"Epoch": "soon"}, &everything{}, "Epoch", "text string"},
		{"root", "x", new(int), "", "text string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Unmarshal(enc(tt.in), tt.dst)
			var ute *UnmarshalTypeError
			if !errors.As(err, &ute) {
				t.Fatalf("got %v (%T), want *UnmarshalTypeError", err, err)
			}
			if ute.Field != tt.field || ute.Value != tt.value {
				t.Errorf("got field %q value %q, want %q %q (%v)", ute.Field, ute.Value, tt.field, tt.value, err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("message %q does not name the field", err)
			}
		})
	}
}

func TestUnmarshalLenient(t *testing.T) {
	// Java SDK style: indefinite-length maps and arrays, unknown fields,
	// base64 text for a blob, keys in another case, a self-describe tag.
	body := unhex(t, "d9d9f7"+ // tag 55799
		"bf"+"6a53747265616d4e616d65"+"6161"+ // "StreamName": "a"
		"67556e6b6e6f776e"+"9f01a0ff"+ // "Unknown": [_ 1, {}]
		"677265636f726473"+"9f"+ // "records": [_
		"bf6444617461"+"5f4101410"+"2ff"+ // {_ "Data": (_ h'01' h'02')
		"6c506172746974696f6e4b6579"+"7f6170616bff"+ // "PartitionKey": (_ "p" "k")
		"ff"+
		"a26444617461"+"6441514544"+"6c506172746974696f6e4b6579"+"f6"+ // {"Data": "AQED"? , "PartitionKey": null}
		"ff"+"ff")
	var got putRecordsInput
	if err := Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	want := putRecordsInput{StreamName: "a", Records: []putRecordsEntry{
		{Data: []byte{1, 2}, PartitionKey: "pk"},
		{Data: []byte{1, 1, 3}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestUnmarshalNullAndPointers(t *testing.T) {
	s := "keep"
	dst := putRecordsInput{StreamARN: &s, StreamName: "keep", Records: []putRecordsEntry{{}}}
	// {"StreamARN": null, "StreamName": null, "Records": null}
	b, _ := Marshal(map[string]any{"StreamARN": nil, "StreamName": nil, "Records": nil})
	if err := Unmarshal(b, &dst); err != nil {
		t.Fatal(err)
	}
	if dst.StreamARN != nil || dst.Records != nil || dst.StreamName != "keep" {
		t.Errorf("got %+v", dst)
	}
	if err := Unmarshal(b, dst); err == nil {
		t.Error("Unmarshal into a non-pointer succeeded")
	}
	var ch chan int
	if err := Unmarshal([]byte{0x01}, &ch); err == nil {
		t.Error("Unmarshal into chan succeeded")
	}
}

func TestMarshalErrors(t *testing.T) {
	type cyc struct{ Next *cyc }
	c := &cyc{}
	c.Next = c
	for name, v := range map[string]any{
		"chan":        make(chan int),
		"func":        func() {},
		"complex":     complex(1, 2),
		"int map key": map[int]string{1: "a"},
		"bad number":  json.Number("1.2.3"),
		"hex number":  json.Number("0x10"),
		"big number":  json.Number("18446744073709551616"),
		"time range":  time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		"cycle":       c,
	} {
		if b, err := Marshal(v); err == nil {
			t.Errorf("%s: Marshal = %x, want error", name, b)
		}
	}
}

func TestMarshalNumbers(t *testing.T) {
	for _, tc := range []struct {
		n   json.Number
		hex string
	}{
		{"0", "00"}, {"", "00"}, {"-1", "20"}, {"1.5", "fb3ff8000000000000"}, {"1e2", "fb4059000000000000"},
		{"18446744073709551615", "1bffffffffffffffff"}, {"-18446744073709551616", "3bffffffffffffffff"},
	} {
		b, err := Marshal(tc.n)
		if err != nil {
			t.Errorf("%q: %v", tc.n, err)
			continue
		}
		if got := hex.EncodeToString(b); got != tc.hex {
			t.Errorf("%q: got %s, want %s", tc.n, got, tc.hex)
		}
	}
}

// TestTruncatedStruct cuts a full Marshal output at every byte: Unmarshal
// and Decode must both fail cleanly.
func TestTruncatedStruct(t *testing.T) {
	b, err := Marshal(fullValue())
	if err != nil {
		t.Fatal(err)
	}
	for i := range len(b) {
		var dst everything
		if err := Unmarshal(b[:i], &dst); err == nil {
			t.Fatalf("Unmarshal(b[:%d]) succeeded", i)
		}
		if _, err := Decode(b[:i]); err == nil {
			t.Fatalf("Decode(b[:%d]) succeeded", i)
		}
	}
}

type hiddenBase struct{ Visible string }

type withHidden struct {
	hiddenBase
	Own string
}

// TestUnexportedEmbedded: exported fields of an unexported embedded struct
// are promoted both ways, as in encoding/json.
func TestUnexportedEmbedded(t *testing.T) {
	in := withHidden{hiddenBase{"v"}, "o"}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if js, _ := ToJSON(b); string(js) != `{"Own":"o","Visible":"v"}` {
		t.Errorf("wire %s", js)
	}
	var out withHidden
	if err := Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("got %+v, %v", out, err)
	}
}
