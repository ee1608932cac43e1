package eddy

import (
	"errors"
	"fmt"
)

// Error is an error a client of one of Eddy's AWS services can act on. Code
// is the AWS exception name (the part of "__type" after any namespace, as
// the SDKs read it); Message is the human-readable text, worded as AWS words
// it where AWS's wording is known.
//
// Members are the exception's members besides its message, for the few
// exceptions that carry more (DynamoDB's ConditionalCheckFailedException
// carries the item as "Item", TransactionCanceledException its
// "CancellationReasons"): each a member name as the service's model spells
// it and a value the transport encodes as it encodes an operation's output
// (a struct with JSON tags, a map, a slice, a string...). The transport
// writes them after the message, in order. Most errors have none.
type Error struct {
	Code    string
	Message string
	Members []Member
}

// Member is one member of an exception besides its message: see
// Error.Members.
type Member struct {
	Name  string
	Value any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, &eddy.Error{Code: eddy.CodeResourceNotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// With returns a copy of e that also carries the member name with value
// v, after the members e already has (see Error.Members).
func (e *Error) With(name string, v any) *Error {
	c := *e
	c.Members = append(append([]Member(nil), e.Members...), Member{Name: name, Value: v})
	return &c
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AWS exception names. The catalog of HTTP status and retryability for each
// is in catalog.go; these are the names only. The first group serves
// Kinesis and the transport; several of them are DynamoDB's too.
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
	// CodeExpiredToken answers a request signed with temporary
	// credentials (AssumeRole's) past their expiry.
	CodeExpiredToken = "ExpiredTokenException"
)

// Kinesis's exceptions for server-side encryption (the model's,
// com.amazonaws.kinesis: aws-sdk-go-v2 service/kinesis v1.56.11
// types/errors.go), answered when the stream's KMS key cannot be used.
// KMSInvalidStateException is also KMS's own code (CodeKMSInvalidState):
// Kinesis's model gives it no httpError trait (400), KMS's 409; the
// catalog has KMS's status and the Kinesis transport answers 400
// (kinesisapi's Status).
const (
	CodeKinesisKMSAccessDenied  = "KMSAccessDeniedException"
	CodeKinesisKMSDisabled      = "KMSDisabledException"
	CodeKinesisKMSInvalidState  = "KMSInvalidStateException"
	CodeKinesisKMSNotFound      = "KMSNotFoundException"
	CodeKinesisKMSOptInRequired = "KMSOptInRequired"
	CodeKinesisKMSThrottling    = "KMSThrottlingException"
)

// DynamoDB's own exception names (the model's, com.amazonaws.dynamodb), and
// the front end's throttling exception. DynamoDB also answers with
// ResourceNotFoundException, ResourceInUseException, LimitExceededException,
// ProvisionedThroughputExceededException, ValidationException,
// AccessDeniedException and the transport's codes above.
const (
	CodeConditionalCheckFailed          = "ConditionalCheckFailedException"
	CodeTransactionCanceled             = "TransactionCanceledException"
	CodeTransactionConflict             = "TransactionConflictException"
	CodeTransactionInProgress           = "TransactionInProgressException"
	CodeIdempotentParameterMismatch     = "IdempotentParameterMismatchException"
	CodeItemCollectionSizeLimitExceeded = "ItemCollectionSizeLimitExceededException"
	CodeRequestLimitExceeded            = "RequestLimitExceeded"
	CodeThrottling                      = "ThrottlingException"
	CodeReplicatedWriteConflict         = "ReplicatedWriteConflictException"
	CodeInternalServerError             = "InternalServerError"
	CodeIndexNotFound                   = "IndexNotFoundException"
	CodeTableNotFound                   = "TableNotFoundException"
	CodeTableInUse                      = "TableInUseException"
	CodeTableAlreadyExists              = "TableAlreadyExistsException"
	CodeContinuousBackupsUnavailable    = "ContinuousBackupsUnavailableException"
	CodePointInTimeRecoveryUnavailable  = "PointInTimeRecoveryUnavailableException"
	CodePolicyNotFound                  = "PolicyNotFoundException"
	CodeDuplicateItem                   = "DuplicateItemException"
	CodeInvalidEndpoint                 = "InvalidEndpointException"
)

// Firehose's own exception names (the model's, com.amazonaws.firehose).
// Firehose also answers with ResourceNotFoundException,
// ResourceInUseException, InvalidArgumentException, LimitExceededException
// and the transport's codes above.
const (
	CodeConcurrentModification = "ConcurrentModificationException"
	CodeServiceUnavailable     = "ServiceUnavailableException"
	CodeInvalidKMSResource     = "InvalidKMSResourceException"
	CodeInvalidSource          = "InvalidSourceException"
)

// KMS's own exception names (the model's, com.amazonaws.kms: aws-sdk-go-v2
// service/kms v1.63.0 types/errors.go). KMS also answers with
// LimitExceededException, ValidationException and the transport's codes
// above.
const (
	CodeKMSNotFound          = "NotFoundException"
	CodeKMSDisabled          = "DisabledException"
	CodeKMSInvalidState      = "KMSInvalidStateException"
	CodeKMSInternal          = "KMSInternalException"
	CodeAlreadyExists        = "AlreadyExistsException"
	CodeInvalidAliasName     = "InvalidAliasNameException"
	CodeInvalidArn           = "InvalidArnException"
	CodeInvalidCiphertext    = "InvalidCiphertextException"
	CodeInvalidKeyUsage      = "InvalidKeyUsageException"
	CodeInvalidMarker        = "InvalidMarkerException"
	CodeIncorrectKey         = "IncorrectKeyException"
	CodeMalformedPolicy      = "MalformedPolicyDocumentException"
	CodeTag                  = "TagException"
	CodeUnsupportedOperation = "UnsupportedOperationException"
)

// Kinesis Analytics's own exception names (the model's,
// com.amazonaws.kinesisanalytics: aws-sdk-go-v2 service/kinesisanalytics
// v1.31.0 types/errors.go). It also answers with ResourceNotFoundException,
// ResourceInUseException, InvalidArgumentException, LimitExceededException,
// ConcurrentModificationException, UnsupportedOperationException,
// ServiceUnavailableException and the transport's codes above.
const (
	CodeCodeValidation                        = "CodeValidationException"
	CodeInvalidApplicationConfiguration       = "InvalidApplicationConfigurationException"
	CodeTooManyTags                           = "TooManyTagsException"
	CodeUnableToDetectSchema                  = "UnableToDetectSchemaException"
	CodeResourceProvisionedThroughputExceeded = "ResourceProvisionedThroughputExceededException"
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
