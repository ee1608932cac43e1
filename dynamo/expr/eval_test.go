package expr

import (
	"testing"
)

// evalItem has one attribute of every type, and nesting.
const evalItem = `{
	"pk": {"S": "p1"},
	"s": {"S": "banana"},
	"u": {"S": "é𝄞"},
	"n": {"N": "5"},
	"big": {"N": "10"},
	"neg": {"N": "-2.5"},
	"b": {"B": "AQI="},
	"t": {"BOOL": true},
	"f": {"BOOL": false},
	"nul": {"NULL": true},
	"ss": {"SS": ["a", "b"]},
	"ns": {"NS": ["1", "2.5"]},
	"bs": {"BS": ["AQ==", "Ag=="]},
	"l": {"L": [{"S": "x"}, {"N": "1"}, {"M": {"k": {"S": "v"}}}]},
	"m": {"M": {"a": {"M": {"b": {"L": [{"S": "deep"}]}}}, "n": {"N": "3"}}},
	"blank": {"S": ""}
}`

const evalValues = `{
	":p1": {"S": "p1"}, ":banana": {"S": "banana"}, ":ban": {"S": "ban"}, ":an": {"S": "an"}, ":z": {"S": "z"},
	":five": {"N": "5.00"}, ":four": {"N": "4"}, ":six": {"N": "6"}, ":ten": {"N": "10"}, ":nine": {"N": "9"},
	":zero": {"N": "0"}, ":one": {"N": "1"}, ":two": {"N": "2"}, ":three": {"N": "3"}, ":twohalf": {"N": "2.50"},
	":S": {"S": "S"}, ":N": {"S": "N"}, ":B": {"S": "B"}, ":BOOL": {"S": "BOOL"}, ":NULL": {"S": "NULL"},
	":SS": {"S": "SS"}, ":NS": {"S": "NS"}, ":BS": {"S": "BS"}, ":L": {"S": "L"}, ":M": {"S": "M"},
	":a": {"S": "a"}, ":x": {"S": "x"}, ":v": {"S": "v"}, ":deep": {"S": "deep"},
	":b01": {"B": "AQ=="}, ":b0102": {"B": "AQI="}, ":b02": {"B": "Ag=="}, ":bff": {"B": "/w=="},
	":true": {"BOOL": true}, ":false": {"BOOL": false}, ":null": {"NULL": true},
	":ssab": {"SS": ["b", "a"]}, ":ns": {"NS": ["2.5", "1.0"]}, ":kv": {"M": {"k": {"S": "v"}}},
	":lst": {"L": [{"S": "x"}, {"N": "1.0"}, {"M": {"k": {"S": "v"}}}]}
}`

// TestEval: DynamoDB's evaluation semantics. Comparisons of different
// types are false (dynalite's db/index.js compare); an absent attribute
// fails every comparison but <>; numbers compare by value, strings by
// UTF-8 bytes, binaries unsigned; sets compare as sets; size() counts UTF-16
// code units of strings and has no value for numbers, booleans and nulls
// (ExtendDB, captured from DynamoDB).
func TestEval(t *testing.T) {
	p := params(t, map[string]string{"#m": "m", "#dot": "a.b", "#s": "s"}, evalValues)
	it := item(t, evalItem)
	for _, c := range []struct {
		expr string
		want bool
	}{
		// = and <>
		{"pk = :p1", true},
		{"s = :p1", false},
		{"n = :five", true}, // 5 = 5.00
		{"n = :six", false},
		{"n = :banana", false}, // different types
		{"ss = :ssab", true},   // set order does not matter
		{"ns = :ns", true},     // numeric members
		{"l = :lst", true},
		{"l[2] = :kv", true},
		{"t = :true", true},
		{"t = :false", false},
		{"nul = :null", true},
		{"nope = :null", false},
		{"nope <> :null", true},
		{"nope <> zilch", false},
		{"n <> :six", true},
		{"n <> :five", false},
		{"n <> :banana", true},
		{"#s = :banana", true},
		// ordering
		{"n < :six", true},
		{"n < :five", false},
		{"n <= :five", true},
		{"n > :four", true},
		{"n >= :six", false},
		{"big > :nine", true}, // numerically, not "10" < "9"
		{"neg < :zero", true},
		{"s > :ban", true},
		{"s < :z", true},
		{"s < :five", false}, // S vs N
		{"b > :b01", true},
		{"b < :bff", true}, // unsigned bytes
		{"nope < :five", false},
		{"nope > :five", false},
		{":four < n", true},
		{"t > :four", false}, // BOOL path: false, not an error
		{"ss > n", false},
		// BETWEEN, IN
		{"n BETWEEN :four AND :six", true},
		{"n BETWEEN :five AND :five", true},
		{"n BETWEEN :six AND :ten", false},
		{"s BETWEEN :ban AND :z", true},
		{"nope BETWEEN :four AND :six", false},
		{"n BETWEEN :four AND s", false},
		{"n IN (:four, :five)", true},
		{"n IN (:four, :six)", false},
		{"s IN (:five, :banana)", true},
		{"nope IN (:five)", false},
		// functions
		{"attribute_exists(pk)", true},
		{"attribute_exists(nope)", false},
		{"attribute_not_exists(nope)", true},
		{"attribute_exists(m.a.b[0])", true},
		{"attribute_exists(m.a.b[1])", false},
		{"attribute_exists(#m.#dot)", false}, // "a.b" is one name, not a path
		{"attribute_exists(l[2].k)", true},
		{"attribute_exists(s.x)", false},
		{"attribute_exists(m[0])", false},
		{"attribute_type(s, :S)", true},
		{"attribute_type(n, :N)", true},
		{"attribute_type(b, :B)", true},
		{"attribute_type(t, :BOOL)", true},
		{"attribute_type(nul, :NULL)", true},
		{"attribute_type(ss, :SS)", true},
		{"attribute_type(ns, :NS)", true},
		{"attribute_type(bs, :BS)", true},
		{"attribute_type(l, :L)", true},
		{"attribute_type(m, :M)", true},
		{"attribute_type(s, :N)", false},
		{"attribute_type(nope, :S)", false},
		{"begins_with(s, :ban)", true},
		{"begins_with(s, :an)", false},
		{"begins_with(b, :b01)", true},
		{"begins_with(b, :b02)", false},
		{"begins_with(n, :ban)", false}, // a number does not begin with anything
		{"contains(s, :an)", true},
		{"contains(s, :z)", false},
		{"contains(ss, :a)", true},
		{"contains(ss, :z)", false},
		{"contains(ns, :twohalf)", true},
		{"contains(ns, :one)", true},
		{"contains(ns, :a)", false},
		{"contains(bs, :b02)", true},
		{"contains(b, :b02)", true},
		{"contains(l, :x)", true},
		{"contains(l, :one)", true},
		{"contains(l, :kv)", true},
		{"contains(l, :v)", false},
		{"contains(nope, :a)", false},
		{"contains(n, :five)", false},
		// size
		{"size(s) = :six", true},
		{"size(u) = :three", true}, // é is 1 UTF-16 unit, 𝄞 is 2
		{"size(b) = :two", true},
		{"size(ss) = :two", true},
		{"size(ns) = :two", true},
		{"size(bs) = :two", true},
		{"size(l) = :three", true},
		{"size(m) = :two", true},
		{"size(blank) = :zero", true},
		{"size(n) > :zero", false}, // no size: false
		{"size(t) > :zero", false},
		{"size(nul) > :zero", false},
		{"size(n) <> :zero", true},
		{"size(nope) < :one", false},
		{"size(m.a.b) = :one", true},
		// boolean structure and precedence: NOT > AND > OR
		{"n = :five AND s = :banana", true},
		{"n = :five AND s = :z", false},
		{"n = :six OR s = :banana", true},
		{"NOT n = :six", true},
		{"NOT NOT n = :six", false},
		{"n = :six OR s = :banana AND pk = :p1", true},
		{"(n = :six OR s = :banana) AND pk = :ten", false},
		{"n = :six OR s = :z AND pk = :p1", false},
		{"NOT n = :six AND s = :z", false},
		{"NOT (n = :six AND s = :z)", true},
		{"n = :five and s = :banana or pk = :ten", true},
	} {
		cond, err := ParseCondition(c.expr, p)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if got := cond.Eval(it); got != c.want {
			t.Errorf("%q = %v, want %v", c.expr, got, c.want)
		}
	}
}

// TestEvalAbsentItem: a condition on an item that does not exist sees every
// attribute absent (PutItem with attribute_not_exists(pk) creates it).
func TestEvalAbsentItem(t *testing.T) {
	p := params(t, nil, `{":v":{"S":"x"}}`)
	for expr, want := range map[string]bool{
		"attribute_not_exists(pk)":           true,
		"attribute_exists(pk)":               false,
		"pk = :v":                            false,
		"pk <> :v":                           true,
		"NOT attribute_exists(a.b[1])":       true,
		"attribute_not_exists(pk) OR a = :v": true,
	} {
		c, err := ParseCondition(expr, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Eval(nil); got != want {
			t.Errorf("%q on no item = %v", expr, got)
		}
	}
	var nothing *Condition
	if !nothing.Eval(nil) {
		t.Fatal("a nil condition is false")
	}
}

// TestLeaseCondition: the conditions the KCL's lease coordinator puts on
// its writes, as an expression and as Expected.
func TestLeaseCondition(t *testing.T) {
	lease := item(t, `{"leaseKey":{"S":"shardId-000000000001"},"leaseOwner":{"S":"worker-1"},"leaseCounter":{"N":"42"},"checkpoint":{"S":"TRIM_HORIZON"}}`)
	p := params(t, nil, `{":owner":{"S":"worker-1"},":counter":{"N":"42"}}`)
	c, err := ParseCondition("attribute_exists(leaseKey) AND leaseOwner = :owner AND leaseCounter = :counter", p)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Eval(lease) {
		t.Fatal("the lease's own condition fails")
	}
	stolen := lease.Clone()
	stolen["leaseCounter"] = item(t, `{"x":{"N":"43"}}`)["x"]
	if c.Eval(stolen) {
		t.Fatal("a lease taken meanwhile passes")
	}
	exists := true
	owner, counter := vals(t, `{":o":{"S":"worker-1"}}`)[":o"], vals(t, `{":c":{"N":"42.0"}}`)[":c"]
	e, err := FromExpected(map[string]ExpectedAttributeValue{
		"leaseOwner":   {Value: &owner, Exists: &exists},
		"leaseCounter": {Value: &counter},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Eval(lease) || e.Eval(stolen) {
		t.Fatal("Expected evaluates wrongly")
	}
}
