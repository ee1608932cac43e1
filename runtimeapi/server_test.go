package runtimeapi_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/lambda"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/storage/mem"
)

// TestRuntimeChild is the function process of the tests below: the test
// binary run as a bootstrap, speaking the Runtime API with raw HTTP as
// RUNTIME_SCENARIO says. It does nothing when run as a test.
func TestRuntimeChild(t *testing.T) {
	scenario := os.Getenv("RUNTIME_SCENARIO")
	if scenario == "" {
		t.Skip("run by other tests as a function process")
	}
	api := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime"
	post := func(path, contentType string, body io.Reader, header http.Header, trailer http.Header) int {
		req, _ := http.NewRequest("POST", api+path, body)
		req.Header.Set("Content-Type", contentType)
		for k, v := range header {
			req.Header[k] = v
		}
		req.Trailer = trailer
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			os.Exit(10)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if scenario == "trailers" {
		// Responses as aws-lambda-go posts them (runtime_api_client.go):
		// chunked, with the error trailers declared; set when the
		// handler's response failed midstream.
		for n := 0; ; n++ {
			resp, err := http.Get(api + "/invocation/next")
			if err != nil {
				os.Exit(11)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
			trailer := http.Header{"Lambda-Runtime-Function-Error-Type": nil, "Lambda-Runtime-Function-Error-Body": nil}
			pr, pw := io.Pipe()
			go func() {
				pw.Write([]byte(`{"partial":`))
				if n == 0 {
					trailer.Set("Lambda-Runtime-Function-Error-Type", "Custom.StreamBroke")
					trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString([]byte(`{"errorMessage":"stream broke","errorType":"Custom.StreamBroke"}`)))
				} else if n == 1 {
					trailer.Set("Lambda-Runtime-Function-Error-Type", "Custom.NotJSON")
					trailer.Set("Lambda-Runtime-Function-Error-Body", base64.StdEncoding.EncodeToString([]byte("plain words")))
				} else {
					pw.Write([]byte(`true}`))
				}
				pw.Close()
			}()
			if st := post("/invocation/"+id+"/response", "application/json", pr, http.Header{"Lambda-Runtime-Function-Response-Mode": {"streaming"}}, trailer); st != 202 {
				os.Exit(15)
			}
		}
	}
	if scenario == "initerror" {
		post("/init/error", "application/json", strings.NewReader(`{"errorMessage":"cannot start","errorType":"Custom.InitFailure"}`),
			http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.InitFailure"}}, nil)
		os.Exit(1)
	}
	for n := 0; ; n++ {
		resp, err := http.Get(api + "/invocation/next")
		if err != nil {
			os.Exit(11)
		}
		event, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		switch n {
		case 0:
			bogus := post("/invocation/not-"+id+"/response", "application/json", strings.NewReader(`{}`), nil, nil)
			seen := map[string]any{
				"status":   resp.StatusCode,
				"event":    string(event),
				"id":       id,
				"deadline": resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
				"arn":      resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
				"trace":    resp.Header.Get("Lambda-Runtime-Trace-Id"),
				"bogus":    bogus,
			}
			b, _ := json.Marshal(seen)
			// A chunked body (unknown length) with a trailer.
			pr, pw := io.Pipe()
			go func() {
				for i := 0; i < len(b); i += 7 {
					pw.Write(b[i:min(i+7, len(b))])
				}
				pw.Close()
			}()
			if st := post("/invocation/"+id+"/response", "application/json", pr, nil, http.Header{"Lambda-Runtime-Function-Error-Type": nil}); st != 202 {
				os.Exit(12)
			}
		case 1:
			st := post("/invocation/"+id+"/error", "text/plain", strings.NewReader("plain text failure"),
				http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.Plain"}}, nil)
			if st != 202 {
				os.Exit(13)
			}
		case 2:
			first := post("/invocation/"+id+"/response", "application/json", strings.NewReader(`"first"`), nil, nil)
			second := post("/invocation/"+id+"/response", "application/json", strings.NewReader(`"second"`), nil, nil)
			_ = first
			if second != 400 {
				os.Exit(14)
			}
		default:
			post("/invocation/"+id+"/response", "application/json", strings.NewReader(`"ok"`), nil, nil)
		}
	}
}

// bootstrapZip is a zip whose bootstrap runs this test binary's
// TestRuntimeChild.
func bootstrapZip(t *testing.T) []byte {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s -test.run='^TestRuntimeChild$' -test.timeout=60s\n", strconv.Quote(exe))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap"}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte(script))
	zw.Close()
	return buf.Bytes()
}

func newTestService(t *testing.T) *lambda.Service {
	t.Helper()
	cfg := lambda.DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Launcher = runtimeapi.Launcher{}
	s, err := lambda.New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func createScenario(t *testing.T, s *lambda.Service, name, scenario string) {
	t.Helper()
	timeout := int32(5)
	in := &lp.CreateFunctionInput{FunctionName: name, Runtime: "provided.al2023", Role: "arn:aws:iam::000000000000:role/r",
		Code: &lp.FunctionCode{ZipFile: bootstrapZip(t)}, Timeout: &timeout,
		Environment: &lp.Environment{Variables: map[string]string{"RUNTIME_SCENARIO": scenario}}}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateFunction("us-east-1", in); err != nil {
		t.Fatal(err)
	}
}

func TestRuntimeAPIConformance(t *testing.T) {
	s := newTestService(t)
	createScenario(t, s, "conf", "conformance")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	invoke := func(payload string) *lambda.InvokeOutput {
		t.Helper()
		out, err := s.InvokeFunction(ctx, &lambda.InvokeInput{Region: "us-east-1", FunctionName: "conf", Payload: []byte(payload)})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}

	before := time.Now()
	out := invoke(`{"k":1}`)
	if out.FunctionError != "" {
		t.Fatalf("function error %s", out.Payload)
	}
	var seen map[string]any
	if err := json.Unmarshal(out.Payload, &seen); err != nil {
		t.Fatalf("result %q: %v", out.Payload, err)
	}
	trace, _ := seen["trace"].(string)
	id, _ := seen["id"].(string)
	deadlineText, _ := seen["deadline"].(string)
	if seen["status"] != 200.0 || seen["event"] != `{"k":1}` || seen["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:conf" ||
		!strings.HasPrefix(trace, "Root=1-") || len(id) != 36 {
		t.Errorf("next's answer as the runtime saw it: %v", seen)
	}
	if seen["bogus"] != 400.0 {
		t.Errorf("a response for an unknown request id got %v, want 400", seen["bogus"])
	}
	deadline, _ := strconv.ParseInt(deadlineText, 10, 64)
	if d := time.UnixMilli(deadline).Sub(before); d < 4*time.Second || d > 6*time.Second+time.Since(before) {
		t.Errorf("deadline %v after the call began, want about the 5 s timeout", d)
	}

	out = invoke(`{}`)
	var perr map[string]string
	json.Unmarshal(out.Payload, &perr)
	if out.FunctionError != "Unhandled" || perr["errorMessage"] != "plain text failure" || perr["errorType"] != "Custom.Plain" {
		t.Errorf("error post: %q %s", out.FunctionError, out.Payload)
	}

	out = invoke(`{}`)
	if out.FunctionError != "" || string(out.Payload) != `"first"` {
		t.Errorf("first of two responses: %q %s", out.FunctionError, out.Payload)
	}
	// The runtime exits 14 if its second response was not refused; the
	// next invocation would then find a crashed instance.
	out = invoke(`{}`)
	if out.FunctionError != "" || string(out.Payload) != `"ok"` {
		t.Errorf("after the duplicate response: %q %s", out.FunctionError, out.Payload)
	}
}

func TestRuntimeAPIInitError(t *testing.T) {
	s := newTestService(t)
	createScenario(t, s, "initfail", "initerror")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := s.InvokeFunction(ctx, &lambda.InvokeInput{Region: "us-east-1", FunctionName: "initfail", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != "Unhandled" || string(out.Payload) != `{"errorMessage":"cannot start","errorType":"Custom.InitFailure"}` {
		t.Errorf("init error: %q %s", out.FunctionError, out.Payload)
	}
}

// TestRuntimeAPIChunkedResponseTrailers: a chunked response whose
// Lambda-Runtime-Function-Error-Type / -Body trailers are set (the custom
// runtime guide's midstream error, runtimes-custom.html "Implementing
// response streaming in a custom runtime": the body is "Base64-encoded
// information about the error") is a function error whose payload is the
// decoded body; with the trailers declared but empty it is a response.
func TestRuntimeAPIChunkedResponseTrailers(t *testing.T) {
	s := newTestService(t)
	createScenario(t, s, "trailers", "trailers")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, want := range []struct{ functionError, payload string }{
		{"Unhandled", `{"errorMessage":"stream broke","errorType":"Custom.StreamBroke"}`},
		{"Unhandled", `{"errorMessage":"plain words","errorType":"Custom.NotJSON"}`},
		{"", `{"partial":true}`},
	} {
		out, err := s.InvokeFunction(ctx, &lambda.InvokeInput{Region: "us-east-1", FunctionName: "trailers", Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if out.FunctionError != want.functionError || string(out.Payload) != want.payload {
			t.Errorf("got %q %s, want %q %s", out.FunctionError, out.Payload, want.functionError, want.payload)
		}
	}
}
