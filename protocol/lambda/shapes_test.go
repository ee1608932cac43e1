package lambda

import (
	"errors"
	"testing"

	"github.com/eddy-streams/eddy"
)

func i32(v int32) *int32 { return &v }

func TestCreateFunctionValidate(t *testing.T) {
	zip := []byte("PK\x05\x06")
	ok := func() *CreateFunctionInput {
		return &CreateFunctionInput{FunctionName: "f", Runtime: "python3.12", Role: "arn:aws:iam::123456789012:role/r", Handler: "a.b", Code: &FunctionCode{ZipFile: zip}}
	}
	tests := []struct {
		name      string
		mutate    func(*CreateFunctionInput)
		code, msg string
	}{
		{"valid", func(*CreateFunctionInput) {}, "", ""},
		{"valid ARN name", func(in *CreateFunctionInput) { in.FunctionName = "arn:aws:lambda:us-east-1:123456789012:function:f" }, "", ""},
		{"provided needs no handler", func(in *CreateFunctionInput) { in.Runtime, in.Handler = "provided.al2023", "" }, "", ""},
		{"missing name", func(in *CreateFunctionInput) { in.FunctionName = "" }, CodeValidation,
			"1 validation error detected: Value 'null' at 'functionName' failed to satisfy constraint: Member must not be null"},
		{"name too long", func(in *CreateFunctionInput) { in.FunctionName = string(make([]byte, 141)) }, CodeValidation, ""},
		{"missing role and code", func(in *CreateFunctionInput) { in.Role, in.Code = "", nil }, CodeValidation,
			"2 validation errors detected: Value 'null' at 'role' failed to satisfy constraint: Member must not be null; Value 'null' at 'code' failed to satisfy constraint: Member must not be null"},
		{"timeout too long", func(in *CreateFunctionInput) { in.Timeout = i32(901) }, CodeValidation,
			"1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"memory too large", func(in *CreateFunctionInput) { in.MemorySize = i32(10241) }, CodeValidation,
			"1 validation error detected: Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"no runtime", func(in *CreateFunctionInput) { in.Runtime = "" }, CodeInvalidParameterValue,
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"no handler", func(in *CreateFunctionInput) { in.Handler = "" }, CodeInvalidParameterValue,
			"Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"image", func(in *CreateFunctionInput) { in.PackageType = "Image" }, CodeInvalidParameterValue, ""},
		{"no zip", func(in *CreateFunctionInput) { in.Code = &FunctionCode{} }, CodeInvalidParameterValue, "Please provide a source for function code."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.mutate(in)
			err := in.Validate()
			checkErr(t, err, tc.code, tc.msg)
		})
	}
}

func checkErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != code || (msg != "" && ee.Message != msg) {
		t.Fatalf("error %v, want %s %q", err, code, msg)
	}
}

func TestOtherValidations(t *testing.T) {
	checkErr(t, (&PutFunctionConcurrencyInput{}).Validate(), CodeValidation,
		"1 validation error detected: Value 'null' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null")
	checkErr(t, (&PutFunctionConcurrencyInput{ReservedConcurrentExecutions: i32(-1)}).Validate(), CodeValidation,
		"1 validation error detected: Value '-1' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0")
	checkErr(t, (&PutFunctionConcurrencyInput{ReservedConcurrentExecutions: i32(0)}).Validate(), "", "")
	checkErr(t, ValidateMaxItems(0), CodeValidation,
		"1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1")
	checkErr(t, ValidateMaxItems(10000), "", "")
	checkErr(t, (&UpdateFunctionCodeInput{}).Validate(), CodeInvalidParameterValue, "Please provide a source for function code.")
	rt := "cobol"
	checkErr(t, (&UpdateFunctionConfigurationInput{Runtime: &rt}).Validate(), CodeInvalidParameterValue, "")
	checkErr(t, (&UpdateFunctionConfigurationInput{MemorySize: i32(127)}).Validate(), CodeValidation, "")
}

func TestParseFunctionName(t *testing.T) {
	tests := []struct{ in, name, qual string }{
		{"f", "f", ""},
		{"f:$LATEST", "f", "$LATEST"},
		{"123456789012:function:f", "f", ""},
		{"arn:aws:lambda:eu-west-1:123456789012:function:my-fn:prod", "my-fn", "prod"},
	}
	for _, tc := range tests {
		name, qual, ok := ParseFunctionName(tc.in)
		if !ok || name != tc.name || qual != tc.qual {
			t.Errorf("ParseFunctionName(%q) = %q, %q, %v", tc.in, name, qual, ok)
		}
	}
	for _, bad := range []string{"", "a b", "arn:aws:s3:::bucket"} {
		if _, _, ok := ParseFunctionName(bad); ok {
			t.Errorf("ParseFunctionName(%q) accepted", bad)
		}
	}
}
