package lambdaapi

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/eddy-streams/eddy/lambda"
)

func invokeJSON(t *testing.T, e *env, name string, payload string, mutate ...func(*sdk.InvokeInput)) (*sdk.InvokeOutput, map[string]any) {
	t.Helper()
	in := &sdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)}
	for _, m := range mutate {
		m(in)
	}
	out, err := e.client.Invoke(ctxT(t), in)
	if err != nil {
		t.Fatalf("Invoke %s: %v", payload, err)
	}
	var m map[string]any
	if len(out.Payload) > 0 {
		if err := json.Unmarshal(out.Payload, &m); err != nil {
			t.Fatalf("payload %q: %v", out.Payload, err)
		}
	}
	return out, m
}

func TestInvokeGoBootstrap(t *testing.T) {
	e := start(t, func(c *lambda.Config) { c.Endpoint = "http://127.0.0.1:1" })
	ctx := ctxT(t)
	in := createInput("go-fn", "provided.al2023", "bootstrap", goFunction(t))
	in.Timeout = aws.Int32(2)
	in.MemorySize = aws.Int32(256)
	in.Environment = &types.Environment{Variables: map[string]string{"CUSTOM": "yes"}}
	if _, err := e.client.CreateFunction(ctx, in); err != nil {
		t.Fatal(err)
	}

	out, m := invokeJSON(t, e, "go-fn", `{"op":"echo"}`)
	if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("Invoke: status %d error %v version %v", out.StatusCode, aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion))
	}
	if m["arn"] != "arn:aws:lambda:us-east-1:000000000000:function:go-fn" || m["name"] != "go-fn" || m["memory"] != 256.0 ||
		m["region"] != "us-east-1" || m["endpoint"] != "http://127.0.0.1:1" || m["custom"] != "yes" || m["handler"] != "bootstrap" ||
		m["taskRoot"] == "" || m["requestId"] == "" {
		t.Errorf("environment seen by the handler: %v", m)
	}
	if rem := m["remainingMs"].(float64); rem <= 0 || rem > 2000 {
		t.Errorf("remaining time %v ms, want in (0, 2000]", rem)
	}

	// Warm reuse: the same process serves the next call.
	_, m2 := invokeJSON(t, e, "go-fn", `{"op":"echo"}`)
	if m2["pid"] != m["pid"] || m2["calls"] != 2.0 {
		t.Errorf("second call pid %v calls %v, want pid %v calls 2", m2["pid"], m2["calls"], m["pid"])
	}

	// A handler error.
	out, m = invokeJSON(t, e, "go-fn", `{"op":"error"}`)
	if aws.ToString(out.FunctionError) != "Unhandled" || m["errorMessage"] != "handler failed on purpose" || m["errorType"] != "errorString" {
		t.Errorf("function error: %v %v", aws.ToString(out.FunctionError), m)
	}

	// Tail: the last 4 KB of the invocation's log.
	out, _ = invokeJSON(t, e, "go-fn", `{"op":"log"}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
	logs, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(logs); !strings.Contains(s, "START RequestId: ") || !strings.Contains(s, "hello from the go handler") ||
		!strings.Contains(s, "END RequestId: ") || !strings.Contains(s, "REPORT RequestId: ") {
		t.Errorf("log tail %q", s)
	}

	// A timeout kills the instance.
	out, m = invokeJSON(t, e, "go-fn", `{"op":"sleep","ms":10000}`, func(in *sdk.InvokeInput) { in.LogType = types.LogTypeTail })
	if msg, _ := m["errorMessage"].(string); aws.ToString(out.FunctionError) != "Unhandled" || m["errorType"] != "Sandbox.Timedout" ||
		!strings.HasSuffix(msg, " Error: Task timed out after 2.00 seconds") {
		t.Errorf("timeout: %v %v", aws.ToString(out.FunctionError), m)
	}
	if s := decodeTail(t, out); !strings.Contains(s, "Task timed out after 2.00 seconds") || !strings.Contains(s, "REPORT RequestId: ") {
		t.Errorf("log tail of the timed-out call %q", s)
	}
	_, m3 := invokeJSON(t, e, "go-fn", `{"op":"echo"}`)
	if m3["pid"] == m["pid"] || m3["calls"] != 1.0 {
		t.Errorf("after the timeout: %v, want a new process", m3)
	}

	// A crash; the next call gets a new instance.
	out, m = invokeJSON(t, e, "go-fn", `{"op":"crash"}`)
	if msg, _ := m["errorMessage"].(string); aws.ToString(out.FunctionError) != "Unhandled" || m["errorType"] != "Runtime.ExitError" ||
		!strings.HasSuffix(msg, "Error: Runtime exited with error: exit status 3") {
		t.Errorf("crash: %v %v", aws.ToString(out.FunctionError), m)
	}
	_, m4 := invokeJSON(t, e, "go-fn", `{"op":"echo"}`)
	if m4["pid"] == m3["pid"] || m4["calls"] != 1.0 {
		t.Errorf("after the crash: %v, want a new process", m4)
	}

	// Event: 202, runs in the background; DryRun: 204.
	out, _ = invokeJSON(t, e, "go-fn", `{"op":"echo"}`, func(in *sdk.InvokeInput) { in.InvocationType = types.InvocationTypeEvent })
	if out.StatusCode != 202 {
		t.Errorf("Event status %d", out.StatusCode)
	}
	out, _ = invokeJSON(t, e, "go-fn", `{}`, func(in *sdk.InvokeInput) { in.InvocationType = types.InvocationTypeDryRun })
	if out.StatusCode != 204 {
		t.Errorf("DryRun status %d", out.StatusCode)
	}

	// Payload not JSON.
	_, err = e.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("go-fn"), Payload: []byte("{nope")})
	wantAPIError(t, err, "InvalidRequestContentException", "")
	_, err = e.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope")

	// The in-process Invoker (for event source mappings).
	res, ferr, err := e.svc.Invoke(ctx, "go-fn", []byte(`{"op":"error"}`))
	if err != nil || ferr != "Unhandled" || !strings.Contains(string(res), "handler failed on purpose") {
		t.Errorf("Invoker: %s %q %v", res, ferr, err)
	}
}

func TestInvokeReservedConcurrencyThrottles(t *testing.T) {
	e := start(t)
	ctx := ctxT(t)
	if _, err := e.client.CreateFunction(ctx, createInput("slow", "provided.al2", "bootstrap", goFunction(t))); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{}`)})
	wantAPIError(t, err, "TooManyRequestsException", "Rate Exceeded.")
	var tmr *types.TooManyRequestsException
	if !asTMR(err, &tmr) || tmr.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Errorf("not a TooManyRequestsException with the reserved-concurrency reason: %#v", err)
	}

	// With one reserved, a second call while the first runs is throttled.
	if _, err := e.client.PutFunctionConcurrency(ctx, &sdk.PutFunctionConcurrencyInput{FunctionName: aws.String("slow"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	var firstErr error
	go func() {
		defer wg.Done()
		// The poller below may hold the slot first; retry until the slow
		// call gets it.
		for {
			_, firstErr = e.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"op":"sleep","ms":1500}`)})
			var tmr *types.TooManyRequestsException
			if firstErr == nil || !asTMR(firstErr, &tmr) || ctx.Err() != nil {
				return
			}
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	throttled := false
	for time.Now().Before(deadline) && !throttled {
		_, err := e.client.Invoke(ctx, &sdk.InvokeInput{FunctionName: aws.String("slow"), Payload: []byte(`{"op":"echo"}`)})
		if err != nil {
			wantAPIError(t, err, "TooManyRequestsException", "Rate Exceeded.")
			throttled = true
		}
	}
	wg.Wait()
	if firstErr != nil {
		t.Fatal(firstErr)
	}
	if !throttled {
		t.Error("no call was throttled while the only reserved instance was busy")
	}
}

func asTMR(err error, target **types.TooManyRequestsException) bool {
	for err != nil {
		if e, ok := err.(*types.TooManyRequestsException); ok {
			*target = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}
