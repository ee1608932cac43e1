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

// knownDynaliteWording lists the rows of protocol/ddb's table whose
// wording comes from DynamoDB itself (rec, moto) and which dynalite 4.0.0
// words differently or does not check: for these Eddy is held to the
// recorded DynamoDB answer, not to dynalite. Filled from what the suite
// found; each entry names the operation and the start of the body.
var knownDynaliteWording = map[string]string{}

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
		fromDynalite := strings.HasPrefix(c.source, "dl")
		if fromDynalite || c.want == "" || sameAnswer(e, d) {
			p.compare(what, e, d)
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
		{"Kinesis's target prefix", rawRequest{Target: "Kinesis_20131202.ListStreams", Body: `{}`}},
		{"lowercase target prefix", rawRequest{Target: "dynamodb_20120810.ListTables", Body: `{}`}},
		{"another API version", rawRequest{Target: "DynamoDB_20111205.ListTables", Body: `{}`}},
		{"JSON 1.1 content type", rawRequest{Op: "ListTables", Body: `{}`, ContentType: "application/x-amz-json-1.1"}},
		{"application/json", rawRequest{Op: "ListTables", Body: `{}`, ContentType: "application/json"}},
		{"text/plain", rawRequest{Op: "ListTables", Body: `{}`, ContentType: "text/plain"}},
		{"empty body", rawRequest{Op: "ListTables", Body: ``}},
		{"not JSON", rawRequest{Op: "ListTables", Body: `{"Limit":`}},
		{"a JSON array", rawRequest{Op: "ListTables", Body: `[]`}},
		{"a JSON string", rawRequest{Op: "ListTables", Body: `"x"`}},
		{"TableName a number", rawRequest{Op: "DescribeTable", Body: `{"TableName":1}`}},
		{"Limit a string", rawRequest{Op: "ListTables", Body: `{"Limit":"1"}`}},
		{"Limit a float", rawRequest{Op: "ListTables", Body: `{"Limit":1.5}`}},
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
		{"expression syntax error", rawRequest{Op: "UpdateItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = "}`}},
		{"expression and legacy together", rawRequest{Op: "UpdateItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET a = :a","AttributeUpdates":{},"ExpressionAttributeValues":{":a":{"S":"x"}}}`}},
		{"reserved word", rawRequest{Op: "UpdateItem", Body: `{"TableName":"$P","Key":{"id":{"S":"a"}},"UpdateExpression":"SET size = :a","ExpressionAttributeValues":{":a":{"S":"x"}}}`}},
		{"unsigned", rawRequest{Op: "ListTables", Body: `{}`, Unsigned: true}},
	}
	for _, c := range cases {
		p.raw(c.what, c.req)
	}
	// A broken Authorization header.
	for _, auth := range []string{"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e", "Basic abc"} {
		e := p.eddy.rawWithAuth(t, auth)
		d := p.dyn.rawWithAuth(t, auth)
		p.compare("Authorization: "+auth, e, d)
	}
}
