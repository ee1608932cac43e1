package eddy_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

// TestCatalogCoversEveryCode parses errors.go and requires a catalog entry
// for every Code* constant it declares, so a new code cannot be added
// without deciding its status.
func TestCatalogCoversEveryCode(t *testing.T) {
	codes := declaredCodes(t)
	if len(codes) < 35 {
		t.Fatalf("found only %d codes in errors.go: %v", len(codes), codes)
	}
	for name, code := range codes {
		info, ok := eddy.Lookup(code)
		if !ok {
			t.Errorf("%s (%q) has no catalog entry", name, code)
			continue
		}
		if info.Code != code {
			t.Errorf("Lookup(%q).Code = %q", code, info.Code)
		}
	}
}

func declaredCodes(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, decl := range f.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, spec := range gd.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Fatalf("%s is not a string literal", name.Name)
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes[name.Name] = s
			}
		}
	}
	return codes
}

func TestCatalogStatusAndRetryable(t *testing.T) {
	tests := []struct {
		code      string
		status    int
		retryable bool
	}{
		{eddy.CodeInternalFailure, 500, true},
		{eddy.CodeProvisionedThroughput, 400, true},
		{eddy.CodeLimitExceeded, 400, true},
		{eddy.CodeResourceNotFound, 400, false},
		{eddy.CodeResourceInUse, 400, false},
		{eddy.CodeInvalidArgument, 400, false},
		{eddy.CodeExpiredIterator, 400, false},
		{eddy.CodeExpiredNextToken, 400, false},
		{eddy.CodeAccessDenied, 400, false},
		{eddy.CodeValidation, 400, false},
		{eddy.CodeSerialization, 400, false},
		{eddy.CodeUnknownOperation, 400, false},
		{eddy.CodeMissingAuthenticationTok, 400, false},
		{eddy.CodeIncompleteSignature, 400, false},
		{eddy.CodeInvalidSignature, 400, false},
		{eddy.CodeUnrecognizedClient, 400, false},
		{eddy.CodeInternalServerError, 500, true},
		{eddy.CodeConditionalCheckFailed, 400, false},
		{eddy.CodeTransactionCanceled, 400, false},
		{eddy.CodeTransactionConflict, 400, true},
		{eddy.CodeTransactionInProgress, 400, true},
		{eddy.CodeRequestLimitExceeded, 400, true},
		{eddy.CodeThrottling, 400, true},
		{eddy.CodeItemCollectionSizeLimitExceeded, 400, true},
		{eddy.CodeIdempotentParameterMismatch, 400, false},
		{eddy.CodeServiceUnavailable, 503, true},
		{eddy.CodeConcurrentModification, 400, false},
		{eddy.CodeInvalidKMSResource, 400, false},
		{eddy.CodeInvalidSource, 400, false},
		{"SomeFutureException", 400, false}, // unknown: an ordinary client error
		{"", 400, false},
	}
	for _, tt := range tests {
		if got := eddy.Status(tt.code); got != tt.status {
			t.Errorf("Status(%q) = %d, want %d", tt.code, got, tt.status)
		}
		if got := eddy.Retryable(tt.code); got != tt.retryable {
			t.Errorf("Retryable(%q) = %v, want %v", tt.code, got, tt.retryable)
		}
	}
	if _, ok := eddy.Lookup("SomeFutureException"); ok {
		t.Error("Lookup of an unknown code reported ok")
	}
}

// TestErrorWith: With adds a member to a copy, leaving the original as it
// was, and the copy still matches the code with errors.Is.
func TestErrorWith(t *testing.T) {
	base := &eddy.Error{Code: eddy.CodeConditionalCheckFailed, Message: "The conditional request failed"}
	e := base.With("Item", map[string]string{"a": "b"}).With("Other", 1)
	if len(base.Members) != 0 {
		t.Fatalf("With changed the original: %+v", base.Members)
	}
	if len(e.Members) != 2 || e.Members[0].Name != "Item" || e.Members[1].Name != "Other" {
		t.Fatalf("members = %+v", e.Members)
	}
	if e.Message != base.Message || !errors.Is(e, &eddy.Error{Code: eddy.CodeConditionalCheckFailed}) {
		t.Fatalf("With lost the code or message: %+v", e)
	}
}
