package lambdaapi

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/eddy-streams/eddy/lambda"
)

// webhookServer is an httptest server on 127.0.0.1 answering with h.
func webhookServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

func createWebhook(t *testing.T, e *env, name, url string, timeout int32) {
	t.Helper()
	in := createInput(name, "python3.12", "app.handler", zipFiles(t, map[string][]byte{"app.py": []byte("")}))
	in.Tags = map[string]string{lambda.WebhookTag: url}
	in.Timeout = aws.Int32(timeout)
	if _, err := e.client.CreateFunction(ctxT(t), in); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookInvoke(t *testing.T) {
	e := start(t)
	type seen struct {
		body                     string
		ctype, id, arn, deadline string
	}
	got := make(chan seen, 1)
	srv := webhookServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		got <- seen{string(b), r.Header.Get("Content-Type"), r.Header.Get("Lambda-Runtime-Aws-Request-Id"),
			r.Header.Get("Lambda-Runtime-Invoked-Function-Arn"), r.Header.Get("Lambda-Runtime-Deadline-Ms")}
		w.Write([]byte(`{"echo":` + string(b) + `}`))
	})
	createWebhook(t, e, "hook", srv.URL+"/events", 5)

	before := time.Now()
	out, m := invokeJSON(t, e, "hook", `{"n":1}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
	if out.StatusCode != 200 || out.FunctionError != nil {
		t.Fatalf("status %d error %v", out.StatusCode, aws.ToString(out.FunctionError))
	}
	if echo, _ := m["echo"].(map[string]any); echo["n"] != 1.0 {
		t.Fatalf("result %v, want the webhook's body", m)
	}
	s := <-got
	if s.body != `{"n":1}` || s.ctype != "application/json" || s.id == "" ||
		s.arn != "arn:aws:lambda:us-east-1:000000000000:function:hook" {
		t.Fatalf("webhook saw %+v", s)
	}
	ms, err := strconv.ParseInt(s.deadline, 10, 64)
	if err != nil || ms < before.Add(4*time.Second).UnixMilli() || ms > time.Now().Add(5*time.Second).UnixMilli() {
		t.Fatalf("deadline header %q, want about 5 s after the call", s.deadline)
	}
	if tail := decodeTail(t, out); !strings.Contains(tail, "START RequestId: "+s.id) || !strings.Contains(tail, "REPORT RequestId: "+s.id) {
		t.Fatalf("log tail %q", tail)
	}

	// Event source mappings invoke through lambda.Invoker: the same path.
	var inv lambda.Invoker = e.svc
	res, ferr, err := inv.Invoke(ctxT(t), "hook", []byte(`{"n":2}`))
	if err != nil || ferr != "" || string(res) != `{"echo":{"n":2}}` {
		t.Fatalf("Invoker: %s %q %v", res, ferr, err)
	}
	<-got

	fo, err := e.client.GetFunction(ctxT(t), &sdk.GetFunctionInput{FunctionName: aws.String("hook")})
	if err != nil || fo.Tags[lambda.WebhookTag] != srv.URL+"/events" {
		t.Fatalf("GetFunction tags %v, %v", fo.Tags, err)
	}
}

func TestWebhookErrors(t *testing.T) {
	e := start(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv := webhookServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body) // so that the server notices the client leaving
		switch r.URL.Path {
		case "/plain":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/shaped":
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"errorType":"Bad","errorMessage":"no good"}`))
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	})
	createWebhook(t, e, "plain", srv.URL+"/plain", 3)
	createWebhook(t, e, "shaped", srv.URL+"/shaped", 3)
	createWebhook(t, e, "slow", srv.URL+"/slow", 1)
	// A port nothing listens on: listen, note the address, close.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + l.Addr().String()
	l.Close()
	createWebhook(t, e, "dead", dead, 3)

	for _, tc := range []struct{ fn, typ, msg string }{
		{"plain", "Eddy.WebhookHTTPError", "webhook answered 500 Internal Server Error: boom\n"},
		{"shaped", "Bad", "no good"},
		{"slow", "", "Task timed out after 1.00 seconds"},
		{"dead", "Eddy.WebhookUnreachable", ""},
	} {
		out, m := invokeJSON(t, e, tc.fn, `{}`)
		if aws.ToString(out.FunctionError) != "Unhandled" || out.StatusCode != 200 {
			t.Errorf("%s: status %d function error %q", tc.fn, out.StatusCode, aws.ToString(out.FunctionError))
		}
		msg, _ := m["errorMessage"].(string)
		if typ, _ := m["errorType"].(string); typ != tc.typ || !strings.HasSuffix(msg, tc.msg) || msg == "" {
			t.Errorf("%s: payload %v, want errorType %q errorMessage ending %q", tc.fn, m, tc.typ, tc.msg)
		}
	}

	in := createInput("badurl", "python3.12", "app.handler", zipFiles(t, map[string][]byte{"app.py": nil}))
	in.Tags = map[string]string{lambda.WebhookTag: "ftp://x"}
	_, err := e.client.CreateFunction(ctxT(t), in)
	wantAPIError(t, err, "InvalidParameterValueException", "")
}

// TestWebhookConcurrency: reserved concurrency throttles a webhook
// function as any other.
func TestWebhookConcurrency(t *testing.T) {
	e := start(t)
	var inFlight atomic.Int32
	entered := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := webhookServer(t, func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		entered <- struct{}{}
		<-release
		w.Write([]byte(`"ok"`))
	})
	createWebhook(t, e, "one", srv.URL, 10)
	if _, err := e.client.PutFunctionConcurrency(ctxT(t), &sdk.PutFunctionConcurrencyInput{
		FunctionName: aws.String("one"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := e.client.Invoke(ctxT(t), &sdk.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(`{}`)})
		first <- err
	}()
	select {
	case <-entered:
	case <-time.After(30 * time.Second):
		t.Fatal("first invocation never reached the webhook")
	}
	_, err := e.client.Invoke(ctxT(t), &sdk.InvokeInput{FunctionName: aws.String("one"), Payload: []byte(`{}`)})
	wantAPIError(t, err, "TooManyRequestsException", "Rate Exceeded.")
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n := inFlight.Load(); n != 1 {
		t.Fatalf("webhook called %d times, want 1", n)
	}
}
