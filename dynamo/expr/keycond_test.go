package expr

import (
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

var (
	hashSchema  = KeySchema{HashName: "a", HashType: attr.KindS}
	rangeSchema = KeySchema{HashName: "a", HashType: attr.KindS, RangeName: "b", RangeType: attr.KindS}
)

// keyErr parses a key condition and returns the first error: of parsing,
// of Validate, or of Resolve against schema.
func keyErr(t *testing.T, expr string, names map[string]string, values string, schema KeySchema) error {
	t.Helper()
	k, err := ParseKeyCondition(expr, params(t, names, values))
	if err != nil {
		return err
	}
	if err := k.Validate(); err != nil {
		return err
	}
	_, err = k.Resolve(schema)
	return err
}

// TestKeyConditionErrors: KeyConditionExpressions DynamoDB refuses, from
// dynalite's test/query.js (each "should return ValidationException for
// ..." case), ExtendDB tests/test_key_condition_nested_attributes.py and
// nubo-db/dynamodb-conformance (error-messages/query, keyConditionSemantics).
func TestKeyConditionErrors(t *testing.T) {
	const kce = "Invalid KeyConditionExpression: "
	type kc struct {
		expr   string
		values string
		schema KeySchema
		want   string
		prefix bool
	}
	var cases []kc
	for _, s := range []string{"things are not gonna be ok", "a > 4", "(size(a))[0] > a"} {
		cases = append(cases, kc{expr: s, want: kce + "Syntax error; ", prefix: true})
	}
	cases = append(cases,
		kc{expr: "attribute_type(a, b)", want: kce + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
		kc{expr: "attribute_type(a, :a)", values: `{":a":{"N":"1"}}`, want: kce + "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		kc{expr: "attribute_type(a, :a)", values: `{":a":{"S":"S"}}`, want: "Invalid operator used in KeyConditionExpression: attribute_type"},
		kc{expr: "a between :b and :a", values: `{":a":{"S":"a"},":b":{"N":"1"}}`,
			want: kce + "The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		kc{expr: "a between :b and :a", values: `{":a":{"S":"a"},":b":{"S":"b"}}`,
			want: kce + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		kc{expr: "", want: kce + "The expression can not be empty;"},
	)
	for s, op := range map[string]string{
		"a > b and size(b) > c or a > c": "OR", "a in (b, size(c), d)": "IN", "attribute_exists(a)": "attribute_exists",
		"attribute_not_exists(a)": "attribute_not_exists", "contains(a.d, b)": "contains", "not a > b": "NOT", "a <> b": "<>",
	} {
		cases = append(cases, kc{expr: s, want: "Invalid operator used in KeyConditionExpression: " + op})
	}
	for s, op := range map[string]string{":a between size(b) and size(a) and b > :b": "BETWEEN", "begins_with(:a, b) and a > :b": "begins_with"} {
		cases = append(cases, kc{expr: s, values: `{":a":{"S":"1"},":b":{"S":"1"}}`,
			want: "Invalid condition in KeyConditionExpression: " + op + " operator must have the key attribute as its first operand"})
	}
	for _, s := range []string{"size(b) > a AND a.b > b AND b > c", "a > size(b.d)", "a between size(b) and size(a)"} {
		cases = append(cases, kc{expr: s, want: "KeyConditionExpressions cannot contain nested operations"})
	}
	for _, s := range []string{"b > a.b", "b between c[1] and d", "a between b and size(a)", "begins_with(a, b)"} {
		cases = append(cases, kc{expr: s, want: "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"})
	}
	for _, s := range []string{"b.d > a AND c.d > e.f", "a.d > c", "b[0] > a"} {
		cases = append(cases, kc{expr: s, want: "KeyConditionExpressions cannot have conditions on nested attributes"})
	}
	for _, s := range []string{":b > :a AND a < :b", ":a > b AND :a < :b"} {
		cases = append(cases, kc{expr: s, values: `{":a":{"N":"1"},":b":{"N":"1"}}`, want: "Invalid condition in KeyConditionExpression: No key attribute specified"})
	}
	for _, s := range []string{"b > :a AND b < :a and c = :a and d = :a", "(a > :a and b > :a) and (b > :a and c > :a)"} {
		cases = append(cases, kc{expr: s, values: `{":a":{"N":"1"}}`, want: "KeyConditionExpressions must only contain one condition per key"})
	}
	for _, s := range []string{":a = a and b = :a and :a = c", "(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a)"} {
		cases = append(cases, kc{expr: s, values: `{":a":{"S":"a"}}`, want: "Conditions can be of length 1 or 2 only"})
	}
	// Checks against the key schema (dynalite test/query.js, "... if querying
	// with unsupported conditions", "... mismatching param type", "...
	// missing range element"; conformance error-messages/query).
	for _, s := range []string{"a > :a", "a < :a", ":a <= a", ":a >= a", "begins_with(a, :a)", "a between :a and :a", "a = :a AND b = :a", "y = :a and z = :a"} {
		cases = append(cases, kc{expr: s, values: `{":a":{"S":"1"}}`, schema: hashSchema, want: "Query key condition not supported"})
	}
	cases = append(cases,
		kc{expr: ":a > a", values: `{":a":{"N":"1"}}`, schema: hashSchema, want: "One or more parameter values were invalid: Condition parameter type does not match schema type"},
		kc{expr: "z = :a", values: `{":a":{"N":"1"}}`, schema: rangeSchema, want: "Query condition missed key schema element: a"},
		kc{expr: "b between :a and :b", values: `{":a":{"N":"1"},":b":{"N":"1"}}`, schema: rangeSchema, want: "Query condition missed key schema element: a"},
		kc{expr: "a = :a and c = :b", values: `{":a":{"S":"b"},":b":{"N":"1"}}`, schema: rangeSchema, want: "Query condition missed key schema element: b"},
		kc{expr: "b = :v", values: `{":v":{"S":"val"}}`, schema: rangeSchema, want: "Query condition missed key schema element: a"},
		kc{expr: "a > :a", values: `{":a":{"S":"1"}}`, schema: rangeSchema, want: "Query key condition not supported"},
		// Nested paths on keys (ExtendDB, captured): before the schema check.
		kc{expr: "a.foo = :v", values: `{":v":{"S":"p1"}}`, schema: rangeSchema, want: "KeyConditionExpressions cannot have conditions on nested attributes"},
		kc{expr: "a = :p AND :v < b.foo", values: `{":p":{"S":"p1"},":v":{"S":"a"}}`, schema: rangeSchema, want: "KeyConditionExpressions cannot have conditions on nested attributes"},
		kc{expr: "data.foo = :v", values: `{":v":{"S":"x"}}`, schema: rangeSchema, want: kce + "Attribute name is a reserved keyword; reserved keyword: data"},
	)
	for _, c := range cases {
		err := keyErr(t, c.expr, nil, c.values, c.schema)
		if err == nil {
			t.Errorf("%q accepted", c.expr)
			continue
		}
		got := message(t, err)
		if c.prefix && (len(got) < len(c.want) || got[:len(c.want)] != c.want) || !c.prefix && got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.expr, got, c.want)
		}
	}
}

// TestKeyCondition: what Resolve returns, and that redundant parentheses
// are accepted in a KeyConditionExpression (nubo-db/dynamodb-conformance
// tests/tier1/query/keyConditionParens, captured from DynamoDB).
func TestKeyCondition(t *testing.T) {
	names := map[string]string{"#pk": "a", "#sk": "b"}
	values := `{":pk":{"S":"p"},":sk":{"S":"m"},":lo":{"S":"a"},":hi":{"S":"z"}}`
	for _, c := range []struct {
		expr string
		op   RangeOp
		n    int
	}{
		{"#pk = :pk", "", 0},
		{"#pk = :pk AND #sk = :sk", RangeEQ, 1},
		{"(#pk = :pk) AND (#sk = :sk)", RangeEQ, 1},
		{"(#pk = :pk AND #sk = :sk)", RangeEQ, 1},
		{"((#pk = :pk)) AND ((#sk = :sk))", RangeEQ, 1},
		{"#sk < :sk AND #pk = :pk", RangeLT, 1},
		{"#pk = :pk AND :lo <= #sk", RangeGE, 1},
		{"#pk = :pk AND :lo > #sk", RangeLT, 1},
		{"#pk = :pk AND #sk >= :lo", RangeGE, 1},
		{"#pk = :pk AND #sk BETWEEN :lo AND :hi", RangeBetween, 2},
		{"#pk = :pk AND begins_with(#sk, :sk)", RangeBeginsWith, 1},
		{":pk = #pk", "", 0},
	} {
		p := params(t, names, values)
		k, err := ParseKeyCondition(c.expr, p)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		kc, err := k.Resolve(rangeSchema)
		if err != nil {
			t.Fatalf("%q: %v", c.expr, err)
		}
		if *kc.Hash.S != "p" {
			t.Errorf("%q: hash %v", c.expr, kc.Hash)
		}
		switch {
		case c.op == "" && kc.Range != nil:
			t.Errorf("%q: range %+v", c.expr, kc.Range)
		case c.op != "" && (kc.Range == nil || kc.Range.Op != c.op || len(kc.Range.Values) != c.n):
			t.Errorf("%q: range %+v, want %s", c.expr, kc.Range, c.op)
		}
	}
	// Match.
	p := params(t, names, values)
	k, _ := ParseKeyCondition("#pk = :pk AND #sk BETWEEN :lo AND :hi", p)
	kc, _ := k.Resolve(rangeSchema)
	for sk, want := range map[string]bool{"a": true, "m": true, "z": true, "zz": false, "A": false} {
		if got := kc.Match(attr.Item{"a": attr.S("p"), "b": attr.S(sk)}, rangeSchema); got != want {
			t.Errorf("BETWEEN a AND z matches %q: %v", sk, got)
		}
	}
	if kc.Match(attr.Item{"a": attr.S("q"), "b": attr.S("m")}, rangeSchema) {
		t.Error("another hash key matches")
	}
	for _, c := range []struct {
		op   RangeOp
		vals []attr.Value
		v    attr.Value
		want bool
	}{
		{RangeBeginsWith, []attr.Value{attr.S("ab")}, attr.S("abc"), true},
		{RangeBeginsWith, []attr.Value{attr.S("ab")}, attr.S("ba"), false},
		{RangeBeginsWith, []attr.Value{attr.B([]byte{1})}, attr.B([]byte{1, 2}), true},
		{RangeLT, []attr.Value{attr.N("10")}, attr.N("9"), true},
		{RangeLE, []attr.Value{attr.N("10")}, attr.N("10.0"), true},
		{RangeGT, []attr.Value{attr.N("10")}, attr.N("9"), false},
		{RangeGE, []attr.Value{attr.N("-1")}, attr.N("-1"), true},
		{RangeEQ, []attr.Value{attr.S("x")}, attr.N("1"), false},
	} {
		r := &RangeCondition{Op: c.op, Values: c.vals}
		if got := r.Match(c.v); got != c.want {
			t.Errorf("%s %v matches %v: %v", c.op, c.vals, c.v, got)
		}
	}
}

// TestKeyConditionOrder: a structural error of the key condition comes
// after unused expression attribute values (dynalite's order), so it is
// reported by Validate, not by ParseKeyCondition.
func TestKeyConditionOrder(t *testing.T) {
	p := params(t, nil, `{":a":{"S":"x"},":unused":{"S":"y"}}`)
	k, err := ParseKeyCondition("a = :a OR a = :a", p)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if p.Unused() == nil {
		t.Fatal("no unused value reported")
	}
	if err := k.Validate(); err == nil || message(t, err) != "Invalid operator used in KeyConditionExpression: OR" {
		t.Fatalf("Validate: %v", err)
	}
}
