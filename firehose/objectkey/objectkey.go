// Package objectkey computes the S3 object keys a Firehose delivery stream
// writes, as Amazon Data Firehose names them, and checks a destination's
// Prefix and ErrorOutputPrefix when a delivery stream is created or updated.
//
// A key is <evaluated prefix><suffix>
// (https://docs.aws.amazon.com/firehose/latest/dev/s3-object-name.html):
//
//	2026/12/04/21/my-stream-1-2026-12-04-21-42-59-8d2c7f0e-5a0b-4c3e-9f1d-2b6a7c8e9f00.gz
//	`-- prefix --'`---------------------------- suffix ------------------------------------'
//	               name    version  yyyy-MM-dd-HH-mm-ss        random UUID          extension
//
// The prefix is the destination's Prefix with its !{namespace:value}
// expressions evaluated (https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html):
//
//	!{timestamp:<DateTimeFormatter pattern>}  the oldest record's arrival time, in CustomTimeZone (UTC by default)
//	!{firehose:random-string}                 11 random characters, new for each occurrence
//	!{firehose:error-output-type}             processing-failed, format-conversion-failed, ... (ErrorOutputPrefix only)
//	!{partitionKeyFromQuery:k}                key k from the MetadataExtraction processor (dynamic partitioning)
//	!{partitionKeyFromLambda:k}               key k from the Lambda processor's metadata (dynamic partitioning)
//
// and, as Firehose documents, a Prefix without a timestamp expression gets
// !{timestamp:yyyy/MM/dd/HH/} appended (unless dynamic partitioning is
// enabled: its documented keys carry no time folders), an empty Prefix is
// yyyy/MM/dd/HH/, and an empty ErrorOutputPrefix (allowed only when Prefix
// has no expressions) is <Prefix><error-output-type>/yyyy/MM/dd/HH/.
//
// Config.Validate holds the checks the API layer runs at
// CreateDeliveryStream and UpdateDestination; New compiles a validated
// Config into a Layout the delivery runner asks for keys. The package
// imports no other Firehose package: the caller maps the API's
// ExtendedS3DestinationConfiguration onto Config, whose fields carry the
// API's names.
package objectkey

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // CustomTimeZone must resolve on hosts without a zoneinfo database

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/internal/uuid"
)

// The values !{firehose:error-output-type} evaluates to, as the Firehose
// developer guide lists them (s3-prefixes.md, "The firehose namespace").
const (
	ErrorOutputProcessingFailed       = "processing-failed"
	ErrorOutputFormatConversionFailed = "format-conversion-failed"
	ErrorOutputElasticsearchFailed    = "elasticsearch-failed"
	ErrorOutputSplunkFailed           = "splunk-failed"
)

// MaxEvaluatedPrefixLength is the longest a Prefix or ErrorOutputPrefix may
// be once evaluated ("Neither Prefix nor ErrorOutputPrefix can be greater
// than 512 characters after they're evaluated", s3-prefixes.md).
const MaxEvaluatedPrefixLength = 512

// DefaultTimePrefix is the pattern of the time folders Firehose uses when
// Prefix is empty, and appends to a Prefix without a timestamp expression.
const DefaultTimePrefix = "yyyy/MM/dd/HH/"

// Config is what decides a destination's keys. Field names are those of
// Firehose's ExtendedS3DestinationConfiguration where one exists.
type Config struct {
	// Prefix is the destination's Prefix. Empty means yyyy/MM/dd/HH/.
	Prefix string
	// ErrorOutputPrefix is where failed records go. Empty is allowed only
	// when Prefix has no expressions.
	ErrorOutputPrefix string
	// CustomTimeZone is an IANA time zone name for the timestamp
	// expressions and the suffix's time. Empty means UTC.
	CustomTimeZone string
	// FileExtension, when not empty, replaces the extension the
	// compression format adds (FileExtension: "It will override the default
	// file extension"). Its syntax (the model's pattern) is the protocol
	// layer's to check.
	FileExtension string
	// CompressionFormat is the destination's CompressionFormat
	// (UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY): it picks the
	// default extension. Empty means UNCOMPRESSED.
	CompressionFormat string
	// DynamicPartitioningEnabled is DynamicPartitioningConfiguration.Enabled.
	DynamicPartitioningEnabled bool
	// MetadataExtraction says that the ProcessingConfiguration has a
	// MetadataExtraction processor (the source of partitionKeyFromQuery).
	MetadataExtraction bool
	// Lambda says that the ProcessingConfiguration has a Lambda processor
	// (the source of partitionKeyFromLambda).
	Lambda bool
}

// DefaultExtension returns the extension Firehose adds to an object written
// with the compression format: .gz for GZIP, .zip for ZIP, .snappy for
// Snappy and HADOOP_SNAPPY, none for UNCOMPRESSED. Source: the developer
// guide's object name format ends in <file extension>; the extension per
// format is as recorded from real AWS objects in floci-io/floci#2328 / #2410
// (no AWS page lists them).
func DefaultExtension(compressionFormat string) string {
	switch compressionFormat {
	case "GZIP":
		return ".gz"
	case "ZIP":
		return ".zip"
	case "Snappy", "HADOOP_SNAPPY":
		return ".snappy"
	}
	return ""
}

func invalid(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// Validate checks c as Firehose checks a destination at
// CreateDeliveryStream and UpdateDestination, and returns an
// *eddy.Error with Code InvalidArgumentException naming the first rule
// broken. The rules are the developer guide's (s3-prefixes.md, "Semantic
// rules"; dynamic-partitioning.md). Two messages are AWS's as CloudFormation
// reports them (recorded in aws-cdk's aws-kinesisfirehose source); AWS's
// wording of the others is not published, so they are Eddy's, naming the
// rule.
func (c Config) Validate() error {
	_, err := New(c)
	return err
}

// A Layout turns a delivery's facts into object keys. It is safe for
// concurrent use.
type Layout struct {
	prefix    []segment
	errPrefix []segment // nil: derived from prefix (see Config.ErrorOutputPrefix)
	loc       *time.Location
	ext       string
}

type segKind int

const (
	segText segKind = iota
	segTime
	segRandom
	segErrorType
	segQuery
	segLambda
)

type segment struct {
	kind segKind
	text string     // segText: the text; segQuery, segLambda: the key
	tf   timeFormat // segTime
}

// New validates c (see Validate) and compiles it.
func New(c Config) (*Layout, error) {
	l := &Layout{loc: time.UTC}
	if c.CustomTimeZone != "" {
		loc, err := time.LoadLocation(c.CustomTimeZone)
		if err != nil || c.CustomTimeZone == "Local" {
			return nil, invalid("CustomTimeZone %q is not a supported time zone.", c.CustomTimeZone)
		}
		l.loc = loc
	}
	switch c.CompressionFormat {
	case "", "UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY":
	default:
		return nil, invalid("CompressionFormat %q is not one of UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY.", c.CompressionFormat)
	}
	l.ext = DefaultExtension(c.CompressionFormat)
	if c.FileExtension != "" {
		l.ext = c.FileExtension
	}

	prefix, err := parsePrefix(c.Prefix, "Prefix")
	if err != nil {
		return nil, err
	}
	errPrefix, err := parsePrefix(c.ErrorOutputPrefix, "ErrorOutputPrefix")
	if err != nil {
		return nil, err
	}
	has := func(segs []segment, k segKind) bool {
		for _, s := range segs {
			if s.kind == k {
				return true
			}
		}
		return false
	}
	hasExpr := func(segs []segment) bool {
		for _, s := range segs {
			if s.kind != segText {
				return true
			}
		}
		return false
	}
	if has(prefix, segErrorType) {
		return nil, invalid("Prefix cannot contain !{firehose:error-output-type}: it can only be used in ErrorOutputPrefix.")
	}
	if has(errPrefix, segQuery) || has(errPrefix, segLambda) {
		return nil, invalid("You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces when creating ErrorOutputPrefix expressions.")
	}
	if hasExpr(errPrefix) && !has(errPrefix, segErrorType) {
		return nil, invalid("ErrorOutputPrefix contains expressions but not !{firehose:error-output-type}: it must include at least one instance of it.")
	}
	if c.ErrorOutputPrefix == "" && hasExpr(prefix) {
		return nil, invalid("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions.")
	}
	usesQuery, usesLambda := has(prefix, segQuery), has(prefix, segLambda)
	if !c.DynamicPartitioningEnabled && (usesQuery || usesLambda) {
		return nil, invalid("Prefix cannot contain partitionKeyFromQuery or partitionKeyFromLambda expressions when dynamic partitioning is not enabled.")
	}
	if c.DynamicPartitioningEnabled {
		if !usesQuery && !usesLambda {
			return nil, invalid("When dynamic partitioning is enabled, Prefix must contain at least one partitionKeyFromQuery or partitionKeyFromLambda expression.")
		}
		// The next two are AWS's words (CloudFormation's validation
		// messages, quoted in aws-cdk's aws-kinesisfirehose source).
		if usesQuery && !c.MetadataExtraction {
			return nil, invalid("MetadataExtraction processor should be present when S3 Prefix has partitionKeyFromQuery namespace")
		}
		if usesLambda && !c.Lambda {
			return nil, invalid("Lambda should be present when S3 Prefix contains keys from partitionKeyFromLambda namespace")
		}
	}

	switch {
	case c.Prefix == "":
		l.prefix = []segment{{kind: segTime, tf: defaultTime}}
	case !has(prefix, segTime) && !c.DynamicPartitioningEnabled:
		l.prefix = append(slices.Clip(prefix), segment{kind: segTime, tf: defaultTime})
	default:
		l.prefix = prefix
	}
	if c.ErrorOutputPrefix != "" {
		l.errPrefix = errPrefix
	} else {
		l.errPrefix = append(append(slices.Clip(prefix), segment{kind: segErrorType}, segment{text: "/"}),
			segment{kind: segTime, tf: defaultTime})
	}
	return l, nil
}

var defaultTime = func() timeFormat {
	f, err := parseTimeFormat(DefaultTimePrefix)
	if err != nil {
		panic(err)
	}
	return f
}()

// parsePrefix splits a prefix into literal text and expressions.
func parsePrefix(p, field string) ([]segment, error) {
	var segs []segment
	for len(p) > 0 {
		i := strings.Index(p, "!{")
		if i < 0 {
			segs = append(segs, segment{text: p})
			break
		}
		if i > 0 {
			segs = append(segs, segment{text: p[:i]})
		}
		end := strings.IndexByte(p[i:], '}')
		if end < 0 {
			return nil, invalid("%s %q: the sequence !{ can only appear in !{namespace:value} expressions, and this one is not closed.", field, p)
		}
		expr := p[i+2 : i+end]
		ns, value, ok := strings.Cut(expr, ":")
		if !ok || value == "" {
			return nil, invalid("%s: the expression !{%s} is not of the form !{namespace:value}.", field, expr)
		}
		switch ns {
		case "timestamp":
			tf, err := parseTimeFormat(value)
			if err != nil {
				return nil, invalid("%s: the expression !{%s} is not a valid timestamp expression: %v.", field, expr, err)
			}
			if !tf.usesTime() {
				return nil, invalid("%s: the expression !{%s} formats no date or time field.", field, expr)
			}
			segs = append(segs, segment{kind: segTime, tf: tf})
		case "firehose":
			switch value {
			case "random-string":
				segs = append(segs, segment{kind: segRandom})
			case "error-output-type":
				segs = append(segs, segment{kind: segErrorType})
			default:
				return nil, invalid("%s: the expression !{%s} is not valid: the firehose namespace has the values error-output-type and random-string.", field, expr)
			}
		case "partitionKeyFromQuery":
			segs = append(segs, segment{kind: segQuery, text: value})
		case "partitionKeyFromLambda":
			segs = append(segs, segment{kind: segLambda, text: value})
		default:
			return nil, invalid("%s: the expression !{%s} has an unknown namespace %q (valid: firehose, timestamp, partitionKeyFromQuery, partitionKeyFromLambda).", field, expr, ns)
		}
		p = p[i+end+1:]
	}
	return segs, nil
}

// Input is what a delivery knows when it names an object.
type Input struct {
	// DeliveryStreamName and DeliveryStreamVersion (VersionId, from 1) go
	// into the suffix.
	DeliveryStreamName    string
	DeliveryStreamVersion int64
	// Time is the approximate arrival time of the oldest record in the
	// object: the timestamp expressions and the suffix show it.
	Time time.Time
	// PartitionKeysFromQuery and PartitionKeysFromLambda are the object's
	// partition keys (dynamic partitioning).
	PartitionKeysFromQuery  map[string]string
	PartitionKeysFromLambda map[string]string
	// Rand is the source of the UUID and random strings; nil means
	// crypto/rand.
	Rand io.Reader
}

// ErrMissingPartitionKey is returned (wrapped) by Prefix and Key when the
// prefix names a partition key the input does not have; the runner sends
// such records to the error output.
var ErrMissingPartitionKey = errors.New("missing partition key")

// ErrPrefixTooLong is returned (wrapped) when an evaluated prefix is longer
// than MaxEvaluatedPrefixLength.
var ErrPrefixTooLong = errors.New("evaluated prefix too long")

// Prefix returns the evaluated Prefix for in.
func (l *Layout) Prefix(in Input) (string, error) {
	return l.eval(l.prefix, in, "")
}

// ErrorPrefix returns the evaluated ErrorOutputPrefix for in, failed with
// errorOutputType (one of the ErrorOutput constants).
func (l *Layout) ErrorPrefix(in Input, errorOutputType string) (string, error) {
	return l.eval(l.errPrefix, in, errorOutputType)
}

// Key returns the whole key of a delivered object: Prefix and ObjectName.
func (l *Layout) Key(in Input) (string, error) {
	p, err := l.Prefix(in)
	if err != nil {
		return "", err
	}
	return p + l.ObjectName(in), nil
}

// ErrorKey returns the whole key of an object of failed records.
func (l *Layout) ErrorKey(in Input, errorOutputType string) (string, error) {
	p, err := l.ErrorPrefix(in, errorOutputType)
	if err != nil {
		return "", err
	}
	return p + l.ObjectName(in), nil
}

// Extension returns the extension ObjectName ends with ("" for none).
func (l *Layout) Extension() string { return l.ext }

// ObjectName returns the key's suffix:
// <DeliveryStreamName>-<DeliveryStreamVersion>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>.
func (l *Layout) ObjectName(in Input) string {
	t := in.Time.In(l.loc)
	b := make([]byte, 0, len(in.DeliveryStreamName)+64)
	b = append(b, in.DeliveryStreamName...)
	b = append(b, '-')
	b = strconv.AppendInt(b, in.DeliveryStreamVersion, 10)
	b = append(b, '-')
	b = append(b, t.Format("2006-01-02-15-04-05")...)
	b = append(b, '-')
	b = append(b, newUUID(in.Rand)...)
	b = append(b, l.ext...)
	return string(b)
}

func (l *Layout) eval(segs []segment, in Input, errorType string) (string, error) {
	t := in.Time.In(l.loc)
	var b []byte
	for _, s := range segs {
		switch s.kind {
		case segText:
			b = append(b, s.text...)
		case segTime:
			b = s.tf.appendTime(b, t)
		case segRandom:
			b = append(b, randomString(in.Rand)...)
		case segErrorType:
			b = append(b, errorType...)
		case segQuery, segLambda:
			keys, ns := in.PartitionKeysFromQuery, "partitionKeyFromQuery"
			if s.kind == segLambda {
				keys, ns = in.PartitionKeysFromLambda, "partitionKeyFromLambda"
			}
			v, ok := keys[s.text]
			if !ok {
				return "", fmt.Errorf("%w: !{%s:%s}", ErrMissingPartitionKey, ns, s.text)
			}
			b = append(b, v...)
		}
	}
	if n := len([]rune(string(b))); n > MaxEvaluatedPrefixLength {
		return "", fmt.Errorf("%w: %d characters, at most %d", ErrPrefixTooLong, n, MaxEvaluatedPrefixLength)
	}
	return string(b), nil
}

func readRandom(r io.Reader, p []byte) {
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, p); err != nil {
		panic(fmt.Sprintf("objectkey: random source: %v", err))
	}
}

// randomString returns the 11 characters of !{firehose:random-string}: the
// first 11 characters of a random UUID, the form of the developer guide's
// example output (myPrefix/046b6c7f-0b/).
func randomString(r io.Reader) string {
	return newUUID(r)[:11]
}

// newUUID returns a random (version 4) UUID made from r's bytes.
func newUUID(r io.Reader) string {
	var u [16]byte
	readRandom(r, u[:])
	return uuid.Format(u[:])
}
