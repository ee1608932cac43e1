package lambdaapi

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

func localInput(name, dir string) *sdk.CreateFunctionInput {
	in := createInput(name, "python3.12", "app.handler", nil)
	in.Code = &types.FunctionCode{S3Bucket: aws.String("hot-reload"), S3Key: aws.String(dir)}
	return in
}

// TestLocalDirectoryFunction: code from a directory on the host, used in
// place; an edit is seen by the next new instance.
func TestLocalDirectoryFunction(t *testing.T) {
	e := start(t)
	dir := t.TempDir()
	write := func(v string) {
		if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("def handler(e, c):\n    return {'v': '"+v+"'}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("one")
	out, err := e.client.CreateFunction(ctxT(t), localInput("local", dir))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(dir))
	if out.CodeSize != 0 || aws.ToString(out.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("CodeSize %d CodeSha256 %s", out.CodeSize, aws.ToString(out.CodeSha256))
	}
	if _, m := invokeJSON(t, e, "local", `{}`); m["v"] != "one" {
		t.Fatalf("result %v, want v one", m)
	}
	gf, err := e.client.GetFunction(ctxT(t), &sdk.GetFunctionInput{FunctionName: aws.String("local")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(gf.Code.RepositoryType) != "Local" || aws.ToString(gf.Code.Location) != "file://"+filepath.ToSlash(dir) {
		t.Errorf("Code %s %s", aws.ToString(gf.Code.RepositoryType), aws.ToString(gf.Code.Location))
	}

	// The edit, then a configuration change that retires the warm
	// instance: the new instance runs the edited file, with no
	// UpdateFunctionCode.
	write("two")
	if _, err := e.client.UpdateFunctionConfiguration(ctxT(t), &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("local"), Description: aws.String("edited")}); err != nil {
		t.Fatal(err)
	}
	if _, m := invokeJSON(t, e, "local", `{}`); m["v"] != "two" {
		t.Fatalf("after the edit: result %v, want v two", m)
	}
	// Edits of the same size within the same second are seen too (no
	// stale __pycache__), and Eddy wrote nothing into the directory.
	write("six")
	if _, err := e.client.UpdateFunctionConfiguration(ctxT(t), &sdk.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("local"), Description: aws.String("edited again")}); err != nil {
		t.Fatal(err)
	}
	if _, m := invokeJSON(t, e, "local", `{}`); m["v"] != "six" {
		t.Fatalf("after the second edit: result %v, want v six", m)
	}
	if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
		t.Errorf("Eddy wrote __pycache__ into the function's directory")
	}
}

func TestLocalDirectoryValidation(t *testing.T) {
	e := start(t)
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct{ name, dir, msg string }{
		{"relative", "code/dir", `Code.S3Key must be the absolute path of a directory on the Eddy host when Code.S3Bucket is "hot-reload"; got "code/dir"`},
		{"missing", "/nonexistent/eddy/dir", `Code.S3Key "/nonexistent/eddy/dir" is not a directory on the Eddy host`},
		{"file", file, `Code.S3Key "` + file + `" is not a directory on the Eddy host`},
	} {
		_, err := e.client.CreateFunction(ctxT(t), localInput("v-"+tc.name, tc.dir))
		wantAPIError(t, err, "InvalidParameterValueException", tc.msg)
	}
}
