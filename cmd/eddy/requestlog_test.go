package main

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// waitForLog waits until the child's stderr has a line matching re, and
// returns it.
func waitForLog(t *testing.T, c *child, re *regexp.Regexp) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, line := range strings.Split(c.stderr.String(), "\n") {
			if re.MatchString(line) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line matches %s; stderr:\n%s", re, c.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestServeRequestLog: at the default info level a failed request logs one
// line with its operation, stream and error code, and a successful one
// logs nothing; --log-requests logs every request.
func TestServeRequestLog(t *testing.T) {
	ctx := context.Background()
	quiet := startChild(t, "serve --listen 127.0.0.1:0 --in-memory")
	c := quiet.client()
	if _, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("missing")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("DescribeStreamSummary: %v, want ResourceNotFoundException", err)
	}
	line := waitForLog(t, quiet, regexp.MustCompile(`operation=DescribeStreamSummary`))
	for _, want := range []string{"level=INFO", "msg=request", "stream=missing", "status=400", "error=ResourceNotFoundException", "request_id="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if n := strings.Count(quiet.stderr.String(), "operation=DescribeStreamSummary"); n != 1 {
		t.Errorf("the failed request logged %d lines, want 1", n)
	}
	if strings.Contains(quiet.stderr.String(), "operation=ListStreams") {
		t.Errorf("a successful request was logged without --log-requests:\n%s", quiet.stderr.String())
	}

	loud := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --log-requests")
	c = loud.client()
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("logged"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	line = waitForLog(t, loud, regexp.MustCompile(`operation=CreateStream `))
	for _, want := range []string{"level=INFO", "stream=logged", "status=200", "duration=", "request_id="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, "error=") {
		t.Errorf("a successful request logged an error code: %s", line)
	}
}
