package ddb

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

func value(t *testing.T, s string) attr.Value {
	t.Helper()
	var v attr.Value
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

// TestCheckValue: every attribute value message, from dynalite
// validations/index.js validateAttributeValue and checkNum (which replay
// DynamoDB's answers, recorded in dynalite test/putItem.js and
// test/getItem.js), double spaces and "dectected"-style slips included.
func TestCheckValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"S":"a"}`, ""},
		{`{"N":"-1.5e10"}`, ""},
		{`{"M":{"a":{"L":[{"NULL":true},{"BOOL":false}]}}}`, ""},
		{`{}`, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"S":"a","N":"1"}`, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"},
		{`{"NULL":false}`, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
		{`{"SS":[]}`, "One or more parameter values were invalid: An string set  may not be empty"},
		{`{"NS":[]}`, "One or more parameter values were invalid: An number set  may not be empty"},
		{`{"BS":[]}`, "One or more parameter values were invalid: Binary sets should not be empty"},
		{`{"SS":["a","a"]}`, "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
		{`{"NS":["1","1.0"]}`, "Input collection contains duplicates"},
		{`{"BS":["AAE=","AAE="]}`, "One or more parameter values were invalid: Input collection [AAE=, AAE=]of type BS contains duplicates."},
		{`{"N":""}`, "The parameter cannot be converted to a numeric value"},
		{`{"N":"1a"}`, "The parameter cannot be converted to a numeric value: 1a"},
		{`{"N":"+1"}`, "The parameter cannot be converted to a numeric value: +1"},
		{`{"N":"1e126"}`, "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{`{"N":"1e125"}`, ""},
		{`{"N":"1e-131"}`, "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{`{"N":"1e-130"}`, ""},
		{`{"N":"` + strings.Repeat("1", 39) + `"}`, "Attempting to store more than 38 significant digits in a Number"},
		{`{"N":"` + strings.Repeat("1", 38) + `000"}`, ""},
		{`{"NS":["1","x"]}`, "The parameter cannot be converted to a numeric value: x"},
		{`{"L":[{"S":"a"},{}]}`, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"},
		{`{"M":{"a":{"NULL":false}}}`, "One or more parameter values were invalid: Null attribute value types must have the value of true"},
	}
	for _, tt := range tests {
		v := value(t, tt.in)
		if got := CheckValue(&v); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestItemSize follows dynalite db/index.js itemSize: names plus values,
// numbers by their significant digits.
func TestItemSize(t *testing.T) {
	tests := []struct {
		item string
		want int
	}{
		{`{"a":{"S":"abc"}}`, 1 + 3},
		{`{"ab":{"N":"0"}}`, 2 + 1},
		{`{"a":{"N":"12"}}`, 1 + 1 + 1},      // two digits, exponent 1
		{`{"a":{"N":"1.2"}}`, 1 + 1 + 1 + 1}, // two digits, exponent 0
		{`{"a":{"N":"123"}}`, 1 + 1 + 2},
		{`{"a":{"N":"-1"}}`, 1 + 1 + 1 + 1},
		{`{"a":{"B":"AAEC"}}`, 1 + 3},
		{`{"a":{"BOOL":true},"b":{"NULL":true}}`, 1 + 1 + 1 + 1},
		{`{"a":{"L":[{"S":"x"},{"S":"yz"}]}}`, 1 + 3 + (1 + 1) + (1 + 2)},
		{`{"a":{"M":{"k":{"S":"v"}}}}`, 1 + 3 + 1 + (1 + 1)},
		{`{"a":{"SS":["x","yz"]}}`, 1 + 3},
	}
	for _, tt := range tests {
		var item attr.Item
		if err := json.Unmarshal([]byte(tt.item), &item); err != nil {
			t.Fatal(err)
		}
		if got := ItemSize(item); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.item, got, tt.want)
		}
	}
}

// TestCompareValues: numbers by value, strings and binaries by bytes.
func TestCompareValues(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{`{"N":"9"}`, `{"N":"10"}`, -1},
		{`{"N":"-9"}`, `{"N":"-10"}`, 1},
		{`{"N":"1.50"}`, `{"N":"1.5"}`, 0},
		{`{"N":"0"}`, `{"N":"-0.1"}`, 1},
		{`{"N":"0"}`, `{"N":"0.1"}`, -1},
		{`{"N":"1e3"}`, `{"N":"999"}`, 1},
		{`{"S":"a"}`, `{"S":"B"}`, 1},
		{`{"B":"AA=="}`, `{"B":"AQ=="}`, -1},
	}
	for _, tt := range tests {
		a, b := value(t, tt.a), value(t, tt.b)
		got, ok := compareValues(&a, &b)
		if !ok || got != tt.want {
			t.Errorf("%s vs %s: %d %v, want %d", tt.a, tt.b, got, ok, tt.want)
		}
	}
	a, b := value(t, `{"S":"a"}`), value(t, `{"N":"1"}`)
	if _, ok := compareValues(&a, &b); ok {
		t.Error("mixed kinds compared")
	}
}
