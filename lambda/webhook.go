package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// Webhook functions (an Eddy extension).
//
// A function tagged WebhookTag = URL at CreateFunction runs no code: each
// invocation is an HTTP POST of the event to the URL, and the answer's
// body is the function's result. Everything else is as for any function:
// the invocation takes a concurrency slot (reserved concurrency throttles,
// MaxInstances bounds), its Timeout bounds the request, the log tail
// carries START/END/REPORT, and event source mappings invoke it through
// Invoker unchanged.
//
// The request: POST URL, body the payload, Content-Type application/json,
// and the headers the Lambda Runtime API gives a runtime with its next
// event (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html, "Next
// invocation"):
//
//	Lambda-Runtime-Aws-Request-Id        the invocation's request id
//	Lambda-Runtime-Invoked-Function-Arn  the function's ARN
//	Lambda-Runtime-Deadline-Ms           the deadline, Unix milliseconds
//	Lambda-Runtime-Trace-Id              the X-Ray trace header
//
// The answer: a 2xx status makes the body the result. Any other status is
// a function error (X-Amz-Function-Error: Unhandled): the body itself
// when it is a JSON object with an errorMessage (the shape runtimes
// report errors in), else {"errorType":"Eddy.WebhookHTTPError",
// "errorMessage":"webhook answered 500 Internal Server Error: BODY"} with
// BODY cut to 1 KB. A URL that cannot be reached gives errorType
// "Eddy.WebhookUnreachable". No deadline met gives Lambda's timeout error
// ("RequestId: ID Error: Task timed out after N.NN seconds").

// WebhookPoster sends webhook functions' invocations. The Launcher
// implements it (runtimeapi.Launcher, over HTTP), so that this package
// speaks no HTTP itself.
type WebhookPoster interface {
	// Post POSTs inv.Payload to url with the headers above and returns
	// the answer's status code, status line ("500 Internal Server
	// Error") and body (at most maxBody bytes), or the error that kept
	// it from being answered (ctx's when ctx ended).
	Post(ctx context.Context, url string, inv *Invocation, maxBody int64) (code int, status string, body []byte, err error)
}

// WebhookTag is the tag whose value, an http or https URL, makes a
// function a webhook function.
const WebhookTag = "eddy:webhook"

// webhookErrorBytes bounds the body quoted in a webhook's error message.
const webhookErrorBytes = 1024

// checkWebhookTag validates the WebhookTag among tags, if present.
func checkWebhookTag(tags map[string]string) error {
	u, ok := tags[WebhookTag]
	if !ok {
		return nil
	}
	if err := checkWebhookURL(u); err != nil {
		// Eddy's wording: the tag is Eddy's, so AWS has none.
		return lp.InvalidParameter("Tag %s must be an absolute http or https URL: %v", WebhookTag, err)
	}
	return nil
}

func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q has no http or https scheme and host", s)
	}
	return nil
}

// webhookURL is the function's webhook, or "".
func webhookURL(r *record) string {
	return r.Tags[WebhookTag]
}

// webhook is an Instance that POSTs each invocation to a URL. It holds no
// process: Stop does nothing and it stays alive, so the pool keeps it warm
// and its busy count is the concurrency.
type webhook struct {
	url    string
	poster WebhookPoster
	mu     struct {
		sync.Mutex
		log     bytes.Buffer // the current invocation's log lines
		pending bytes.Buffer // the lines Output has not returned
	}
}

// Run POSTs inv and waits for the answer or the deadline.
func (w *webhook) Run(ctx context.Context, inv *Invocation) (Result, bool) {
	ctx, cancel := context.WithDeadline(ctx, inv.Deadline)
	defer cancel()
	code, status, body, err := w.poster.Post(ctx, w.url, inv, lp.MaxSyncPayload+1)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return w.timedOut(inv), true
		}
		if ctx.Err() != nil {
			// The caller went away before an answer.
			return Result{}, true
		}
		return w.failure("Eddy.WebhookUnreachable", err.Error()), true
	}
	if code < 200 || code > 299 {
		if isErrorObject(body) {
			return Result{Payload: body, Errored: true}, true
		}
		quoted := body
		if len(quoted) > webhookErrorBytes {
			quoted = quoted[:webhookErrorBytes]
		}
		return w.failure("Eddy.WebhookHTTPError", fmt.Sprintf("webhook answered %s: %s", status, quoted)), true
	}
	return Result{Payload: body}, true
}

// timedOut is Lambda's timeout error, as process instances give it.
func (w *webhook) timedOut(inv *Invocation) Result {
	secs := inv.Timeout.Seconds()
	w.Log("%s %s Task timed out after %.2f seconds\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), inv.ID, secs)
	return Result{Errored: true, Payload: mustJSON(map[string]string{
		"errorMessage": fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", inv.ID, secs),
	})}
}

func (w *webhook) failure(typ, msg string) Result {
	w.Log("webhook error: %s: %s\n", typ, msg)
	return Result{Errored: true, Payload: mustJSON(map[string]string{"errorType": typ, "errorMessage": msg})}
}

// isErrorObject reports whether b is a JSON object with an errorMessage.
func isErrorObject(b []byte) bool {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return false
	}
	_, ok := m["errorMessage"]
	return ok
}

// Alive is always true: a webhook has no process to lose.
func (w *webhook) Alive() bool { return true }

// Stop does nothing.
func (w *webhook) Stop() {}

// ResetLog starts a new invocation's log.
func (w *webhook) ResetLog() {
	w.mu.Lock()
	w.mu.log.Reset()
	w.mu.Unlock()
}

// Log appends one of Eddy's lines.
func (w *webhook) Log(format string, args ...any) {
	w.mu.Lock()
	line := fmt.Appendf(nil, format, args...)
	w.mu.log.Write(line)
	w.mu.pending.Write(line)
	w.mu.Unlock()
}

// Output returns the lines logged since the last call.
func (w *webhook) Output() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := append([]byte(nil), w.mu.pending.Bytes()...)
	w.mu.pending.Reset()
	return b
}

// Tail is the invocation's log, its last TailBytes.
func (w *webhook) Tail() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	b := w.mu.log.Bytes()
	if len(b) > TailBytes {
		b = b[len(b)-TailBytes:]
	}
	return append([]byte(nil), b...)
}
