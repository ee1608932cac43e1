package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A python handler that reaches Eddy at AWS_ENDPOINT_URL (with an unsigned
// Kinesis call, which Eddy answers MissingAuthenticationTokenException).
const lambdaCallsBack = `import json, os, urllib.request, urllib.error

def handler(event, context):
    req = urllib.request.Request(os.environ["AWS_ENDPOINT_URL"], data=b"{}", method="POST",
        headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Kinesis_20131202.ListStreams"})
    try:
        urllib.request.urlopen(req)
        answer = "no error"
    except urllib.error.HTTPError as e:
        answer = json.loads(e.read()).get("__type")
    return {"answer": answer, "runtimeApi": os.environ["AWS_LAMBDA_RUNTIME_API"]}
`

// TestServeLambda creates and invokes a function on the real server's one
// port, and checks that the function's endpoint leads back to Eddy.
func TestServeLambda(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	c := startChild(t, "serve --in-memory --listen 127.0.0.1:0")
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + c.addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	w.Write([]byte(lambdaCallsBack))
	zw.Close()
	ctx := testContext(t)
	_, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("calls-back"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: buf.Bytes()},
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("calls-back"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(out.Payload, &m); err != nil || out.FunctionError != nil {
		t.Fatalf("payload %s (%v), function error %v", out.Payload, err, aws.ToString(out.FunctionError))
	}
	if m["answer"] != "MissingAuthenticationTokenException" {
		t.Errorf("the function's call to AWS_ENDPOINT_URL got %q", m["answer"])
	}
	if !strings.HasPrefix(m["runtimeApi"], "127.0.0.1:") || m["runtimeApi"] == c.addr {
		t.Errorf("AWS_LAMBDA_RUNTIME_API %q: want a loopback listener other than the public port %s", m["runtimeApi"], c.addr)
	}
}
