// Package parquet converts the JSON records of a Firehose delivery stream
// into one Apache Parquet file, as Firehose's data format conversion does
// (https://docs.aws.amazon.com/firehose/latest/dev/record-format-conversion.html),
// on github.com/parquet-go/parquet-go.
//
// The schema is the columns of a table (Glue's Column: Name and a Hive type
// such as bigint, decimal(10,2), array<string>, map<string,int>,
// struct<a:int,b:string>), given inline or read from a JSON file in place
// of the Glue Data Catalog (SchemaFile). The file is laid out as Hive's
// Parquet SerDe writes it: message hive_schema, every column optional,
// 3-level LIST and MAP groups, timestamps as INT96, decimals as
// FIXED_LEN_BYTE_ARRAY, tinyint and smallint as INT32 with INT(8) and
// INT(16) annotations.
//
// The deserializers read JSON as their namesakes do, in the parts the
// Firehose documentation describes:
//
//	OpenXJsonSerDe  CaseInsensitive (default true), ColumnToJsonKeyMappings (top-level columns),
//	                ConvertDotsInJsonKeysToUnderscores; numbers and booleans may be strings;
//	                nested JSON in a string column becomes its JSON text; timestamps as
//	                yyyy-MM-dd'T'HH:mm:ss[.S]'Z', yyyy-[M]M-[d]d HH:mm:ss[.S], epoch seconds,
//	                epoch milliseconds, fractional epoch seconds
//	HiveJsonSerDe   TimestampFormats (Joda-Time patterns, and "millis"), then
//	                java.sql.Timestamp.valueOf's form; numbers must be JSON numbers; nested
//	                JSON in a string column is an error; keys match case-insensitively
//
// A record that does not convert (not JSON, not an object, a value that
// does not fit its column) is reported in Result.Failed with its index,
// never dropped silently: the delivery runner writes it to the error
// output (error-output-type format-conversion-failed) with ErrorCode.
package parquet

import (
	"fmt"
	"io"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"

	"github.com/eddy-streams/eddy"
)

// ErrorCode is the error code a record that fails conversion carries in
// the error output ("lastErrorCode"). AWS's documentation shows the field
// but lists no codes; DataFormatConversion.MalformedData is the code seen
// in error records Firehose wrote, as recorded in a public test suite that
// checks them. Treat it as observed, not documented.
const ErrorCode = "DataFormatConversion.MalformedData"

// OpenXJsonSerDe is Firehose's OpenXJsonSerDe.
type OpenXJsonSerDe struct {
	// CaseInsensitive lower-cases JSON keys before matching them to
	// columns. Default true.
	CaseInsensitive *bool
	// ColumnToJsonKeyMappings maps a column name to the JSON key it reads
	// (for keys that are Hive keywords, such as {"ts": "timestamp"}).
	ColumnToJsonKeyMappings map[string]string
	// ConvertDotsInJsonKeysToUnderscores reads the JSON key "a.b" as the
	// column a_b. Default false.
	ConvertDotsInJsonKeysToUnderscores *bool
}

// HiveJsonSerDe is Firehose's HiveJsonSerDe.
type HiveJsonSerDe struct {
	// TimestampFormats are Joda-Time DateTimeFormat patterns tried in
	// order, or "millis" for epoch milliseconds. With none,
	// java.sql.Timestamp.valueOf's yyyy-[m]m-[d]d hh:mm:ss[.f...] is used
	// (and it is tried after them).
	TimestampFormats []string
}

// ParquetSerDe is Firehose's ParquetSerDe.
type ParquetSerDe struct {
	// BlockSizeBytes is the HDFS block size padding is computed for:
	// at least 64 MiB, default 256 MiB. Accepted and ignored: each object
	// is one row group, and parquet-go does not pad.
	BlockSizeBytes *int32
	// Compression is SNAPPY (default), GZIP or UNCOMPRESSED.
	Compression string
	// EnableDictionaryCompression dictionary-encodes every column but
	// booleans. Default true (parquet-mr's default; Firehose states none).
	EnableDictionaryCompression *bool
	// MaxPaddingBytes is accepted and ignored (default 0: no padding,
	// which is what Eddy does).
	MaxPaddingBytes *int32
	// PageSizeBytes is the page size: at least 64 KiB, default 1 MiB.
	PageSizeBytes *int32
	// WriterVersion is V1 (default) or V2: the data page version.
	WriterVersion string
}

// Config is a delivery stream's data format conversion to Parquet.
type Config struct {
	// Columns is the table's schema (inline, or from LoadSchemaFile).
	Columns []Column
	// OpenX or Hive chooses the deserializer; neither means OpenX with its
	// defaults. Both is an error, as in Firehose's
	// InputFormatConfiguration.Deserializer.
	OpenX *OpenXJsonSerDe
	Hive  *HiveJsonSerDe
	// Parquet is the serializer's options.
	Parquet ParquetSerDe
}

// Converter converts batches of JSON records to Parquet files. It is safe
// for concurrent use.
type Converter struct {
	d    *deserializer
	opts []pq.WriterOption
}

func invalid(format string, args ...any) error {
	return eddy.Errorf(eddy.CodeInvalidArgument, format, args...)
}

// Validate checks c; its errors are InvalidArgumentExceptions.
func (c Config) Validate() error {
	_, err := New(c)
	return err
}

// New validates c and returns its Converter.
func New(c Config) (*Converter, error) {
	if c.OpenX != nil && c.Hive != nil {
		return nil, invalid("Only one of OpenXJsonSerDe and HiveJsonSerDe may be specified.")
	}
	p := c.Parquet
	if p.BlockSizeBytes != nil && *p.BlockSizeBytes < 64<<20 {
		return nil, invalid("ParquetSerDe BlockSizeBytes must be at least %d (64 MiB), got %d.", 64<<20, *p.BlockSizeBytes)
	}
	if p.PageSizeBytes != nil && *p.PageSizeBytes < 64<<10 {
		return nil, invalid("ParquetSerDe PageSizeBytes must be at least %d (64 KiB), got %d.", 64<<10, *p.PageSizeBytes)
	}
	if p.MaxPaddingBytes != nil && *p.MaxPaddingBytes < 0 {
		return nil, invalid("ParquetSerDe MaxPaddingBytes must be at least 0, got %d.", *p.MaxPaddingBytes)
	}
	var codec compress.Codec
	switch p.Compression {
	case "", "SNAPPY":
		codec = &snappy.Codec{}
	case "GZIP":
		codec = &gzip.Codec{}
	case "UNCOMPRESSED":
		codec = &uncompressed.Codec{}
	default:
		return nil, invalid("ParquetSerDe Compression %q is not one of UNCOMPRESSED, GZIP, SNAPPY.", p.Compression)
	}
	version := 1
	switch p.WriterVersion {
	case "", "V1":
	case "V2":
		version = 2
	default:
		return nil, invalid("ParquetSerDe WriterVersion %q is not one of V1, V2.", p.WriterVersion)
	}
	dict := p.EnableDictionaryCompression == nil || *p.EnableDictionaryCompression
	s, err := newSchema(c.Columns, dict)
	if err != nil {
		return nil, invalid("The schema is not valid: %v.", err)
	}
	d := &deserializer{s: s, openx: c.Hive == nil, caseInsensitive: true}
	if c.OpenX != nil {
		if c.OpenX.CaseInsensitive != nil {
			d.caseInsensitive = *c.OpenX.CaseInsensitive
		}
		d.dotsToUnder = c.OpenX.ConvertDotsInJsonKeysToUnderscores != nil && *c.OpenX.ConvertDotsInJsonKeysToUnderscores
		if len(c.OpenX.ColumnToJsonKeyMappings) > 0 {
			d.mappings = map[string]string{}
			for col, key := range c.OpenX.ColumnToJsonKeyMappings {
				d.mappings[lower(col)] = key
			}
		}
	}
	if c.Hive != nil {
		for _, f := range c.Hive.TimestampFormats {
			if f == "millis" {
				d.tsMillis = true
				continue
			}
			layout, err := jodaLayout(f)
			if err != nil {
				return nil, invalid("HiveJsonSerDe TimestampFormats: %v.", err)
			}
			d.tsLayouts = append(d.tsLayouts, layout)
		}
	}
	d.init()
	pageSize := 1 << 20
	if p.PageSizeBytes != nil {
		pageSize = int(*p.PageSizeBytes)
	}
	opts := []pq.WriterOption{
		s.pq,
		pq.Compression(codec),
		pq.DataPageVersion(version),
		pq.PageBufferSize(pageSize),
		pq.CreatedBy("eddy", "", ""),
	}
	return &Converter{d: d, opts: opts}, nil
}

// Failure is a record that did not convert.
type Failure struct {
	// Index is the record's position in the batch given to Convert.
	Index int
	// ErrorCode is ErrorCode; ErrorMessage says what did not convert.
	ErrorCode    string
	ErrorMessage string
}

// Result is what Convert did.
type Result struct {
	// Rows is the number of rows written (a record may hold several JSON
	// objects, each a row).
	Rows int
	// Converted is the number of records written.
	Converted int
	// Failed are the records that did not convert, in order.
	Failed []Failure
}

// Convert writes the records that convert as one Parquet file to w and
// reports the others. When no record converts, it writes nothing. An
// error is an error of w (or of the library), not of a record.
func (c *Converter) Convert(w io.Writer, records [][]byte) (Result, error) {
	var res Result
	rows := make([]pq.Row, 0, len(records))
	cols := make([][]pq.Value, c.d.s.columns) // scratch, one slice per leaf column
	for i, rec := range records {
		before := len(rows)
		var err error
		rows, err = c.d.rows(rec, rows, cols)
		if err != nil {
			rows = rows[:before]
			res.Failed = append(res.Failed, Failure{Index: i, ErrorCode: ErrorCode, ErrorMessage: err.Error()})
			continue
		}
		res.Converted++
	}
	res.Rows = len(rows)
	if len(rows) == 0 {
		return res, nil
	}
	pw := pq.NewWriter(w, c.opts...)
	if _, err := pw.WriteRows(rows); err != nil {
		return res, fmt.Errorf("write parquet rows: %w", err)
	}
	if err := pw.Close(); err != nil {
		return res, fmt.Errorf("close parquet file: %w", err)
	}
	return res, nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
