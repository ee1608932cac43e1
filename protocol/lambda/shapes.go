package lambda

import (
	"regexp"
	"strconv"
	"strings"
)

// Limits of the Lambda API (the model's range and length traits, and
// docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	MinTimeout        = 1
	MaxTimeout        = 900
	DefaultTimeout    = 3
	MinMemorySize     = 128
	MaxMemorySize     = 10240
	DefaultMemorySize = 128
	// MaxZipBytes is the largest ZipFile a CreateFunction or
	// UpdateFunctionCode request may carry (50 MB zipped, direct upload).
	MaxZipBytes = 50 << 20
	// MaxListItems is ListFunctions' MaxItems upper bound (the model's
	// range trait: 1-10000); the default page is 50.
	MaxListItems     = 10000
	DefaultListItems = 50
	// UnreservedMinimum is the concurrency PutFunctionConcurrency must
	// leave unreserved in the account.
	UnreservedMinimum = 100
)

// Runtimes Eddy runs. provided.* run the zip's bootstrap; python3.x and
// nodejs*.x run the handler through Eddy's runtime clients.
func SupportedRuntime(r string) bool {
	switch {
	case r == "provided" || r == "provided.al2" || r == "provided.al2023":
		return true
	case strings.HasPrefix(r, "python3."), strings.HasPrefix(r, "nodejs") && strings.HasSuffix(r, ".x"):
		return true
	}
	return false
}

// functionNameRE is the model's pattern for a FunctionName member of
// CreateFunction (a bare name, partial or full ARN; aws-sdk-go-v2
// service/lambda schemas).
var functionNameRE = regexp.MustCompile(`^(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?$`)

const functionNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`

// roleRE is the model's pattern for Role.
var roleRE = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)

const rolePattern = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`

// ParseFunctionName splits a FunctionName member (a name, "ACCOUNT:function:NAME"
// partial ARN or full ARN, with an optional ":QUALIFIER") into the bare
// name and the qualifier. ok is false if it does not match the model's
// pattern.
func ParseFunctionName(s string) (name, qualifier string, ok bool) {
	m := functionNameRE.FindStringSubmatch(s)
	if m == nil || len(s) > 170 {
		return "", "", false
	}
	return m[7], m[9], true
}

// Environment is a function's environment variables.
type Environment struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// EnvironmentResponse is Environment as a configuration reports it.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables,omitempty"`
}

// FunctionCode is CreateFunction's Code member.
type FunctionCode struct {
	// ZipFile is the zip's bytes (base64 on the wire).
	ZipFile  []byte `json:"ZipFile,omitempty"`
	S3Bucket string `json:"S3Bucket,omitempty"`
	S3Key    string `json:"S3Key,omitempty"`
	ImageUri string `json:"ImageUri,omitempty"`
}

// CreateFunctionInput is CreateFunction's body.
type CreateFunctionInput struct {
	FunctionName  string            `json:"FunctionName"`
	Runtime       string            `json:"Runtime,omitempty"`
	Role          string            `json:"Role"`
	Handler       string            `json:"Handler,omitempty"`
	Code          *FunctionCode     `json:"Code"`
	Description   string            `json:"Description,omitempty"`
	Timeout       *int32            `json:"Timeout,omitempty"`
	MemorySize    *int32            `json:"MemorySize,omitempty"`
	Publish       bool              `json:"Publish,omitempty"`
	PackageType   string            `json:"PackageType,omitempty"`
	Environment   *Environment      `json:"Environment,omitempty"`
	Architectures []string          `json:"Architectures,omitempty"`
	Tags          map[string]string `json:"Tags,omitempty"`
}

// Validate checks the members against the model's constraints, in the
// order AWS reports them.
func (in *CreateFunctionInput) Validate() error {
	var v validationErrors
	if in.FunctionName == "" {
		v.add("null", "functionName", "not be null")
	} else if len(in.FunctionName) > 140 {
		v.add(in.FunctionName, "functionName", "have length less than or equal to 140")
	} else if !functionNameRE.MatchString(in.FunctionName) {
		v.add(in.FunctionName, "functionName", "satisfy regular expression pattern: "+functionNamePattern)
	}
	if in.Role == "" {
		v.add("null", "role", "not be null")
	} else if !roleRE.MatchString(in.Role) {
		v.add(in.Role, "role", "satisfy regular expression pattern: "+rolePattern)
	}
	if in.Code == nil {
		v.add("null", "code", "not be null")
	}
	checkTimeoutMemory(&v, in.Timeout, in.MemorySize)
	if err := v.err(); err != nil {
		return err
	}
	if in.PackageType == "Image" || (in.Code != nil && in.Code.ImageUri != "") {
		// No recorded wording; Eddy runs zip packages only.
		return InvalidParameter("Eddy runs functions of package type Zip only")
	}
	if in.Runtime == "" {
		// Lambda's answer to a Zip function without a runtime (the
		// CreateFunction reference: "Runtime ... required if the
		// deployment package is a .zip file archive").
		return InvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if !SupportedRuntime(in.Runtime) {
		return InvalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", in.Runtime)
	}
	if in.Handler == "" && !strings.HasPrefix(in.Runtime, "provided") {
		return InvalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if len(in.Code.ZipFile) == 0 {
		if in.Code.S3Bucket == LocalCodeBucket {
			// A directory on the Eddy host, checked by the service.
			return nil
		}
		if in.Code.S3Bucket != "" {
			return InvalidParameter("Eddy does not read code from S3 yet; send the zip as Code.ZipFile, or use Code.S3Bucket %q with Code.S3Key the code's absolute directory", LocalCodeBucket)
		}
		return InvalidParameter("Please provide a source for function code.")
	}
	return nil
}

func checkTimeoutMemory(v *validationErrors, timeout, memory *int32) {
	if timeout != nil {
		if *timeout < MinTimeout {
			v.add(*timeout, "timeout", "have value greater than or equal to "+strconv.Itoa(MinTimeout))
		} else if *timeout > MaxTimeout {
			v.add(*timeout, "timeout", "have value less than or equal to "+strconv.Itoa(MaxTimeout))
		}
	}
	if memory != nil {
		if *memory < MinMemorySize {
			v.add(*memory, "memorySize", "have value greater than or equal to "+strconv.Itoa(MinMemorySize))
		} else if *memory > MaxMemorySize {
			v.add(*memory, "memorySize", "have value less than or equal to "+strconv.Itoa(MaxMemorySize))
		}
	}
}

// LocalCodeBucket is the Code.S3Bucket that names, in Code.S3Key, a
// directory on the Eddy host holding the function's code, used in place
// (an Eddy extension; the value is LocalStack's convention for hot
// reloading, docs.localstack.cloud/user-guide/lambda-tools/hot-reloading,
// so that its users' scripts work unchanged).
const LocalCodeBucket = "hot-reload"

// FunctionConfiguration is a function's configuration as the API reports it.
type FunctionConfiguration struct {
	FunctionName     string               `json:"FunctionName"`
	FunctionArn      string               `json:"FunctionArn"`
	Runtime          string               `json:"Runtime,omitempty"`
	Role             string               `json:"Role"`
	Handler          string               `json:"Handler,omitempty"`
	CodeSize         int64                `json:"CodeSize"`
	Description      string               `json:"Description"`
	Timeout          int32                `json:"Timeout"`
	MemorySize       int32                `json:"MemorySize"`
	LastModified     string               `json:"LastModified"`
	CodeSha256       string               `json:"CodeSha256"`
	Version          string               `json:"Version"`
	Environment      *EnvironmentResponse `json:"Environment,omitempty"`
	TracingConfig    TracingConfig        `json:"TracingConfig"`
	RevisionId       string               `json:"RevisionId"`
	State            string               `json:"State"`
	LastUpdateStatus string               `json:"LastUpdateStatus"`
	PackageType      string               `json:"PackageType"`
	Architectures    []string             `json:"Architectures"`
	EphemeralStorage EphemeralStorage     `json:"EphemeralStorage"`
}

// TracingConfig is the X-Ray mode; Eddy reports Lambda's default.
type TracingConfig struct {
	Mode string `json:"Mode"`
}

// EphemeralStorage is /tmp's size in MB; Eddy reports Lambda's default.
type EphemeralStorage struct {
	Size int32 `json:"Size"`
}

// LastModifiedFormat is how Lambda writes LastModified
// ("2019-10-31T20:46:54.591+0000", the Lambda API reference's examples).
const LastModifiedFormat = "2006-01-02T15:04:05.000-0700"

// FunctionCodeLocation is GetFunction's Code member.
type FunctionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int32 `json:"ReservedConcurrentExecutions,omitempty"`
}

// GetFunctionOutput is GetFunction's answer.
type GetFunctionOutput struct {
	Configuration *FunctionConfiguration `json:"Configuration"`
	Code          *FunctionCodeLocation  `json:"Code"`
	Concurrency   *Concurrency           `json:"Concurrency,omitempty"`
	Tags          map[string]string      `json:"Tags,omitempty"`
}

// ListFunctionsOutput is ListFunctions' answer.
type ListFunctionsOutput struct {
	Functions  []*FunctionConfiguration `json:"Functions"`
	NextMarker string                   `json:"NextMarker,omitempty"`
}

// ValidateMaxItems checks ListFunctions' MaxItems query parameter.
func ValidateMaxItems(n int) error {
	var v validationErrors
	if n < 1 {
		v.add(n, "maxItems", "have value greater than or equal to 1")
	} else if n > MaxListItems {
		v.add(n, "maxItems", "have value less than or equal to "+strconv.Itoa(MaxListItems))
	}
	return v.err()
}

// UpdateFunctionCodeInput is UpdateFunctionCode's body.
type UpdateFunctionCodeInput struct {
	ZipFile  []byte `json:"ZipFile,omitempty"`
	S3Bucket string `json:"S3Bucket,omitempty"`
	S3Key    string `json:"S3Key,omitempty"`
	ImageUri string `json:"ImageUri,omitempty"`
	Publish  bool   `json:"Publish,omitempty"`
	DryRun   bool   `json:"DryRun,omitempty"`
	// RevisionId, if set, must be the function's current one.
	RevisionId string `json:"RevisionId,omitempty"`
}

// Validate checks that the request carries code Eddy can store.
func (in *UpdateFunctionCodeInput) Validate() error {
	if len(in.ZipFile) == 0 {
		if in.S3Bucket != "" || in.ImageUri != "" {
			return InvalidParameter("Eddy does not read code from S3 or images yet; send the zip as ZipFile")
		}
		return InvalidParameter("Please provide a source for function code.")
	}
	return nil
}

// UpdateFunctionConfigurationInput is UpdateFunctionConfiguration's body;
// nil members are left as they are.
type UpdateFunctionConfigurationInput struct {
	Runtime     *string      `json:"Runtime,omitempty"`
	Role        *string      `json:"Role,omitempty"`
	Handler     *string      `json:"Handler,omitempty"`
	Description *string      `json:"Description,omitempty"`
	Timeout     *int32       `json:"Timeout,omitempty"`
	MemorySize  *int32       `json:"MemorySize,omitempty"`
	Environment *Environment `json:"Environment,omitempty"`
	RevisionId  string       `json:"RevisionId,omitempty"`
}

// Validate checks the members against the model's constraints.
func (in *UpdateFunctionConfigurationInput) Validate() error {
	var v validationErrors
	if in.Role != nil && !roleRE.MatchString(*in.Role) {
		v.add(*in.Role, "role", "satisfy regular expression pattern: "+rolePattern)
	}
	checkTimeoutMemory(&v, in.Timeout, in.MemorySize)
	if err := v.err(); err != nil {
		return err
	}
	if in.Runtime != nil && !SupportedRuntime(*in.Runtime) {
		return InvalidParameter("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", *in.Runtime)
	}
	return nil
}

// PutFunctionConcurrencyInput is PutFunctionConcurrency's body.
type PutFunctionConcurrencyInput struct {
	ReservedConcurrentExecutions *int32 `json:"ReservedConcurrentExecutions"`
}

// Validate checks ReservedConcurrentExecutions (required, at least 0).
func (in *PutFunctionConcurrencyInput) Validate() error {
	var v validationErrors
	if in.ReservedConcurrentExecutions == nil {
		v.add("null", "reservedConcurrentExecutions", "not be null")
	} else if *in.ReservedConcurrentExecutions < 0 {
		v.add(*in.ReservedConcurrentExecutions, "reservedConcurrentExecutions", "have value greater than or equal to 0")
	}
	return v.err()
}

// GetFunctionConcurrencyOutput is GetFunctionConcurrency's answer.
type GetFunctionConcurrencyOutput struct {
	ReservedConcurrentExecutions *int32 `json:"ReservedConcurrentExecutions,omitempty"`
}

// Invocation types (the X-Amz-Invocation-Type header).
const (
	InvocationRequestResponse = "RequestResponse"
	InvocationEvent           = "Event"
	InvocationDryRun          = "DryRun"
)

// MaxSyncPayload is the largest synchronous invocation payload, request
// or response (6 MB); MaxAsyncPayload the largest asynchronous one
// (256 KB before 2025; 1 MB since).
const (
	MaxSyncPayload  = 6 << 20
	MaxAsyncPayload = 1 << 20
)

// FunctionError is the error payload Lambda returns for an invocation
// whose function failed (the runtime's error post, or Lambda's own for a
// timeout or crash).
type FunctionError struct {
	ErrorMessage string   `json:"errorMessage"`
	ErrorType    string   `json:"errorType,omitempty"`
	StackTrace   []string `json:"stackTrace,omitempty"`
}
