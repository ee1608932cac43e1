package expr

import (
	"strings"
	"testing"
)

func parseUpdateErr(s string, p *Params) error {
	_, err := ParseUpdate(s, p)
	return err
}

func parseProjectionErr(s string, p *Params) error {
	_, err := ParseProjection(s, p)
	return err
}

const updErr = "Invalid UpdateExpression: "

// TestUpdateErrors: UpdateExpressions DynamoDB refuses, from dynalite's
// test/updateItem.js ("should return ValidationException for syntax errors
// in UpdateExpression", "... reserved keywords", "... invalid functions",
// "... multiple sections", "... undefined attribute names/values", "...
// overlapping paths", "... conflicting paths", "... incorrect types", "...
// incorrect number of operands", "... incorrect operand path type", "...
// incorrect types to functions"), and from the other captures cited.
func TestUpdateErrors(t *testing.T) {
	var cases []errCase
	for _, s := range []string{
		"whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b",
		"delete a = b", "delete a b", "delete a if_not_exist(b)", "add abort b", "add a if_not_exist(b)",
		"remove a b", "set a b", "set :a = b", "add :a b", "delete :a b", "remove :a", "set a = b / c",
		"set a = b * c", `set a[1] = "eight"`, "set a[1] = 1", "SET a = if_not_exist(a, 100)",
		"SET if_not_exist(a, b) = a", "set (a = (b + c))", "set a = (b.c).d + e", "set a = (b.c)[0] + e",
		"set a = b + c + d",
	} {
		cases = append(cases, errCase{expr: s, want: updErr + "Syntax error; ", prefix: true})
	}
	names := map[string]string{"#a": "a", "#b": "b"}
	values := `{":a":{"S":"a"},":b":{"S":"a"}}`
	cases = append(cases,
		errCase{expr: " set #c = :c set abOrt = true ", names: names, values: values, want: updErr + "Attribute name is a reserved keyword; reserved keyword: abOrt"},
		errCase{expr: " remove Absolute ", names: names, values: values, want: updErr + "Attribute name is a reserved keyword; reserved keyword: Absolute"},
		errCase{expr: "set #c = if_not_exist(:c) set c = d", names: names, values: values, want: updErr + "Invalid function name; function: if_not_exist"},
		errCase{expr: "SET #c = if_not_exists(:c)", names: names, values: values, want: updErr + "An expression attribute name used in the document path is not defined; attribute name: #c"},
		errCase{expr: "SET #a = if_not_exists(:c)", names: names, values: values, want: updErr + "An expression attribute value used in expression is not defined; attribute value: :c"},
		errCase{expr: "set a = if_not_exists(c)", names: names, values: values, want: updErr + "Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
		errCase{expr: "set a = list_append(c)", names: names, values: values, want: updErr + "Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		errCase{expr: "set a = if_not_exists(:a, c)", names: names, values: values, want: updErr + "Operator or function requires a document path; operator or function: if_not_exists"},
		errCase{expr: "set a = if_not_exists(if_not_exists(a, b), c)", names: names, values: values, want: updErr + "Operator or function requires a document path; operator or function: if_not_exists"},
	)
	for kw, expr := range map[string]string{
		"SET": "set a = #c set c = :d", "REMOVE": "remove #d set a = b remove e",
		"ADD": "add #d :e set a = b add e :f", "DELETE": "delete #d :e set a = b delete #e :f",
	} {
		cases = append(cases, errCase{expr: expr, names: names, values: values, want: updErr + `The "` + kw + `" section can only be used once in an update expression;`})
	}
	pathNames := map[string]string{"#b": "b", "#c": "c", "#d": "[3]"}
	const overlap = updErr + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
	const conflict = updErr + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: "
	cases = append(cases,
		errCase{expr: "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", names: pathNames, want: overlap + "[c, [1], a], path two: [c]"},
		errCase{expr: "set #c[3].#d = a, #c[3] = a", names: pathNames, want: overlap + "[c, [3], [3]], path two: [c, [3]]"},
		errCase{expr: "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", names: pathNames, want: conflict + "[c, [3], [3]], path two: [c, [3], [3]]"},
		errCase{expr: "remove a.#c set a[1] = #d", names: pathNames, want: conflict + "[a, c], path two: [a, [1]]"},
		errCase{expr: "SET #v = :a, #v = :b", names: map[string]string{"#v": "val"}, values: values, want: overlap + "[val], path two: [val]"},
	)
	for _, c := range []struct{ expr, value, op, typ string }{
		{"set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", `{"S":"a"}`, "ADD", "STRING"},
		{"delete a.b :a", `{"S":"a"}`, "DELETE", "STRING"},
		{"add a.b :a", `{"NULL":true}`, "ADD", "NULL"},
		{"delete a.b :a", `{"NULL":true}`, "DELETE", "NULL"},
		{"add a.b :a", `{"BOOL":false}`, "ADD", "BOOLEAN"},
		{"delete a.b :a", `{"BOOL":false}`, "DELETE", "BOOLEAN"},
		{"add a.b :a", `{"B":"YQ=="}`, "ADD", "BINARY"},
		{"delete a.b :a", `{"B":"YQ=="}`, "DELETE", "BINARY"},
		{"add a.b :a", `{"M":{"a":{"L":[{"N":"1"}]}}}`, "ADD", "MAP"},
		{"delete a.b :a", `{"M":{"a":{"L":[{"N":"1"}]}}}`, "DELETE", "MAP"},
		{"add a.b :a", `{"L":[{"N":"1"}]}`, "ADD", "LIST"},
		{"delete a.b :a", `{"L":[{"N":"1"}]}`, "DELETE", "LIST"},
		{"delete a.b :a", `{"N":"1"}`, "DELETE", "NUMBER"},
	} {
		cases = append(cases, errCase{expr: c.expr, values: `{":a":` + c.value + `,":b":{"S":"a"}}`,
			want: updErr + "Incorrect operand type for operator or function; operator: " + c.op + ", operand type: " + c.typ})
	}
	fnValues := `{":a":{"S":"a"},":b":{"N":"1"},":c":{"B":"YQ=="},":d":{"BOOL":false},":e":{"NULL":true},` +
		`":f":{"SS":["a"]},":g":{"NS":["1"]},":h":{"BS":["YQ=="]},":i":{"M":{}},":j":{"L":[]}}`
	for _, c := range []struct{ expr, fn, typ string }{
		{"set a = list_append(:a, a)", "list_append", "S"}, {"set a = list_append(a, :b)", "list_append", "N"},
		{"set a = list_append(:c, a)", "list_append", "B"}, {"set a = list_append(:d, a)", "list_append", "BOOL"},
		{"set a = list_append(:e, a)", "list_append", "NULL"}, {"set a = list_append(:f, a)", "list_append", "SS"},
		{"set a = list_append(:g, a)", "list_append", "NS"}, {"set a = list_append(:h, a)", "list_append", "BS"},
		{"set a = list_append(:i, a)", "list_append", "M"},
		{"set a = a + :a", "+", "S"}, {"set a = :a + :c", "+", "S"}, {"set a = :c + a", "+", "B"},
		{"set a = a + :d", "+", "BOOL"}, {"set a = a + :e", "+", "NULL"}, {"set a = a + :f", "+", "SS"},
		{"set a = a + :g", "+", "NS"}, {"set a = a + :h", "+", "BS"}, {"set a = a + :i", "+", "M"},
		{"set a = a + :j", "+", "L"},
		{"set a = a - :a", "-", "S"}, {"set a = :a - :c", "-", "S"}, {"set a = :c - a", "-", "B"},
		{"set a = a - :d", "-", "BOOL"}, {"set a = a - :e", "-", "NULL"}, {"set a = a - :f", "-", "SS"},
		{"set a = a - :g", "-", "NS"}, {"set a = a - :h", "-", "BS"}, {"set a = a - :i", "-", "M"},
		{"set a = a - :j", "-", "L"},
	} {
		cases = append(cases, errCase{expr: c.expr, values: fnValues,
			want: updErr + "Incorrect operand type for operator or function; operator or function: " + c.fn + ", operand type: " + c.typ})
	}
	// Exact syntax errors captured from DynamoDB: nubo-db/dynamodb-conformance
	// tests/tier3/error-messages/updateItem ("INVALID SYNTAX HERE"); moto's
	// ReservedKeywords note ("SET path = VALUE 1"); an application's mapping
	// of DynamoDB's answer for a literal number in if_not_exists.
	cases = append(cases,
		errCase{expr: "INVALID SYNTAX HERE", want: updErr + `Syntax error; token: "INVALID", near: "INVALID SYNTAX"`},
		errCase{expr: "SET path = VALUE 1", want: updErr + `Syntax error; token: "1", near: "VALUE 1"`},
		errCase{expr: "SET otp = if_not_exists(otp, 0)", want: updErr + `Syntax error; token: "0", near: ", 0)"`},
		errCase{expr: "SET", want: updErr + `Syntax error; token: "<EOF>", near: "SET"`},
		errCase{expr: "", want: updErr + "The expression can not be empty;"},
		errCase{expr: "SET a" + strings.Repeat("z", 4096) + " = :v", values: `{":v":{"S":"x"}}`,
			want: updErr + "Expression size has exceeded the maximum allowed size;"},
		errCase{expr: "SET a = size(b)", want: updErr + "The function is not allowed in an update expression; function: size"},
		errCase{expr: "SET status = :val", values: `{":val":{"S":"new"}}`, want: updErr + "Attribute name is a reserved keyword; reserved keyword: status"},
		errCase{expr: "SET a = :v", want: updErr + "An expression attribute value used in expression is not defined; attribute value: :v"},
	)
	checkErrCases(t, parseUpdateErr, cases)
}

// TestProjectionErrors: ProjectionExpressions DynamoDB refuses (ExtendDB
// tests/test_projection_overlapping_paths.py and
// tests/test_expression_size_limit.py, nubo-db/dynamodb-conformance
// reservedWords, dynalite test/query.js).
func TestProjectionErrors(t *testing.T) {
	const projErr = "Invalid ProjectionExpression: "
	const overlap = projErr + "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: "
	checkErrCases(t, parseProjectionErr, []errCase{
		{expr: "a, a.b", want: overlap + "[a], path two: [a, b]"},
		{expr: "a.b, a", want: overlap + "[a, b], path two: [a]"},
		{expr: "a, a", want: overlap + "[a], path two: [a]"},
		{expr: "alist[0], alist", want: overlap + "[alist, [0]], path two: [alist]"},
		{expr: "#p, #p.#q", names: map[string]string{"#p": "a", "#q": "b"}, want: overlap + "[a], path two: [a, b]"},
		{expr: "x, a.b, a", want: overlap + "[a, b], path two: [a]"},
		{expr: "a.b, a[0]", want: projErr + "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"},
		{expr: "a.#u", want: projErr + "An expression attribute name used in the document path is not defined; attribute name: #u"},
		{expr: "pk, status", want: projErr + "Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "status, #u", want: projErr + "Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "", want: projErr + "The expression can not be empty;"},
		{expr: "a" + strings.Repeat("z", 4096), want: projErr + "Expression size has exceeded the maximum allowed size;"},
		{expr: "a b", want: projErr + `Syntax error; token: "b", near: "a b"`},
		{expr: "a,", want: projErr + `Syntax error; token: "<EOF>", near: ","`},
		{expr: "(a)", want: projErr + `Syntax error; token: "(", near: "(a"`},
		{expr: strings.Repeat("a.", 32) + "a", want: projErr + "The document path has too many nesting levels; nesting levels: 33"},
	})
	for _, ok := range []string{"a.b, a.c", "a" + strings.Repeat("z", 4095), strings.Repeat("a.", 31) + "a", "l[0], l[2], m.x[1].y"} {
		if _, err := ParseProjection(ok, nil); err != nil {
			t.Errorf("%.40q: %v", ok, err)
		}
	}
}

// TestParams: the checks of ExpressionAttributeNames and
// ExpressionAttributeValues (dynalite test/updateItem.js; ExtendDB
// tests/test_expression_attribute_map_validation.py, captured from
// DynamoDB).
func TestParams(t *testing.T) {
	for _, c := range []struct {
		names  map[string]string
		values string
		want   string
	}{
		{names: map[string]string{}, want: "ExpressionAttributeNames must not be empty"},
		{names: map[string]string{"a": "a"}, want: `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{names: map[string]string{"#": "foo"}, want: `ExpressionAttributeNames contains invalid key: Syntax error; key: "#"`},
		{names: map[string]string{"#a-b": "foo"}, want: `ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"`},
		{names: map[string]string{"#" + strings.Repeat("a", 255): "foo"}, want: "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"},
		{names: map[string]string{"#" + strings.Repeat("a", 255) + "-x": "foo"}, want: "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 258"},
		{names: map[string]string{"#a": ""}, want: "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"},
		{values: `{}`, want: "ExpressionAttributeValues must not be empty"},
		{values: `{":b":{"S":"a"},"b":{"S":"a"}}`, want: `ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
		{values: `{":":{"S":"x"}}`, want: `ExpressionAttributeValues contains invalid key: Syntax error; key: ":"`},
		{values: `{":` + strings.Repeat("a", 255) + `":{"S":"x"}}`, want: "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;"},
		{values: `{":b":{}}`, want: "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :b"},
		{values: `{":b":{"L":[{}]}}`, want: "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :b"},
		{values: `{":b":{"SS":["a","a"]}}`, want: "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: Input collection [a, a] contains duplicates. for key :b"},
		{values: `{":b":{"S":"a","N":"b"}}`, want: "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: b for key :b"},
		{values: `{":b":{"NS":["1","1"]}}`, want: "ExpressionAttributeValues contains invalid value: Input collection contains duplicates for key :b"},
		{values: `{":b":{"S":"a","N":"1"}}`, want: "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes for key :b"},
		{values: `{":v":{"N":"12e"}}`, want: "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: 12e for key :v"},
	} {
		_, err := NewParams(c.names, vals(t, c.values))
		if err == nil {
			t.Errorf("%v %s accepted", c.names, c.values)
			continue
		}
		if got := message(t, err); got != c.want {
			t.Errorf("%v %s:\n got %q\nwant %q", c.names, c.values, got, c.want)
		}
	}
	p := params(t, map[string]string{"#a_1": "foo", "#0": "x"}, `{":_": {"S":""}, ":v2": {"N":"01.50"}}`)
	if *p.values[":v2"].N != "1.5" {
		t.Fatalf("values are not canonical: %v", *p.values[":v2"].N)
	}
}

// TestUnused: DynamoDB checks that every name and value is used by one of
// the request's expressions, over all of them (dynalite test/updateItem.js
// "should return ValidationException for extra ExpressionAttributeNames";
// nubo-db/dynamodb-conformance error-messages/updateItem).
func TestUnused(t *testing.T) {
	p := params(t, map[string]string{"#a": "a", "#b": "b"}, `{":a":{"S":"a"},":b":{"S":"a"}}`)
	if _, err := ParseUpdate("remove a set b = list_append(b, if_not_exists(a, :a))", p); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCondition("a = :b", p); err != nil {
		t.Fatal(err)
	}
	if got := message(t, p.Unused()); got != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}" {
		t.Fatalf("got %q", got)
	}
	p = params(t, nil, `{":a":{"S":"a"},":b":{"S":"a"},":c":{"S":"a"}}`)
	if _, err := ParseUpdate("remove a", p); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCondition("a = :b", p); err != nil {
		t.Fatal(err)
	}
	if got := message(t, p.Unused()); got != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}" {
		t.Fatalf("got %q", got)
	}
	// Used across expressions: the name in the update, the value in the
	// condition.
	p = params(t, map[string]string{"#s": "status"}, `{":v":{"S":"x"}}`)
	if _, err := ParseUpdate("REMOVE #s", p); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCondition("attribute_exists(pk) AND x = :v", p); err != nil {
		t.Fatal(err)
	}
	if err := p.Unused(); err != nil {
		t.Fatal(err)
	}
	var nilParams *Params
	if nilParams.Unused() != nil {
		t.Fatal("nil Params has unused entries")
	}
}
