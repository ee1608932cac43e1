// Package kda holds the Go shapes of the Amazon Kinesis Analytics (SQL)
// API, KinesisAnalytics_20150814, AWS JSON 1.1, and the validation of its
// requests.
//
// The shapes (shapes.go) follow the API model as botocore's
// kinesisanalytics/2015-08-14/service-2.json and aws-sdk-go-v2
// service/kinesisanalytics v1.31.0 carry it: one struct per structure,
// JSON tags with the model's member names (which JSON 1.1 puts on the wire
// unchanged). Optional scalars are pointers, enums plain strings ("" when
// absent), timestamps Timestamp (epoch seconds).
//
// # Validation
//
// Each input's Validate checks the model's constraints (required members,
// enums, lengths, ranges, patterns: the v struct tags of shapes.go, each
// taken from service-2.json) and answers ValidationException with up to
// ten violations in the words of AWS's JSON front end:
//
//	1 validation error detected: Value 'my app' at 'applicationName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+
//
// (the form recorded from the Kinesis Analytics V2 front end in
// cloudtools/troposphere issue 1583: "1 validation error detected: Value
// 'SQL-1.0' at 'runtimeEnvironment' failed to satisfy constraint: Member
// must satisfy enum value set: [...]"; no recording of the V1 front end
// was found, and the value of a list is left out). Checks beyond the model
// (one streaming source per input, the application's state) are the
// service package's (analytics).
//
// Usage:
//
//	var in kda.CreateApplicationInput
//	json.Unmarshal(body, &in)
//	if err := in.Validate(); err != nil {
//		// an *eddy.Error: ValidationException or InvalidArgumentException
//	}
package kda

import (
	"github.com/eddy-streams/eddy/protocol/kds"
)

// The service's names on the wire.
const (
	// TargetPrefix is the part of X-Amz-Target before the dot.
	TargetPrefix = "KinesisAnalytics_20150814"
	// SigningName is the SigV4 service name, also the IAM action prefix.
	SigningName = "kinesisanalytics"
)

// Application states (the model's ApplicationStatus).
const (
	StatusDeleting = "DELETING"
	StatusStarting = "STARTING"
	StatusStopping = "STOPPING"
	StatusReady    = "READY"
	StatusRunning  = "RUNNING"
	StatusUpdating = "UPDATING"
)

// Starting positions (the model's InputStartingPosition).
const (
	PositionNow              = "NOW"
	PositionTrimHorizon      = "TRIM_HORIZON"
	PositionLastStoppedPoint = "LAST_STOPPED_POINT"
)

// Record formats (the model's RecordFormatType).
const (
	FormatJSON = "JSON"
	FormatCSV  = "CSV"
)

// MaxCodeBytes is the largest ApplicationCode: the model's ApplicationCode
// shape (max 102400) and the developer guide's limits ("The SQL code in an
// application is limited to 100 KB").
const MaxCodeBytes = 102400

// Timestamp is a point in time on the wire: epoch seconds in JSON 1.1.
type Timestamp = kds.Timestamp

// NewTimestamp is kds.NewTimestamp.
var NewTimestamp = kds.NewTimestamp

// String returns a pointer to s, for optional members.
func String(s string) *string { return &s }

// Int32 returns a pointer to n.
func Int32(n int32) *int32 { return &n }

// Int64 returns a pointer to n.
func Int64(n int64) *int64 { return &n }

// Bool returns a pointer to b.
func Bool(b bool) *bool { return &b }

// Deref returns *p, or "" when p is nil.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
