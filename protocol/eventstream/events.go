package eventstream

// AWS event semantics on top of the framing, from the Smithy specification
// ("Amazon Event Semantics"). All these headers are strings.
//
// SubscribeToShard uses the AWS JSON 1.1 protocol, an RPC protocol, so its
// response body must begin with an "initial-response" event whose payload is
// the operation's output without the event stream member. Clients insist on
// it: aws-sdk-go-v2 fails with "expected initial-response", botocore with
// "First event was not of type initial-response". SubscribeToShardOutput has
// no other members, so the payload is "{}"; an empty payload also works
// (aws-sdk-go-v2 skips it, botocore parses it as {}, and the Java SDK v2's
// SubscribeToShard unmarshalling test sends one with no payload). Then come "SubscribeToShardEvent" events, one JSON
// SubscribeToShardEvent each, and possibly one exception that ends the
// stream, its :exception-type the name of the event stream member
// (ResourceNotFoundException, ResourceInUseException, KMS*Exception,
// InternalFailureException) and its payload {"message": "..."}.
//
// Kinesis documents no :content-type for these events. The Smithy
// specification's example of a Kinesis JSON 1.1 event stream uses
// "application/json" for the initial response and the events, and
// aws-sdk-go-v2 writes "application/json" on the events it sends for JSON
// protocols. Clients do not read the header: aws-sdk-go-v2 (smithy-go
// internal/eventstream) and botocore (EventStream) dispatch on :message-type
// and :event-type / :exception-type only, and the Java SDK v2's own
// SubscribeToShard unmarshalling test feeds it events with no :content-type.
// Eddy uses "application/json" (ContentTypeJSON).
const (
	HeaderMessageType   = ":message-type"   // MessageTypeEvent, MessageTypeException or MessageTypeError
	HeaderEventType     = ":event-type"     // name of the event stream member, or EventTypeInitialResponse
	HeaderExceptionType = ":exception-type" // name of the modeled error member
	HeaderContentType   = ":content-type"   // media type of the payload
	HeaderErrorCode     = ":error-code"     // unmodeled error: code
	HeaderErrorMessage  = ":error-message"  // unmodeled error: human-readable message

	MessageTypeEvent     = "event"
	MessageTypeException = "exception" // a modeled error; ends the stream
	MessageTypeError     = "error"     // an unmodeled error; ends the stream

	// EventTypeInitialResponse is the :event-type of the first message of
	// an RPC-protocol response stream.
	EventTypeInitialResponse = "initial-response"

	// ContentTypeJSON is the :content-type of Kinesis event payloads.
	ContentTypeJSON = "application/json"
)

// EventMessage returns an event message: :message-type "event", :event-type
// eventType (a member name such as "SubscribeToShardEvent", or
// EventTypeInitialResponse), and :content-type contentType unless it is
// empty.
//
// Header order: the specification says it is meaningless and decoders must
// not depend on it, and no capture of Kinesis traffic is published. The
// helpers use the order of the Smithy specification's examples:
// :message-type, then :event-type / :exception-type / :error-code, then
// :content-type / :error-message.
func EventMessage(eventType, contentType string, payload []byte) Message {
	return typed(MessageTypeEvent, HeaderEventType, eventType, contentType, payload)
}

// ExceptionMessage returns a modeled error message: :message-type
// "exception", :exception-type exceptionType (such as
// "ResourceInUseException"), and :content-type contentType unless it is
// empty. For JSON protocols the payload is {"message":"..."}.
func ExceptionMessage(exceptionType, contentType string, payload []byte) Message {
	return typed(MessageTypeException, HeaderExceptionType, exceptionType, contentType, payload)
}

// ErrorMessage returns an unmodeled error message: :message-type "error",
// :error-code code and :error-message message, with no payload.
func ErrorMessage(code, message string) Message {
	return Message{Headers: []Header{
		{HeaderMessageType, StringValue(MessageTypeError)},
		{HeaderErrorCode, StringValue(code)},
		{HeaderErrorMessage, StringValue(message)},
	}}
}

func typed(messageType, typeHeader, typ, contentType string, payload []byte) Message {
	hs := make([]Header, 2, 3)
	hs[0] = Header{HeaderMessageType, StringValue(messageType)}
	hs[1] = Header{typeHeader, StringValue(typ)}
	if contentType != "" {
		hs = append(hs, Header{HeaderContentType, StringValue(contentType)})
	}
	if len(payload) == 0 {
		payload = nil
	}
	return Message{Headers: hs, Payload: payload}
}
