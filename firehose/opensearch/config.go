package opensearch

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose/delivery"
)

// Config is an OpenSearch Service or Elasticsearch destination: the fields
// named as Firehose's AmazonopensearchserviceDestinationConfiguration and
// ElasticsearchDestinationConfiguration name them, then what Eddy wires in.
type Config struct {
	// ClusterEndpoint is the cluster's URL (http:// or https://); give it
	// or DomainARN.
	ClusterEndpoint string
	// DomainARN names a domain; Domains must map it to an endpoint.
	DomainARN string
	// IndexName is the index (the prefix of the rotated indexes).
	IndexName string
	// TypeName is the document type, for Elasticsearch before 7; empty
	// for none.
	TypeName string
	// IndexRotationPeriod is NoRotation, OneHour, OneDay (the default, as
	// the Firehose API reference gives it), OneWeek or OneMonth.
	IndexRotationPeriod string
	// DocumentIdOptions chooses the document ids; nil for FIREHOSE_DEFAULT.
	DocumentIdOptions *DocumentIdOptions
	RetryOptions      RetryOptions
	// S3BackupMode is FailedDocumentsOnly (the default) or AllDocuments.
	S3BackupMode string

	// Domains maps domain ARNs to endpoints (Eddy configuration).
	Domains map[string]string
	// ErrorOutputType is the error output the failed documents go to (the
	// value of !{firehose:error-output-type}). Default
	// "AmazonOpenSearchService-failed", the folder today's Firehose API
	// reference names for both destinations; older references named it
	// "elasticsearch-failed" for the Elasticsearch destination.
	ErrorOutputType string
	// Objects writes the S3Configuration's bucket, Bucket names it, and
	// ErrorKey names an error output object of a type written at now.
	Objects  delivery.Objects
	Bucket   string
	ErrorKey func(outputType string, now time.Time) (string, error)
	// Backup receives every buffer first with S3BackupMode AllDocuments
	// (the S3Configuration's destination).
	Backup delivery.Destination
	// Client sends the requests. Default: a client with a 60 s timeout.
	Client *http.Client
	// RetryEvery is the wait between attempts; Firehose does not
	// document its interval. Default 5s.
	RetryEvery time.Duration
	// Attempted is told of every _bulk request's outcome: err for a
	// request that failed, else how many of its documents failed (for
	// metrics); may be nil.
	Attempted func(failedDocs int, err error)
	Clock     delivery.Clock
	Logger    *slog.Logger
}

// DocumentIdOptions is Firehose's DocumentIdOptions.
type DocumentIdOptions struct {
	// DefaultDocumentIdFormat is FIREHOSE_DEFAULT (Firehose names each
	// document) or NO_DOCUMENT_ID (the cluster does).
	DefaultDocumentIdFormat string
}

// RetryOptions is Firehose's AmazonopensearchserviceRetryOptions /
// ElasticsearchRetryOptions.
type RetryOptions struct {
	// DurationInSeconds is "the total amount of time during which
	// Firehose retries delivery (including the first attempt)" (0 to
	// 7,200; nil for the default 300; 0 for no retry).
	DurationInSeconds *int32
}

// DefaultRetrySeconds is RetryOptions.DurationInSeconds's default.
const DefaultRetrySeconds = 300

// The document id formats.
const (
	FirehoseDefault = "FIREHOSE_DEFAULT"
	NoDocumentID    = "NO_DOCUMENT_ID"
)

func invalid(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// Endpoint is the cluster's base URL: ClusterEndpoint, or DomainARN's
// endpoint in Domains.
func (c *Config) Endpoint() (string, error) {
	ep := c.ClusterEndpoint
	switch {
	case c.ClusterEndpoint != "" && c.DomainARN != "":
		return "", invalid("specify either ClusterEndpoint or DomainARN, not both")
	case c.DomainARN != "":
		var ok bool
		if ep, ok = c.Domains[c.DomainARN]; !ok {
			return "", invalid("DomainARN %s: Eddy runs no OpenSearch domains and has no endpoint configured for this one; "+
				"give the cluster's URL as ClusterEndpoint (or map the ARN to it in Eddy's configuration)", c.DomainARN)
		}
	case ep == "":
		return "", invalid("specify either ClusterEndpoint or DomainARN")
	}
	u, err := url.Parse(ep)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalid("the cluster endpoint must be an http:// or https:// URL, got %q", ep)
	}
	return strings.TrimSuffix(ep, "/"), nil
}

// Validate checks the configuration, returning an InvalidArgumentException.
func (c *Config) Validate() error {
	if _, err := c.Endpoint(); err != nil {
		return err
	}
	if c.IndexName == "" {
		return invalid("IndexName is required")
	}
	if _, err := suffixFormat(c.IndexRotationPeriod); err != nil {
		return err
	}
	if o := c.DocumentIdOptions; o != nil && o.DefaultDocumentIdFormat != FirehoseDefault && o.DefaultDocumentIdFormat != NoDocumentID {
		return invalid("DocumentIdOptions.DefaultDocumentIdFormat must be FIREHOSE_DEFAULT or NO_DOCUMENT_ID, got %q", o.DefaultDocumentIdFormat)
	}
	if d := c.RetryOptions.DurationInSeconds; d != nil && (*d < 0 || *d > 7200) {
		return invalid("RetryOptions.DurationInSeconds must be between 0 and 7200, got %d", *d)
	}
	switch c.S3BackupMode {
	case "", "FailedDocumentsOnly":
	case "AllDocuments":
		if c.Backup == nil {
			return invalid("S3BackupMode AllDocuments needs the S3Configuration's destination")
		}
	default:
		return invalid("S3BackupMode must be FailedDocumentsOnly or AllDocuments, got %q", c.S3BackupMode)
	}
	if c.Objects == nil || c.Bucket == "" || c.ErrorKey == nil {
		return invalid("the OpenSearch destination needs its S3Configuration (the bucket of failed documents)")
	}
	return nil
}

func (c *Config) retryFor() time.Duration {
	if c.RetryOptions.DurationInSeconds == nil {
		return DefaultRetrySeconds * time.Second
	}
	return time.Duration(*c.RetryOptions.DurationInSeconds) * time.Second
}

func (c *Config) withIDs() bool {
	return c.DocumentIdOptions == nil || c.DocumentIdOptions.DefaultDocumentIdFormat != NoDocumentID
}

// suffixFormat checks a rotation period.
func suffixFormat(period string) (string, error) {
	switch period {
	case "", "NoRotation", "OneHour", "OneDay", "OneWeek", "OneMonth":
		return period, nil
	}
	return "", invalid("IndexRotationPeriod must be NoRotation, OneHour, OneDay, OneWeek or OneMonth, got %q", period)
}

// IndexFor is the index of a record that arrived at t: IndexName, then,
// as the Firehose developer guide ("Index rotation for the OpenSearch
// Service destination") shows for myindex and 2016-02-25T13:00:00Z, a part
// of the UTC arrival time:
//
//	NoRotation  myindex
//	OneHour     myindex-2016-02-25-13
//	OneDay      myindex-2016-02-25   (the default)
//	OneWeek     myindex-2016-w08
//	OneMonth    myindex-2016-02
//
// Weeks start on Sunday (the guide's US convention) and are numbered as
// strftime's %U numbers them: the days before the year's first Sunday are
// week 00, the week of the first Sunday is 01. That numbering gives the
// guide's example (2016-02-25 is in week 08); the guide's sentence "the
// first week of the year is the first week that contains a Saturday in
// this year" would give 09 for it, so Eddy follows the example.
func IndexFor(indexName, period string, t time.Time) string {
	t = t.UTC()
	switch period {
	case "NoRotation":
		return indexName
	case "OneHour":
		return indexName + "-" + t.Format("2006-01-02-15")
	case "OneWeek":
		week := (t.YearDay() - 1 + 7 - int(t.Weekday())) / 7
		return fmt.Sprintf("%s-%d-w%02d", indexName, t.Year(), week)
	case "OneMonth":
		return indexName + "-" + t.Format("2006-01")
	default: // OneDay
		return indexName + "-" + t.Format("2006-01-02")
	}
}
