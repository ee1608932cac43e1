// Package httpendpoint delivers a delivery stream's records to an HTTP
// endpoint with Firehose's HTTP endpoint delivery protocol ("Appendix -
// HTTP Endpoint Delivery Request and Response Specifications",
// docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html),
// so that an endpoint written for Firehose (Datadog's, New Relic's, an
// OpenTelemetry collector's awsfirehose receiver, your own) receives from
// Eddy exactly what it receives from AWS.
//
// One delivery is one POST, retried with the same request id until the
// endpoint acknowledges it or the retry duration is spent:
//
//	POST <Url>
//	X-Amz-Firehose-Protocol-Version: 1.0
//	X-Amz-Firehose-Request-Id: ed4acda5-034f-9f42-bba1-f29aea6d7d8f
//	X-Amz-Firehose-Source-Arn: arn:aws:firehose:us-east-1:000000000000:deliverystream/s
//	X-Amz-Firehose-Access-Key: <AccessKey>
//	X-Amz-Firehose-Common-Attributes: {"commonAttributes":{"env":"dev"}}
//	Content-Type: application/json
//	Content-Encoding: gzip                      (ContentEncoding GZIP only)
//
//	{"requestId":"ed4acda5-...","timestamp":1578090901599,"records":[{"data":"aGVsbG8="}]}
//
// The endpoint answers 200 with {"requestId":"<the same>","timestamp":<ms>};
// anything else is a failure: another status, another request id, a body
// that is not that JSON, a response over 1 MiB, no answer within 3 minutes.
// Failures are retried with exponential backoff (1 s, doubling, ±15%
// jitter, at most 2 minutes apart) while the time spent waiting stays
// within RetryOptions.DurationInSeconds; then Deliver returns a
// *DeliveryError, and the caller writes the records to the S3 backup. A 413
// is final at once, and by Firehose's specification its records are not
// sent to the error bucket (DeliveryError.Backup is false).
//
// This is a client package: it may import net/http. It imports no other
// Eddy firehose package.
package httpendpoint

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/eddy-streams/eddy"
)

// Limits and defaults. The ranges are the Firehose API reference's
// (HttpEndpointConfiguration, HttpEndpointBufferingHints,
// HttpEndpointRetryOptions, HttpEndpointCommonAttribute); the access key
// size, the attribute counts, the 64 MiB body, the 10,000 records per
// request and the 1 MiB response are the delivery specification's; the
// defaults of the buffering hints are the SDK documentation's ("The default
// value is 300", "The default value is 5").
const (
	MaxURLLength                = 1000
	MaxNameLength               = 256
	MaxAccessKeyBytes           = 4096
	MaxCommonAttributes         = 50
	MaxAttributeNameLength      = 256
	MaxAttributeValueLength     = 1024
	MinBufferingSizeInMBs       = 1
	MaxBufferingSizeInMBs       = 64
	DefaultBufferingSizeInMBs   = 5
	MaxBufferingIntervalSeconds = 900
	DefaultBufferingInterval    = 300
	MaxRetryDurationInSeconds   = 7200
	DefaultRetryDurationSeconds = 300
	MaxRecordsPerRequest        = 10000
	MaxBodyBytes                = 64 << 20
	MaxResponseBytes            = 1 << 20
	DefaultRequestTimeout       = 3 * time.Minute
	ContentEncodingNone         = "NONE"
	ContentEncodingGzip         = "GZIP"
	ProtocolVersion             = "1.0"
	headerProtocolVersion       = "X-Amz-Firehose-Protocol-Version"
	headerRequestID             = "X-Amz-Firehose-Request-Id"
	headerSourceARN             = "X-Amz-Firehose-Source-Arn"
	headerAccessKey             = "X-Amz-Firehose-Access-Key"
	headerCommonAttributes      = "X-Amz-Firehose-Common-Attributes"
	initialBackoff              = time.Second
	maxBackoff                  = 2 * time.Minute
	backoffJitter               = 0.15
)

// DefaultRetryDurationSeconds (300) is the console's default; the API
// documents no default for HttpEndpointRetryOptions.DurationInSeconds.

// EndpointConfiguration is Firehose's HttpEndpointConfiguration.
type EndpointConfiguration struct {
	// Url is where records are POSTed. Firehose accepts only https URLs on
	// port 443; Eddy also accepts http and any port, for endpoints on the
	// developer's machine.
	Url string //nolint:revive // Firehose's member name
	// AccessKey is sent verbatim in X-Amz-Firehose-Access-Key (at most
	// 4096 bytes); "" sends no such header.
	AccessKey string
	// Name is the endpoint's name; it is not sent.
	Name string
}

// CommonAttribute is Firehose's HttpEndpointCommonAttribute.
type CommonAttribute struct {
	AttributeName  string
	AttributeValue string
}

// RequestConfiguration is Firehose's HttpEndpointRequestConfiguration.
type RequestConfiguration struct {
	// CommonAttributes go in X-Amz-Firehose-Common-Attributes as
	// {"commonAttributes":{name:value,...}}; none sends no such header.
	CommonAttributes []CommonAttribute
	// ContentEncoding is NONE (default, "") or GZIP.
	ContentEncoding string
}

// BufferingHints is Firehose's HttpEndpointBufferingHints: how much the
// runner buffers before a delivery. A zero field takes its default (5 MB,
// 300 s). Deliver does not use them.
type BufferingHints struct {
	SizeInMBs         int
	IntervalInSeconds *int
}

// RetryOptions is Firehose's HttpEndpointRetryOptions.
type RetryOptions struct {
	// DurationInSeconds is the time spent on retries, from the first
	// failure, not counting the time waiting for responses (0 to 7,200;
	// nil: 300).
	DurationInSeconds *int
}

// Clock is the time source of the retries' waits and the request
// timestamps; kinesis.RealClock and kinesis.FakeClock fit it.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine after d.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// Config configures a Client.
type Config struct {
	EndpointConfiguration EndpointConfiguration
	RequestConfiguration  RequestConfiguration
	BufferingHints        BufferingHints
	RetryOptions          RetryOptions
	// DeliveryStreamARN is sent in X-Amz-Firehose-Source-Arn.
	DeliveryStreamARN string
	// HTTPClient sends the requests; default: one whose timeout is 3
	// minutes ("HTTP endpoints have 3 minutes to respond to a request").
	HTTPClient *http.Client
	// Clock defaults to the system clock.
	Clock Clock
	// Jitter returns a number in [0, 1) that spreads each backoff by
	// ±15%; default math/rand/v2.Float64.
	Jitter func() float64
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func invalid(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// Validate checks cfg against Firehose's limits; errors are
// InvalidArgumentException. (Firehose's own wording for these is not
// recorded; protocol/firehose words the API's answers.)
func (cfg *Config) Validate() error {
	ec := cfg.EndpointConfiguration
	if ec.Url == "" || len(ec.Url) > MaxURLLength {
		return invalid("Url must be 1 to %d characters.", MaxURLLength)
	}
	u, err := url.Parse(ec.Url)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("Url %q is not an http or https URL.", ec.Url)
	}
	if len(ec.Name) > MaxNameLength {
		return invalid("Name must be at most %d characters.", MaxNameLength)
	}
	if len(ec.AccessKey) > MaxAccessKeyBytes {
		return invalid("AccessKey must be at most %d bytes.", MaxAccessKeyBytes)
	}
	rc := cfg.RequestConfiguration
	switch rc.ContentEncoding {
	case "", ContentEncodingNone, ContentEncodingGzip:
	default:
		return invalid("ContentEncoding must be NONE or GZIP.")
	}
	if len(rc.CommonAttributes) > MaxCommonAttributes {
		return invalid("CommonAttributes must have at most %d attributes.", MaxCommonAttributes)
	}
	seen := map[string]bool{}
	for _, a := range rc.CommonAttributes {
		if a.AttributeName == "" || len(a.AttributeName) > MaxAttributeNameLength {
			return invalid("AttributeName must be 1 to %d characters.", MaxAttributeNameLength)
		}
		if len(a.AttributeValue) > MaxAttributeValueLength {
			return invalid("AttributeValue must be at most %d characters.", MaxAttributeValueLength)
		}
		if seen[a.AttributeName] {
			return invalid("AttributeName %q is given more than once.", a.AttributeName)
		}
		seen[a.AttributeName] = true
	}
	bh := cfg.BufferingHints
	if bh.SizeInMBs != 0 && (bh.SizeInMBs < MinBufferingSizeInMBs || bh.SizeInMBs > MaxBufferingSizeInMBs) {
		return invalid("SizeInMBs must be between %d and %d.", MinBufferingSizeInMBs, MaxBufferingSizeInMBs)
	}
	if iv := bh.IntervalInSeconds; iv != nil && (*iv < 0 || *iv > MaxBufferingIntervalSeconds) {
		return invalid("IntervalInSeconds must be between 0 and %d.", MaxBufferingIntervalSeconds)
	}
	if d := cfg.RetryOptions.DurationInSeconds; d != nil && (*d < 0 || *d > MaxRetryDurationInSeconds) {
		return invalid("DurationInSeconds must be between 0 and %d.", MaxRetryDurationInSeconds)
	}
	return nil
}

// Buffering returns the buffering hints with their defaults, for the
// runner: flush when size bytes are buffered or interval has passed,
// whichever comes first.
func (cfg *Config) Buffering() (size int, interval time.Duration) {
	mb := cfg.BufferingHints.SizeInMBs
	if mb == 0 {
		mb = DefaultBufferingSizeInMBs
	}
	s := DefaultBufferingInterval
	if iv := cfg.BufferingHints.IntervalInSeconds; iv != nil {
		s = *iv
	}
	return mb << 20, time.Duration(s) * time.Second
}

// retryDuration is RetryOptions.DurationInSeconds with its default.
func (cfg *Config) retryDuration() time.Duration {
	if d := cfg.RetryOptions.DurationInSeconds; d != nil {
		return time.Duration(*d) * time.Second
	}
	return DefaultRetryDurationSeconds * time.Second
}

func (cfg *Config) String() string {
	return fmt.Sprintf("http endpoint %s", cfg.EndpointConfiguration.Url)
}
