package expr

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// vals builds ExpressionAttributeValues from JSON.
func vals(t testing.TB, js string) map[string]attr.Value {
	t.Helper()
	if js == "" {
		return nil
	}
	var m map[string]attr.Value
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatalf("values %s: %v", js, err)
	}
	return m
}

// item builds an item from JSON.
func item(t testing.TB, js string) attr.Item {
	t.Helper()
	if js == "" {
		return nil
	}
	var it attr.Item
	if err := json.Unmarshal([]byte(js), &it); err != nil {
		t.Fatalf("item %s: %v", js, err)
	}
	return it
}

func itemJSON(t testing.TB, it attr.Item) string {
	t.Helper()
	b, err := json.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func params(t testing.TB, names map[string]string, values string) *Params {
	t.Helper()
	p, err := NewParams(names, vals(t, values))
	if err != nil {
		t.Fatalf("params: %v", err)
	}
	return p
}

// message returns err's message if it is a ValidationException, and fails
// the test otherwise.
func message(t testing.TB, err error) string {
	t.Helper()
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != eddy.CodeValidation {
		t.Fatalf("error %v is not a ValidationException", err)
	}
	return e.Message
}
