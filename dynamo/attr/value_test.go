package attr

import (
	"encoding/json"
	"testing"
)

// TestJSONRoundTrip: every kind survives encoding/json both ways, empty
// strings, binaries, maps and lists included (they are values, not absent
// members).
func TestJSONRoundTrip(t *testing.T) {
	for _, in := range []string{
		`{"S":"text"}`, `{"S":""}`, `{"N":"-12.5E3"}`, `{"B":"AAE="}`, `{"B":""}`,
		`{"SS":["a","b"]}`, `{"NS":["1","2"]}`, `{"BS":["AA==","AQ=="]}`,
		`{"M":{}}`, `{"M":{"a":{"L":[]}}}`, `{"L":[{"NULL":true},{"BOOL":false}]}`,
	} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		if _, n := v.Kind(); n != 1 {
			t.Fatalf("%s: %d kinds", in, n)
		}
		out, err := json.Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != in {
			t.Fatalf("%s came back as %s", in, out)
		}
	}
	for in, want := range map[string]int{`{}`: 0, `{"S":"a","N":"1"}`: 2} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		if _, n := v.Kind(); n != want {
			t.Fatalf("%s: %d kinds, want %d", in, n, want)
		}
	}
}
