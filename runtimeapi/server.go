package runtimeapi

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/lambda"
)

// The Lambda Runtime API (docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html),
// served to one instance on its own loopback listener:
//
//	GET  /2018-06-01/runtime/invocation/next            the next event; blocks
//	POST /2018-06-01/runtime/invocation/{id}/response   the result, 202
//	POST /2018-06-01/runtime/invocation/{id}/error      a function error, 202
//	POST /2018-06-01/runtime/init/error                 an init failure, 202
//
// /next answers 200 with the event as its body and the headers
// Lambda-Runtime-Aws-Request-Id, Lambda-Runtime-Deadline-Ms (Unix ms),
// Lambda-Runtime-Invoked-Function-Arn and Lambda-Runtime-Trace-Id. The
// posts answer 202 {"status":"OK"} (the API's StatusResponse). A post for
// a request id that is not the instance's current invocation answers 400
// with an ErrorResponse {"errorMessage","errorType"}; the API reference
// documents 400 for it without the wording, so Eddy's is its own. A
// response may be chunked (Transfer-Encoding: chunked, as streaming
// runtimes and aws-lambda-go post it); when its trailers set
// Lambda-Runtime-Function-Error-Type (and -Body, base64), it is a
// function error (trailerError).
const runtimePrefix = "/2018-06-01/runtime/"

func (i *Instance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, runtimePrefix)
	if path == r.URL.Path {
		runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown path "+r.URL.Path)
		return
	}
	switch {
	case path == "invocation/next" && r.Method == http.MethodGet:
		i.next(w, r)
	case path == "init/error" && r.Method == http.MethodPost:
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxErrorBody))
		i.initFailed(errorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"), "Runtime.InitError"))
		accepted(w)
	case strings.HasPrefix(path, "invocation/") && r.Method == http.MethodPost:
		id, what, _ := strings.Cut(strings.TrimPrefix(path, "invocation/"), "/")
		if what != "response" && what != "error" {
			runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown path "+r.URL.Path)
			return
		}
		limit := int64(maxErrorBody)
		if what == "response" {
			limit = maxResponse
		}
		// net/http decodes chunked bodies; their trailers are in
		// r.Trailer once the body is read to its end.
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			runtimeError(w, http.StatusBadRequest, "InvalidRequest", err.Error())
			return
		}
		var res lambda.Result
		if what == "response" {
			if int64(len(body)) <= limit {
				io.Copy(io.Discard, r.Body) // to the end, for the trailers
			}
			if typ := r.Trailer.Get("Lambda-Runtime-Function-Error-Type"); typ != "" {
				res = lambda.Result{Errored: true, Payload: trailerError(typ, r.Trailer.Get("Lambda-Runtime-Function-Error-Body"))}
			} else if int64(len(body)) > limit {
				res = lambda.Result{Errored: true, Payload: mustJSON(map[string]string{
					// Lambda's error for an oversized response (as its users
					// report it).
					"errorMessage": "Response payload size exceeded maximum allowed payload size (6291556 bytes).",
					"errorType":    "Function.ResponseSizeTooLarge",
				})}
			} else {
				res = lambda.Result{Payload: body}
			}
		} else {
			res = lambda.Result{Errored: true, Payload: errorPayload(body, r.Header.Get("Lambda-Runtime-Function-Error-Type"), "Unhandled")}
		}
		if !i.deliver(id, res) {
			runtimeError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID: "+id)
			return
		}
		accepted(w)
	default:
		runtimeError(w, http.StatusNotFound, "InvalidPath", "unknown path "+r.URL.Path)
	}
}

const (
	maxErrorBody = 1 << 20
	maxResponse  = 6 << 20
)

func (i *Instance) next(w http.ResponseWriter, r *http.Request) {
	i.markReady()
	var c *current
	select {
	case c = <-i.invq:
	case <-r.Context().Done():
		return
	case <-i.stopped:
		return
	}
	i.mu.Lock()
	i.mu.cur = c
	i.mu.Unlock()
	inv := c.inv
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.ID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.Deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", inv.ARN)
	h.Set("Lambda-Runtime-Trace-Id", inv.TraceID)
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(inv.Payload)))
	w.WriteHeader(http.StatusOK)
	w.Write(inv.Payload)
}

// trailerError is the function error of a response that ended with the
// trailers Lambda-Runtime-Function-Error-Type and -Body (the custom
// runtime guide, runtimes-custom.html, "Report midstream errors using
// error trailers": the body is "Base64-encoded information about the
// error"; aws-lambda-go sends its JSON error object there). The guide
// says Lambda "treats this as a successful response and forwards the
// error metadata" to a streaming client; no AWS source says what a
// buffered Invoke (or an event source mapping) then sees. Eddy answers it
// as a function error, so a mapping retries the batch rather than
// checkpointing a truncated result: the payload is the decoded body when
// it is a JSON object, else {"errorMessage": body, "errorType": typ}.
func trailerError(typ, body64 string) []byte {
	body, err := base64.StdEncoding.DecodeString(body64)
	if err != nil {
		body = []byte(body64)
	}
	return errorPayload(body, typ, typ)
}

// errorPayload is the function error Invoke returns for a runtime's error
// post: the body as posted when it is a JSON object (the runtimes post
// {"errorMessage","errorType","stackTrace"}), else one built from it.
func errorPayload(body []byte, typ, defaultType string) []byte {
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil && obj != nil {
		return body
	}
	if typ == "" {
		typ = defaultType
	}
	return mustJSON(map[string]string{"errorMessage": string(body), "errorType": typ})
}

func accepted(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"OK"}`)
}

func runtimeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(mustJSON(map[string]string{"errorMessage": msg, "errorType": typ}))
}
