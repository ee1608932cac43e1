package ddbdiff

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A validationCase is one row of protocol/ddb's TestValidateMessages: an
// operation, a request body, the message Validate gives (or "" for a
// valid request), and the source its comment names for the wording.
type validationCase struct {
	op, body, want, source string
	line                   int
}

// validationCases reads protocol/ddb/validate_test.go's table, so that
// every request its tests validate in isolation is also sent to both
// servers. Rows whose strings are not literals, concatenations of literals
// or strings.Repeat of them are skipped (and counted).
func validationCases(t *testing.T) []validationCase {
	t.Helper()
	path := filepath.Join(moduleRoot(), "protocol", "ddb", "validate_test.go")
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == "TestValidateMessages" {
			fn = fd
		}
	}
	if fn == nil {
		t.Fatalf("%s: no TestValidateMessages", path)
	}
	// The source of a row is the nearest comment above it that starts
	// with a source tag (dl:, dlt:, rec, moto).
	type note struct {
		line int
		src  string
	}
	var notes []note
	for _, cg := range f.Comments {
		if cg.Pos() < fn.Pos() || cg.End() > fn.End() {
			continue
		}
		txt := strings.TrimSpace(cg.Text())
		for _, tag := range []string{"dlt:", "dl:", "rec", "moto"} {
			if strings.HasPrefix(txt, tag) {
				notes = append(notes, note{fset.Position(cg.Pos()).Line, strings.Fields(txt)[0]})
				break
			}
		}
	}
	var cases []validationCase
	skipped := 0
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok || cl.Type != nil || len(cl.Elts) != 3 {
			return true
		}
		var strs [3]string
		for i, e := range cl.Elts {
			s, ok := evalString(e)
			if !ok {
				skipped++
				return false
			}
			strs[i] = s
		}
		line := fset.Position(cl.Pos()).Line
		src := ""
		for _, nt := range notes {
			if nt.line < line {
				src = nt.src
			}
		}
		cases = append(cases, validationCase{op: strs[0], body: strs[1], want: strs[2], source: src, line: line})
		return false
	})
	if len(cases) < 50 {
		t.Fatalf("%s: only %d rows read from TestValidateMessages (%d skipped): has its table changed shape?", path, len(cases), skipped)
	}
	t.Logf("%d requests from %s (%d rows with computed strings skipped)", len(cases), path, skipped)
	return cases
}

// evalString evaluates a string literal, a + of them, or strings.Repeat
// of a literal and an integer literal.
func evalString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok1 := evalString(x.X)
		b, ok2 := evalString(x.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return evalString(x.X)
	case *ast.CallExpr:
		sel, ok := x.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Repeat" || len(x.Args) != 2 {
			return "", false
		}
		if pkg, ok := sel.X.(*ast.Ident); !ok || pkg.Name != "strings" {
			return "", false
		}
		s, ok := evalString(x.Args[0])
		lit, ok2 := x.Args[1].(*ast.BasicLit)
		if !ok || !ok2 || lit.Kind != token.INT {
			return "", false
		}
		n, err := strconv.Atoi(lit.Value)
		return strings.Repeat(s, n), err == nil
	}
	return "", false
}

// dynaliteBehind names the rows of protocol/ddb's table where dynalite
// 4.0.0 is known to answer otherwise than DynamoDB does today, with the
// source: for these Eddy is held to the table's wording, not to dynalite.
// A row matches when its operation is op and its body contains body.
var dynaliteBehind = []struct{ op, body, why string }{
	{"TransactWriteItems", "", "dynalite has no transactions (readme TODO)"},
	{"TransactGetItems", "", "dynalite has no transactions (readme TODO)"},
	{"UpdateTimeToLive", "", "dynalite has no UpdateTimeToLive (no actions/updateTimeToLive.js)"},
	// dynalite requires ProvisionedThroughput in a GSI's Create, as
	// before on-demand tables (2018); AWS's model does not
	// (aws-sdk-go-v2 service/dynamodb validators.go,
	// validateCreateGlobalSecondaryIndexAction checks IndexName,
	// KeySchema and Projection only).
	{"UpdateTable", `"GlobalSecondaryIndexUpdates":[{"Create"`, "a GSI's ProvisionedThroughput is optional since on-demand tables"},
}

func behind(c validationCase) bool {
	for _, b := range dynaliteBehind {
		if b.op == c.op && strings.Contains(c.body, b.body) {
			return true
		}
	}
	return false
}

// TestValidationMessages sends every request of protocol/ddb's validation
// table to both servers. Rows whose wording dynalite recorded (dl:, dlt:)
// are compared with dynalite; rows recorded from DynamoDB elsewhere (rec,
// moto) are compared with dynalite too, and where dynalite differs, Eddy
// is held to the recorded message instead.
func TestValidationMessages(t *testing.T) {
	p := newPair(t)
	for _, c := range validationCases(t) {
		what := fmt.Sprintf("validate_test.go:%d %s %s", c.line, c.op, clip([]byte(c.body)))
		e := p.eddy.raw(t, rawRequest{Op: c.op, Body: c.body})
		d := p.dyn.raw(t, rawRequest{Op: c.op, Body: c.body})
		if c.op == "CreateTable" {
			// The rows share the table name "abc": no row sees one an
			// earlier row created on one server only.
			p.dropTable("abc")
		}
		fromDynalite := strings.HasPrefix(c.source, "dl") && !behind(c)
		if fromDynalite || (c.want == "" && !behind(c)) || sameAnswer(e, d) {
			p.compare(what, e, d)
			continue
		}
		if c.want == "" {
			// Valid: whatever follows (here a missing table), it is not a
			// ValidationException.
			if e.errType() == "ValidationException" {
				t.Errorf("%s (where dynalite is behind DynamoDB): eddy %d %s, want it to pass validation", what, e.Status, e.Raw)
			}
			continue
		}
		// DynamoDB's recorded answer, where dynalite answers otherwise.
		if msg := message(e); e.errType() != "ValidationException" || msg != c.want {
			t.Errorf("%s (source %s, where dynalite differs): eddy %d %s, want ValidationException %q", what, c.source, e.Status, e.Raw, c.want)
		} else {
			t.Logf("%s: dynalite differs from DynamoDB's recorded answer (source %s): %s", what, c.source, d.Raw)
		}
	}
}

func message(r response) string {
	m, _ := r.Body.(map[string]any)
	for _, k := range []string{"message", "Message"} {
		if s, ok := m[k].(string); ok {
			return s
		}
	}
	return ""
}

func sameAnswer(e, d response) bool {
	var out []string
	diff("", normalize(e.Body), normalize(d.Body), &out)
	return e.Status == d.Status && len(out) == 0
}

// TestMalformedRequests: what the transport answers to requests no SDK
// sends: a missing or foreign X-Amz-Target, another method or content
// type, bodies that are not JSON or have members of the wrong type,
// missing or broken signatures.
func TestMalformedRequests(t *testing.T) {
	p := newPair(t)
	p.createTable(`{"TableName":"$P","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	cases := []struct {
		what string
		req  rawRequest
	}{
		{"no X-Amz-Target", rawRequest{Body: `{}`}},
		{"unknown operation", rawRequest{Op: "FlyToTheMoon", Body: `{}`}},
		{"lowercase target prefix", rawRequest{Target: "dynamodb_20120810.DescribeTable", Body: `{"TableName":"$P"}`}},
		{"JSON 1.1 content type", rawRequest{Op: "DescribeTable", Body: `{"TableName":"$P"}`, ContentType: "application/x-amz-json-1.1"}},
		{"application/json", rawRequest{Op: "DescribeTable", Body: `{"TableName":"$P"}`, ContentType: "application/json"}},
		{"text/plain", rawRequest{Op: "DescribeTable", Body: `{"TableName":"$P"}`, ContentType: "text/plain"}},
		{"empty body", rawRequest{Op: "DescribeTable", Body: ``}},
		{"not JSON", rawRequest{Op: "DescribeTable", Body: `{"TableName":`}},
		{"a JSON array", rawRequest{Op: "DescribeTable", Body: `[]`}},
		{"a JSON string", rawRequest{Op: "DescribeTable", Body: `"x"`}},
		{"TableName a number", rawRequest{Op: "DescribeTable", Body: `{"TableName":1}`}},
		{"Limit a string", rawRequest{Op: "Query", Body: `{"TableName":"$P","KeyConditionExpression":"id = :i","ExpressionAttributeValues":{":i":{"S":"x"}},"Limit":"1"}`}},
		{"Limit a float", rawRequest{Op: "Query", Body: `{"TableName":"$P","KeyConditionExpression":"id = :i","ExpressionAttributeValues":{":i":{"S":"x"}},"Limit":1.5}`}},
		{"Limit a huge number", rawRequest{Op: "Query", Body: `{"TableName":"$P","KeyConditionExpression":"id = :i","ExpressionAttributeValues":{":i":{"S":"x"}},"Limit":1e100}`}},
		{"ScanIndexForward a string", rawRequest{Op: "Query", Body: `{"TableName":"$P","KeyConditionExpression":"id = :i","ExpressionAttributeValues":{":i":{"S":"x"}},"ScanIndexForward":"false"}`}},
		{"Key a list", rawRequest{Op: "GetItem", Body: `{"TableName":"$P","Key":[]}`}},
		{"AttributeValue with two types", rawRequest{Op: "GetItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a","N":"1"}}}`}},
		{"AttributeValue with no type", rawRequest{Op: "GetItem", Body: `{"TableName":"$P","Key":{"id":{}}}`}},
		{"S a number", rawRequest{Op: "GetItem", Body: `{"TableName":"$P","Key":{"id":{"S":1}}}`}},
		{"N not a number", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"abc"}}}`}},
		{"B not base64", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"B":"!!"}}}`}},
		{"BOOL a string", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"BOOL":"true"}}}`}},
		{"NULL false", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"NULL":false}}}`}},
		{"empty SS", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"SS":[]}}}`}},
		{"duplicate SS", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"SS":["x","x"]}}}`}},
		{"duplicate NS by value", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"b":{"NS":["1","1.0"]}}}`}},
		{"empty key string", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":""}}}`}},
		{"key of the wrong type", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"N":"1"}}}`}},
		{"missing key", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"x":{"S":"a"}}}`}},
		{"extra key attribute in Key", rawRequest{Op: "GetItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"},"x":{"S":"b"}}}`}},
		{"number too big", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"1e126"}}}`}},
		{"number too small", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"1e-131"}}}`}},
		{"number too precise", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"n":{"N":"1.000000000000000000000000000000000000001"}}}`}},
		{"item over 400 KB", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"big":{"S":"` + strings.Repeat("x", 400*1024) + `"}}}`}},
		{"item of exactly 400 KB", rawRequest{Op: "PutItem", Body: `{"TableName":"$P","Item":{"id":{"S":"a"},"big":{"S":"` + strings.Repeat("x", 400*1024-len("id")-1-len("big")) + `"}}}`}},
		{"missing table", rawRequest{Op: "GetItem", Body: `{"TableName":"$P-nope","Key":{"id":{"S":"a"}}}`}},
		{"expression and legacy together", rawRequest{Op: "UpdateItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :a","AttributeUpdates":{},"ExpressionAttributeValues":{":a":{"S":"x"}}}`}},
		{"reserved word", rawRequest{Op: "UpdateItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET size = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}`}},
		{"unsigned", rawRequest{Op: "DescribeTable", Body: `{"TableName":"$P"}`, Unsigned: true}},
	}
	for _, c := range cases {
		p.raw(c.what, c.req)
	}
	// An expression's syntax error: dynalite words it as its PEG parser
	// does ("Syntax error; Expected ... but end of input found."); DynamoDB
	// names the token and what is near it, as getmoto/moto's
	// tests/test_dynamodb record: 'Invalid UpdateExpression: Syntax error;
	// token: "<EOF>", near: ","'.
	e := p.eddy.raw(t, rawRequest{Op: "UpdateItem", Body: p.sub(`{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :v,","ExpressionAttributeValues":{":v":{"S":"x"}}}`)})
	if want := `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","`; !selftest() && (e.errType() != "ValidationException" || message(e) != want) {
		t.Errorf("a syntax error: eddy %d %s, want ValidationException %q", e.Status, e.Raw, want)
	}
	// A broken Authorization header.
	for _, auth := range []string{"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e", "Basic abc"} {
		e, d := p.eddy.rawWithAuth(t, auth), p.dyn.rawWithAuth(t, auth)
		p.compare("Authorization: "+auth, e, d)
	}
}
