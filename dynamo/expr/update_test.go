package expr

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// sameItem compares two items as DynamoDB values (sets in any order).
func sameItem(a, b attr.Item) bool {
	return attr.Equal(attr.M(a), attr.M(b))
}

type applyCase struct {
	name   string
	item   string // JSON; "" is no item
	expr   string
	names  map[string]string
	values string
	want   string // the new item, JSON
	err    string // or the error message
}

func runApply(t *testing.T, cases []applyCase) {
	t.Helper()
	for _, c := range cases {
		u, err := ParseUpdate(c.expr, params(t, c.names, c.values))
		if err != nil {
			t.Fatalf("%s: %q: %v", c.name, c.expr, err)
		}
		before := item(t, c.item)
		beforeJSON := itemJSON(t, before)
		got, err := u.Apply(before)
		if itemJSON(t, before) != beforeJSON {
			t.Errorf("%s: Apply modified its argument", c.name)
		}
		if c.err != "" {
			if err == nil {
				t.Errorf("%s: %q gave %s, want error %q", c.name, c.expr, itemJSON(t, got), c.err)
			} else if m := message(t, err); m != c.err {
				t.Errorf("%s: %q: error %q, want %q", c.name, c.expr, m, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %q: %v", c.name, c.expr, err)
			continue
		}
		if want := item(t, c.want); !sameItem(got, want) {
			t.Errorf("%s: %q:\n got %s\nwant %s", c.name, c.expr, itemJSON(t, got), itemJSON(t, want))
		}
	}
}

// TestApply: update semantics. Cases from dynalite's test/updateItem.js
// ("should update nested attributes", "should just add valid ADD actions if
// nothing exists", "should update values from other attributes", "...
// non-existent nested attribute ...", "... reference non-existent
// attribute", "... using expression to delete/add incorrect types"),
// nubo-db/dynamodb-conformance tests/tier1/updateItem/paths and ExtendDB's
// update tests (tests/test_set_evaluation.py), all recorded from DynamoDB.
func TestApply(t *testing.T) {
	const badPath = "The document path provided in the update expression is invalid for update"
	const noAttr = "The provided expression refers to an attribute that does not exist in the item"
	const badType = "An operand in the update expression has an incorrect data type"
	existing := `{"a":{"S":"k"},"b":{"S":"k"},"c":{"M":{"1":{"S":"a"}}},"d":{"L":[{"S":"a"},{"S":"b"}]}}`
	set := `{":a":{"SS":["a"]}}`
	var cases []applyCase
	for _, expr := range []string{
		"set b.a = :a, #1 = :a", "set b[1] = :a, #1 = :a", "set y.a = :a, #1 = :a", "set y[1] = :a, #1 = :a",
		"set c[1] = :a, #1 = :a", "set d.#1 = :a", "remove b.a set #1 = :a", "remove b[1] set #1 = :a",
		"remove y.a set #1 = :a", "remove y[1] set #1 = :a", "remove c[1] set #1 = :a", "remove d.#1 set #1 = :a",
		"delete b.a :a set #1 = :a", "delete b[1] :a set #1 = :a", "delete y.a :a set #1 = :a",
		"delete y[1] :a set #1 = :a", "delete c[1] :a set #1 = :a", "delete d.#1 :a", "add b.a :a set #1 = :a",
		"add b[1] :a set #1 = :a", "add y.a :a set #1 = :a", "add y[1] :a set #1 = :a", "add c[1] :a set #1 = :a",
		"add d.#1 :a",
	} {
		cases = append(cases, applyCase{name: "invalid path in an existing item", item: existing, expr: expr,
			names: map[string]string{"#1": "1"}, values: set, err: badPath})
	}
	typed := `{"a":{"S":"k"},"b":{"M":{"a":{"SS":["1"]}}},"c":{"N":"1"},"d":{"NS":["1"]}}`
	for expr, value := range map[string]string{
		"delete d :a": `{"SS":["1"]}`, "delete b :a": `{"NS":["1"]}`, "delete b.a :a": `{"NS":["1"]}`,
		"delete c :a": `{"NS":["1"]}`, "add b :a": `{"NS":["1"]}`, "add d :a": `{"N":"1"}`,
		"set e = a + :a": `{"N":"1"}`, "set e = b - :a": `{"N":"1"}`,
		"set e = list_append(d, if_not_exists(f, :a))": `{"L":[]}`,
	} {
		cases = append(cases, applyCase{name: "incorrect type", item: typed, expr: expr, values: `{":a":` + value + `}`, err: badType})
	}
	cases = append(cases,
		applyCase{name: "bs.a from the wrong set type", item: typed, expr: "delete b.a :a", values: `{":a":{"BS":["YQ=="]}}`, err: badType},
		// UpdateItem of an absent item applies to its key.
		applyCase{name: "nested path in a new item", item: `{"a":{"S":"k"}}`, expr: "set b.a = a", err: badPath},
		applyCase{name: "list index in a new item", item: `{"a":{"S":"k"}}`, expr: "set b[1] = a", err: badPath},
		applyCase{name: "value from an absent attribute", item: `{"a":{"S":"k"}}`, expr: "set c = b", err: noAttr},
		applyCase{name: "list_append of absent attributes", item: `{"a":{"S":"k"}}`, expr: "set e = list_append(b, c)", err: noAttr},
		applyCase{name: "arithmetic on an absent attribute", item: `{"a":{"S":"k"}}`, expr: "set n = n + :one", values: `{":one":{"N":"1"}}`, err: noAttr},
		applyCase{name: "missing intermediate map", item: `{"pk":{"S":"p"},"topLevel":{"S":"val"}}`, expr: "SET #a.#b.#c = :v",
			names: map[string]string{"#a": "missing", "#b": "nested", "#c": "deep"}, values: `{":v":{"S":"test"}}`, err: badPath},
		applyCase{name: "overflow", item: `{"n":{"N":"9.9999999999999999999999999999999999999E+125"}}`, expr: "SET n = n + :v", values: `{":v":{"N":"1E+125"}}`,
			err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		applyCase{name: "overflow of literals", expr: "SET n = :a + :b", values: `{":a":{"N":"9.9e125"},":b":{"N":"9.9e125"}}`,
			err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		applyCase{name: "ADD overflow", item: `{"n":{"N":"9.9e125"}}`, expr: "ADD n :b", values: `{":b":{"N":"9.9e125"}}`,
			err: "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	)
	cases = append(cases,
		applyCase{name: "nested attributes, all SET values read before the update",
			item: `{"a":{"S":"k"},"b":{"M":{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}},"c":{"L":[{"N":"1"},{"N":"3"}]}}`,
			expr: "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a", values: `{":a":{"N":"2"},":b":{"SS":["a"]}}`,
			want: `{"a":{"S":"k"},"b":{"M":{"a":{"S":"k"},"b":{"N":"2"},"c":{"N":"4"}}},"c":{"L":[{"N":"1"},{"S":"k"},{"N":"3"},{"N":"-1"},{"N":"2"},{"SS":["a"]}]}}`},
		applyCase{name: "ADD and SET on no item", expr: "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f",
			values: `{":c":{"SS":["a","b"]},":d":{"N":"5"},":e":{"SS":["a","b"]},":f":{"L":[{"S":"a"},{"N":"1"}]}}`,
			want:   `{"d":{"N":"5"},"e":{"SS":["a","b"]},"f":{"L":[{"S":"a"},{"N":"1"}]}}`},
		applyCase{name: "if_not_exists of an absent attribute", item: `{"a":{"S":"k"}}`, expr: "set b = if_not_exists(b, a)", want: `{"a":{"S":"k"},"b":{"S":"k"}}`},
		applyCase{name: "if_not_exists of a present attribute", item: `{"a":{"S":"k"},"b":{"N":"1"}}`, expr: "set b = if_not_exists(b, a)", want: `{"a":{"S":"k"},"b":{"N":"1"}}`},
		applyCase{name: "SET reads the old item", item: `{"pk":{"S":"x"},"a":{"S":"OLD"}}`, expr: "SET a = :v, b = a", values: `{":v":{"S":"NEW"}}`,
			want: `{"pk":{"S":"x"},"a":{"S":"NEW"},"b":{"S":"OLD"}}`},
		applyCase{name: "parenthesised subtraction", item: `{"c":{"N":"10"}}`, expr: "SET c = (c - :v)", values: `{":v":{"N":"3"}}`, want: `{"c":{"N":"7"}}`},
		applyCase{name: "counter", item: `{"n":{"N":"0.1"}}`, expr: "SET n = n + :v", values: `{":v":{"N":"0.2"}}`, want: `{"n":{"N":"0.3"}}`},
		applyCase{name: "nested counter", item: `{"m":{"M":{"counter":{"N":"10"}}}}`, expr: "SET #m.#c = #m.#c + :inc",
			names: map[string]string{"#m": "m", "#c": "counter"}, values: `{":inc":{"N":"5"}}`, want: `{"m":{"M":{"counter":{"N":"15"}}}}`},
		applyCase{name: "SET past the end appends", item: `{"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]}}`, expr: "SET #l[5] = :v",
			names: map[string]string{"#l": "l"}, values: `{":v":{"S":"inserted"}}`, want: `{"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"},{"S":"inserted"}]}}`},
		applyCase{name: "SET index 0 of an empty list", item: `{"l":{"L":[]}}`, expr: "SET l[0] = :v", values: `{":v":{"S":"first"}}`, want: `{"l":{"L":[{"S":"first"}]}}`},
		applyCase{name: "SET replaces an element", item: `{"l":{"L":[{"S":"x"},{"S":"y"},{"S":"z"}]}}`, expr: "SET l[1] = :v", values: `{":v":{"S":"replaced"}}`,
			want: `{"l":{"L":[{"S":"x"},{"S":"replaced"},{"S":"z"}]}}`},
		applyCase{name: "REMOVE shifts the list", item: `{"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"},{"S":"d"}]}}`, expr: "REMOVE l[1]",
			want: `{"l":{"L":[{"S":"a"},{"S":"c"},{"S":"d"}]}}`},
		applyCase{name: "REMOVE removes the elements at the indexes given", item: `{"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"},{"S":"d"}]}}`, expr: "REMOVE l[1], l[2]",
			want: `{"l":{"L":[{"S":"a"},{"S":"d"}]}}`},
		applyCase{name: "REMOVE the last element", item: `{"l":{"L":[{"S":"x"},{"S":"y"}]}}`, expr: "REMOVE l[1]", want: `{"l":{"L":[{"S":"x"}]}}`},
		applyCase{name: "REMOVE past the end does nothing", item: `{"l":{"L":[{"S":"x"}]}}`, expr: "REMOVE l[5]", want: `{"l":{"L":[{"S":"x"}]}}`},
		applyCase{name: "REMOVE and SET in one list", item: `{"l":{"L":[{"S":"a"},{"S":"b"},{"S":"c"}]}}`, expr: "REMOVE l[0] SET l[2] = :v, l[7] = :w",
			values: `{":v":{"S":"C"},":w":{"S":"end"}}`, want: `{"l":{"L":[{"S":"b"},{"S":"C"},{"S":"end"}]}}`},
		applyCase{name: "REMOVE nested and absent", item: `{"m":{"M":{"nested":{"S":"gone"},"keep":{"S":"stay"}}}}`, expr: "REMOVE m.nested, nope, m.absent",
			want: `{"m":{"M":{"keep":{"S":"stay"}}}}`},
		applyCase{name: "SET nests under an existing map", item: `{"parent":{"M":{"keep":{"S":"k"}}}}`, expr: "SET parent.child = :v", values: `{":v":{"S":"nested"}}`,
			want: `{"parent":{"M":{"keep":{"S":"k"},"child":{"S":"nested"}}}}`},
		applyCase{name: "a name with a dot is one attribute", item: `{"a.b":{"S":"before"},"a":{"M":{"b":{"S":"nested-before"}}}}`, expr: "SET #dot = :after",
			names: map[string]string{"#dot": "a.b"}, values: `{":after":{"S":"after"}}`, want: `{"a.b":{"S":"after"},"a":{"M":{"b":{"S":"nested-before"}}}}`},
		applyCase{name: "list_append both ways", item: `{"l":{"L":[{"S":"b"}]}}`, expr: "SET l = list_append(:a, l), m = list_append(l, :c)",
			values: `{":a":{"L":[{"S":"a"}]},":c":{"L":[{"S":"c"}]}}`, want: `{"l":{"L":[{"S":"a"},{"S":"b"}]},"m":{"L":[{"S":"b"},{"S":"c"}]}}`},
		applyCase{name: "ADD numbers and sets", item: `{"score":{"N":"100"},"tags":{"SS":["a","b","c"]},"nums":{"NS":["1","2"]},"bin":{"BS":["AQI=","Ag=="]}}`,
			expr:   "ADD score :inc, nums :n, bin :b, newset :n DELETE tags :rem",
			values: `{":inc":{"N":"50"},":n":{"NS":["2","3.0"]},":b":{"BS":["Ag==","AQ=="]},":rem":{"SS":["b"]}}`,
			want:   `{"score":{"N":"150"},"tags":{"SS":["a","c"]},"nums":{"NS":["1","2","3"]},"bin":{"BS":["AQI=","Ag==","AQ=="]},"newset":{"NS":["2","3"]}}`},
		applyCase{name: "DELETE empties and removes a set", item: `{"b":{"NS":["1","2","3"]},"c":{"S":"a"}}`, expr: "DELETE b :v", values: `{":v":{"NS":["2","3","1"]}}`,
			want: `{"c":{"S":"a"}}`},
		applyCase{name: "DELETE numbers by value", item: `{"b":{"NS":["10","20","30"]}}`, expr: "DELETE b :v", values: `{":v":{"NS":["20.0","40"]}}`,
			want: `{"b":{"NS":["10","30"]}}`},
		applyCase{name: "DELETE from an absent set", item: `{}`, expr: "DELETE b :v", values: `{":v":{"SS":["x"]}}`, want: `{}`},
		applyCase{name: "ADD to a list element past the end appends", item: `{"l":{"L":[]}}`, expr: "ADD l[3] :n", values: `{":n":{"N":"1"}}`,
			want: `{"l":{"L":[{"N":"1"}]}}`},
		applyCase{name: "ADD into a nested number", item: `{"m":{"M":{"n":{"N":"1"}}}}`, expr: "ADD m.n :n", values: `{":n":{"N":"-1"}}`,
			want: `{"m":{"M":{"n":{"N":"0"}}}}`},
		applyCase{name: "a set value is copied, not aliased", item: `{"a":{"L":[{"S":"x"}]}}`, expr: "SET b = a, c = a", want: `{"a":{"L":[{"S":"x"}]},"b":{"L":[{"S":"x"}]},"c":{"L":[{"S":"x"}]}}`},
	)
	runApply(t, cases)
}

// TestUpdatedPaths: UPDATED_NEW and UPDATED_OLD project the item on the
// update's paths (dynalite test/updateItem.js "should update nested
// attributes": UPDATED_NEW of that update is {b: {a, c}, c: [k, 3, 2]}).
func TestUpdatedPaths(t *testing.T) {
	old := item(t, `{"a":{"S":"k"},"b":{"M":{"a":{"N":"1"},"b":{"N":"2"},"c":{"N":"3"}}},"c":{"L":[{"N":"1"},{"N":"3"}]}}`)
	u, err := ParseUpdate("set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
		params(t, nil, `{":a":{"N":"2"},":b":{"SS":["a"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	updated, err := u.Apply(old)
	if err != nil {
		t.Fatal(err)
	}
	newPart := u.Projection().Apply(updated)
	if want := item(t, `{"b":{"M":{"a":{"S":"k"},"c":{"N":"4"}}},"c":{"L":[{"S":"k"},{"N":"3"},{"N":"2"}]}}`); !sameItem(newPart, want) {
		t.Fatalf("UPDATED_NEW %s", itemJSON(t, newPart))
	}
	oldPart := u.Projection().Apply(old)
	if want := item(t, `{"b":{"M":{"a":{"N":"1"},"c":{"N":"3"}}},"c":{"L":[{"N":"3"}]}}`); !sameItem(oldPart, want) {
		t.Fatalf("UPDATED_OLD %s", itemJSON(t, oldPart))
	}
	// A removed attribute is in UPDATED_OLD and not in UPDATED_NEW.
	u, _ = ParseUpdate("REMOVE x SET y = :v", params(t, nil, `{":v":{"S":"new"}}`))
	before := item(t, `{"x":{"S":"old"},"y":{"S":"old"},"z":{"S":"same"}}`)
	after, _ := u.Apply(before)
	if got := itemJSON(t, u.Projection().Apply(after)); got != `{"y":{"S":"new"}}` {
		t.Fatalf("UPDATED_NEW %s", got)
	}
	if got := itemJSON(t, u.Projection().Apply(before)); got != `{"x":{"S":"old"},"y":{"S":"old"}}` {
		t.Fatalf("UPDATED_OLD %s", got)
	}
}

func TestUpdateActions(t *testing.T) {
	u, err := ParseUpdate("SET a = :n, b = list_append(x, :l), c = if_not_exists(d, :s), e = f + :n, g = h REMOVE i.j[2] ADD k :ns DELETE m :ns",
		params(t, nil, `{":n":{"N":"1"},":l":{"L":[]},":s":{"S":"s"},":ns":{"NS":["1"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range u.Actions() {
		got = append(got, string(a.Kind)+" "+a.Path.String()+" "+string(a.ValueType))
	}
	want := []string{"SET [a] N", "SET [b] L", "SET [c] S", "SET [e] N", "SET [g] ", "REMOVE [i, j, [2]] ", "ADD [k] NS", "DELETE [m] NS"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("actions %q", got)
	}
	var paths []string
	for _, p := range u.Paths() {
		paths = append(paths, p.String())
	}
	if want := []string{"[a]", "[b]", "[x]", "[c]", "[d]", "[e]", "[f]", "[g]", "[h]", "[i, j, [2]]", "[k]", "[m]"}; !reflect.DeepEqual(paths, want) {
		t.Fatalf("paths %q", paths)
	}
	if len(u.Targets()) != 8 {
		t.Fatalf("targets %v", u.Targets())
	}
}

// jsonOf is a helper for debugging failures.
var _ = json.Marshal
