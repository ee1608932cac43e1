package lambda

import (
	"errors"
	"log/slog"
	"time"

	"github.com/eddy-streams/eddy/storage"
)

// Clock is the time source for timestamps (LastModified). Timeouts of
// running functions are real time: they bound real processes.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures the service.
type Config struct {
	// DataDir holds the code zips (DataDir/code/<sha256>.zip) and the
	// unzipped code instances run from (DataDir/run). Default: a
	// temporary directory removed by Close (for in-memory servers).
	DataDir string
	// Code, if set, keeps every function's zip in shard logs as well
	// (code.go), so that the other nodes of a cluster sharing the store
	// can fetch it. Default: none (zips only in DataDir, on this node).
	Code storage.Logs
	// Region is the region of Invoker calls that name a function without
	// an ARN. Default "us-east-1".
	Region string
	// AccountID is the account in ARNs. Default "000000000000".
	AccountID string
	// Endpoint is the URL functions reach Eddy at, given to them as
	// AWS_ENDPOINT_URL. Default: none.
	Endpoint string
	// CABundle, if set, is a PEM file of the certificate Endpoint serves
	// (a self-signed one): functions get it as AWS_CA_BUNDLE (the AWS
	// SDKs for Python, Go and Java read it) and NODE_EXTRA_CA_CERTS
	// (Node's TLS, which the JavaScript SDK uses).
	CABundle string
	// AccessKeyID, SecretAccessKey and SessionToken are the credentials
	// given to functions. Default: "test" / "test" / "".
	AccessKeyID, SecretAccessKey, SessionToken string
	// RoleCredentials, if set, gives a function's instances credentials
	// of its execution role (FunctionConfiguration.Role) in place of the
	// ones above, as Lambda does; an instance is not reused within 5
	// minutes of their expiry. An error (the role cannot be assumed)
	// leaves the instance the credentials above, and is logged.
	RoleCredentials func(roleARN, sessionName string) (RoleCredentials, error)
	// Python and Node are the interpreters for python3.x and nodejs*.x
	// functions. Default "python3" and "node" (looked up in PATH).
	Python, Node string
	// MaxInstances bounds the instances of one function without reserved
	// concurrency; further synchronous invocations wait for one to be
	// free. Default 10.
	MaxInstances int
	// InitTimeout bounds an instance's start (until it asks for its first
	// invocation). Default 10 s, Lambda's init phase limit.
	InitTimeout time.Duration
	// S3Destinations says an S3-compatible server is configured for the
	// on-failure destinations of event source mappings; without it a
	// mapping naming an S3 bucket is refused. Default false.
	S3Destinations bool
	// Launcher starts instances (runtimeapi.Launcher). Required to
	// invoke functions; without one, every other operation works and
	// Invoke fails.
	Launcher Launcher
	// Logger receives the service's logs. Default slog.Default().
	Logger *slog.Logger
	// Clock is the time source for timestamps. Default: the system clock.
	Clock Clock
}

// DefaultConfig returns a Config with every default set.
func DefaultConfig() Config {
	return Config{
		AccountID:       "000000000000",
		AccessKeyID:     "test",
		SecretAccessKey: "test",
		Python:          "python3",
		Node:            "node",
		MaxInstances:    10,
		InitTimeout:     10 * time.Second,
	}
}

// Validate reports an invalid Config.
func (c Config) Validate() error {
	if c.MaxInstances < 0 {
		return errors.New("lambda: MaxInstances is negative")
	}
	if c.InitTimeout < 0 {
		return errors.New("lambda: InitTimeout is negative")
	}
	if c.AccountID != "" && len(c.AccountID) != 12 {
		return errors.New("lambda: AccountID must be 12 digits")
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.AccountID == "" {
		c.AccountID = d.AccountID
	}
	if c.AccessKeyID == "" {
		c.AccessKeyID, c.SecretAccessKey = d.AccessKeyID, d.SecretAccessKey
	}
	if c.Python == "" {
		c.Python = d.Python
	}
	if c.Node == "" {
		c.Node = d.Node
	}
	if c.MaxInstances == 0 {
		c.MaxInstances = d.MaxInstances
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = d.InitTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	return c
}

// RoleCredentials are temporary credentials of a function's execution
// role.
type RoleCredentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}
