package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	simd64 "github.com/segmentio/asm/base64"
)

// A putter sends one PutRecords: data[i] under key keys[i]. It reports, per
// entry, whether the server stored it (an entry it refused has ok false and
// may be sent again); err means the request failed as a whole.
type putter interface {
	putRecords(ctx context.Context, stream string, data [][]byte, keys []string, ok []bool) error
}

// sdkPutter puts through aws-sdk-go-v2, without the SDK's retries.
type sdkPutter struct{ kc *kinesis.Client }

func (p sdkPutter) putRecords(ctx context.Context, stream string, data [][]byte, keys []string, ok []bool) error {
	entries := make([]types.PutRecordsRequestEntry, len(data))
	for i := range data {
		entries[i] = types.PutRecordsRequestEntry{Data: data[i], PartitionKey: aws.String(keys[i])}
	}
	out, err := p.kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries}, noRetry)
	if err != nil {
		return fmt.Errorf("PutRecords: %w", err)
	}
	if len(out.Records) != len(data) {
		return fmt.Errorf("PutRecords: %d results for %d records", len(out.Records), len(data))
	}
	for i, r := range out.Records {
		ok[i] = r.ErrorCode == nil
	}
	return nil
}

// leanPutter speaks the same protocol as the SDK (JSON 1.1 over HTTP/1.1,
// a SigV4 signature by the SDK's own signer over the body's SHA-256) but
// builds the body by hand and reads only what the load generator needs from
// the answer: the SDK's serialisation and deserialisation cost more CPU per
// record than Eddy's server does, and the two share the machine's cores.
// It is an instrument, not a producer: it neither retries nor resolves
// endpoints.
type leanPutter struct {
	hc       *http.Client
	endpoint string
	region   string
	creds    aws.Credentials
	signer   *v4.Signer
	bodies   sync.Pool // *[]byte
}

func newLeanPutter(hc *http.Client, endpoint, region string, creds aws.Credentials) *leanPutter {
	return &leanPutter{hc: hc, endpoint: strings.TrimSuffix(endpoint, "/") + "/", region: region, creds: creds,
		signer: v4.NewSigner()}
}

// plainJSON reports whether s can go into a JSON string as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

func appendJSONString(b []byte, s string) []byte {
	if plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// body encodes the request as the SDK does: {"Records":[{"Data":..,
// "PartitionKey":..},..],"StreamName":..}.
func (p *leanPutter) body(dst []byte, stream string, data [][]byte, keys []string) []byte {
	dst = append(dst, `{"Records":[`...)
	for i := range data {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"Data":"`...)
		n := simd64.StdEncoding.EncodedLen(len(data[i]))
		// Grow without zeroing: every byte of the n is written below.
		dst = slices.Grow(dst, n)
		dst = dst[:len(dst)+n]
		simd64.StdEncoding.Encode(dst[len(dst)-n:], data[i])
		dst = append(dst, `","PartitionKey":`...)
		dst = appendJSONString(dst, keys[i])
		dst = append(dst, '}')
	}
	dst = append(dst, `],"StreamName":`...)
	dst = appendJSONString(dst, stream)
	return append(dst, '}')
}

func (p *leanPutter) putRecords(ctx context.Context, stream string, data [][]byte, keys []string, ok []bool) error {
	bp, _ := p.bodies.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer p.bodies.Put(bp)
	size := 64 + len(stream)
	for i := range data {
		size += simd64.StdEncoding.EncodedLen(len(data[i])) + len(keys[i]) + 32
	}
	if cap(*bp) < size {
		*bp = make([]byte, 0, size)
	}
	body := p.body((*bp)[:0], stream, data, keys)
	*bp = body

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Kinesis_20131202.PutRecords")
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(ctx, p.creds, req, hex.EncodeToString(sum[:]), "kinesis", p.region, time.Now()); err != nil {
		return err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return fmt.Errorf("PutRecords: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("PutRecords: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("PutRecords: status %d: %.300s", resp.StatusCode, answer)
	}
	return parsePutAnswer(answer, ok)
}

// parsePutAnswer fills ok from a PutRecords answer. The common answer, every
// entry stored, is recognised by FailedRecordCount 0 and one SequenceNumber
// per entry; any other is decoded in full.
func parsePutAnswer(answer []byte, ok []bool) error {
	if i := bytes.Index(answer, []byte(`"FailedRecordCount":`)); i >= 0 {
		rest := bytes.TrimLeft(answer[i+len(`"FailedRecordCount":`):], " ")
		if end := bytes.IndexAny(rest, ",} "); end > 0 {
			if n, err := strconv.Atoi(string(rest[:end])); err == nil && n == 0 &&
				bytes.Count(answer, []byte(`"SequenceNumber"`)) == len(ok) && !bytes.Contains(answer, []byte(`"ErrorCode"`)) {
				for i := range ok {
					ok[i] = true
				}
				return nil
			}
		}
	}
	var out struct {
		FailedRecordCount *int
		Records           []struct {
			SequenceNumber *string
			ErrorCode      *string
		}
	}
	if err := json.Unmarshal(answer, &out); err != nil || out.FailedRecordCount == nil {
		return fmt.Errorf("PutRecords: cannot read the answer (%v): %.300s", err, answer)
	}
	if len(out.Records) != len(ok) {
		return fmt.Errorf("PutRecords: %d results for %d records", len(out.Records), len(ok))
	}
	failed := 0
	for i, r := range out.Records {
		ok[i] = r.ErrorCode == nil && r.SequenceNumber != nil
		if !ok[i] {
			failed++
		}
	}
	if failed != *out.FailedRecordCount {
		return fmt.Errorf("PutRecords: FailedRecordCount %d, but %d entries failed", *out.FailedRecordCount, failed)
	}
	return nil
}
