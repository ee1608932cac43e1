package dynamo

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage"
)

func bp(b bool) *bool { return &b }

// codecItems are items with every kind of value, empty containers and
// binaries (which DynamoDB allows outside keys), and nesting.
var codecItems = map[string]attr.Item{
	"empty": {},
	"scalars": {"s": S("héllo"), "empty-s": S(""), "n": N("-12.5e3"), "b": {B: []byte{0, 1, 255}},
		"empty-b": {B: []byte{}}, "null": {NULL: bp(true)}, "t": {BOOL: bp(true)}, "f": {BOOL: bp(false)}},
	"sets": {"ss": {SS: []string{"a", "", "c"}}, "ns": {NS: []string{"1", "2.5"}}, "bs": {BS: [][]byte{{1}, {}, {2, 3}}}},
	"nested": {"m": {M: map[string]attr.Value{"l": {L: []attr.Value{S("x"), {M: map[string]attr.Value{}}, {L: []attr.Value{}}, N("7")}},
		"deep": {M: map[string]attr.Value{"d": {M: map[string]attr.Value{"e": {BOOL: bp(false)}}}}}}}},
	"no type": {"x": {}},
}

// TestItemCodecRoundTrip: every item decodes to what it was, as the JSON
// form it replaces decoded it (nil and empty containers kept apart).
func TestItemCodecRoundTrip(t *testing.T) {
	for name, item := range codecItems {
		t.Run(name, func(t *testing.T) {
			b, err := encodeItem(item)
			if err != nil {
				t.Fatal(err)
			}
			if b[0] != itemFormatV1 {
				t.Fatalf("first byte %#x, want the format version %#x", b[0], itemFormatV1)
			}
			got, err := decodeItem(b)
			if err != nil {
				t.Fatal(err)
			}
			j, _ := json.Marshal(item)
			var want attr.Item
			if err := json.Unmarshal(j, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decoded %#v, want %#v", got, want)
			}
			if old, err := decodeItem(j); err != nil || !reflect.DeepEqual(old, want) {
				t.Fatalf("the JSON form decoded to %#v, %v", old, err)
			}
		})
	}
}

// TestItemCodecCorrupt: every truncation of a record, a trailing byte and
// an unknown tag or format are errors, never a panic or a wrong item.
func TestItemCodecCorrupt(t *testing.T) {
	for name, item := range codecItems {
		b, _ := encodeItem(item)
		for n := range len(b) {
			if _, err := decodeItem(b[:n]); err == nil {
				t.Errorf("%s: %d of %d bytes decoded without error", name, n, len(b))
			}
		}
		if _, err := decodeItem(append(b[:len(b):len(b)], 0)); !errors.Is(err, errItemCorrupt) {
			t.Errorf("%s: trailing byte: %v", name, err)
		}
	}
	for _, b := range [][]byte{{2, 0}, {1, 1, 1, 'a', 99}, {1, 1, 1, 'a', tagBOOL, 2}, {1, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, err := decodeItem(b); err == nil {
			t.Errorf("%v decoded without error", b)
		}
	}
}

// TestItemCodecReadsJSONItems: items stored as JSON by builds before the
// binary form are read by GetItem, Query, Scan and conditional writes, and
// a write stores them in the binary form.
func TestItemCodecReadsJSONItems(t *testing.T) {
	e, _ := newEngine(t, nil)
	createTable(t, e, "tab", "pk", ddb.ScalarS, "rk", ddb.ScalarN)
	item := attr.Item{"pk": S("a"), "rk": N("1"), "leaseCounter": N("4"), "data": {M: map[string]attr.Value{"x": {SS: []string{"p", "q"}}}}}
	put(t, e, "tab", item)
	tb := e.lookup("tab")
	key := tb.itemKey(item)
	// Store the item as the JSON form earlier builds wrote.
	old, _ := json.Marshal(item)
	if err := e.meta.Batch(func(tx storage.MetaTx) error { return tx.Put(tb.bucket, key, old) }); err != nil {
		t.Fatal(err)
	}
	stored := func() []byte {
		var b []byte
		if err := e.meta.View(func(tx storage.MetaTx) error {
			v, err := tx.Get(tb.bucket, key)
			b = append([]byte(nil), v...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return b
	}
	if b := stored(); b[0] != '{' {
		t.Fatalf("the test did not store JSON: %q", b)
	}
	if got := get(t, e, "tab", attr.Item{"pk": S("a"), "rk": N("1")}); !reflect.DeepEqual(got, item) {
		t.Fatalf("GetItem = %#v, want %#v", got, item)
	}
	q, err := e.Query(ctx, &ddb.QueryInput{TableName: sp("tab"), KeyConditionExpression: sp("pk = :a"),
		ExpressionAttributeValues: map[string]attr.Value{":a": S("a")}})
	if err != nil || len(q.Items) != 1 || !reflect.DeepEqual(q.Items[0], item) {
		t.Fatalf("Query = %#v, %v", q, err)
	}
	sc, err := e.Scan(ctx, &ddb.ScanInput{TableName: sp("tab")})
	if err != nil || len(sc.Items) != 1 || !reflect.DeepEqual(sc.Items[0], item) {
		t.Fatalf("Scan = %#v, %v", sc, err)
	}
	upd := func(expect string) error {
		in := &ddb.UpdateItemInput{TableName: sp("tab"), Key: attr.Item{"pk": S("a"), "rk": N("1")},
			Expected:         map[string]ddb.ExpectedAttributeValue{"leaseCounter": {Value: ptr(N(expect))}},
			AttributeUpdates: map[string]ddb.AttributeValueUpdate{"leaseCounter": {Action: ptr(ddb.ActionAdd), Value: ptr(N("1"))}},
			Checker:          Checker{}}
		mustValidate(t, in)
		_, err := e.UpdateItem(ctx, in)
		return err
	}
	wantErr(t, upd("3"), "ConditionalCheckFailedException", "The conditional request failed")
	if err := upd("4"); err != nil {
		t.Fatal(err)
	}
	if b := stored(); b[0] != itemFormatV1 {
		t.Fatalf("after a write the item is stored as %q, want the binary form", b)
	}
	item["leaseCounter"] = N("5")
	if got := get(t, e, "tab", attr.Item{"pk": S("a"), "rk": N("1")}); !reflect.DeepEqual(got, item) {
		t.Fatalf("GetItem after the update = %#v, want %#v", got, item)
	}
}
