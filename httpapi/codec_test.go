package httpapi

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/awscbor"
	"github.com/eddy-streams/eddy/protocol/kds"
)

type shapes struct {
	S    string            `json:"S"`
	B    bool              `json:"B"`
	I    *int32            `json:"I"`
	L    int64             `json:"L"`
	F    float64           `json:"F"`
	Blob []byte            `json:"Blob"`
	List []string          `json:"List"`
	M    map[string]string `json:"M"`
	St   *struct {
		X string `json:"X"`
	} `json:"St"`
	T    time.Time      `json:"T"`
	KT   *kds.Timestamp `json:"KT"`
	E    *strictVal     `json:"E"`
	Recs []struct {
		Data []byte `json:"Data"`
	} `json:"Recs"`
}

// strictVal rejects negative numbers with an *eddy.Error, as an input's own
// unmarshaler may.
type strictVal float64

func (v *strictVal) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if f < 0 {
		return eddy.Errorf(eddy.CodeInvalidArgument, "E must not be negative")
	}
	*v = strictVal(f)
	return nil
}

// TestTypeMessages checks the SerializationException messages for values
// of the wrong type, in both encodings. The AWS forms are those kinesalite
// recorded from Kinesis.
func TestTypeMessages(t *testing.T) {
	tests := []struct {
		name string
		body map[string]any
		code string
		msg  string
	}{
		{"bool for string", map[string]any{"S": true}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to an String"},
		{"number for string", map[string]any{"S": 23}, eddy.CodeSerialization, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{"negative number for string", map[string]any{"S": -2147483648}, eddy.CodeSerialization, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{"fraction for string", map[string]any{"S": 34.56}, eddy.CodeSerialization, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String"},
		{"list for string", map[string]any{"S": []any{}}, eddy.CodeSerialization, "Start of list found where not expected"},
		{"map for string", map[string]any{"S": map[string]any{}}, eddy.CodeSerialization, "Start of structure or map found where not expected."},
		{"string for bool", map[string]any{"B": "23"}, eddy.CodeSerialization, "'23' can not be converted to an Boolean"},
		{"string for bool, upper-cased", map[string]any{"B": "hello wtf"}, eddy.CodeSerialization, "'HELLO WTF' can not be converted to an Boolean"},
		{"number for bool", map[string]any{"B": 23}, eddy.CodeSerialization, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean"},
		{"list for bool", map[string]any{"B": []any{}}, eddy.CodeSerialization, "Start of list found where not expected"},
		{"string for integer", map[string]any{"I": "23"}, eddy.CodeSerialization, "class java.lang.String can not be converted to an Integer"},
		{"bool for integer", map[string]any{"I": true}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to an Integer"},
		{"map for integer", map[string]any{"I": map[string]any{}}, eddy.CodeSerialization, "Start of structure or map found where not expected."},
		{"string for long", map[string]any{"L": "23"}, eddy.CodeSerialization, "class java.lang.String can not be converted to an Long"},
		{"bool for long", map[string]any{"L": true}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to an Long"},
		{"integer too large", map[string]any{"I": int64(1) << 40}, eddy.CodeSerialization, "Value 1099511627776 can not be converted to an Integer"},
		{"string for double", map[string]any{"F": "x"}, eddy.CodeSerialization, "class java.lang.String can not be converted to an Double"},
		{"bool for blob", map[string]any{"Blob": true}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to a Blob"},
		{"number for blob", map[string]any{"Blob": 23}, eddy.CodeSerialization, "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob"},
		{"base64 of the wrong length", map[string]any{"Blob": "23456"}, eddy.CodeSerialization, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"base64 with a bad character", map[string]any{"Blob": "!!!!"}, eddy.CodeSerialization, "'!!!!' can not be converted to a Blob: Invalid Base64 character: '!'"},
		{"base64 with inner padding", map[string]any{"Blob": "=+/="}, eddy.CodeSerialization, "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='"},
		{"string for timestamp", map[string]any{"T": "yesterday"}, eddy.CodeSerialization, "class java.lang.String can not be converted to milliseconds since epoch"},
		{"bool for timestamp", map[string]any{"T": true}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		{"list for timestamp", map[string]any{"T": []any{1}}, eddy.CodeSerialization, "Start of list found where not expected"},
		{"map for timestamp", map[string]any{"T": map[string]any{}}, eddy.CodeSerialization, "Start of structure or map found where not expected."},
		{"string for an input's timestamp", map[string]any{"KT": "yesterday"}, eddy.CodeSerialization, "class java.lang.String can not be converted to milliseconds since epoch"},
		{"bool for an input's timestamp", map[string]any{"KT": false}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to milliseconds since epoch"},
		{"string for list", map[string]any{"List": "23"}, eddy.CodeSerialization, "Expected list or null"},
		{"number for list", map[string]any{"List": 23}, eddy.CodeSerialization, "Expected list or null"},
		{"map for list", map[string]any{"List": map[string]any{}}, eddy.CodeSerialization, "Start of structure or map found where not expected."},
		{"number for map", map[string]any{"M": 23}, eddy.CodeSerialization, "Expected map or null"},
		{"list for map", map[string]any{"M": []any{}}, eddy.CodeSerialization, "Start of list found where not expected"},
		{"string for structure", map[string]any{"St": "23"}, eddy.CodeSerialization, "Expected null"},
		{"list for structure", map[string]any{"St": []any{}}, eddy.CodeSerialization, "Start of list found where not expected"},
		{"nested", map[string]any{"St": map[string]any{"X": false}}, eddy.CodeSerialization, "class java.lang.Boolean can not be converted to an String"},
		{"in a list", map[string]any{"Recs": []any{map[string]any{"Data": "23456"}}}, eddy.CodeSerialization, "'23456' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5"},
		{"key in other case", map[string]any{"b": "23"}, eddy.CodeSerialization, "'23' can not be converted to an Boolean"},
		{"unmarshaler's own error", map[string]any{"E": -1}, eddy.CodeInvalidArgument, "E must not be negative"},
		{"nulls are fine", map[string]any{"S": nil, "I": nil, "List": nil, "St": nil}, "", ""},
		{"unknown members are ignored", map[string]any{"Other": []any{1, "x"}}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jb, err := json.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			cb, err := awscbor.Marshal(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			for _, enc := range []struct {
				c    *codec
				body []byte
			}{{jsonCodec, jb}, {cborCodec, cb}} {
				res := enc.c.decode(enc.body, new(shapes))
				if res.malformed {
					t.Fatalf("%s: malformed", enc.c.contentType)
				}
				if tt.code == "" {
					if res.err != nil {
						t.Errorf("%s: %v", enc.c.contentType, res.err)
					}
					continue
				}
				var ee *eddy.Error
				if !errors.As(res.err, &ee) || ee.Code != tt.code || ee.Message != tt.msg {
					t.Errorf("%s: got %v, want %s: %s", enc.c.contentType, res.err, tt.code, tt.msg)
				}
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, tt := range []struct {
		c    *codec
		body string
	}{
		{jsonCodec, ""}, {jsonCodec, "  "}, {jsonCodec, "null"}, {jsonCodec, "[]"}, {jsonCodec, `"x"`},
		{jsonCodec, "{"}, {jsonCodec, `{"S":"x"}x`}, {jsonCodec, `{"S":"x",}`},
		{cborCodec, ""}, {cborCodec, "\xf6"}, {cborCodec, "\x80"}, {cborCodec, "\xa1"},
		{cborCodec, "\xa1\x61S\x61"}, {cborCodec, "\xa0\x00"}, {cborCodec, "\xa1\x01\x01"},
	} {
		if res := tt.c.decode([]byte(tt.body), new(shapes)); !res.malformed {
			t.Errorf("%s %q: not malformed (err %v)", tt.c.contentType, tt.body, res.err)
		}
	}
}

// TestDecodeUnsupportedInput: an input type the codec cannot handle is a
// bug, reported as an internal error rather than blamed on the client.
func TestDecodeUnsupportedInput(t *testing.T) {
	type bad struct {
		C chan int `json:"C"`
	}
	res := cborCodec.decode([]byte("\xa1\x61C\x01"), new(bad))
	var ee *eddy.Error
	if res.malformed || res.err == nil || errors.As(res.err, &ee) {
		t.Errorf("got %+v, want a non-eddy error", res)
	}
}

func TestCodecFor(t *testing.T) {
	for ct, want := range map[string]*codec{
		"application/x-amz-json-1.1":                 jsonCodec,
		"APPLICATION/X-AMZ-JSON-1.1":                 jsonCodec,
		" application/x-amz-json-1.1 ; charset=utf8": jsonCodec,
		"application/x-amz-cbor-1.1":                 cborCodec,
		"application/x-amz-json-1.0":                 nil,
		"application/json":                           nil,
		"":                                           nil,
	} {
		if got := codecFor(ct); got != want {
			t.Errorf("codecFor(%q) wrong", ct)
		}
	}
}
