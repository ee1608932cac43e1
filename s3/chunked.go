package s3

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
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
// sigv4-streaming-trailers.html). With a signer (a
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD body of a verified request) each
// chunk's signature is checked as the chunk ends; a wrong or missing one
// fails the read with errBadChunkSignature.
type chunkedReader struct {
	r        *bufio.Reader
	left     int64 // bytes left in the current chunk
	done     bool
	trailers http.Header
	signer   *chunkSigner // nil: signatures not checked
	sig      string       // the current chunk's signature
	h        hash.Hash    // the current chunk's SHA-256
}

var errChunk = errors.New("s3: malformed aws-chunked body")

func newChunkedReader(r io.Reader, signer *chunkSigner) *chunkedReader {
	return &chunkedReader{r: bufio.NewReaderSize(r, 64<<10), trailers: http.Header{}, signer: signer, h: sha256.New()}
}

// chunkSignerOf is the chunk signer authenticate left in r's context, if any.
func chunkSignerOf(r *http.Request) *chunkSigner {
	cs, _ := r.Context().Value(chunkSignerKey{}).(*chunkSigner)
	return cs
}

// checkChunk verifies the chunk just read against its signature.
func (c *chunkedReader) checkChunk() error {
	if c.signer == nil {
		return nil
	}
	sum := hex.EncodeToString(c.h.Sum(nil))
	c.h.Reset()
	if c.sig == "" || !c.signer.verify(c.sig, sum) {
		return errBadChunkSignature
	}
	return nil
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
		c.sig = ""
		if i := strings.IndexByte(h, ';'); i >= 0 {
			size = h[:i]
			c.sig = strings.TrimPrefix(h[i+1:], "chunk-signature=")
		}
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: chunk header %q", errChunk, h)
		}
		if n == 0 {
			if err := c.checkChunk(); err != nil {
				return 0, err
			}
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
	if c.signer != nil {
		c.h.Write(p[:n])
		if c.left == 0 {
			if cerr := c.checkChunk(); cerr != nil {
				return n, cerr
			}
		}
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
