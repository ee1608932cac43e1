package lambdaapi

// Golden request/response files for every operation: one scenario
// (goldenSteps) runs in order against a fresh service with a fixed clock,
// through the real transport, unsigned-credential mode. Each exchange is
// written to testdata/golden/<Operation>/<case>.txt: the request line and
// body, then the response status, the headers Lambda's clients read
// (Content-Type, X-Amzn-ErrorType, X-Amz-Function-Error,
// X-Amz-Executed-Version) and the body. Random values (RevisionId, request
// ids) are replaced by placeholders numbered in order of appearance.
//
//	go test ./httpapi/lambdaapi -run Golden           compare
//	go test ./httpapi/lambdaapi -run Golden -update   rewrite

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/storage/mem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

type goldenStep struct {
	op, name, method, path, body string
	header                       map[string]string
}

// goldenZip is a zip with fixed content and no timestamps.
func goldenZip() []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "app.py", Method: zip.Store})
	w.Write([]byte("def handler(event, context):\n    if event.get('fail'):\n        raise KeyError('fail')\n    return {'got': event}\n"))
	zw.Close()
	return buf.Bytes()
}

func goldenSteps() []goldenStep {
	z, _ := json.Marshal(goldenZip())
	create := `{"FunctionName":"gold","Runtime":"python3.12","Role":"arn:aws:iam::000000000000:role/r","Handler":"app.handler","Code":{"ZipFile":` + string(z) + `},"Environment":{"Variables":{"A":"1"}}}`
	return []goldenStep{
		{"CreateFunction", "ok", "POST", "/2015-03-31/functions", create, nil},
		{"CreateFunction", "exists", "POST", "/2015-03-31/functions", create, nil},
		{"CreateFunction", "validation", "POST", "/2015-03-31/functions", `{"FunctionName":"x","Role":"r","Code":{},"Timeout":0}`, nil},
		{"CreateFunction", "not-json", "POST", "/2015-03-31/functions", `{`, nil},
		{"GetFunction", "ok", "GET", "/2015-03-31/functions/gold", "", nil},
		{"GetFunction", "not-found", "GET", "/2015-03-31/functions/nope", "", nil},
		{"GetFunctionConfiguration", "ok", "GET", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Agold/configuration", "", nil},
		{"GetFunctionConfiguration", "unknown-qualifier", "GET", "/2015-03-31/functions/gold/configuration?Qualifier=7", "", nil},
		{"UpdateFunctionConfiguration", "ok", "PUT", "/2015-03-31/functions/gold/configuration", `{"Timeout":30,"MemorySize":512,"Environment":{"Variables":{"B":"2"}}}`, nil},
		{"UpdateFunctionConfiguration", "memory", "PUT", "/2015-03-31/functions/gold/configuration", `{"MemorySize":100}`, nil},
		{"UpdateFunctionCode", "ok", "PUT", "/2015-03-31/functions/gold/code", `{"ZipFile":` + string(z) + `}`, nil},
		{"UpdateFunctionCode", "not-zip", "PUT", "/2015-03-31/functions/gold/code", `{"ZipFile":"bm90IGEgemlw"}`, nil},
		{"ListFunctions", "ok", "GET", "/2015-03-31/functions/?MaxItems=1", "", nil},
		{"ListFunctions", "max-items", "GET", "/2015-03-31/functions/?MaxItems=0", "", nil},
		{"GetFunctionConcurrency", "none", "GET", "/2019-09-30/functions/gold/concurrency", "", nil},
		{"PutFunctionConcurrency", "ok", "PUT", "/2017-10-31/functions/gold/concurrency", `{"ReservedConcurrentExecutions":0}`, nil},
		{"PutFunctionConcurrency", "too-many", "PUT", "/2017-10-31/functions/gold/concurrency", `{"ReservedConcurrentExecutions":950}`, nil},
		{"GetFunctionConcurrency", "ok", "GET", "/2019-09-30/functions/gold/concurrency", "", nil},
		{"Invoke", "throttled", "POST", "/2015-03-31/functions/gold/invocations", `{}`, nil},
		{"DeleteFunctionConcurrency", "ok", "DELETE", "/2017-10-31/functions/gold/concurrency", "", nil},
		{"DeleteFunctionConcurrency", "not-found", "DELETE", "/2017-10-31/functions/nope/concurrency", "", nil},
		{"Invoke", "ok", "POST", "/2015-03-31/functions/gold/invocations", `{"k":"v"}`, nil},
		{"Invoke", "function-error", "POST", "/2015-03-31/functions/gold/invocations", `{"fail":1}`, nil},
		{"Invoke", "dry-run", "POST", "/2015-03-31/functions/gold/invocations", `{}`, map[string]string{"X-Amz-Invocation-Type": "DryRun"}},
		{"Invoke", "event", "POST", "/2015-03-31/functions/gold/invocations", `{}`, map[string]string{"X-Amz-Invocation-Type": "Event"}},
		{"Invoke", "not-json", "POST", "/2015-03-31/functions/gold/invocations", `nope`, nil},
		{"CreateEventSourceMapping", "ok", "POST", "/2015-03-31/event-source-mappings", `{"FunctionName":"gold","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"TRIM_HORIZON","BatchSize":10}`, nil},
		{"CreateEventSourceMapping", "exists", "POST", "/2015-03-31/event-source-mappings", `{"FunctionName":"gold","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"LATEST"}`, nil},
		{"CreateEventSourceMapping", "validation", "POST", "/2015-03-31/event-source-mappings", `{"FunctionName":"gold","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"LATEST","BatchSize":0,"MaximumRetryAttempts":10001}`, nil},
		{"CreateEventSourceMapping", "no-function", "POST", "/2015-03-31/event-source-mappings", `{"FunctionName":"nope","EventSourceArn":"arn:aws:kinesis:us-east-1:000000000000:stream/s","StartingPosition":"LATEST"}`, nil},
		{"GetEventSourceMapping", "ok", "GET", "/2015-03-31/event-source-mappings/{esm}", "", nil},
		{"GetEventSourceMapping", "not-found", "GET", "/2015-03-31/event-source-mappings/00000000-0000-4000-8000-000000000000", "", nil},
		{"UpdateEventSourceMapping", "ok", "PUT", "/2015-03-31/event-source-mappings/{esm}", `{"Enabled":false,"BisectBatchOnFunctionError":true,"MaximumRetryAttempts":3,"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:kinesis:us-east-1:000000000000:stream/dlq"}}}`, nil},
		{"UpdateEventSourceMapping", "record-age", "PUT", "/2015-03-31/event-source-mappings/{esm}", `{"MaximumRecordAgeInSeconds":30}`, nil},
		{"ListEventSourceMappings", "ok", "GET", "/2015-03-31/event-source-mappings/?FunctionName=gold&MaxItems=10", "", nil},
		{"ListEventSourceMappings", "max-items", "GET", "/2015-03-31/event-source-mappings/?MaxItems=0", "", nil},
		{"DeleteEventSourceMapping", "ok", "DELETE", "/2015-03-31/event-source-mappings/{esm}", "", nil},
		{"DeleteEventSourceMapping", "not-found", "DELETE", "/2015-03-31/event-source-mappings/{esm}", "", nil},
		{"DeleteFunction", "ok", "DELETE", "/2015-03-31/functions/gold", "", nil},
		{"DeleteFunction", "not-found", "DELETE", "/2015-03-31/functions/gold", "", nil},
		{"UnknownRoute", "unknown", "GET", "/2015-03-31/layers", "", nil},
	}
}

var uuidText = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`)

func TestGolden(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	cfg := lambda.DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Launcher = runtimeapi.Launcher{}
	cfg.Clock = fixedClock{time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)}
	cfg.DataDir = t.TempDir()
	// A runtime's start (python3) can take more than the default 10 s on a
	// loaded machine (CI saw "Init timed out" with a run of tests beside
	// it); tests of the timeout set their own.
	cfg.InitTimeout = time.Minute
	svc, err := lambda.New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv, err := httpapi.New(httpapi.Config{Logger: cfg.Logger, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddREST(Service(svc)); err != nil {
		t.Fatal(err)
	}
	placeholders := map[string]string{}
	seenOps := map[string]bool{}
	esmUUID := ""
	for _, st := range goldenSteps() {
		st.path = strings.ReplaceAll(st.path, "{esm}", esmUUID)
		req := httptest.NewRequest(st.method, st.path, strings.NewReader(st.body))
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		req.Header.Set("X-Amz-Date", "20240102T030405Z")
		for k, v := range st.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", st.method, st.path)
		for _, k := range []string{"X-Amz-Invocation-Type"} {
			if v := req.Header.Get(k); v != "" {
				fmt.Fprintf(&b, "%s: %s\n", k, v)
			}
		}
		fmt.Fprintf(&b, "\n%s\n\n--- response\n%d\n", indent(st.body), rec.Code)
		for _, k := range []string{"Content-Type", "X-Amzn-ErrorType", "X-Amz-Function-Error", "X-Amz-Executed-Version"} {
			for name, v := range rec.Header() {
				// Headers are sent as spelled (X-Amzn-ErrorType is not in
				// canonical form); clients match them case-insensitively.
				if strings.EqualFold(name, k) && len(v) > 0 {
					fmt.Fprintf(&b, "%s: %s\n", name, v[0])
				}
			}
		}
		fmt.Fprintf(&b, "\n%s\n", indent(rec.Body.String()))
		if st.op == "CreateEventSourceMapping" && st.name == "ok" {
			var out struct{ UUID string }
			json.Unmarshal(rec.Body.Bytes(), &out)
			esmUUID = out.UUID
		}
		text := uuidText.ReplaceAllStringFunc(b.String(), func(u string) string {
			if p, ok := placeholders[u]; ok {
				return p
			}
			p := fmt.Sprintf("<uuid-%d>", len(placeholders)+1)
			placeholders[u] = p
			return p
		})
		text = strings.ReplaceAll(text, cfg.DataDir, "<data-dir>")
		path := filepath.Join("testdata", "golden", st.op, st.name+".txt")
		seenOps[st.op] = true
		if *update {
			os.MkdirAll(filepath.Dir(path), 0o755)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v (run with -update to create)", path, err)
			continue
		}
		if string(want) != text {
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, text, want)
		}
	}
	for _, op := range Service(svc).Operations {
		if !seenOps[op.Name] {
			t.Errorf("operation %s has no golden exchange", op.Name)
		}
	}
}

// indent pretty-prints a JSON body, leaving anything else as it is.
func indent(s string) string {
	var buf bytes.Buffer
	if json.Indent(&buf, []byte(s), "", "  ") == nil {
		return buf.String()
	}
	return s
}
