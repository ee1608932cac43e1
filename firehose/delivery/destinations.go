package delivery

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/compress"
	"github.com/eddy-streams/eddy/firehose/objectkey"
	"github.com/eddy-streams/eddy/firehose/parquet"
	"github.com/eddy-streams/eddy/firehose/process"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// s3Options is what an S3 destination is made of: an ExtendedS3
// configuration, or the S3 configuration of another destination's backup
// (which has no processors, conversion or partitioning).
type s3Options struct {
	BucketARN         *string
	Prefix            *string
	ErrorOutputPrefix *string
	CompressionFormat string
	BufferingHints    *fp.BufferingHints
	CustomTimeZone    *string
	FileExtension     *string
	Partitioning      bool
	Conversion        *fp.DataFormatConversionConfiguration
	Processing        *fp.ProcessingConfiguration
}

func extendedOptions(c *fp.ExtendedS3DestinationConfiguration) s3Options {
	return s3Options{BucketARN: c.BucketARN, Prefix: c.Prefix, ErrorOutputPrefix: c.ErrorOutputPrefix, CompressionFormat: c.CompressionFormat,
		BufferingHints: c.BufferingHints, CustomTimeZone: c.CustomTimeZone, FileExtension: c.FileExtension,
		Partitioning: c.DynamicPartitioningConfiguration != nil && c.DynamicPartitioningConfiguration.Enabled != nil && *c.DynamicPartitioningConfiguration.Enabled,
		Conversion:   c.DataFormatConversionConfiguration, Processing: c.ProcessingConfiguration}
}

func plainOptions(c *fp.S3DestinationConfiguration) s3Options {
	return s3Options{BucketARN: c.BucketARN, Prefix: c.Prefix, ErrorOutputPrefix: c.ErrorOutputPrefix,
		CompressionFormat: c.CompressionFormat, BufferingHints: c.BufferingHints}
}

// hasProcessor reports whether pc (enabled) has a processor of the type.
func hasProcessor(pc *fp.ProcessingConfiguration, typ string) bool {
	if pc == nil || (pc.Enabled != nil && !*pc.Enabled) {
		return false
	}
	for _, p := range pc.Processors {
		if p.Type == typ {
			return true
		}
	}
	return false
}

// s3Hints are BufferingHints as the pipeline takes them (the service
// filled in the defaults).
func s3Hints(b *fp.BufferingHints) Hints {
	h := Hints{Size: 5 << 20, Interval: 300 * time.Second}
	if b != nil && b.SizeInMBs != nil {
		h.Size = int(*b.SizeInMBs) << 20
	}
	if b != nil && b.IntervalInSeconds != nil {
		h.Interval = time.Duration(*b.IntervalInSeconds) * time.Second
	}
	return h
}

// s3Destination builds an ExtendedS3 (or S3) destination.
func (r *Runner) s3Destination(ds firehose.DeliveryStream, deps Deps) (Destination, Hints, error) {
	o := plainOptions(orEmpty(ds.Destination.S3))
	if c := ds.Destination.ExtendedS3; c != nil {
		o = extendedOptions(c)
	}
	s, err := r.newS3(ds, o, deps)
	if err != nil {
		return nil, Hints{}, err
	}
	return s, s3Hints(o.BufferingHints), nil
}

func orEmpty(c *fp.S3DestinationConfiguration) *fp.S3DestinationConfiguration {
	if c == nil {
		return &fp.S3DestinationConfiguration{}
	}
	return c
}

// newS3 builds the S3 writer of o.
func (r *Runner) newS3(ds firehose.DeliveryStream, o s3Options, deps Deps) (*S3, error) {
	bucket, err := bucketOf(o.BucketARN)
	if err != nil {
		return nil, err
	}
	objs, err := deps.Objects(bucket)
	if err != nil {
		return nil, err
	}
	format := o.CompressionFormat
	var conv *parquet.Converter
	if c := o.Conversion; c != nil && (c.Enabled == nil || *c.Enabled) {
		if conv, err = r.converter(c); err != nil {
			return nil, err
		}
		// Firehose refuses another CompressionFormat with conversion on;
		// the Parquet file compresses its own pages.
		format = compress.Uncompressed
	}
	layout, err := objectkey.New(objectkey.Config{
		Prefix: fp.Deref(o.Prefix), ErrorOutputPrefix: fp.Deref(o.ErrorOutputPrefix), CustomTimeZone: fp.Deref(o.CustomTimeZone),
		FileExtension: fp.Deref(o.FileExtension), CompressionFormat: format, DynamicPartitioningEnabled: o.Partitioning,
		MetadataExtraction: hasProcessor(o.Processing, process.TypeMetadataExtraction), Lambda: hasProcessor(o.Processing, process.TypeLambda),
	})
	if err != nil {
		return nil, err
	}
	s := &S3{
		Objects: objs, Bucket: bucket, Attempted: deps.Metrics.Attempt, ContentEncoding: compress.ContentEncoding(format),
		Key: func(b *Buffer, now time.Time) (string, error) {
			in := objectkey.Input{DeliveryStreamName: ds.Name, DeliveryStreamVersion: ds.Version, Time: oldest(b, now)}
			in.PartitionKeysFromQuery, in.PartitionKeysFromLambda = splitKeys(b.Keys)
			key, err := layout.Key(in)
			if errors.Is(err, objectkey.ErrMissingPartitionKey) || errors.Is(err, objectkey.ErrPrefixTooLong) {
				// No AWS source names the code of these failures; Eddy's.
				return "", &KeyError{Code: "DynamicPartitioning.PartitionKeyError", Message: err.Error()}
			}
			return key, err
		},
		ErrorKey: func(outputType string, now time.Time) (string, error) {
			return layout.ErrorKey(objectkey.Input{DeliveryStreamName: ds.Name, DeliveryStreamVersion: ds.Version, Time: now}, outputType)
		},
		Dropped: func(key string, n int, err error) {
			deps.Logger.Error("an object could not be written for 24 hours and is dropped, as Firehose drops it", "key", key, "records", n, "err", err)
		},
	}
	// The object's bytes, reused from one delivery to the next: S3.Deliver
	// is done with them when it returns, and the pipeline delivers one
	// buffer at a time.
	var out bytes.Buffer
	s.Encode = func(b *Buffer) ([]byte, []Failed, error) {
		if conv != nil {
			recs := make([][]byte, len(b.Records))
			for i := range b.Records {
				recs[i] = b.Records[i].Data
			}
			var buf bytes.Buffer
			res, err := conv.Convert(&buf, recs)
			if err != nil {
				return nil, nil, err
			}
			var failed []Failed
			for _, f := range res.Failed {
				failed = append(failed, Failed{Record: b.Records[f.Index], ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage,
					OutputType: "format-conversion-failed"})
			}
			return buf.Bytes(), failed, nil
		}
		return encodeRecords(&out, format, b)
	}
	return s, nil
}

// encodeRecords writes b's records, one after the other, through the
// compression format into out (emptied first) and returns its bytes. A
// fresh buffer per object, grown as the compressor filled it, and the
// records first joined into one more, were a third of the delivery's CPU.
func encodeRecords(out *bytes.Buffer, format string, b *Buffer) ([]byte, []Failed, error) {
	out.Reset()
	if format == "" || format == compress.Uncompressed {
		out.Grow(b.Bytes)
	}
	w, err := compress.NewWriter(out, compress.Config{CompressionFormat: format})
	if err != nil {
		return nil, nil, err
	}
	for i := range b.Records {
		if _, err := w.Write(b.Records[i].Data); err != nil {
			return nil, nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), nil, nil
}

// oldest is the arrival of a buffer's oldest record (the time its object
// is named after), now for an empty one.
func oldest(b *Buffer, now time.Time) time.Time {
	t := now
	for i := range b.Records {
		if a := b.Records[i].Arrival; !a.IsZero() && a.Before(t) {
			t = a
		}
	}
	return t
}

// converter builds the Parquet conversion of c.
func (r *Runner) converter(c *fp.DataFormatConversionConfiguration) (*parquet.Converter, error) {
	if c.OutputFormatConfiguration == nil || c.OutputFormatConfiguration.Serializer == nil || c.OutputFormatConfiguration.Serializer.ParquetSerDe == nil {
		return nil, errors.New("data format conversion to ORC is not built (see docs/FIREHOSE.md)")
	}
	path, err := r.schemaFile(c.SchemaConfiguration)
	if err != nil {
		return nil, err
	}
	cols, err := parquet.LoadSchemaFile(path)
	if err != nil {
		return nil, err
	}
	ps := c.OutputFormatConfiguration.Serializer.ParquetSerDe
	pc := parquet.Config{Columns: cols, Parquet: parquet.ParquetSerDe{
		BlockSizeBytes: ps.BlockSizeBytes, Compression: ps.Compression, EnableDictionaryCompression: ps.EnableDictionaryCompression,
		MaxPaddingBytes: ps.MaxPaddingBytes, PageSizeBytes: ps.PageSizeBytes, WriterVersion: ps.WriterVersion,
	}}
	if in := c.InputFormatConfiguration; in != nil && in.Deserializer != nil {
		if o := in.Deserializer.OpenXJsonSerDe; o != nil {
			pc.OpenX = &parquet.OpenXJsonSerDe{CaseInsensitive: o.CaseInsensitive, ColumnToJsonKeyMappings: o.ColumnToJsonKeyMappings,
				ConvertDotsInJsonKeysToUnderscores: o.ConvertDotsInJsonKeysToUnderscores}
		}
		if h := in.Deserializer.HiveJsonSerDe; h != nil {
			pc.Hive = &parquet.HiveJsonSerDe{TimestampFormats: h.TimestampFormats}
		}
	}
	return parquet.New(pc)
}

// KeyError is a Key that cannot be made for a buffer's records (a
// partition key the prefix names is missing, the prefix is too long): the
// records go to the error output with Code.
type KeyError struct {
	Code, Message string
}

func (e *KeyError) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }
