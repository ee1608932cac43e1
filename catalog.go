package eddy

// HTTP statuses, spelled out so that this package (which storage and the
// engine import) does not pull in net/http.
const (
	statusBadRequest          = 400
	statusNotFound            = 404
	statusConflict            = 409
	statusInternalServerError = 500
	statusServiceUnavailable  = 503
)

// ErrorInfo is what the transport and the clients need to know about one
// error code: the HTTP status AWS answers it with, and whether the same
// request may succeed if sent again later.
type ErrorInfo struct {
	Code   string
	Status int
	// Retryable reports that retrying the identical request later can
	// succeed: server faults and throttling. The AWS SDKs' standard retry
	// mode retries exactly these (5xx statuses, and the throttling codes
	// ProvisionedThroughputExceededException and LimitExceededException).
	Retryable bool
}

// catalog maps every code this package defines to its HTTP status and
// retryability, for every service (a code two services share, such as
// ResourceNotFoundException, has the same status and retryability in
// both). Kinesis answers every client-side exception, throttling
// included, with 400; only InternalFailure is a 500. The authentication
// codes are 400 too on the JSON protocol (measured by kinesalite against
// the real service), although AWS's generic "common errors" page lists some
// of them as 403.
var catalog = map[string]ErrorInfo{
	CodeResourceNotFound:         {CodeResourceNotFound, statusBadRequest, false},
	CodeResourceInUse:            {CodeResourceInUse, statusBadRequest, false},
	CodeInvalidArgument:          {CodeInvalidArgument, statusBadRequest, false},
	CodeLimitExceeded:            {CodeLimitExceeded, statusBadRequest, true},
	CodeExpiredIterator:          {CodeExpiredIterator, statusBadRequest, false},
	CodeExpiredNextToken:         {CodeExpiredNextToken, statusBadRequest, false},
	CodeProvisionedThroughput:    {CodeProvisionedThroughput, statusBadRequest, true},
	CodeAccessDenied:             {CodeAccessDenied, statusBadRequest, false},
	CodeValidation:               {CodeValidation, statusBadRequest, false},
	CodeInternalFailure:          {CodeInternalFailure, statusInternalServerError, true},
	CodeSerialization:            {CodeSerialization, statusBadRequest, false},
	CodeUnknownOperation:         {CodeUnknownOperation, statusBadRequest, false},
	CodeMissingAuthenticationTok: {CodeMissingAuthenticationTok, statusBadRequest, false},
	CodeIncompleteSignature:      {CodeIncompleteSignature, statusBadRequest, false},
	CodeInvalidSignature:         {CodeInvalidSignature, statusBadRequest, false},
	CodeUnrecognizedClient:       {CodeUnrecognizedClient, statusBadRequest, false},
	CodeExpiredToken:             {CodeExpiredToken, statusBadRequest, false},
	CodeDryRunOperation:          {CodeDryRunOperation, statusBadRequest, false},

	// Kinesis's KMS exceptions: 400, as every Kinesis client error (no
	// httpError trait in aws-sdk-go-v2 service/kinesis v1.56.11
	// schemas); throttling may succeed later.
	CodeKinesisKMSAccessDenied:  {CodeKinesisKMSAccessDenied, statusBadRequest, false},
	CodeKinesisKMSDisabled:      {CodeKinesisKMSDisabled, statusBadRequest, false},
	CodeKinesisKMSNotFound:      {CodeKinesisKMSNotFound, statusBadRequest, false},
	CodeKinesisKMSOptInRequired: {CodeKinesisKMSOptInRequired, statusBadRequest, false},
	CodeKinesisKMSThrottling:    {CodeKinesisKMSThrottling, statusBadRequest, true},

	// DynamoDB. Every exception but InternalServerError is a 400 (the
	// model's error traits: "client" for all but InternalServerError,
	// "server"; aws-sdk-go-v2 service/dynamodb types/errors.go). Retryable
	// are the ones DynamoDB's error table marks "OK to retry? Yes"
	// (developerguide/Programming.Errors.html: throttling and limits) and
	// the transaction conflicts the SDKs retry (aws-sdk-go-v2
	// aws/retry/standard.go lists TransactionInProgressException among the
	// throttle codes; a TransactionConflictException or
	// ReplicatedWriteConflictException is a race with another writer that
	// a later try can win).
	CodeConditionalCheckFailed:          {CodeConditionalCheckFailed, statusBadRequest, false},
	CodeTransactionCanceled:             {CodeTransactionCanceled, statusBadRequest, false},
	CodeTransactionConflict:             {CodeTransactionConflict, statusBadRequest, true},
	CodeTransactionInProgress:           {CodeTransactionInProgress, statusBadRequest, true},
	CodeIdempotentParameterMismatch:     {CodeIdempotentParameterMismatch, statusBadRequest, false},
	CodeItemCollectionSizeLimitExceeded: {CodeItemCollectionSizeLimitExceeded, statusBadRequest, true},
	CodeRequestLimitExceeded:            {CodeRequestLimitExceeded, statusBadRequest, true},
	CodeThrottling:                      {CodeThrottling, statusBadRequest, true},
	CodeReplicatedWriteConflict:         {CodeReplicatedWriteConflict, statusBadRequest, true},
	CodeInternalServerError:             {CodeInternalServerError, statusInternalServerError, true},
	CodeIndexNotFound:                   {CodeIndexNotFound, statusBadRequest, false},
	CodeTableNotFound:                   {CodeTableNotFound, statusBadRequest, false},
	CodeTableInUse:                      {CodeTableInUse, statusBadRequest, false},
	CodeTableAlreadyExists:              {CodeTableAlreadyExists, statusBadRequest, false},
	CodeContinuousBackupsUnavailable:    {CodeContinuousBackupsUnavailable, statusBadRequest, false},
	CodePointInTimeRecoveryUnavailable:  {CodePointInTimeRecoveryUnavailable, statusBadRequest, false},
	CodePolicyNotFound:                  {CodePolicyNotFound, statusBadRequest, false},
	CodeDuplicateItem:                   {CodeDuplicateItem, statusBadRequest, false},
	CodeInvalidEndpoint:                 {CodeInvalidEndpoint, statusBadRequest, false},

	// Firehose. Every exception is a client fault (400) but
	// ServiceUnavailableException, a server fault with the model's
	// httpError 503 (aws-sdk-go-v2 service/firehose v1.52.12
	// types/errors.go and schemas/schemas.go); the SDKs retry it as a 5xx.
	CodeConcurrentModification: {CodeConcurrentModification, statusBadRequest, false},
	CodeServiceUnavailable:     {CodeServiceUnavailable, statusServiceUnavailable, true},
	CodeInvalidKMSResource:     {CodeInvalidKMSResource, statusBadRequest, false},
	CodeInvalidSource:          {CodeInvalidSource, statusBadRequest, false},

	// KMS. The statuses are the model's httpError traits (aws-sdk-go-v2
	// service/kms v1.63.0 schemas/schemas.go): NotFoundException 404;
	// DisabledException, KMSInvalidStateException and
	// AlreadyExistsException 409; KMSInternalException 500 (a server
	// fault, retried); every other one 400.
	CodeKMSNotFound:          {CodeKMSNotFound, statusNotFound, false},
	CodeKMSDisabled:          {CodeKMSDisabled, statusConflict, false},
	CodeKMSInvalidState:      {CodeKMSInvalidState, statusConflict, false},
	CodeKMSInternal:          {CodeKMSInternal, statusInternalServerError, true},
	CodeAlreadyExists:        {CodeAlreadyExists, statusConflict, false},
	CodeInvalidAliasName:     {CodeInvalidAliasName, statusBadRequest, false},
	CodeInvalidArn:           {CodeInvalidArn, statusBadRequest, false},
	CodeInvalidCiphertext:    {CodeInvalidCiphertext, statusBadRequest, false},
	CodeInvalidKeyUsage:      {CodeInvalidKeyUsage, statusBadRequest, false},
	CodeInvalidMarker:        {CodeInvalidMarker, statusBadRequest, false},
	CodeIncorrectKey:         {CodeIncorrectKey, statusBadRequest, false},
	CodeMalformedPolicy:      {CodeMalformedPolicy, statusBadRequest, false},
	CodeTag:                  {CodeTag, statusBadRequest, false},
	CodeUnsupportedOperation: {CodeUnsupportedOperation, statusBadRequest, false},

	// Kinesis Analytics. Every exception is a client fault (400) but
	// ServiceUnavailableException (shared with Firehose, above), as
	// service-2.json marks them (no httpError traits: the JSON 1.1
	// default, 400 for a client fault).
	CodeCodeValidation:                        {CodeCodeValidation, statusBadRequest, false},
	CodeInvalidApplicationConfiguration:       {CodeInvalidApplicationConfiguration, statusBadRequest, false},
	CodeTooManyTags:                           {CodeTooManyTags, statusBadRequest, false},
	CodeUnableToDetectSchema:                  {CodeUnableToDetectSchema, statusBadRequest, false},
	CodeResourceProvisionedThroughputExceeded: {CodeResourceProvisionedThroughputExceeded, statusBadRequest, false},
}

// Lookup returns the catalog entry for code and whether code is known. An
// unknown code gets the entry of an ordinary client error: status 400, not
// retryable.
func Lookup(code string) (ErrorInfo, bool) {
	if info, ok := catalog[code]; ok {
		return info, true
	}
	return ErrorInfo{Code: code, Status: statusBadRequest}, false
}

// Status returns the HTTP status AWS sends with code: 500 for
// InternalFailure, InternalServerError and KMSInternalException, 503 for
// Firehose's ServiceUnavailableException, 404 and 409 for KMS's codes the
// model gives them (see the catalog), 400 for every other code, known or
// not.
func Status(code string) int {
	info, _ := Lookup(code)
	return info.Status
}

// Retryable reports whether a request that failed with code may succeed if
// sent again unchanged later (see ErrorInfo.Retryable). Unknown codes are not
// retryable.
func Retryable(code string) bool {
	info, _ := Lookup(code)
	return info.Retryable
}
