package s3

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// chunkedReader decodes the aws-chunked body framing the SDKs use for
// streaming uploads (Content-Encoding: aws-chunked; x-amz-content-sha256
// STREAMING-UNSIGNED-PAYLOAD-TRAILER or STREAMING-AWS4-HMAC-SHA256-PAYLOAD):
//
//	hex-size[;chunk-signature=sig]\r\n data \r\n ... 0[;chunk-signature=sig]\r\n
//	[trailer-name:value\r\n ...]\r\n
//
// Source: "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks" and "... with trailing headers" in the S3 API
// reference (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
// sigv4-streaming-trailers.html). Chunk signatures are not verified here.
type chunkedReader struct {
	r        *bufio.Reader
	left     int64 // bytes left in the current chunk
	done     bool
	trailers http.Header
}

var errChunk = errors.New("s3: malformed aws-chunked body")

func newChunkedReader(r io.Reader) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10), trailers: http.Header{}}
}

func (c *chunkedReader) line() (string, error) {
	s, err := c.r.ReadString('\n')
	if err != nil {
		if err == io.EOF {
			return "", io.ErrUnexpectedEOF
		}
		return "", err
	}
	return strings.TrimRight(s, "\r\n"), nil
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for c.left == 0 {
		if c.done {
			return 0, io.EOF
		}
		h, err := c.line()
		if err != nil {
			return 0, err
		}
		if h == "" { // the CRLF after a chunk's data
			continue
		}
		size := h
		if i := strings.IndexByte(h, ';'); i >= 0 {
			size = h[:i]
		}
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: chunk header %q", errChunk, h)
		}
		if n == 0 {
			for {
				t, err := c.line()
				if err != nil {
					if err == io.ErrUnexpectedEOF && t == "" {
						break // no final CRLF: accept
					}
					return 0, err
				}
				if t == "" {
					break
				}
				k, v, ok := strings.Cut(t, ":")
				if !ok {
					return 0, fmt.Errorf("%w: trailer %q", errChunk, t)
				}
				c.trailers.Set(strings.TrimSpace(k), strings.TrimSpace(v))
			}
			c.done = true
			return 0, io.EOF
		}
		c.left = n
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
