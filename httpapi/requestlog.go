package httpapi

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// logRequest writes the one log record of a request, once it is answered:
//
//   - a failed request (status 400 and up), at info level (error level
//     for a 5xx), with its error code and, for an InternalFailure, the
//     error behind it;
//   - any other request at info level with Config.LogRequests, else at
//     debug level.
//
// An InternalFailure's record carries the error behind it (err), or the
// panic and its stack.
//
// A record carries the request id, the operation (empty for a target that
// names none), the stream the input addresses (Service.StreamOf; empty if
// the body was not decoded), the status and the time taken:
//
//	level=INFO msg=request request_id=... operation=PutRecord stream=orders status=400 error=ResourceNotFoundException duration=1.2ms
//
// Nothing is computed for a record the logger would drop.
func (s *Server) logRequest(x *exchange) {
	level := slog.LevelDebug
	switch {
	case x.status >= 500:
		level = slog.LevelError
	case x.status >= 400 || s.cfg.LogRequests:
		level = slog.LevelInfo
	}
	ctx := context.Background()
	if !s.log.Enabled(ctx, level) {
		return
	}
	stream := ""
	if x.in != nil && x.streamOf != nil {
		stream = x.streamOf(x.in)
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("request_id", x.id),
		slog.String("operation", x.op),
		slog.String("stream", stream),
		slog.Int("status", x.status),
	)
	if x.code != "" {
		attrs = append(attrs, slog.String("error", x.code))
	}
	if x.cause != nil {
		attrs = append(attrs, slog.Any("err", x.cause))
	}
	if x.stack != "" {
		attrs = append(attrs, slog.String("stack", x.stack))
	}
	if x.op == "" && x.target != "" {
		attrs = append(attrs, slog.String("target", x.target))
	}
	// An AWS SDK's retry of a call says so (amz-sdk-request: attempt=2;
	// max=3), with the same amz-sdk-invocation-id as the first attempt:
	// a retried write the server had applied is a duplicate.
	if a := x.r.Header.Get("amz-sdk-request"); a != "" && !firstAttempt(a) {
		attrs = append(attrs, slog.String("sdk_request", a), slog.String("sdk_invocation_id", x.r.Header.Get("amz-sdk-invocation-id")))
	}
	attrs = append(attrs,
		slog.String("method", x.r.Method),
		slog.Duration("duration", time.Since(x.start)),
	)
	s.log.LogAttrs(ctx, level, "request", attrs...)
}

// firstAttempt reports whether an amz-sdk-request header ("attempt=1;
// max=3", or "attempt=1" alone as botocore sends it) names a first attempt.
func firstAttempt(h string) bool {
	v, ok := strings.CutPrefix(h, "attempt=")
	if !ok {
		return true
	}
	n, _, _ := strings.Cut(v, ";")
	return strings.TrimSpace(n) == "1"
}
