package eddy

import (
	"errors"
	"fmt"
)

// Error is an error a Kinesis client can act on. Code is the AWS exception
// name exactly as the service sends it in "__type"; Message is the
// human-readable text, worded as AWS words it where AWS's wording is known.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &eddy.Error{Code: eddy.CodeResourceNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AWS exception names. The catalog of HTTP status and retryability for each
// lives with the transport; these are the names only.
const (
	CodeResourceNotFound         = "ResourceNotFoundException"
	CodeResourceInUse            = "ResourceInUseException"
	CodeInvalidArgument          = "InvalidArgumentException"
	CodeLimitExceeded            = "LimitExceededException"
	CodeExpiredIterator          = "ExpiredIteratorException"
	CodeExpiredNextToken         = "ExpiredNextTokenException"
	CodeProvisionedThroughput    = "ProvisionedThroughputExceededException"
	CodeAccessDenied             = "AccessDeniedException"
	CodeValidation               = "ValidationException"
	CodeInternalFailure          = "InternalFailure"
	CodeSerialization            = "SerializationException"
	CodeUnknownOperation         = "UnknownOperationException"
	CodeMissingAuthenticationTok = "MissingAuthenticationTokenException"
	CodeIncompleteSignature      = "IncompleteSignatureException"
	CodeInvalidSignature         = "InvalidSignatureException"
	CodeUnrecognizedClient       = "UnrecognizedClientException"
	CodeDryRunOperation          = "DryRunOperationException"
)

// CodeOf returns the AWS code of err if it is (or wraps) an *Error, and
// CodeInternalFailure otherwise.
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternalFailure
}
