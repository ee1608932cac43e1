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
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	simd64 "github.com/segmentio/asm/base64"
)

// A putter sends one PutRecordBatch and returns the indexes of the records
// the server refused (to send again); err means the call failed whole.
type putter interface {
	putRecordBatch(ctx context.Context, stream string, data [][]byte) (failed []int, err error)
}

// sdkPutter puts through aws-sdk-go-v2.
type sdkPutter struct{ fc *firehose.Client }

func (p sdkPutter) putRecordBatch(ctx context.Context, stream string, data [][]byte) ([]int, error) {
	recs := make([]ftypes.Record, len(data))
	for i := range data {
		recs[i] = ftypes.Record{Data: data[i]}
	}
	out, err := p.fc.PutRecordBatch(ctx, &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(stream), Records: recs})
	if err != nil {
		return nil, err
	}
	var failed []int
	for i, r := range out.RequestResponses {
		if r.ErrorCode != nil {
			failed = append(failed, i)
		}
	}
	return failed, nil
}

// leanPutter speaks the SDK's protocol (JSON 1.1 over HTTP/1.1, signed by
// the SDK's own SigV4 signer over the body's SHA-256) with a hand-built
// body, and reads only what the benchmark needs from the answer: the SDK's
// serialisation costs more CPU per record than the server's handling, and
// both share the machine's two cores. An instrument, not a producer (as
// bench/loadgen's lean PutRecords client).
type leanPutter struct {
	hc       *http.Client
	endpoint string
	creds    aws.Credentials
	signer   *v4.Signer
	bodies   sync.Pool // *[]byte
}

func newLeanPutter(endpoint string, creds aws.Credentials) *leanPutter {
	return &leanPutter{hc: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}, endpoint: endpoint + "/",
		creds: creds, signer: v4.NewSigner()}
}

func (p *leanPutter) putRecordBatch(ctx context.Context, stream string, data [][]byte) ([]int, error) {
	bp, _ := p.bodies.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	defer p.bodies.Put(bp)
	body := append((*bp)[:0], `{"DeliveryStreamName":`...)
	q, _ := json.Marshal(stream)
	body = append(body, q...)
	body = append(body, `,"Records":[`...)
	for i, d := range data {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"Data":"`...)
		n := simd64.StdEncoding.EncodedLen(len(d))
		body = slices.Grow(body, n)
		body = body[:len(body)+n]
		simd64.StdEncoding.Encode(body[len(body)-n:], d)
		body = append(body, `"}`...)
	}
	body = append(body, "]}"...)
	*bp = body

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "Firehose_20150804.PutRecordBatch")
	sum := sha256.Sum256(body)
	if err := p.signer.SignHTTP(ctx, p.creds, req, hex.EncodeToString(sum[:]), "firehose", "us-east-1", time.Now()); err != nil {
		return nil, err
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("PutRecordBatch: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("PutRecordBatch: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("PutRecordBatch: status %d: %.300s", resp.StatusCode, answer)
	}
	return parseBatchAnswer(answer, len(data))
}

// parseBatchAnswer returns the refused entries of a PutRecordBatch answer
// for n records. The common answer, all stored, is recognised by
// FailedPutCount 0 and n RecordIds; any other is decoded in full.
func parseBatchAnswer(answer []byte, n int) ([]int, error) {
	const k = `"FailedPutCount":0,`
	if bytes.HasPrefix(answer, []byte("{"+k)) && bytes.Count(answer, []byte(`"RecordId"`)) == n && !bytes.Contains(answer, []byte(`"ErrorCode"`)) {
		return nil, nil
	}
	var out struct {
		FailedPutCount   *int
		RequestResponses []struct{ RecordId, ErrorCode *string }
	}
	if err := json.Unmarshal(answer, &out); err != nil || out.FailedPutCount == nil {
		return nil, fmt.Errorf("PutRecordBatch: cannot read the answer (%v): %.300s", err, answer)
	}
	if len(out.RequestResponses) != n {
		return nil, fmt.Errorf("PutRecordBatch: %d results for %d records", len(out.RequestResponses), n)
	}
	var failed []int
	for i, r := range out.RequestResponses {
		if r.ErrorCode != nil || r.RecordId == nil {
			failed = append(failed, i)
		}
	}
	if len(failed) != *out.FailedPutCount {
		return nil, fmt.Errorf("PutRecordBatch: FailedPutCount %d, but %d entries failed: %s", *out.FailedPutCount, len(failed), strconv.Quote(string(answer[:min(len(answer), 300)])))
	}
	return failed, nil
}
