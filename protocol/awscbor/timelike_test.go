package awscbor

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"
)

// stamp is a defined time type with JSON methods, as API shapes use: CBOR
// must still treat it as a timestamp (tag 1, milliseconds).
type stamp time.Time

func (s stamp) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatInt(time.Time(s).Unix(), 10)), nil
}

func TestTimeLike(t *testing.T) {
	type shape struct {
		At  stamp  `json:"At"`
		Opt *stamp `json:"Opt,omitempty"`
	}
	opt := stamp(time.UnixMilli(1700000000456).UTC())
	in := shape{At: stamp(time.UnixMilli(1700000000123).UTC()), Opt: &opt}
	b, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.(map[string]any)["At"].(time.Time); !got.Equal(time.UnixMilli(1700000000123)) {
		t.Fatalf("decoded %v", got)
	}
	// A pointer to one is a timestamp as well, not its JSON form.
	if got, ok := v.(map[string]any)["Opt"].(time.Time); !ok || !got.Equal(time.UnixMilli(1700000000456)) {
		t.Fatalf("optional timestamp decoded as %#v", v.(map[string]any)["Opt"])
	}
	// The tag-1 head (0xc1) must be there: a timestamp, not a JSON number.
	if !containsByte(b, 0xc1) {
		t.Fatalf("no tag 1 in %x", b)
	}
	var out shape
	if err := Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !time.Time(out.At).Equal(time.Time(in.At)) || out.Opt == nil || !time.Time(*out.Opt).Equal(time.Time(opt)) {
		t.Fatalf("round trip: %+v", out)
	}
	j, _ := json.Marshal(in)
	if string(j) != `{"At":1700000000,"Opt":1700000000}` {
		t.Fatalf("json %s", j)
	}
}

func containsByte(b []byte, c byte) bool {
	for _, x := range b {
		if x == c {
			return true
		}
	}
	return false
}
