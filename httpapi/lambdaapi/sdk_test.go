package lambdaapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// wantAPIError requires err to be an API error with code and message.
func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("error %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

func createInput(name, runtime, handler string, zip []byte) *sdk.CreateFunctionInput {
	return &sdk.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.Runtime(runtime),
		Role:         aws.String(testRole),
		Handler:      aws.String(handler),
		Code:         &types.FunctionCode{ZipFile: zip},
	}
}

func TestFunctionsLifecycle(t *testing.T) {
	e := start(t)
	ctx := ctxT(t)
	zip := zipFiles(t, map[string][]byte{"app.py": []byte("def handler(e, c):\n    return e\n")})
	sum := sha256.Sum256(zip)
	arn := "arn:aws:lambda:us-east-1:000000000000:function:fn-a"

	in := createInput("fn-a", "python3.12", "app.handler", zip)
	in.Timeout = aws.Int32(7)
	in.Environment = &types.Environment{Variables: map[string]string{"A": "1"}}
	created, err := e.client.CreateFunction(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(created.FunctionArn) != arn || aws.ToString(created.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) ||
		created.CodeSize != int64(len(zip)) || created.State != types.StateActive || created.LastUpdateStatus != types.LastUpdateStatusSuccessful ||
		aws.ToInt32(created.Timeout) != 7 || aws.ToInt32(created.MemorySize) != 128 || aws.ToString(created.Version) != "$LATEST" ||
		created.Environment.Variables["A"] != "1" || aws.ToString(created.RevisionId) == "" || created.PackageType != types.PackageTypeZip {
		t.Fatalf("CreateFunction answered %+v", created)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(created.LastModified)); err != nil {
		t.Errorf("LastModified %q: %v", aws.ToString(created.LastModified), err)
	}

	_, err = e.client.CreateFunction(ctx, in)
	wantAPIError(t, err, "ResourceConflictException", "Function already exist: fn-a")

	got, err := e.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Configuration.RevisionId) != aws.ToString(created.RevisionId) || got.Code == nil || got.Concurrency != nil {
		t.Fatalf("GetFunction answered %+v", got)
	}
	cfg, err := e.client.GetFunctionConfiguration(ctx, &sdk.GetFunctionConfigurationInput{FunctionName: aws.String("fn-a")})
	if err != nil || aws.ToString(cfg.Handler) != "app.handler" {
		t.Fatalf("GetFunctionConfiguration: %+v %v", cfg, err)
	}

	_, err = e.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || aws.ToString(rnf.Type) != "User" {
		t.Errorf("not a typed ResourceNotFoundException with Type User: %#v", err)
	}

	upd, err := e.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("fn-a"), MemorySize: aws.Int32(256), Handler: aws.String("app.other"),
		Environment: &types.Environment{Variables: map[string]string{"B": "2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(upd.MemorySize) != 256 || aws.ToString(upd.Handler) != "app.other" || aws.ToInt32(upd.Timeout) != 7 ||
		len(upd.Environment.Variables) != 1 || upd.Environment.Variables["B"] != "2" || aws.ToString(upd.RevisionId) == aws.ToString(created.RevisionId) {
		t.Fatalf("UpdateFunctionConfiguration answered %+v", upd)
	}
	_, err = e.client.UpdateFunctionConfiguration(ctx, &sdk.UpdateFunctionConfigurationInput{FunctionName: aws.String("fn-a"), Timeout: aws.Int32(901)})
	wantAPIError(t, err, "ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900")

	zip2 := zipFiles(t, map[string][]byte{"app.py": []byte("def handler(e, c):\n    return 2\n")})
	sum2 := sha256.Sum256(zip2)
	code, err := e.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("fn-a"), ZipFile: zip2})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(code.CodeSha256) != base64.StdEncoding.EncodeToString(sum2[:]) {
		t.Errorf("UpdateFunctionCode CodeSha256 %s", aws.ToString(code.CodeSha256))
	}
	_, err = e.client.UpdateFunctionCode(ctx, &sdk.UpdateFunctionCodeInput{FunctionName: aws.String("fn-a"), ZipFile: []byte("not a zip")})
	wantAPIError(t, err, "InvalidParameterValueException", "Could not unzip uploaded file. Please check your file, then try to upload again.")

	// Concurrency.
	gc, err := e.client.GetFunctionConcurrency(ctx, &sdk.GetFunctionConcurrencyInput{FunctionName: aws.String("fn-a")})
	if err != nil || gc.ReservedConcurrentExecutions != nil {
		t.Fatalf("GetFunctionConcurrency before: %+v %v", gc, err)
	}
	pc, err := e.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("fn-a"), ReservedConcurrentExecutions: aws.Int32(5)})
	if err != nil || aws.ToInt32(pc.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("PutFunctionConcurrency: %+v %v", pc, err)
	}
	_, err = e.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("fn-a"), ReservedConcurrentExecutions: aws.Int32(901)})
	wantAPIError(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	got, err = e.client.GetFunction(ctx, &sdk.GetFunctionInput{FunctionName: aws.String("fn-a")})
	if err != nil || got.Concurrency == nil || aws.ToInt32(got.Concurrency.ReservedConcurrentExecutions) != 5 {
		t.Fatalf("GetFunction concurrency: %+v %v", got, err)
	}
	if _, err := e.client.DeleteFunctionConcurrency(ctx, &sdk.DeleteFunctionConcurrencyInput{FunctionName: aws.String("fn-a")}); err != nil {
		t.Fatal(err)
	}
	gc, err = e.client.GetFunctionConcurrency(ctx, &sdk.GetFunctionConcurrencyInput{FunctionName: aws.String("fn-a")})
	if err != nil || gc.ReservedConcurrentExecutions != nil {
		t.Fatalf("GetFunctionConcurrency after delete: %+v %v", gc, err)
	}

	// Paging: 5 functions in pages of 2.
	for i := range 4 {
		if _, err := e.client.CreateFunction(ctx, createInput(fmt.Sprintf("fn-p%d", i), "python3.12", "app.handler", zip)); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := 0
	p := sdk.NewListFunctionsPaginator(e.client, &sdk.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	if fmt.Sprint(names) != "[fn-a fn-p0 fn-p1 fn-p2 fn-p3]" || pages != 3 {
		t.Errorf("ListFunctions paged %v in %d pages", names, pages)
	}
	_, err = e.client.ListFunctions(ctx, &sdk.ListFunctionsInput{MaxItems: aws.Int32(10001)})
	wantAPIError(t, err, "ValidationException", "1 validation error detected: Value '10001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 10000")

	if _, err := e.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("fn-a")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteFunction(ctx, &sdk.DeleteFunctionInput{FunctionName: aws.String("fn-a")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: "+arn)
}

func TestCreateFunctionValidation(t *testing.T) {
	e := start(t)
	ctx := ctxT(t)
	zip := zipFiles(t, map[string][]byte{"app.py": []byte("x = 1\n")})
	tests := []struct {
		name      string
		in        *sdk.CreateFunctionInput
		code, msg string
	}{
		{"bad name", createInput("bad name", "python3.12", "app.h", zip), "ValidationException",
			"1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
				`(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`},
		{"memory too small", func() *sdk.CreateFunctionInput {
			in := createInput("f", "python3.12", "app.h", zip)
			in.MemorySize = aws.Int32(64)
			return in
		}(), "ValidationException", "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"},
		{"two faults", func() *sdk.CreateFunctionInput {
			in := createInput("f", "python3.12", "app.h", zip)
			in.Timeout = aws.Int32(0)
			in.MemorySize = aws.Int32(20000)
			return in
		}(), "ValidationException", "2 validation errors detected: Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '20000' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"bad role", func() *sdk.CreateFunctionInput {
			in := createInput("f", "python3.12", "app.h", zip)
			in.Role = aws.String("role")
			return in
		}(), "ValidationException", `1 validation error detected: Value 'role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`},
		{"unsupported runtime", createInput("f", "java8", "a::b", zip), "InvalidParameterValueException",
			"The runtime parameter of java8 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."},
		{"not a zip", createInput("f", "python3.12", "app.h", []byte("plain")), "InvalidParameterValueException",
			"Could not unzip uploaded file. Please check your file, then try to upload again."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.client.CreateFunction(ctx, tc.in)
			wantAPIError(t, err, tc.code, tc.msg)
		})
	}
}
