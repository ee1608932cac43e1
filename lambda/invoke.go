package lambda

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// Invoker invokes functions in process. The Kinesis event source mappings
// (and any other service) take one; *Service implements it.
type Invoker interface {
	// Invoke runs the function synchronously with payload. It returns the
	// function's result, or its error payload and its kind ("Unhandled")
	// in functionError; err is for invocations that did not run
	// (ResourceNotFoundException, TooManyRequestsException, ...).
	Invoke(ctx context.Context, functionName string, payload []byte) (result []byte, functionError string, err error)
}

var _ Invoker = (*Service)(nil)

// InvokeInput is one call of the Invoke API.
type InvokeInput struct {
	Region, FunctionName string
	// InvocationType is RequestResponse (default), Event or DryRun.
	InvocationType string
	// Tail asks for the last 4 KB of the log (X-Amz-Log-Type: Tail).
	Tail    bool
	Payload []byte
}

// InvokeOutput is Invoke's answer.
type InvokeOutput struct {
	// StatusCode is 200 (RequestResponse), 202 (Event) or 204 (DryRun).
	StatusCode int
	Payload    []byte
	// FunctionError is "Unhandled" when Payload is a function error.
	FunctionError string
	// LogResult is the base64 log tail, when Tail was asked for.
	LogResult       string
	ExecutedVersion string
}

// Invoke implements Invoker for functions of the default region, named by
// name or ARN (whose region then applies).
func (s *Service) Invoke(ctx context.Context, functionName string, payload []byte) ([]byte, string, error) {
	region := s.cfg.Region
	if r := arnRegion(functionName); r != "" {
		region = r
	}
	out, err := s.InvokeFunction(ctx, &InvokeInput{Region: region, FunctionName: functionName, Payload: payload})
	if err != nil {
		return nil, "", err
	}
	return out.Payload, out.FunctionError, nil
}

// InvokeAsync queues an asynchronous invocation (InvocationType Event) of
// the function named by name or ARN, with payload; err says it was not
// queued (ResourceNotFoundException, RequestTooLargeException, a closed
// service). The function's own outcome is logged, not returned.
func (s *Service) InvokeAsync(ctx context.Context, functionName string, payload []byte) error {
	region := s.cfg.Region
	if r := arnRegion(functionName); r != "" {
		region = r
	}
	_, err := s.InvokeFunction(ctx, &InvokeInput{Region: region, FunctionName: functionName, InvocationType: lp.InvocationEvent, Payload: payload})
	return err
}

// arnRegion is the region of a function ARN, or "".
func arnRegion(s string) string {
	const prefix = "arn:aws:lambda:"
	if len(s) <= len(prefix) || s[:len(prefix)] != prefix {
		return ""
	}
	rest := s[len(prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == ':' {
			return rest[:i]
		}
	}
	return ""
}

// InvokeFunction is the Invoke API.
func (s *Service) InvokeFunction(ctx context.Context, in *InvokeInput) (*InvokeOutput, error) {
	r, err := s.get(in.Region, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if len(in.Payload) > 0 && !validJSON(in.Payload) {
		// Lambda's answer to a payload that is not JSON (recorded by
		// aws-sam-cli's local Lambda service, lambda_error_responses.py
		// invalid_request_content, and AWS CLI users' reports).
		return nil, &eddy.Error{Code: lp.CodeInvalidRequestContent, Message: "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value"}
	}
	switch in.InvocationType {
	case "", lp.InvocationRequestResponse:
		if len(in.Payload) > lp.MaxSyncPayload {
			return nil, &eddy.Error{Code: lp.CodeRequestTooLarge, Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", lp.MaxSyncPayload)}
		}
		return s.invokeSync(ctx, in.Region, r, true, in.Payload, in.Tail)
	case lp.InvocationEvent:
		if len(in.Payload) > lp.MaxAsyncPayload {
			return nil, &eddy.Error{Code: lp.CodeRequestTooLarge, Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeAsync operation", lp.MaxAsyncPayload)}
		}
		s.mu.Lock()
		closed := s.mu.closed
		if !closed {
			s.asyncWG.Add(1)
		}
		s.mu.Unlock()
		if closed {
			return nil, errors.New("lambda service closed")
		}
		payload := append([]byte(nil), in.Payload...)
		cfg := r.Config
		go func() {
			defer s.asyncWG.Done()
			// Queued events wait for a free instance rather than being
			// throttled; Lambda retries an asynchronous invocation twice
			// on a function error, Eddy does not yet.
			out, err := s.invokeSync(context.Background(), in.Region, r, false, payload, false)
			if err != nil {
				s.log.Warn("asynchronous invocation failed", "function", cfg.FunctionName, "err", err)
			} else if out.FunctionError != "" {
				s.log.Info("asynchronous invocation returned a function error", "function", cfg.FunctionName, "payload", string(out.Payload))
			}
		}()
		return &InvokeOutput{StatusCode: 202}, nil
	case lp.InvocationDryRun:
		return &InvokeOutput{StatusCode: 204}, nil
	}
	return nil, &eddy.Error{Code: lp.CodeValidation, Message: "1 validation error detected: Value '" + in.InvocationType +
		"' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"}
}

// validJSON reports whether b is one JSON value. It checks the grammar
// without building the value: decoding a 6 MB event into maps had been
// half of the server's CPU behind a busy event source mapping.
func validJSON(b []byte) bool { return json.Valid(b) }

// invokeSync runs one invocation of r on a warm or new instance, within
// its reserved concurrency if useReserved (throttling beyond it).
func (s *Service) invokeSync(ctx context.Context, region string, r *record, useReserved bool, payload []byte, tail bool) (*InvokeOutput, error) {
	c := &r.Config
	p, err := s.pool(region, c.FunctionName)
	if err != nil {
		return nil, err
	}
	limit, throttle := s.cfg.MaxInstances, false
	if useReserved && r.Reserved != nil {
		limit, throttle = int(*r.Reserved), true
	}
	if err := p.acquire(ctx, limit, throttle); err != nil {
		return nil, err
	}
	i := p.takeIdle(c.RevisionId)
	id := newRevision()
	start := time.Now()
	var initDur time.Duration
	if i == nil {
		var failed []byte
		i, failed, err = s.start(region, r)
		initDur = time.Since(start)
		if err != nil {
			p.release(nil, false)
			return nil, err
		}
		if i != nil && !p.track(i) {
			p.release(nil, false)
			return nil, errors.New("function deleted")
		}
		if i == nil {
			p.release(nil, false)
			return &InvokeOutput{StatusCode: 200, Payload: failed, FunctionError: "Unhandled", ExecutedVersion: c.Version}, nil
		}
	}
	i.ResetLog()
	i.Log("START RequestId: %s Version: %s\n", id, c.Version)
	var trace [12]byte
	copy(trace[:], id)
	inv := &Invocation{
		ID: id, ARN: c.FunctionArn, Payload: payload,
		Timeout:  time.Duration(c.Timeout) * time.Second,
		TraceID:  fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), hex.EncodeToString([]byte(id[:12])), hex.EncodeToString(trace[:8])),
		Deadline: time.Now().Add(time.Duration(c.Timeout) * time.Second),
	}
	invStart := time.Now()
	res, ok := i.Run(ctx, inv)
	dur := time.Since(invStart)
	i.Log("END RequestId: %s\n", id)
	report := fmt.Sprintf("REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB", id,
		float64(dur.Microseconds())/1000, dur.Milliseconds()+1, c.MemorySize)
	if initDur > 0 {
		report += fmt.Sprintf("\tInit Duration: %.2f ms", float64(initDur.Microseconds())/1000)
	}
	i.Log("%s\t\n", report)
	logTail := i.Tail()
	s.appendFunctionLog(region, c.FunctionName, i.Output())
	p.release(i, ok && i.Alive())
	if res.Payload == nil && !res.Errored {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	out := &InvokeOutput{StatusCode: 200, Payload: res.Payload, ExecutedVersion: c.Version}
	if res.Errored {
		out.FunctionError = "Unhandled"
	}
	if tail {
		out.LogResult = base64.StdEncoding.EncodeToString(logTail)
	}
	return out, nil
}
