package lambda

import (
	"fmt"
	"strings"

	"github.com/eddy-streams/eddy"
)

// Lambda's error codes (the model's exception shapes).
const (
	CodeResourceNotFound      = "ResourceNotFoundException"
	CodeResourceConflict      = "ResourceConflictException"
	CodeInvalidParameterValue = "InvalidParameterValueException"
	CodeInvalidRequestContent = "InvalidRequestContentException"
	CodeTooManyRequests       = "TooManyRequestsException"
	CodeService               = "ServiceException"
	CodeRequestTooLarge       = "RequestTooLargeException"
	CodeUnsupportedMediaType  = "UnsupportedMediaTypeException"
	CodeInvalidZipFile        = "InvalidZipFileException"
	CodeValidation            = eddy.CodeValidation
	// CodeUnknownOperation answers a path no operation has. Lambda's model
	// has no such shape and no recorded answer was found; AWS front ends
	// answer unknown operations with UnknownOperationException, so Eddy
	// does, with status 404.
	CodeUnknownOperation = eddy.CodeUnknownOperation
)

// statuses are the HTTP statuses of Lambda's errors, from the HTTPError
// traits in aws-sdk-go-v2 service/lambda v1.117.0 schemas/schemas.go
// (ResourceNotFoundException 404, ResourceConflictException 409,
// TooManyRequestsException 429, ServiceException 500,
// RequestTooLargeException 413, UnsupportedMediaTypeException 415, the
// parameter and content exceptions 400).
var statuses = map[string]int{
	CodeResourceNotFound:      404,
	CodeResourceConflict:      409,
	CodeInvalidParameterValue: 400,
	CodeInvalidRequestContent: 400,
	CodeTooManyRequests:       429,
	CodeService:               500,
	CodeRequestTooLarge:       413,
	CodeUnsupportedMediaType:  415,
	CodeInvalidZipFile:        502,
	CodeValidation:            400,
	CodeUnknownOperation:      404,
	// AccessDeniedException is the front end's answer to a call IAM
	// denies (not a shape of Lambda's model): 403, as for every
	// REST-protocol service's authorization failures.
	eddy.CodeAccessDenied: 403,
}

// Status returns the HTTP status Lambda sends with code, or 0 for a code
// that is not Lambda's own (the transport's defaults then apply).
func Status(code string) int { return statuses[code] }

// FunctionARN is the ARN of an unqualified function.
func FunctionARN(region, account, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":function:" + name
}

// NotFound is Lambda's answer for a function that does not exist:
// "Function not found: ARN" (the AWS CLI's output against real accounts in
// users' reports; moto's Lambda tests and aws-sam-cli's
// samcli/local/lambda_service/lambda_error_responses.py use the same).
func NotFound(arn string) *eddy.Error {
	return &eddy.Error{Code: CodeResourceNotFound, Message: "Function not found: " + arn}
}

// AlreadyExists is Lambda's answer to creating a function whose name is
// taken: "Function already exist: NAME" (sic), status 409, as real AWS
// answered in hashicorp/terraform issue 15929 and
// awslabs/dynamodb-continuous-backup issue 21.
func AlreadyExists(name string) *eddy.Error {
	return &eddy.Error{Code: CodeResourceConflict, Message: "Function already exist: " + name}
}

// validationErrors collects the violations of one request, worded as AWS's
// front end words them: "1 validation error detected: Value 'X' at
// 'member' failed to satisfy constraint: Member must ...", several joined
// by "; " under "N validation errors detected: ".
type validationErrors []string

func (v *validationErrors) add(value any, member, constraint string) {
	*v = append(*v, fmt.Sprintf("Value '%v' at '%s' failed to satisfy constraint: Member must %s", value, member, constraint))
}

func (v validationErrors) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return &eddy.Error{Code: CodeValidation, Message: "1 validation error detected: " + v[0]}
	}
	return &eddy.Error{Code: CodeValidation, Message: fmt.Sprintf("%d validation errors detected: %s", len(v), strings.Join(v, "; "))}
}

// InvalidParameter returns an InvalidParameterValueException.
func InvalidParameter(format string, args ...any) *eddy.Error {
	return eddy.Errorf(CodeInvalidParameterValue, format, args...)
}
