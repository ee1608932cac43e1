package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestServeConfigFunctions: a webhook function and a local-directory
// function declared in the config file, invoked on the real server.
func TestServeConfigFunctions(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, `{"hooked":%s,"arn":%q}`, b, r.Header.Get("Lambda-Runtime-Invoked-Function-Arn"))
	})}
	go hook.Serve(l)
	t.Cleanup(func() { hook.Close() })

	dir := t.TempDir()
	code := filepath.Join(dir, "code")
	os.Mkdir(code, 0o755)
	os.WriteFile(filepath.Join(code, "app.py"), []byte("def handler(e, c):\n    return {'local': e}\n"), 0o644)
	conf := filepath.Join(dir, "eddy.yaml")
	os.WriteFile(conf, []byte(fmt.Sprintf(`
functions:
  - name: hook
    webhook: http://%s/events
    timeout: 5
  - name: local
    directory: %s
    runtime: python3.12
    handler: app.handler
`, l.Addr(), code)), 0o644)
	srv := startChild(t, fmt.Sprintf("serve --listen 127.0.0.1:0 --data-dir %s --config %s", filepath.Join(dir, "data"), conf))
	client := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + srv.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), RetryMaxAttempts: 1})
	ctx := testContext(t)
	for name, want := range map[string]string{
		"hook":  `{"hooked":{"n":1},"arn":"arn:aws:lambda:us-east-1:000000000000:function:hook"}`,
		"local": `{"local": {"n": 1}}`,
	} {
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"n":1}`)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if string(out.Payload) != want || out.FunctionError != nil {
			t.Errorf("%s: payload %s (function error %v), want %s", name, out.Payload, aws.ToString(out.FunctionError), want)
		}
	}
	fc, err := client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("hook")})
	if err != nil || aws.ToInt32(fc.Timeout) != 5 {
		t.Fatalf("hook configuration: %v, %v", fc, err)
	}
}

func TestConfigFunctionErrors(t *testing.T) {
	for _, tc := range []struct {
		f    bootstrapFunction
		want string
	}{
		{bootstrapFunction{Name: "a"}, "give one of webhook or directory"},
		{bootstrapFunction{Name: "a", Webhook: "http://x", Directory: "/d"}, "give one of webhook or directory"},
		{bootstrapFunction{Name: "a", Webhook: "http://x", Timeout: 901}, "Member must have value less than or equal to 900"},
		{bootstrapFunction{Name: "a b", Webhook: "http://x"}, "functionName"},
		{bootstrapFunction{Name: "a", Directory: "/d"}, "Runtime and Handler are mandatory"},
	} {
		_, err := tc.f.createInput()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", tc.f, err, tc.want)
		}
	}
}
