package channels

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/zstd"

	"github.com/eddy-streams/eddy/firehose/delivery"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// DefaultKeyTemplate is the object key template of a channel that gives
// no OutputKeyTemplate, as the Kinesis developer guide documents it ("S3
// output key template for Amazon S3 delivery", Default template).
const DefaultKeyTemplate = "kinesis-channel/!{channel-name}/!{channel-id}/!{yyyy}/!{MM}/!{dd}/!{HH}/" +
	"!{channel-name}-!{channel-id}-!{yyyy}-!{MM}-!{dd}-!{HH}-!{mm}!{extension}"

// keyVars are what a key template's variables expand to.
type keyVars struct {
	channel, id, stream string
	ext                 string
}

// expandKey fills a key template for an object written at t (UTC) and
// makes it unique: "Amazon Kinesis Data Streams automatically appends a
// unique suffix to every object key" (developer guide). The guide does not
// show the suffix; Eddy's is "-" and 16 hexadecimal digits, put before the
// extension when the template ends with !{extension}, so the object keeps
// its extension. Unknown !{...} are left as they are.
func expandKey(template string, v keyVars, t time.Time, suffix string) string {
	t = t.UTC()
	ext := ""
	if rest, ok := strings.CutSuffix(template, "!{extension}"); ok {
		template, ext = rest, v.ext
	}
	r := strings.NewReplacer(
		"!{channel-name}", v.channel,
		"!{channel-id}", v.id,
		"!{stream-name}", v.stream,
		"!{yyyy}", t.Format("2006"),
		"!{yy}", t.Format("06"),
		"!{MM}", t.Format("01"),
		"!{dd}", t.Format("02"),
		"!{HH}", t.Format("15"),
		"!{mm}", t.Format("04"),
		"!{extension}", v.ext,
	)
	return r.Replace(template) + "-" + suffix + ext
}

// randomSuffix is 16 random hexadecimal digits.
func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// extension is the file extension of objects of a compression type. The
// developer guide lists !{extension} without its values: these are Eddy's
// (".gz", ".zst", none).
func extension(c kds.S3CompressionType) string {
	switch c {
	case kds.S3CompressionTypeGzip:
		return ".gz"
	case kds.S3CompressionTypeZstd:
		return ".zst"
	}
	return ""
}

// encode is an object's body: each record's data followed by a newline
// (the guide says records are "delivered in their source format, batched
// into optimally sized objects" without naming a separator: Eddy
// separates them with newlines so the records of an object can be told
// apart), then compressed.
func encode(b *delivery.Buffer, c kds.S3CompressionType) ([]byte, error) {
	raw := make([]byte, 0, b.Bytes+len(b.Records))
	for _, r := range b.Records {
		raw = append(raw, r.Data...)
		raw = append(raw, '\n')
	}
	var buf bytes.Buffer
	switch c {
	case kds.S3CompressionTypeGzip:
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	case kds.S3CompressionTypeZstd:
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(raw); err != nil {
			return nil, err
		}
		if err := w.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return raw, nil
}

// Error codes of records that fail validation, in their dead-letter
// documents. The developer guide says such records "are written to the
// dead-letter queue with error context" without naming codes: these are
// Eddy's.
const (
	CodeInvalidJSON = "InvalidJSON"
	CodeInvalidUTF8 = "InvalidUTF8String"
	// outputValidation is the dead-letter object type (a key segment).
	outputValidation = "validation-failed"
)

// validate is the channel's transform: "when the record format is STRING,
// each record is validated as a valid UTF-8 string; when the record format
// is JSON, each record is validated as a valid JSON payload. Records that
// fail validation are sent to the dead-letter queue" (developer guide, "How
// Amazon S3 delivery works"). BYTE_ARRAY records are not validated.
func validate(format kds.RecordFormatType) delivery.Transform {
	var check func([]byte) (code, msg string)
	switch format {
	case kds.RecordFormatTypeJSON:
		check = func(b []byte) (string, string) {
			if json.Valid(b) {
				return "", ""
			}
			return CodeInvalidJSON, "The record is not a valid JSON payload."
		}
	case kds.RecordFormatTypeString:
		check = func(b []byte) (string, string) {
			if utf8.Valid(b) {
				return "", ""
			}
			return CodeInvalidUTF8, "The record is not a valid UTF-8 string."
		}
	default:
		return nil
	}
	return func(_ context.Context, recs []delivery.Record) ([]delivery.Record, []delivery.Failed, error) {
		out := recs[:0:0]
		var failed []delivery.Failed
		for _, r := range recs {
			if code, msg := check(r.Data); code != "" {
				failed = append(failed, delivery.Failed{Record: r, ErrorCode: code, ErrorMessage: msg, OutputType: outputValidation})
				continue
			}
			out = append(out, r)
		}
		return out, failed, nil
	}
}

// bucketName is the bucket of an S3 bucket ARN (arn:aws:s3:::name).
func bucketName(arn string) (string, error) {
	_, name, ok := strings.Cut(arn, ":::")
	if !ok || name == "" {
		return "", fmt.Errorf("bucket ARN %q: want arn:aws:s3:::<bucket>", arn)
	}
	return name, nil
}
