package lambda

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy"
)

// Event source mapping shapes, from the aws-sdk-go-v2 service/lambda
// v1.117.0 model (types.EventSourceMappingConfiguration,
// CreateEventSourceMappingInput, UpdateEventSourceMappingInput,
// ListEventSourceMappingsOutput). The model carries no range traits for
// these members; the ranges and defaults are those of the AWS Lambda API
// reference (API_CreateEventSourceMapping / API_EventSourceMappingConfiguration:
// "BatchSize ... Valid Range: Minimum value of 1. Maximum value of 10000",
// "For all other services, the default is 100", MaximumBatchingWindowInSeconds
// 0..300, ParallelizationFactor 1..10, MaximumRecordAgeInSeconds -1..604800
// with "The minimum valid value for maximum record age is 60s",
// MaximumRetryAttempts -1..10000, TumblingWindowInSeconds 0..900).

// Ranges and defaults of the Kinesis event source mapping parameters.
const (
	DefaultESMBatchSize          = 100
	MaxESMBatchSize              = 10000
	MaxBatchingWindowSeconds     = 300
	MaxParallelizationFactor     = 10
	MaxRecordAgeSeconds          = 604800
	MinRecordAgeSeconds          = 60
	MaxESMRetryAttempts          = 10000
	MaxTumblingWindowSeconds     = 900
	MaxESMListItems              = 10000
	ESMListPage                  = 100 // "returns a maximum of 100 items in each response"
	ReportBatchItemFailures      = "ReportBatchItemFailures"
	StartingPositionTrimHorizon  = "TRIM_HORIZON"
	StartingPositionLatest       = "LATEST"
	StartingPositionAtTimestamp  = "AT_TIMESTAMP"
	LastProcessingResultNone     = "No records processed"
	LastProcessingResultOK       = "OK"
	LastProcessingResultProblem  = "PROBLEM: Function call failed"
	StateTransitionUserAction    = "User action"
	ESMStateCreating             = "Creating"
	ESMStateEnabled              = "Enabled"
	ESMStateDisabled             = "Disabled"
	ESMStateUpdating             = "Updating"
	ESMStateDeleting             = "Deleting"
	kinesisStreamARNPrefixFormat = "arn:aws:kinesis:"
)

// kinesisStreamARNRE matches a Kinesis data stream ARN.
var kinesisStreamARNRE = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+)$`)

// kinesisConsumerARNRE matches a Kinesis stream consumer ARN, as
// RegisterStreamConsumer answers it: the stream's ARN, "/consumer/", the
// consumer name (1-128 of [a-zA-Z0-9_.-], the Kinesis ConsumerName
// pattern) and ":" with its creation time in epoch seconds.
var kinesisConsumerARNRE = regexp.MustCompile(`^(arn:aws[a-zA-Z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream/([a-zA-Z0-9_.-]+))/consumer/([a-zA-Z0-9_.-]{1,128}):(\d+)$`)

// ParseConsumerARN returns the region and the stream ARN of a Kinesis
// stream consumer ARN.
func ParseConsumerARN(arn string) (region, streamARN string, ok bool) {
	m := kinesisConsumerARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[2], m[1], true
}

// ParseSourceARN returns the region and the stream ARN of a mapping's
// EventSourceArn: a Kinesis stream ARN, or a stream consumer's ARN (Lambda
// API reference, EventSourceArn: "Amazon Kinesis – The ARN of the data
// stream or a stream consumer."); consumer is true for the latter.
func ParseSourceARN(arn string) (region, streamARN string, consumer, ok bool) {
	if region, _, _, ok := ParseStreamARN(arn); ok {
		return region, arn, false, true
	}
	if region, streamARN, ok := ParseConsumerARN(arn); ok {
		return region, streamARN, true, true
	}
	return "", "", false, false
}

// ParseStreamARN returns the region, account and stream name of a Kinesis
// stream ARN.
func ParseStreamARN(arn string) (region, account, stream string, ok bool) {
	m := kinesisStreamARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}

// OnFailure is DestinationConfig.OnFailure.
type OnFailure struct {
	Destination string `json:"Destination,omitempty"`
}

// DestinationConfig is a mapping's destination for discarded batches.
type DestinationConfig struct {
	OnFailure *OnFailure `json:"OnFailure,omitempty"`
	OnSuccess *OnFailure `json:"OnSuccess,omitempty"`
}

// Filter is one FilterCriteria pattern.
type Filter struct {
	Pattern string `json:"Pattern,omitempty"`
}

// FilterCriteria is a mapping's event filters.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// EventSourceMappingConfiguration is a mapping as Lambda returns it.
// LastModified and StartingPositionTimestamp are timestamps, sent as epoch
// seconds (REST-JSON's default timestamp format).
type EventSourceMappingConfiguration struct {
	UUID                           string             `json:"UUID"`
	EventSourceMappingArn          string             `json:"EventSourceMappingArn"`
	StartingPosition               string             `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      *float64           `json:"StartingPositionTimestamp,omitempty"`
	BatchSize                      int32              `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int32              `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          int32              `json:"ParallelizationFactor"`
	EventSourceArn                 string             `json:"EventSourceArn"`
	FilterCriteria                 *FilterCriteria    `json:"FilterCriteria,omitempty"`
	FunctionArn                    string             `json:"FunctionArn"`
	LastModified                   float64            `json:"LastModified"`
	LastProcessingResult           string             `json:"LastProcessingResult"`
	State                          string             `json:"State"`
	StateTransitionReason          string             `json:"StateTransitionReason"`
	DestinationConfig              *DestinationConfig `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      int32              `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     bool               `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           int32              `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        int32              `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          []string           `json:"FunctionResponseTypes"`
}

// ESMParams are the tunable members Create and Update share.
type ESMParams struct {
	FunctionName                   string             `json:"FunctionName,omitempty"`
	Enabled                        *bool              `json:"Enabled,omitempty"`
	BatchSize                      *int32             `json:"BatchSize,omitempty"`
	MaximumBatchingWindowInSeconds *int32             `json:"MaximumBatchingWindowInSeconds,omitempty"`
	ParallelizationFactor          *int32             `json:"ParallelizationFactor,omitempty"`
	DestinationConfig              *DestinationConfig `json:"DestinationConfig,omitempty"`
	MaximumRecordAgeInSeconds      *int32             `json:"MaximumRecordAgeInSeconds,omitempty"`
	BisectBatchOnFunctionError     *bool              `json:"BisectBatchOnFunctionError,omitempty"`
	MaximumRetryAttempts           *int32             `json:"MaximumRetryAttempts,omitempty"`
	TumblingWindowInSeconds        *int32             `json:"TumblingWindowInSeconds,omitempty"`
	FunctionResponseTypes          []string           `json:"FunctionResponseTypes,omitempty"`
	FilterCriteria                 *FilterCriteria    `json:"FilterCriteria,omitempty"`
}

// CreateEventSourceMappingInput is CreateEventSourceMapping's body.
type CreateEventSourceMappingInput struct {
	ESMParams
	EventSourceArn            string   `json:"EventSourceArn,omitempty"`
	StartingPosition          string   `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp *float64 `json:"StartingPositionTimestamp,omitempty"`
}

// UpdateEventSourceMappingInput is UpdateEventSourceMapping's body.
type UpdateEventSourceMappingInput struct {
	ESMParams
}

// ListEventSourceMappingsOutput is ListEventSourceMappings' answer.
type ListEventSourceMappingsOutput struct {
	EventSourceMappings []*EventSourceMappingConfiguration `json:"EventSourceMappings"`
	NextMarker          string                             `json:"NextMarker,omitempty"`
}

// validate adds the range violations of p to v, member names in the
// lower camel case AWS's validation messages use.
func (p *ESMParams) validate(v *validationErrors) {
	rng := func(val *int32, member string, lo, hi int) {
		if val == nil {
			return
		}
		if int(*val) < lo {
			v.add(*val, member, "have value greater than or equal to "+strconv.Itoa(lo))
		} else if int(*val) > hi {
			v.add(*val, member, "have value less than or equal to "+strconv.Itoa(hi))
		}
	}
	rng(p.BatchSize, "batchSize", 1, MaxESMBatchSize)
	rng(p.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, MaxBatchingWindowSeconds)
	rng(p.ParallelizationFactor, "parallelizationFactor", 1, MaxParallelizationFactor)
	rng(p.MaximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, MaxRecordAgeSeconds)
	rng(p.MaximumRetryAttempts, "maximumRetryAttempts", -1, MaxESMRetryAttempts)
	rng(p.TumblingWindowInSeconds, "tumblingWindowInSeconds", 0, MaxTumblingWindowSeconds)
	for _, t := range p.FunctionResponseTypes {
		if t != ReportBatchItemFailures {
			v.add("["+strings.Join(p.FunctionResponseTypes, ", ")+"]", "functionResponseTypes", "satisfy enum value set: ["+ReportBatchItemFailures+"]")
			break
		}
	}
	if p.FunctionName != "" && !functionNameRE.MatchString(p.FunctionName) {
		v.add(p.FunctionName, "functionName", "satisfy regular expression pattern: "+functionNamePattern)
	}
}

// semantic checks what passes the front end's ranges but Lambda refuses
// with InvalidParameterValueException.
func (p *ESMParams) semantic() error {
	if a := p.MaximumRecordAgeInSeconds; a != nil && *a != -1 && *a < MinRecordAgeSeconds {
		// The API reference: "The minimum valid value for maximum record
		// age is 60s. Although values less than 60 and greater than -1 fall
		// within the parameter's absolute range, they are not allowed". No
		// recorded wording of the answer was found.
		return InvalidParameter("MaximumRecordAgeInSeconds must be -1 or between %d and %d.", MinRecordAgeSeconds, MaxRecordAgeSeconds)
	}
	if f := p.FilterCriteria; f != nil {
		for _, fl := range f.Filters {
			var pat map[string]any
			if err := json.Unmarshal([]byte(fl.Pattern), &pat); err != nil {
				// No recorded wording; Lambda refuses a pattern that is not
				// a JSON object with InvalidParameterValueException.
				return InvalidParameter("Invalid filter pattern definition.")
			}
		}
	}
	if d := p.DestinationConfig; d != nil && d.OnFailure != nil && d.OnFailure.Destination != "" {
		if _, err := ParseDestination(d.OnFailure.Destination); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a CreateEventSourceMapping body.
func (in *CreateEventSourceMappingInput) Validate() error {
	var v validationErrors
	if in.FunctionName == "" {
		v.add("null", "functionName", "not be null")
	}
	switch in.StartingPosition {
	case "", StartingPositionTrimHorizon, StartingPositionLatest, StartingPositionAtTimestamp:
	default:
		v.add(in.StartingPosition, "startingPosition", "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_TIMESTAMP]")
	}
	in.ESMParams.validate(&v)
	if err := v.err(); err != nil {
		return err
	}
	if in.EventSourceArn == "" {
		// Eddy's mappings read Kinesis streams only; with no EventSourceArn
		// there is nothing to read. No recorded wording.
		return InvalidParameter("Unrecognized event source, must be kinesis.")
	}
	if _, _, _, ok := ParseSourceARN(in.EventSourceArn); !ok {
		// A stream or a stream consumer ARN. Lambda's answer for an ARN of a service it cannot map; no
		// recorded wording, so Eddy names the supported source.
		return InvalidParameter("Unrecognized event source, must be kinesis.")
	}
	if in.StartingPosition == "" {
		// Kinesis mappings require StartingPosition (API reference:
		// "Required for Amazon Kinesis, ..."). No recorded wording.
		return InvalidParameter("StartingPosition must be specified for Kinesis event sources.")
	}
	if (in.StartingPosition == StartingPositionAtTimestamp) != (in.StartingPositionTimestamp != nil) {
		// No recorded wording.
		return InvalidParameter("StartingPositionTimestamp must be set if and only if StartingPosition is AT_TIMESTAMP.")
	}
	return in.ESMParams.semantic()
}

// Validate checks an UpdateEventSourceMapping body.
func (in *UpdateEventSourceMappingInput) Validate() error {
	var v validationErrors
	in.ESMParams.validate(&v)
	if err := v.err(); err != nil {
		return err
	}
	return in.ESMParams.semantic()
}

// ValidateESMMaxItems checks ListEventSourceMappings' MaxItems.
func ValidateESMMaxItems(n int) error {
	var v validationErrors
	if n < 1 {
		v.add(n, "maxItems", "have value greater than or equal to 1")
	} else if n > MaxESMListItems {
		v.add(n, "maxItems", "have value less than or equal to "+strconv.Itoa(MaxESMListItems))
	}
	return v.err()
}

// ESMNotFound is Lambda's answer for an unknown mapping UUID: "The resource
// you requested does not exist." (localstack's Lambda provider, whose
// answers are checked against AWS snapshots, uses this wording).
func ESMNotFound() *eddy.Error {
	return &eddy.Error{Code: CodeResourceNotFound, Message: "The resource you requested does not exist."}
}

// ESMConflict is Lambda's answer to a second mapping of the same stream
// to the same function.
func ESMConflict(source, function, uuid string) *eddy.Error {
	return &eddy.Error{Code: CodeResourceConflict, Message: "The event source arn (\" " + source + " \") and function (\" " +
		function + " \") provided mapping already exists. Please update or delete the existing mapping with UUID " + uuid}
}

// ESMARN is the ARN of a mapping.
func ESMARN(region, account, uuid string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":event-source-mapping:" + uuid
}
