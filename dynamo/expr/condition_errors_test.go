package expr

import (
	"strings"
	"testing"
)

// errCase is an expression DynamoDB refuses, with the message it refuses it
// with. prefix marks cases whose source records only the start of the
// message (dynalite's tests match syntax errors with /^...Syntax error; /).
type errCase struct {
	expr   string
	names  map[string]string
	values string
	want   string
	prefix bool
}

func checkErrCases(t *testing.T, parse func(string, *Params) error, cases []errCase) {
	t.Helper()
	for _, c := range cases {
		p, err := NewParams(c.names, vals(t, c.values))
		if err != nil {
			t.Fatalf("%q: params: %v", c.expr, err)
		}
		err = parse(c.expr, p)
		if err == nil {
			t.Errorf("%q parsed", c.expr)
			continue
		}
		got := message(t, err)
		if c.prefix && !strings.HasPrefix(got, c.want) || !c.prefix && got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.expr, got, c.want)
		}
	}
}

func parseFilterErr(s string, p *Params) error {
	_, err := ParseFilter(s, p)
	return err
}

func parseConditionErr(s string, p *Params) error {
	_, err := ParseCondition(s, p)
	return err
}

const (
	filterErr = "Invalid FilterExpression: "
	syntaxErr = filterErr + "Syntax error; "
)

// TestFilterErrors: FilterExpressions DynamoDB refuses, from dynalite's
// test/scan.js ("should return ValidationException for ...": syntax errors,
// redundant parentheses, invalid function names, functions used
// incorrectly, reserved keywords, missing attribute names and values,
// functions with incorrect operands and operand types, non-distinct
// expressions), whose expectations are DynamoDB's answers.
func TestFilterErrors(t *testing.T) {
	var cases []errCase
	for _, s := range []string{
		"things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
		`attribute_exists("Pictures.RearView")`, "attribute_exists(Pictures..RearView)",
		"attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c",
		"a > between", "a in b", "a in (b,c,)", "(a)between(b.(c.d))and(c)",
		"(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff", "b[:a] > a", "b[#_] > a",
		"ü > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a",
		"size(a)[0] > a", "(size(a))[0] > a",
	} {
		cases = append(cases, errCase{expr: s, want: syntaxErr, prefix: true})
	}
	for _, s := range []string{
		"a=a and a > ((views))", "(a)between(((b.c)).d)and(c)", "a > whatever((:things), ((a)))",
		"a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a",
		"a=a AND ((a=a AND (a=a AND a=a)))", "a=a OR ((a=a OR (a=a OR a=a)))",
	} {
		cases = append(cases, errCase{expr: s, want: filterErr + "The expression has redundant parentheses;"})
	}
	for s, fn := range map[string]string{
		"a=a and whatever((:things)) > a": "whatever",
		"attRIbute_exIsts((views), #a)":   "attRIbute_exIsts",
	} {
		cases = append(cases, errCase{expr: s, want: filterErr + "Invalid function name; function: " + fn})
	}
	for s, fn := range map[string]string{
		"a=a and attribute_exists((views), (#a)) > b": "attribute_exists",
		"attribute_not_exists(things) > b":            "attribute_not_exists",
		"attribute_type(things, :a) > b":              "attribute_type",
		"begins_with(things, a) > b":                  "begins_with",
		"contains(:things, c) > b":                    "contains",
		"size(contains(a, b)) > a":                    "contains",
		"size(things)":                                "size",
		"a between b and attribute_exists(things)":    "attribute_exists",
		"a in (b, attribute_exists(things))":          "attribute_exists",
	} {
		cases = append(cases, errCase{expr: s, want: filterErr + "The function is not allowed to be used this way in an expression; function: " + fn})
	}
	for s, word := range map[string]string{"attribute_exists(views, #a)": "views", ":a < abOrT": "abOrT"} {
		cases = append(cases, errCase{expr: s, want: filterErr + "Attribute name is a reserved keyword; reserved keyword: " + word})
	}
	for s, name := range map[string]string{
		"attribute_exists(#Pictures.RearView, :a) and a=a":     "#Pictures",
		"begins_with(Pictures.#RearView)":                      "#RearView",
		"(#P between :lo and :hi) and (#PC in (:cat1, :cat2))": "#P",
		"#4g > a":                       "#4g",
		"#_ > a":                        "#_",
		"(a)between(b.c[45].#d)and(:a)": "#d",
	} {
		cases = append(cases, errCase{expr: s, want: filterErr + "An expression attribute name used in the document path is not defined; attribute name: " + name})
	}
	for s, name := range map[string]string{"begins_with(:hello, #a, #b)": ":hello", ":a < :b": ":a", ":_ > a": ":_"} {
		cases = append(cases, errCase{expr: s, want: filterErr + "An expression attribute value used in expression is not defined; attribute value: " + name})
	}
	for _, c := range []struct{ expr, fn, n string }{
		{"attribute_exists(things, a) and a=a", "attribute_exists", "2"},
		{"attribute_not_exists(things, b)", "attribute_not_exists", "2"},
		{"attribute_type(things)", "attribute_type", "1"},
		{"begins_with(things)", "begins_with", "1"},
		{"begins_with(things, size(a), b)", "begins_with", "3"},
		{"contains(things)", "contains", "1"},
		{"size(things, a) > b", "size", "2"},
	} {
		cases = append(cases, errCase{expr: c.expr, want: filterErr + "Incorrect number of operands for operator or function; operator or function: " + c.fn + ", number of operands: " + c.n})
	}
	typeCase := func(expr, fn, value, typ string) errCase {
		return errCase{expr: expr, values: `{":a":` + value + `}`, want: filterErr + "Incorrect operand type for operator or function; operator or function: " + fn + ", operand type: " + typ}
	}
	cases = append(cases,
		typeCase("attribute_type(a, size(a)) and a=a and a=:a", "attribute_type", `{"N":"1"}`, "N"),
		typeCase("begins_with(a, size(a)) and a=:a", "begins_with", `{"N":"1"}`, "N"),
		typeCase("size(size(a)) > :a", "size", `{"N":"1"}`, "N"),
		typeCase("attribute_not_exists(size(:a))", "size", `{"N":"1"}`, "N"),
		typeCase("size(:a) > a", "size", `{"BOOL":true}`, "BOOL"),
		typeCase("size(:a) > a", "size", `{"NULL":true}`, "NULL"),
	)
	for typ, value := range map[string]string{
		"N": `{"N":"1"}`, "B": `{"B":"YQ=="}`, "BOOL": `{"BOOL":true}`, "NULL": `{"NULL":true}`, "L": `{"L":[]}`,
		"M": `{"M":{}}`, "SS": `{"SS":["1"]}`, "NS": `{"NS":["1"]}`, "BS": `{"BS":["YQ=="]}`,
	} {
		cases = append(cases, typeCase("attribute_type(a, :a)", "attribute_type", value, typ))
		if typ != "B" {
			cases = append(cases,
				typeCase("begins_with(a, :a)", "begins_with", value, typ),
				typeCase("begins_with(:a, a)", "begins_with", value, typ))
		}
	}
	cases = append(cases,
		errCase{expr: "attribute_type(a, :a)", values: `{":a":{"S":"1"}}`,
			want: filterErr + "Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		errCase{expr: "attribute_exists(:a) and a=a", values: `{":a":{"S":"1"}}`,
			want: filterErr + "Operator or function requires a document path; operator or function: attribute_exists"},
		errCase{expr: "attribute_not_exists(size(:a))", values: `{":a":{"S":"1"}}`,
			want: filterErr + "Operator or function requires a document path; operator or function: attribute_not_exists"},
	)
	distinct := func(expr, op, path string) errCase {
		return errCase{expr: expr, names: map[string]string{"#a": "a"},
			want: filterErr + "The first operand must be distinct from the remaining operands for this operator or function; operator: " + op + ", first operand: " + path}
	}
	cases = append(cases,
		distinct("a = a AND #a = b AND :views > a", "=", "[a]"),
		distinct("#a <> a", "<>", "[a]"),
		distinct("a > #a", ">", "[a]"),
		distinct("((a=a) OR (a=a))", "=", "[a]"),
		distinct("((a=a) AND (a=a))", "=", "[a]"),
		distinct("contains(ab.bc[1].a, ab.bc[1].#a)", "contains", "[ab, bc, [1], a]"),
		distinct("attribute_type(ab.bc[1].#a, ab.bc[1].a)", "attribute_type", "[ab, bc, [1], a]"),
		distinct("begins_with(ab.bc[1].a, ab.bc[1].#a)", "begins_with", "[ab, bc, [1], a]"),
	)
	checkErrCases(t, parseFilterErr, cases)
}

// TestConditionErrors: ConditionExpression refusals with exact messages
// from other captures of DynamoDB.
func TestConditionErrors(t *testing.T) {
	const condErr = "Invalid ConditionExpression: "
	var cases []errCase
	// Ordering comparisons and BETWEEN refuse a :value of a type without an
	// order, whatever the rest of the expression (ExtendDB
	// tests/test_expr_operand_type_and_size.py).
	for _, op := range []string{"<", "<=", ">", ">="} {
		for typ, value := range map[string]string{
			"BOOL": `{"BOOL":true}`, "NULL": `{"NULL":true}`, "SS": `{"SS":["a","b"]}`,
			"NS": `{"NS":["1","2"]}`, "L": `{"L":[{"S":"a"}]}`, "M": `{"M":{"k":{"S":"a"}}}`,
		} {
			cases = append(cases, errCase{expr: "n " + op + " :v", values: `{":v":` + value + `}`,
				want: condErr + "Incorrect operand type for operator or function; operator or function: " + op + ", operand type: " + typ})
		}
	}
	boolType := condErr + "Incorrect operand type for operator or function; operator or function: >, operand type: BOOL"
	cases = append(cases,
		errCase{expr: "n BETWEEN :a AND :b", values: `{":a":{"BOOL":true},":b":{"BOOL":false}}`,
			want: condErr + "Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: BOOL"},
		errCase{expr: ":x > :v", values: `{":x":{"N":"1"},":v":{"BOOL":true}}`, want: boolType},
		errCase{expr: ":v > :x", values: `{":x":{"N":"1"},":v":{"BOOL":true}}`, want: boolType},
		errCase{expr: "attribute_not_exists(zzz) OR n > :v", values: `{":v":{"BOOL":true}}`, want: boolType},
		errCase{expr: "attribute_exists(zzz) AND n > :v", values: `{":v":{"BOOL":true}}`, want: boolType},
		errCase{expr: "NOT (n > :v)", values: `{":v":{"BOOL":true}}`, want: boolType},
		errCase{expr: "size(s) > :v", values: `{":v":{"BOOL":true}}`, want: boolType},
		// Redundant parentheses (nubo-db/dynamodb-conformance
		// tests/tier3/error-messages/putItem: "((attribute_not_exists(pk)))").
		errCase{expr: "((attribute_not_exists(pk)))", want: condErr + "The expression has redundant parentheses;"},
		// contains with the same path twice (same file).
		errCase{expr: "contains(#a, #a)", names: map[string]string{"#a": "data"},
			want: condErr + "The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [data]"},
		// A reserved word (nubo-db/dynamodb-conformance reservedWords).
		errCase{expr: "status = :val", values: `{":val":{"S":"active"}}`, want: condErr + "Attribute name is a reserved keyword; reserved keyword: status"},
		// Syntax errors: "foo" as a ConditionExpression (LowVoltage's tests,
		// "Real DynamoDB"); "__typename" (a project's notes of DynamoDB's
		// answer); a literal number.
		errCase{expr: "foo", want: condErr + `Syntax error; token: "<EOF>", near: "foo"`},
		errCase{expr: "attribute_exists(a) AND __typename = :a", values: `{":a":{"S":"x"}}`, want: condErr + `Syntax error; token: "_", near: "AND __"`},
		errCase{expr: "a > 4", want: condErr + `Syntax error; token: "4", near: "> 4"`},
		// Update functions in a condition: "The function is not allowed in a
		// condition expression" (DbValidationError.INVALID_CONDITION_FUNCTION,
		// and an application's note of DynamoDB's answer).
		errCase{expr: "a < if_not_exists(c, :v)", values: `{":v":{"N":"1"}}`, want: condErr + "The function is not allowed in a condition expression; function: if_not_exists"},
		// IN takes at most 100 operands (DbConfig.MAX_NUM_OPERANDS_FOR_IN).
		errCase{expr: "a IN (" + strings.Repeat(":v, ", 100) + ":v)", values: `{":v":{"N":"1"}}`,
			want: condErr + "The IN operator is provided with too many operands; number of operands: 101"},
		// 4 KB is the most an expression may be (ExtendDB
		// tests/test_expression_size_limit.py): conditions give the size.
		errCase{expr: "attribute_not_exists(a" + strings.Repeat("z", 4096) + ")",
			want: condErr + "Expression size has exceeded the maximum allowed size; expression size: 4119"},
		errCase{expr: "", want: condErr + "The expression can not be empty;"},
	)
	checkErrCases(t, parseConditionErr, cases)
	for _, ok := range []errCase{
		{expr: "n = :v", values: `{":v":{"BOOL":true}}`},
		{expr: "n <> :v", values: `{":v":{"BOOL":true}}`},
		{expr: "flag > n"},
		{expr: "a IN (" + strings.Repeat(":v, ", 99) + ":v)", values: `{":v":{"N":"1"}}`},
		{expr: "attribute_not_exists(a" + strings.Repeat("z", 4096-len("attribute_not_exists(a)")) + ")"},
	} {
		if _, err := ParseCondition(ok.expr, params(t, ok.names, ok.values)); err != nil {
			t.Errorf("%.60q: %v", ok.expr, err)
		}
	}
	if _, err := ParseFilter("a"+strings.Repeat("z", 4096)+" = :v", params(t, nil, `{":v":{"S":"x"}}`)); err == nil ||
		message(t, err) != filterErr+"Expression size has exceeded the maximum allowed size; expression size: 4102" {
		t.Fatalf("filter size: %v", err)
	}
}
