package expr

import (
	"testing"
)

// TestProjectionApply: what a ProjectionExpression returns (ExtendDB
// tests/test_nested_projection.py and test_projection_overlapping_paths.py,
// captured from DynamoDB).
func TestProjectionApply(t *testing.T) {
	it := item(t, `{
		"pk": {"S": "p1"},
		"mylist": {"L": [{"S": "zero"}, {"S": "one"}, {"S": "two"}, {"S": "three"}]},
		"listOfMaps": {"L": [
			{"M": {"val": {"S": "a0"}, "x": {"S": "x0"}}},
			{"M": {"val": {"S": "a1"}, "x": {"S": "x1"}}},
			{"M": {"val": {"S": "a2"}, "x": {"S": "x2"}}}]},
		"listWithNull": {"L": [{"S": "keep0"}, {"NULL": true}, {"S": "keep2"}]},
		"deep": {"M": {"l1": {"M": {"l2": {"M": {"l3": {"S": "bottom"}, "sib": {"S": "s"}}}}}}},
		"nestedList": {"L": [{"M": {"inner": {"L": [{"S": "i0"}, {"S": "i1"}]}}}]},
		"a": {"M": {"b": {"S": "bv"}, "c": {"S": "cv"}}}
	}`)
	for _, c := range []struct {
		expr  string
		names map[string]string
		want  string
	}{
		{expr: "mylist[0], mylist[2]", want: `{"mylist":{"L":[{"S":"zero"},{"S":"two"}]}}`},
		{expr: "mylist[2], mylist[0]", want: `{"mylist":{"L":[{"S":"zero"},{"S":"two"}]}}`},
		{expr: "mylist[1], mylist[3]", want: `{"mylist":{"L":[{"S":"one"},{"S":"three"}]}}`},
		{expr: "listOfMaps[0].val, listOfMaps[2].val", want: `{"listOfMaps":{"L":[{"M":{"val":{"S":"a0"}}},{"M":{"val":{"S":"a2"}}}]}}`},
		{expr: "listWithNull", want: `{"listWithNull":{"L":[{"S":"keep0"},{"NULL":true},{"S":"keep2"}]}}`},
		{expr: "listWithNull[1]", want: `{"listWithNull":{"L":[{"NULL":true}]}}`},
		{expr: "listWithNull[0], listWithNull[2]", want: `{"listWithNull":{"L":[{"S":"keep0"},{"S":"keep2"}]}}`},
		{expr: "deep.l1.l2.l3", want: `{"deep":{"M":{"l1":{"M":{"l2":{"M":{"l3":{"S":"bottom"}}}}}}}}`},
		{expr: "nestedList[0].#i[1]", names: map[string]string{"#i": "inner"}, want: `{"nestedList":{"L":[{"M":{"inner":{"L":[{"S":"i1"}]}}}]}}`},
		{expr: "a.b, a.c", want: `{"a":{"M":{"b":{"S":"bv"},"c":{"S":"cv"}}}}`},
		{expr: "pk, nope", want: `{"pk":{"S":"p1"}}`},
		{expr: "nope, a.nope, mylist[9], pk.x, deep[0]", want: `{}`},
		{expr: "mylist[1], mylist[9]", want: `{"mylist":{"L":[{"S":"one"}]}}`},
	} {
		p, err := ParseProjection(c.expr, params(t, c.names, ""))
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		got := p.Apply(it)
		if !sameItem(got, item(t, c.want)) {
			t.Errorf("%q:\n got %s\nwant %s", c.expr, itemJSON(t, got), c.want)
		}
	}
	p, _ := ParseProjection("a", nil)
	if got := p.Apply(nil); got == nil || len(got) != 0 {
		t.Fatalf("projection of no item: %v", got)
	}
}
