package analytics

import (
	"context"
	"errors"
	"log/slog"
	"time"

	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/protocol/kda"
	"github.com/eddy-streams/eddy/protocol/kds"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// ApplicationDetail is an application's configuration as DescribeApplication
// shows it.
type ApplicationDetail = kda.ApplicationDetail

// Runtime runs applications. The service calls it from a goroutine of its
// own, one call at a time per application, never while holding a lock.
type Runtime interface {
	// Start starts app; pos gives the starting position of each input of
	// app by InputId (kda.PositionNow, PositionTrimHorizon or
	// PositionLastStoppedPoint). It returns once the application runs,
	// or the error that kept it from running (the application is then
	// READY again). Start is also called, with LAST_STOPPED_POINT for
	// every input, by Resume for the applications that were RUNNING when
	// the service stopped.
	Start(ctx context.Context, app ApplicationDetail, pos map[string]string) error
	// Update gives a running application its new configuration (a new
	// ApplicationVersionId). An error stops the application (the service
	// calls Stop and leaves it READY).
	Update(ctx context.Context, app ApplicationDetail) error
	// Stop stops the application with the ARN arn, keeping where each
	// input stopped (LAST_STOPPED_POINT). Stopping one that does not run
	// is not an error.
	Stop(ctx context.Context, arn string) error
}

// Kinesis is what the service needs of a region's Kinesis streams: that a
// stream exists, and reading records for DiscoverInputSchema.
// *kinesis.Engine satisfies it.
type Kinesis interface {
	DescribeStreamSummary(ctx context.Context, in *kds.DescribeStreamSummaryInput) (*kds.DescribeStreamSummaryOutput, error)
	ListShards(ctx context.Context, in *kds.ListShardsInput) (*kds.ListShardsOutput, error)
	GetShardIterator(ctx context.Context, in *kds.GetShardIteratorInput) (*kds.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error)
}

// Firehose is what the service needs of Firehose: that a delivery stream
// exists. *firehose.Service satisfies it.
type Firehose interface {
	DescribeDeliveryStream(region string, in *fp.DescribeDeliveryStreamInput) (*fp.DescribeDeliveryStreamOutput, error)
}

// Functions is what the service needs of Lambda: that a function exists.
// *lambda.Service satisfies it.
type Functions interface {
	GetFunctionConfiguration(region, fn string) (*lp.FunctionConfiguration, error)
}

// ErrNoObject is what Config.ReadObject returns, wrapped or not, for a
// missing bucket or object.
var ErrNoObject = errors.New("analytics: no such object")

// Clock is the service's time source.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Config configures the service.
type Config struct {
	// Region is the region of requests that name none. Default
	// "us-east-1".
	Region string
	// AccountID is the account in ARNs. Default "000000000000".
	AccountID string
	// MaxApplications bounds the applications of one region;
	// CreateApplication beyond it is LimitExceededException. Default 50,
	// the developer guide's limit ("You can create up to 50 Kinesis Data
	// Analytics applications per Region in your account").
	MaxApplications int
	// Runtime runs applications. Default none: applications change state
	// but do not run.
	Runtime Runtime
	// ValidateCode checks ApplicationCode at CreateApplication and
	// UpdateApplication; an error is CodeValidationException (an
	// *eddy.Error it returns is sent as is). Default: ParseCode (the
	// dialect's parser, analytics/sql).
	ValidateCode func(code string) error
	// Kinesis returns a region's Kinesis streams, for the inputs' and
	// outputs' stream ARNs and for DiscoverInputSchema. Default none:
	// stream ARNs are not checked and DiscoverInputSchema of a stream is
	// UnsupportedOperationException.
	Kinesis func(region string) (Kinesis, error)
	// ReadObject reads at most max bytes of the object key of bucket, for
	// DiscoverInputSchema's S3Configuration; a missing bucket or object is
	// an error for which errors.Is(err, ErrNoObject) holds, an object
	// longer than max an error. Default none: S3Configuration is
	// UnsupportedOperationException.
	ReadObject func(ctx context.Context, bucket, key string, max int64) ([]byte, error)
	// Invoke calls the Lambda function fn (an ARN, maybe qualified)
	// synchronously with payload and returns its response, for the
	// InputProcessingConfiguration of DiscoverInputSchema (the event and
	// response are PreprocessEvent and PreprocessResponse). An error is a
	// failed invocation (the function's own error included). Default none:
	// an InputProcessingConfiguration is InvalidArgumentException.
	Invoke func(ctx context.Context, fn string, payload []byte) ([]byte, error)
	// Firehose checks delivery stream ARNs. Default none: not checked.
	Firehose Firehose
	// Functions checks function ARNs. Default none: not checked.
	Functions Functions
	// Logger receives the service's logs. Default slog.Default().
	Logger *slog.Logger
	// Clock is the time source. Default: the system clock.
	Clock Clock
}

// DefaultConfig returns a Config with every default set.
func DefaultConfig() Config {
	return Config{Region: "us-east-1", AccountID: "000000000000", MaxApplications: 50}
}

// Validate reports an invalid Config.
func (c Config) Validate() error {
	if c.MaxApplications < 0 {
		return errors.New("analytics: negative MaxApplications")
	}
	if c.AccountID != "" && len(c.AccountID) != 12 {
		return errors.New("analytics: AccountID must be 12 digits")
	}
	return nil
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Region == "" {
		c.Region = d.Region
	}
	if c.AccountID == "" {
		c.AccountID = d.AccountID
	}
	if c.MaxApplications == 0 {
		c.MaxApplications = d.MaxApplications
	}
	if c.ValidateCode == nil {
		c.ValidateCode = ParseCode
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = realClock{}
	}
	return c
}
