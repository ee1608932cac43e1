// Package redshift is Firehose's Amazon Redshift destination, with
// PostgreSQL playing Redshift (through github.com/jackc/pgx/v5).
//
// Firehose delivers a buffer to Redshift in two steps: it writes the
// buffer to the intermediate S3 bucket (the S3Configuration) as one object,
// then runs COPY <DataTableName> (<DataTableColumns>) FROM 's3://...'
// <CopyOptions> in the cluster. PostgreSQL cannot read S3, so a
// Destination writes the staged object exactly as Firehose does (through
// delivery.Objects) and then runs COPY ... FROM STDIN with the same bytes:
//
//	buffer ──► staged object  s3://<bucket>/<key>          (always)
//	       └─► COPY table (cols) FROM STDIN WITH (FORMAT text|csv, ...)
//	           text: DELIMITER '|' unless given, NULL AS, IGNOREHEADER (done in Go)
//	           csv:  QUOTE, DELIMITER, NULL AS, IGNOREHEADER
//	           json: each JSON object → a CSV row by column name (done in Go)
//	           GZIP: the staged bytes are gunzipped first
//
// The Redshift COPY options without a PostgreSQL meaning (FIXEDWIDTH,
// AVRO, LZOP, JSONPaths files, MAXERROR, ...) are refused by New with an
// InvalidArgumentException naming the option and those supported.
//
// A COPY that fails is retried for RetryOptions.DurationInSeconds (default
// 3,600; 0 for no retry); after that the object is skipped as Firehose
// skips it: a manifest naming it is written under errors/ for a manual
// backfill, and the failure is logged with Firehose's error code
// (Redshift.ColumnNotFound, Redshift.ConnectionFailed, ...).
//
// ClusterJDBCURL jdbc:redshift://host:port/db means the PostgreSQL server
// at host:port, database db (see ConnString); a postgres:// URL is accepted
// as an Eddy extension. Username and Password are the database user's.
package redshift
