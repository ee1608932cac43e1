package runtimeapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/lambda"
)

var _ lambda.WebhookPoster = Launcher{}

// webhookClient posts webhook functions' invocations; one for the
// process, so that connections are reused. Webhooks are local services:
// no proxy.
var webhookClient = &http.Client{Transport: &http.Transport{
	Proxy:               nil,
	MaxIdleConnsPerHost: 64,
	IdleConnTimeout:     90 * time.Second,
}}

// Post implements lambda.WebhookPoster: the payload as a JSON body, with
// the Runtime API's invocation headers (lambda/webhook.go documents
// them).
func (Launcher) Post(ctx context.Context, url string, inv *lambda.Invocation, maxBody int64) (int, string, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(inv.Payload))
	if err != nil {
		return 0, "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Aws-Request-Id", inv.ID)
	req.Header.Set("Lambda-Runtime-Invoked-Function-Arn", inv.ARN)
	req.Header.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
	req.Header.Set("Lambda-Runtime-Trace-Id", inv.TraceID)
	resp, err := webhookClient.Do(req)
	if err != nil {
		return 0, "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, "", nil, err
	}
	return resp.StatusCode, resp.Status, body, nil
}
