package main

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// A handler that prints the event's line to stdout and stderr.
const lambdaPrints = `import sys

def handler(event, context):
    print("out " + event["line"])
    print("err " + event["line"], file=sys.stderr)
    return {}
`

// TestLogs: eddy logs prints what a function printed on a real server, and
// with --follow the lines printed after it started.
func TestLogs(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	c := startChild(t, "serve --data-dir "+dir+" --listen 127.0.0.1:0")
	client := lambda.New(lambda.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + c.addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("app.py")
	w.Write([]byte(lambdaPrints))
	zw.Close()
	ctx := testContext(t)
	if _, err := client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("printer"), Runtime: types.RuntimePython312, Handler: aws.String("app.handler"),
		Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &types.FunctionCode{ZipFile: buf.Bytes()},
	}); err != nil {
		t.Fatal(err)
	}
	invoke := func(line string) {
		t.Helper()
		out, err := client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("printer"), Payload: []byte(`{"line":"` + line + `"}`)})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("Invoke: %v %s", err, out.Payload)
		}
	}

	code, _, stderr := runCmd(t, "logs", "--data-dir", dir, "printer")
	if code == 0 || !strings.Contains(stderr, "no log for function printer") {
		t.Fatalf("before any invocation: exit %d, stderr %q", code, stderr)
	}
	invoke("first")
	code, stdout, stderr := runCmd(t, "logs", "--data-dir", dir, "--since", "1h", "printer")
	if code != 0 {
		t.Fatalf("eddy logs: exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"out first\n", "err first\n", "START RequestId: ", "REPORT RequestId: "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("eddy logs printed %q, want it to contain %q", stdout, want)
		}
	}
	if code, stdout, _ := runCmd(t, "logs", "--data-dir", dir, "--region", "eu-west-1", "printer"); code == 0 {
		t.Errorf("another region's function: exit 0, printed %q", stdout)
	}

	fctx, cancel := context.WithCancel(context.Background())
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- runLogs(fctx, []string{"-f", "--poll-interval", "10ms", "--data-dir", dir, "printer"}, out, errOut)
	}()
	waitFor(t, "the history", func() bool { return strings.Contains(out.String(), "out first\n") })
	invoke("second")
	waitFor(t, "a line printed after eddy logs -f started", func() bool { return strings.Contains(out.String(), "out second\n") })
	cancel()
	if err := recvWithin(t, done, "eddy logs -f to stop"); err != nil || errOut.String() != "" {
		t.Fatalf("eddy logs -f: %v, stderr %q", err, errOut.String())
	}
}

// TestLogReaderRotation: a follower finishes the rotated file, then reads
// the new one, and holds back an incomplete line.
func TestLogReaderRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.log")
	var out bytes.Buffer
	l := &logReader{path: path, out: &out}
	os.WriteFile(path, []byte("2026-01-01T00:00:00.000Z one\n"), 0o644)
	if err := l.history(); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write([]byte("2026-01-01T00:00:01.000Z two\n2026-01-01T00:00:02.000Z thr"))
	f.Close()
	os.Rename(path, path+".1")
	os.WriteFile(path, []byte("2026-01-01T00:00:03.000Z four\n2026-01-01T00:00:04.000Z fi"), 0o644)
	if err := l.more(); err != nil {
		t.Fatal(err)
	}
	want := "2026-01-01T00:00:00.000Z one\n2026-01-01T00:00:01.000Z two\n2026-01-01T00:00:03.000Z four\n"
	if out.String() != want {
		t.Fatalf("printed %q, want %q", out.String(), want)
	}

	out.Reset()
	since := &logReader{path: path, out: &out, since: time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)}
	if err := since.history(); err != nil {
		t.Fatal(err)
	}
	if want := "2026-01-01T00:00:01.000Z two\n2026-01-01T00:00:03.000Z four\n"; out.String() != want {
		t.Fatalf("--since printed %q, want %q", out.String(), want)
	}
}
