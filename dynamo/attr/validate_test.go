package attr

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestValidate: DynamoDB's message for each malformed AttributeValue, as
// dynalite's tests record them (test/updateItem.js "should return
// ValidationException for unsupported datatype in Key", "... invalid values
// in Key", "... empty/invalid numbers in Key", "... multiple datatypes").
func TestValidate(t *testing.T) {
	const invalid = "One or more parameter values were invalid: "
	const empty = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
	for in, want := range map[string]string{
		`{}`:                         empty,
		`{"M":{"a":{}}}`:             empty,
		`{"L":[{}]}`:                 empty,
		`{"L":[{"S":"a"},{}]}`:       empty,
		`{"M":{"a":{"L":[{}]}}}`:     empty,
		`{"NULL":false}`:             invalid + "Null attribute value types must have the value of true",
		`{"SS":[]}`:                  invalid + "An string set  may not be empty",
		`{"NS":[]}`:                  invalid + "An number set  may not be empty",
		`{"BS":[]}`:                  invalid + "Binary sets should not be empty",
		`{"SS":["a","a"]}`:           invalid + "Input collection [a, a] contains duplicates.",
		`{"BS":["Yg==","Yg=="]}`:     invalid + "Input collection [Yg==, Yg==]of type BS contains duplicates.",
		`{"NS":["1","1"]}`:           "Input collection contains duplicates",
		`{"NS":["1","1.0"]}`:         "Input collection contains duplicates",
		`{"S":"","N":""}`:            "The parameter cannot be converted to a numeric value",
		`{"S":"a","N":""}`:           "The parameter cannot be converted to a numeric value",
		`{"S":"a","N":"b"}`:          "The parameter cannot be converted to a numeric value: b",
		`{"NS":["1",""]}`:            "The parameter cannot be converted to a numeric value",
		`{"NS":["1","b"]}`:           "The parameter cannot be converted to a numeric value: b",
		`{"N":"1e126"}`:              "Number overflow. Attempting to store a number with magnitude larger than supported range",
		`{"S":"a","N":"1"}`:          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
		`{"M":{"x":{"NULL":false}}}`: invalid + "Null attribute value types must have the value of true",
	} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		err := v.Validate()
		if err == nil {
			t.Errorf("%s is valid", in)
			continue
		}
		if got := validationMessage(t, err); got != want {
			t.Errorf("%s: %q, want %q", in, got, want)
		}
	}
	for _, in := range []string{
		`{"S":""}`, `{"B":""}`, `{"N":"-0.5e3"}`, `{"NULL":true}`, `{"BOOL":false}`, `{"M":{}}`, `{"L":[]}`,
		`{"SS":["a","b"]}`, `{"NS":["1","2"]}`, `{"BS":["AA==","AQ=="]}`, `{"M":{"a":{"L":[{"M":{}}]}}}`,
	} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		if err := v.Validate(); err != nil {
			t.Errorf("%s: %v", in, err)
		}
	}
}

// deepMap wraps a leaf in depth single-entry maps.
func deepMap(depth int) Value {
	v := S("leaf")
	for range depth {
		v = M(map[string]Value{"n": v})
	}
	return v
}

// TestValidateDepth: a leaf at level 32 is accepted and one at level 33 is
// refused (nubo-db/dynamodb-conformance "Nesting depth — 32-level document
// limit", captured against DynamoDB).
func TestValidateDepth(t *testing.T) {
	if err := deepMap(31).Validate(); err != nil {
		t.Fatalf("31 levels of nesting: %v", err)
	}
	err := deepMap(32).Validate()
	if err == nil {
		t.Fatal("32 levels of nesting accepted")
	}
	if got := validationMessage(t, err); !strings.HasPrefix(got, "Nesting Levels have exceeded supported limits") {
		t.Fatalf("message %q", got)
	}
	if (Item{"a": deepMap(31)}).CheckDepth() != nil || (Item{"a": deepMap(32)}).CheckDepth() == nil {
		t.Fatal("CheckDepth disagrees with Validate")
	}
	list := S("x")
	for range 32 {
		list = L(list)
	}
	if list.Validate() == nil {
		t.Fatal("32 nested lists accepted")
	}
}

func TestCanonical(t *testing.T) {
	v := M(map[string]Value{
		"n":  N("001.50"),
		"ns": NS("1", "2.0", "-0"),
		"l":  L(N("1e2"), S("01")),
	})
	c := v.Canonical()
	if *c.M["n"].N != "1.5" || strings.Join(c.M["ns"].NS, ",") != "1,2,0" ||
		*c.M["l"].L[0].N != "100" || *c.M["l"].L[1].S != "01" {
		t.Fatalf("canonical form %+v", c)
	}
	if *v.M["n"].N != "001.50" || v.M["ns"].NS[1] != "2.0" {
		t.Fatal("Canonical modified its argument")
	}
}
