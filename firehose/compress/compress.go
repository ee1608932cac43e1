// Package compress writes the compressed objects of a Firehose delivery
// stream, one writer per CompressionFormat:
//
//	UNCOMPRESSED   the bytes as given
//	GZIP           one gzip member (RFC 1952)
//	ZIP            a zip archive holding one deflated entry (Config.ZipEntryName)
//	Snappy         snappy-java's stream format (SnappyOutputStream), see snappyjava.go
//	HADOOP_SNAPPY  Hadoop's block format (BlockCompressorStream with SnappyCodec), see hadoop.go
//
// The framing of the two Snappy formats is written here; the Snappy blocks
// themselves, gzip and deflate come from github.com/klauspost/compress
// (pure Go). NewSnappyFramed writes the official Snappy framing format
// (framing_format.txt) for callers that want it; no Firehose format maps
// to it (see snappyjava.go for why).
//
// A writer buffers; Close flushes everything and writes the trailer, but
// does not close the underlying writer. Compress does it for a whole
// buffer.
package compress

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/s2"

	"github.com/eddy-streams/eddy"
)

// The CompressionFormat values of Firehose's API.
const (
	Uncompressed = "UNCOMPRESSED"
	GZIP         = "GZIP"
	ZIP          = "ZIP"
	Snappy       = "Snappy"
	HadoopSnappy = "HADOOP_SNAPPY"
)

// Config selects a writer.
type Config struct {
	// CompressionFormat is one of the constants above; empty means
	// UNCOMPRESSED (the API's default).
	CompressionFormat string
	// ZipEntryName names the one entry of a ZIP object. Empty means a
	// random UUID: objects Firehose wrote were observed to hold one
	// deflated entry named with a UUID (floci-io/floci#2410); AWS does not
	// document the name.
	ZipEntryName string
	// ModTime is the ZIP entry's modification time; zero means now.
	ModTime time.Time
}

// ContentEncoding returns the Content-Encoding Firehose sets on an S3
// object of the format: gzip, zip, snappy-java, hadoop-snappy, or "" for
// UNCOMPRESSED. AWS does not document these; they are as observed on
// objects Firehose wrote (floci-io/floci#2328).
func ContentEncoding(format string) string {
	switch format {
	case GZIP:
		return "gzip"
	case ZIP:
		return "zip"
	case Snappy:
		return "snappy-java"
	case HadoopSnappy:
		return "hadoop-snappy"
	}
	return ""
}

// Valid reports whether format is one of Firehose's CompressionFormat
// values (or empty).
func Valid(format string) bool {
	switch format {
	case "", Uncompressed, GZIP, ZIP, Snappy, HadoopSnappy:
		return true
	}
	return false
}

// NewWriter returns a writer that compresses what is written to it into w
// in c's format. An unknown format is an InvalidArgumentException.
func NewWriter(w io.Writer, c Config) (io.WriteCloser, error) {
	switch c.CompressionFormat {
	case "", Uncompressed:
		return nopCloser{w}, nil
	case GZIP:
		return gzip.NewWriterLevel(w, gzip.DefaultCompression)
	case ZIP:
		return newZipWriter(w, c)
	case Snappy:
		return newSnappyJavaWriter(w), nil
	case HadoopSnappy:
		return newHadoopSnappyWriter(w), nil
	}
	return nil, eddy.Errorf(eddy.CodeInvalidArgument,
		"CompressionFormat %q is not one of UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY.", c.CompressionFormat)
}

// Compress returns data compressed in c's format.
func Compress(c Config, data []byte) ([]byte, error) {
	if c.CompressionFormat == "" || c.CompressionFormat == Uncompressed {
		return data, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(data)/2 + 64)
	w, err := NewWriter(&buf, c)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NewSnappyFramed returns a writer of the official Snappy framing format
// (stream identifier "sNaPpY", CRC-32C-checked chunks), which
// python-snappy's stream_decompress and golang/snappy's Reader read.
func NewSnappyFramed(w io.Writer) io.WriteCloser {
	return s2.NewWriter(w, s2.WriterSnappyCompat())
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

type zipWriter struct {
	zw    *zip.Writer
	entry io.Writer
}

func newZipWriter(w io.Writer, c Config) (*zipWriter, error) {
	name := c.ZipEntryName
	if name == "" {
		name = randomUUID()
	}
	mod := c.ModTime
	if mod.IsZero() {
		mod = time.Now()
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.DefaultCompression)
	})
	entry, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: mod})
	if err != nil {
		return nil, fmt.Errorf("zip entry: %w", err)
	}
	return &zipWriter{zw: zw, entry: entry}, nil
}

func (z *zipWriter) Write(p []byte) (int, error) { return z.entry.Write(p) }
func (z *zipWriter) Close() error                { return z.zw.Close() }

func randomUUID() string {
	var u [16]byte
	if _, err := io.ReadFull(rand.Reader, u[:]); err != nil {
		panic(fmt.Sprintf("compress: random source: %v", err))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:])
}
