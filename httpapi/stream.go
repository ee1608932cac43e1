package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/eventstream"
)

// EventStreamer is an operation output that is a stream of events
// (SubscribeToShard). The transport answers 200 with content type
// application/vnd.amazon.eventstream, sends an "initial-response" event,
// then calls StreamEvents, which sends events with send until the stream
// ends. Each event's payload is encoded in the request's protocol (JSON or
// CBOR) and flushed at once: as chunks over HTTP/1.1, as data frames over
// HTTP/2.
//
// StreamEvents returns nil when the stream ends normally; an *eddy.Error
// is sent as an exception event (":exception-type" its code) before the
// response ends; send's own error (the client went away) ends it silently.
type EventStreamer interface {
	StreamEvents(ctx context.Context, send func(eventType string, payload any) error) error
}

const eventStreamContentType = "application/vnd.amazon.eventstream"

// eventContentType is the ":content-type" of event payloads: what the
// request's protocol carries, as AWS sends it.
func (c *codec) eventContentType() string {
	if c == cborCodec {
		return "application/cbor"
	}
	return "application/json"
}

// stream answers with the event stream es.
func (s *Server) stream(ctx context.Context, x *exchange, es EventStreamer) {
	h := x.w.Header()
	h.Set("Content-Type", eventStreamContentType)
	x.status = http.StatusOK
	x.w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(x.w)
	ct := x.codec.eventContentType()
	var wire []byte
	write := func(m eventstream.Message) error {
		var err error
		if wire, err = m.AppendTo(wire[:0]); err != nil {
			return err
		}
		if _, err := x.w.Write(wire); err != nil {
			return err
		}
		return rc.Flush()
	}
	var clientGone error
	send := func(eventType string, payload any) error {
		buf := getBuffer()
		defer putBuffer(buf)
		if err := x.codec.marshal(buf, payload); err != nil {
			return err
		}
		if err := write(eventstream.EventMessage(eventType, ct, buf.Bytes())); err != nil {
			clientGone = err
			return err
		}
		return nil
	}
	if err := send("initial-response", struct{}{}); err != nil {
		return
	}
	err := es.StreamEvents(ctx, send)
	if err == nil || clientGone != nil || ctx.Err() != nil {
		return
	}
	var ee *eddy.Error
	if !errors.As(err, &ee) {
		s.log.Error("internal failure in event stream", "request_id", x.id, "target", x.target, "err", err)
		ee = &eddy.Error{Code: eddy.CodeInternalFailure, Message: "Internal service failure."}
	}
	buf := getBuffer()
	defer putBuffer(buf)
	// An exception event's payload is the error's members: its message.
	if err := x.codec.marshal(buf, struct {
		Message string `json:"message"`
	}{ee.Message}); err != nil {
		return
	}
	write(eventstream.ExceptionMessage(ee.Code, ct, buf.Bytes()))
}
