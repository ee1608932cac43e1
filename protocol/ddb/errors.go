package ddb

import (
	"reflect"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/dynamo/attr"
)

// DynamoDB on the wire: the target prefix of X-Amz-Target, the SigV4
// signing name, the Java package of the model's classes (which AWS's
// messages name), and the largest request body.
const (
	TargetPrefix = "DynamoDB_20120810"
	SigningName  = "dynamodb"
	ModelPackage = "com.amazonaws.dynamodb.v20120810"
	// MaxRequestBytes is the largest request body DynamoDB reads: 16 MiB
	// (dynalite index.js MAX_REQUEST_BYTES answers a larger one 413; the
	// developer guide's BatchWriteItem limit is "16 MB" per request).
	MaxRequestBytes = 16 << 20
)

// Namespaces of DynamoDB's "__type"s. The front end's own exceptions are
// com.amazon.coral.service's, validation com.amazon.coral.validate's,
// throttling com.amazon.coral.availability's, and the model's
// com.amazonaws.dynamodb.v20120810's (dynalite's index.js and db/index.js
// record each; the developer guide's Programming.Errors shows
// "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"). The SDKs
// keep the part after '#' (aws-sdk-go-v2: smithy-go
// transport/http/protocol/internal/json SanitizeErrorCode).
const (
	nsService      = "com.amazon.coral.service#"
	nsValidate     = "com.amazon.coral.validate#"
	nsAvailability = "com.amazon.coral.availability#"
	nsModel        = ModelPackage + "#"
)

// ErrorType returns the "__type" DynamoDB sends for an error code, e.g.
// "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException".
func ErrorType(code string) string {
	switch code {
	case eddy.CodeSerialization, eddy.CodeUnknownOperation, eddy.CodeMissingAuthenticationTok,
		eddy.CodeIncompleteSignature, eddy.CodeInvalidSignature, eddy.CodeUnrecognizedClient,
		eddy.CodeAccessDenied, eddy.CodeInternalFailure:
		return nsService + code
	case eddy.CodeValidation:
		return nsValidate + code
	case eddy.CodeThrottling:
		return nsAvailability + code
	}
	return nsModel + code
}

// MessageKey returns the member DynamoDB writes an error's message in.
// The model spells it "Message" for TransactionCanceledException,
// TransactionInProgressException and IdempotentParameterMismatchException
// and "message" for its other exceptions (aws-sdk-go-v2 service/dynamodb
// schemas); the front end writes "Message" for SerializationException and
// AccessDeniedException (dynalite validations/index.js checkTypes and
// tagResource.js) and "message" for its others (test/connection.js).
func MessageKey(code string) string {
	switch code {
	case eddy.CodeSerialization, eddy.CodeAccessDenied, eddy.CodeTransactionCanceled,
		eddy.CodeTransactionInProgress, eddy.CodeIdempotentParameterMismatch:
		return "Message"
	}
	return "message"
}

// ModelClass returns the Java class DynamoDB's messages name for a
// structure type of this package: ModelPackage and the shape's name, which
// is the Go type's name but for attr.Value ("AttributeValue").
func ModelClass(t reflect.Type) string {
	return ModelPackage + "." + shapeName(t)
}

func shapeName(t reflect.Type) string {
	if t == reflect.TypeFor[attr.Value]() {
		return "AttributeValue"
	}
	return t.Name()
}

// Exceptions with their fixed messages (dynalite db/index.js).
const (
	// MsgConditionalCheckFailed is ConditionalCheckFailedException's
	// message.
	MsgConditionalCheckFailed = "The conditional request failed"
)

// ConditionalCheckFailed returns the ConditionalCheckFailedException of a
// failed condition. item, if not nil, is the item as it was, which
// DynamoDB returns as "Item" when the request asked for it with
// ReturnValuesOnConditionCheckFailure ALL_OLD (the model's
// ConditionalCheckFailedException.Item).
func ConditionalCheckFailed(item attr.Item) *eddy.Error {
	e := &eddy.Error{Code: eddy.CodeConditionalCheckFailed, Message: MsgConditionalCheckFailed}
	if item != nil {
		e = e.With("Item", item)
	}
	return e
}

// TransactionCanceled returns the TransactionCanceledException of a
// transaction whose items failed for reasons (one per item, in order,
// "None" for the items that did not fail), worded as DynamoDB words it:
// "Transaction cancelled, please refer cancellation reasons for specific
// reasons [None, ConditionalCheckFailed]" (the developer guide's
// transaction-apis page and AWS SDK issue reports quote it).
func TransactionCanceled(reasons []CancellationReason) *eddy.Error {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	msg := "Transaction cancelled, please refer cancellation reasons for specific reasons " + renderStrings(codes)
	return (&eddy.Error{Code: eddy.CodeTransactionCanceled, Message: msg}).With("CancellationReasons", reasons)
}
