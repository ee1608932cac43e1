package redshift

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/firehose/delivery"
)

// Config is a Redshift destination: the fields named as Firehose's
// RedshiftDestinationConfiguration names them, then what Eddy wires in
// (the intermediate bucket's writer and keys, clock, logger).
type Config struct {
	// ClusterJDBCURL is the database: jdbc:redshift://host[:port]/database
	// (port 5439, Redshift's, when absent) is read as the PostgreSQL
	// server at host:port and its database. An Eddy extension: a
	// postgres:// or postgresql:// URL is used as it is (Username and
	// Password, when set, replace its user and password).
	ClusterJDBCURL string
	Username       string
	Password       string
	CopyCommand    CopyCommand
	RetryOptions   RetryOptions
	// S3BackupMode is "Disabled" (the default) or "Enabled": with
	// Enabled every buffer is also given to Backup first.
	S3BackupMode string

	// Objects writes the intermediate bucket (the S3Configuration) and
	// Bucket names it.
	Objects delivery.Objects
	Bucket  string
	// Key names the staged object of a buffer closed at now (the
	// S3Configuration's prefix and Firehose's object name).
	Key func(b *delivery.Buffer, now time.Time) (string, error)
	// ErrorKey names an error output object (processing-failed records)
	// written at now.
	ErrorKey func(outputType string, now time.Time) (string, error)
	// ManifestErrorKey names the manifest of a staged object that could
	// not be copied within the retry duration. Firehose writes such
	// manifests "to your S3 bucket as a manifest file in the errors/
	// folder" (Firehose developer guide, "Data Delivery Failure
	// Handling"); the guide does not name the file. Default: "errors/"
	// followed by the staged object's key.
	ManifestErrorKey func(objectKey string, now time.Time) (string, error)
	// Encode turns the concatenated records into the staged object's body
	// (the S3Configuration's CompressionFormat); nil writes them as they
	// are. COPY reads back that body, so a GZIP object needs the GZIP
	// COPY option, as in Redshift.
	Encode func(data []byte) ([]byte, error)
	// Backup receives every buffer first when S3BackupMode is Enabled
	// (the S3BackupConfiguration's destination).
	Backup delivery.Destination

	// RetryEvery is the wait between COPY attempts; Firehose does not
	// document its interval. Default 5s.
	RetryEvery time.Duration
	// ConnectTimeout bounds each connection attempt. Default 30s.
	ConnectTimeout time.Duration
	// Failed is told of each staged object given up after the retry
	// duration, with the Firehose error code (Redshift.ColumnNotFound,
	// ...) of the last attempt; may be nil.
	Failed func(objectKey string, records int, code, message string)
	// Attempted is told of every COPY's outcome (for metrics); may be nil.
	Attempted func(err error)
	Clock     delivery.Clock
	Logger    *slog.Logger
}

// CopyCommand is Firehose's CopyCommand.
type CopyCommand struct {
	// DataTableName is the table, [schema.]table; it must exist.
	DataTableName string
	// DataTableColumns is a comma-separated list of columns; empty for
	// all of the table's columns, in order.
	DataTableColumns string
	// CopyOptions are Redshift COPY options; see parseCopyOptions for
	// those PostgreSQL plays.
	CopyOptions string
}

// RetryOptions is Firehose's RedshiftRetryOptions.
type RetryOptions struct {
	// DurationInSeconds is how long COPY is retried, "starting from the
	// initial request and including the first attempt" (0 to 7,200; nil
	// for the default 3,600; 0 for no retry) (Firehose API reference,
	// RedshiftRetryOptions).
	DurationInSeconds *int32
}

// DefaultRetrySeconds is RedshiftRetryOptions.DurationInSeconds's default.
const DefaultRetrySeconds = 3600

// identifier is an unquoted Redshift identifier, optionally schema-qualified.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$]*$`)

// invalid is a configuration error in Firehose's words.
func invalid(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// Validate checks the configuration, returning an InvalidArgumentException.
func (c *Config) Validate() error {
	if _, err := ConnString(c.ClusterJDBCURL); err != nil {
		return err
	}
	if _, err := tableName(c.CopyCommand.DataTableName); err != nil {
		return err
	}
	if _, err := columnNames(c.CopyCommand.DataTableColumns); err != nil {
		return err
	}
	if _, err := parseCopyOptions(c.CopyCommand.CopyOptions); err != nil {
		return invalid("%v", err)
	}
	if d := c.RetryOptions.DurationInSeconds; d != nil && (*d < 0 || *d > 7200) {
		return invalid("RetryOptions.DurationInSeconds must be between 0 and 7200, got %d", *d)
	}
	switch c.S3BackupMode {
	case "", "Disabled":
	case "Enabled":
		if c.Backup == nil {
			return invalid("S3BackupMode Enabled needs an S3BackupConfiguration")
		}
	default:
		return invalid("S3BackupMode must be Disabled or Enabled, got %q", c.S3BackupMode)
	}
	if c.Objects == nil || c.Bucket == "" || c.Key == nil {
		return invalid("the Redshift destination needs its S3Configuration (an intermediate bucket)")
	}
	return nil
}

// ConnString maps a ClusterJDBCURL to a PostgreSQL connection URL:
// jdbc:redshift://host[:port]/db[?params] becomes
// postgres://host:port/db (port 5439 when absent; the JDBC parameters,
// which are Redshift driver settings, are dropped), and a postgres:// or
// postgresql:// URL is kept as it is.
func ConnString(jdbc string) (string, error) {
	switch {
	case strings.HasPrefix(jdbc, "postgres://"), strings.HasPrefix(jdbc, "postgresql://"):
		if _, err := url.Parse(jdbc); err != nil {
			return "", invalid("ClusterJDBCURL %q is not a valid URL: %v", jdbc, err)
		}
		return jdbc, nil
	case strings.HasPrefix(jdbc, "jdbc:redshift://"):
	default:
		return "", invalid("ClusterJDBCURL must be jdbc:redshift://host:port/database (or, in Eddy, a postgres:// URL), got %q", jdbc)
	}
	rest := strings.TrimPrefix(jdbc, "jdbc:redshift://")
	if i := strings.IndexAny(rest, "?;"); i >= 0 {
		rest = rest[:i]
	}
	hostport, db, ok := strings.Cut(rest, "/")
	if !ok || db == "" || hostport == "" || strings.Contains(db, "/") {
		return "", invalid("ClusterJDBCURL %q has no database: want jdbc:redshift://host:port/database", jdbc)
	}
	host, port := hostport, "5439"
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
	}
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(host, port), Path: "/" + db}
	return u.String(), nil
}

// tableName is DataTableName as a PostgreSQL identifier: each part folded
// to lower case (Redshift's unquoted identifiers are) and quoted.
func tableName(name string) (string, error) {
	parts := strings.Split(name, ".")
	if name == "" || len(parts) > 2 {
		return "", invalid("CopyCommand.DataTableName must be table or schema.table, got %q", name)
	}
	for i, p := range parts {
		if !identifier.MatchString(p) {
			return "", invalid("CopyCommand.DataTableName %q is not a valid table name", name)
		}
		parts[i] = quoteIdent(strings.ToLower(p))
	}
	return strings.Join(parts, "."), nil
}

// columnNames splits DataTableColumns into lower-case names.
func columnNames(list string) ([]string, error) {
	if strings.TrimSpace(list) == "" {
		return nil, nil
	}
	var cols []string
	for c := range strings.SplitSeq(list, ",") {
		c = strings.TrimSpace(c)
		if !identifier.MatchString(c) {
			return nil, invalid("CopyCommand.DataTableColumns %q has an invalid column name %q", list, c)
		}
		cols = append(cols, strings.ToLower(c))
	}
	return cols, nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func (c *Config) retryFor() time.Duration {
	if c.RetryOptions.DurationInSeconds == nil {
		return DefaultRetrySeconds * time.Second
	}
	return time.Duration(*c.RetryOptions.DurationInSeconds) * time.Second
}

func (c *Config) String() string {
	return fmt.Sprintf("redshift %s table %s", c.ClusterJDBCURL, c.CopyCommand.DataTableName)
}
