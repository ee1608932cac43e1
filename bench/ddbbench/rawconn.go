package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The raw client (-client raw, the default): each benchmark client owns one
// persistent HTTP/1.1 connection (net.Conn) and writes each request from a
// buffer it reuses: a header block built once per operation, then the
// body, appended from pieces built once per workload. It reads back the
// status line, the headers only for Content-Length, and the body only when
// the status is not 200, for the error's __type. So a request costs the
// load generator a write and a read system call and almost no allocation,
// and nearly all the machine's CPU goes to the server under test.
//
// Signatures: the header block carries an Authorization header and an
// X-Amz-Date computed once per operation by aws-sdk-go-v2's SigV4 signer
// over that operation's first body. Neither server under test verifies
// signatures: Eddy checks the header's structure and verifies the signature
// only when started with credentials (httpapi/sigv4.go; the benchmark
// starts it without), and dynalite never verifies one. Both servers parse
// the same, well-formed header on every request, so neither is given an
// easier path than the other and neither has a check switched off.

// rawHeader returns the request header block (up to and including
// "Content-Length: ") of operation op to endpoint, signed over sample.
func rawHeader(endpoint, op, sample string) ([]byte, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(sample))
	if err != nil {
		return nil, err
	}
	target := "DynamoDB_20120810." + op
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(sample))
	if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("POST / HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	b.WriteString("Content-Type: application/x-amz-json-1.0\r\n")
	b.WriteString("X-Amz-Target: " + target + "\r\n")
	b.WriteString("X-Amz-Date: " + req.Header.Get("X-Amz-Date") + "\r\n")
	b.WriteString("Authorization: " + req.Header.Get("Authorization") + "\r\n")
	b.WriteString("Content-Length: ")
	return b.Bytes(), nil
}

// rawConn is one client's connection.
type rawConn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
	req  []byte // the request being built
	body []byte // an error response's body
}

func newRawConn(endpoint string) (*rawConn, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	return &rawConn{addr: u.Host, req: make([]byte, 0, 1024)}, nil
}

func (rc *rawConn) close() {
	if rc.c != nil {
		rc.c.Close()
		rc.c = nil
	}
}

// do sends the request header + body and reads the answer: nil for a 200,
// else an error naming the status and the error's __type. A broken
// connection is closed and dialled again at the next request (the request
// that saw it fails: there is no retry).
func (rc *rawConn) do(header, body []byte) error {
	if rc.c == nil {
		c, err := net.Dial("tcp", rc.addr)
		if err != nil {
			return err
		}
		rc.c, rc.r = c, bufio.NewReaderSize(c, 4096)
	}
	rc.req = append(rc.req[:0], header...)
	rc.req = strconv.AppendInt(rc.req, int64(len(body)), 10)
	rc.req = append(rc.req, "\r\n\r\n"...)
	rc.req = append(rc.req, body...)
	if _, err := rc.c.Write(rc.req); err != nil {
		rc.close()
		return err
	}
	status, err := rc.readResponse()
	if err != nil {
		rc.close()
		return err
	}
	if status != 200 {
		return fmt.Errorf("status %d, __type %s", status, errType(rc.body))
	}
	return nil
}

var errNoLength = errors.New("response without Content-Length")

// readResponse reads one response; its body is kept in rc.body only when
// the status is not 200.
func (rc *rawConn) readResponse() (int, error) {
	line, err := rc.r.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	status, err := strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, fmt.Errorf("bad status line %q", line)
	}
	length := -1
	for {
		line, err := rc.r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(line) <= 2 { // "\r\n": end of the headers
			break
		}
		if len(line) > 16 && (line[0] == 'C' || line[0] == 'c') && bytes.EqualFold(line[:15], []byte("content-length:")) {
			if length, err = strconv.Atoi(string(bytes.TrimSpace(line[15:]))); err != nil {
				return 0, fmt.Errorf("bad %q", line)
			}
		}
	}
	if length < 0 {
		return 0, errNoLength
	}
	if status == 200 {
		_, err = rc.r.Discard(length)
		return status, err
	}
	rc.body = append(rc.body[:0], make([]byte, length)...)
	_, err = io.ReadFull(rc.r, rc.body)
	return status, err
}

// errType returns the __type of an error body, or the body.
func errType(body []byte) string {
	i := bytes.Index(body, []byte(`"__type":"`))
	if i < 0 {
		return string(body)
	}
	rest := body[i+len(`"__type":"`):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return string(rest[:j])
	}
	return string(rest)
}
