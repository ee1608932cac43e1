package httpapi

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// logLines returns the log lines of ts that mention request id id,
// waiting a while for the first if there is none yet (a request is logged
// just after it is answered).
func logLines(ts *testServer, id string, wait bool) []string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var out []string
		for _, l := range strings.Split(ts.logs.String(), "\n") {
			if strings.Contains(l, "request_id="+id) {
				out = append(out, l)
			}
		}
		if len(out) > 0 || !wait || time.Now().After(deadline) {
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRequestLog: one record per request, when it is answered; at info
// level for a failed request (error level for a 5xx, with its cause), at
// debug level for a successful one unless LogRequests.
func TestRequestLog(t *testing.T) {
	for _, logAll := range []bool{false, true} {
		cfg := withCreds()
		cfg.LogRequests = logAll
		ts := startServer(t, cfg) // its logger keeps info and above
		c := newClient(ts.url, testKeyID, testSecret)
		ctx := context.Background()
		put := func(stream string) string {
			t.Helper()
			_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), Data: []byte("x"), PartitionKey: aws.String("k")})
			if stream == "ok" {
				if err != nil {
					t.Fatal(err)
				}
				ts.fake.mu.Lock()
				defer ts.fake.mu.Unlock()
				return ts.fake.lastID
			}
			_, _, id := apiErr(t, err)
			return id
		}
		for _, tt := range []struct {
			stream string
			want   []string // in the request's one line; nil: no line
		}{
			{"missing", []string{"level=INFO", "msg=request", "operation=PutRecord", "stream=missing", "status=400", "error=ResourceNotFoundException", "duration="}},
			{"throttled", []string{"level=INFO", "stream=throttled", "error=ProvisionedThroughputExceededException"}},
			{"boom", []string{"level=ERROR", "stream=boom", "status=500", "error=InternalFailure", `err="disk on fire"`}},
			{"panic", []string{"level=ERROR", "stream=panic", "status=500", "error=InternalFailure", `err="panic: operation exploded"`, "stack="}},
			{"ok", nil},
		} {
			id := put(tt.stream)
			want := tt.want
			if want == nil && logAll {
				want = []string{"level=INFO", "msg=request", "operation=PutRecord", "stream=ok", "status=200", "duration="}
			}
			lines := logLines(ts, id, want != nil)
			if want == nil {
				if len(lines) != 0 {
					t.Errorf("LogRequests=%v, %s: logged %q, want nothing at info level", logAll, tt.stream, lines)
				}
				continue
			}
			if len(lines) != 1 {
				t.Errorf("LogRequests=%v, %s: %d lines for request %s, want 1:\n%s", logAll, tt.stream, len(lines), id, ts.logs)
				continue
			}
			for _, w := range want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("LogRequests=%v, %s: line lacks %q: %s", logAll, tt.stream, w, lines[0])
				}
			}
			if tt.stream == "ok" && strings.Contains(lines[0], "error=") {
				t.Errorf("success logged with an error code: %s", lines[0])
			}
		}

		// Requests that are not API calls are failed requests too.
		req, _ := http.NewRequest(http.MethodGet, ts.url+"/", nil)
		r := do(t, nil, req)
		lines := logLines(ts, r.header.Get("X-Amzn-Requestid"), true)
		if len(lines) != 1 || !strings.Contains(lines[0], "status=403") || !strings.Contains(lines[0], "error=MissingAuthenticationTokenException") {
			t.Errorf("LogRequests=%v, GET: logged %q", logAll, lines)
		}
	}
}
