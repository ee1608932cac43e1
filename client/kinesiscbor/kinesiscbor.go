// Package kinesiscbor makes aws-sdk-go-v2's Kinesis client send GetRecords
// as CBOR (Content-Type application/x-amz-cbor-1.1) instead of JSON, as the
// AWS SDK for Java does for every Kinesis call by default.
//
// A JSON GetRecords answer carries every record's data in base64 inside a
// JSON string, and the SDK decodes it through its generic JSON shape
// decoder; a CBOR answer carries the data as raw byte strings, which this
// package's decoder copies out directly. Reading a shard at full speed is
// several times cheaper this way, for the client and for the server.
//
// Use it per call or for a whole client:
//
//	out, err := client.GetRecords(ctx, in, kinesiscbor.GetRecords)
//	client := kinesis.NewFromConfig(cfg, kinesiscbor.GetRecords)
//
// Only GetRecords changes; every other operation keeps the SDK's JSON.
// Errors come back as the SDK's own typed errors (types.ExpiredIteratorException
// and the rest), and an endpoint that answers a CBOR request with JSON is
// understood too. Amazon Kinesis and Eddy both accept CBOR.
//
// Timestamps: Kinesis's CBOR carries ApproximateArrivalTimestamp as tag 1
// followed by an integer number of milliseconds since the epoch (not
// seconds, as RFC 8949 says): the AWS SDK for Java reads it so
// (SimpleTypeCborUnmarshallers, and in v2 the UNIX_TIMESTAMP_MILLIS format
// its CBOR protocol uses). An untagged number is read the same way; a
// floating-point number is milliseconds with a fraction.
package kinesiscbor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

const (
	contentType = "application/x-amz-cbor-1.1"
	target      = "Kinesis_20131202.GetRecords"
)

// GetRecords is a kinesis.Options function (for kinesis.New, NewFromConfig
// or a single call) that makes GetRecords travel as CBOR.
func GetRecords(o *kinesis.Options) {
	if o.Protocol == nil {
		return // an SDK without pluggable protocols: keep JSON
	}
	if _, ok := o.Protocol.(*protocol); ok {
		return
	}
	o.Protocol = &protocol{ClientProtocol: o.Protocol}
}

// protocol is the client's own protocol (awsJson1_1) with GetRecords
// replaced.
type protocol struct {
	smithyhttp.ClientProtocol
}

func isGetRecords(schema *smithy.OperationSchema) bool {
	return schema != nil && schema.ID().Name == "GetRecords"
}

// SerializeRequest writes GetRecords as a CBOR map and leaves every other
// operation to the JSON protocol.
func (p *protocol) SerializeRequest(ctx context.Context, schema *smithy.OperationSchema, in smithy.Serializable, req *smithyhttp.Request) error {
	gin, ok := in.(*kinesis.GetRecordsInput)
	if !isGetRecords(schema) || !ok {
		return p.ClientProtocol.SerializeRequest(ctx, schema, in, req)
	}
	req.Method = http.MethodPost
	if req.URL.Path == "" {
		req.URL.Path = "/"
	}
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", contentType)
	sreq, err := req.SetStream(bytes.NewReader(encodeInput(gin)))
	if err != nil {
		return fmt.Errorf("set stream: %w", err)
	}
	*req = *sreq
	return nil
}

// DeserializeResponse decodes a CBOR GetRecords answer into out. JSON
// answers, and every other operation, go to the JSON protocol; CBOR error
// answers are handed to it as the equivalent JSON, so errors are the SDK's
// typed ones.
func (p *protocol) DeserializeResponse(ctx context.Context, schema *smithy.OperationSchema, reg *smithy.TypeRegistry, resp *smithyhttp.Response, out smithy.Deserializable) error {
	gout, ok := out.(*kinesis.GetRecordsOutput)
	if !isGetRecords(schema) || !ok || !isCBOR(resp.Header.Get("Content-Type")) {
		return p.ClientProtocol.DeserializeResponse(ctx, schema, reg, resp, out)
	}
	body, err := readBody(resp)
	if err != nil {
		return &smithy.DeserializationError{Err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		js, err := errorAsJSON(body)
		if err != nil {
			return &smithy.DeserializationError{Err: err, Snapshot: body[:min(len(body), 1024)]}
		}
		r := *resp
		r.Response = new(http.Response)
		*r.Response = *resp.Response
		r.Header = resp.Header.Clone()
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Body = io.NopCloser(bytes.NewReader(js))
		r.ContentLength = int64(len(js))
		return p.ClientProtocol.DeserializeResponse(ctx, schema, reg, &r, out)
	}
	if err := decodeOutput(body, gout); err != nil {
		return &smithy.DeserializationError{Err: err, Snapshot: body[:min(len(body), 1024)]}
	}
	return nil
}

func isCBOR(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), contentType)
}

// readBody reads the whole answer, into a buffer sized from Content-Length
// when the server sent one. The records' Data slices point into it.
func readBody(resp *smithyhttp.Response) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= 64<<20 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, fmt.Errorf("read GetRecords answer: %w", err)
		}
		return buf, nil
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read GetRecords answer: %w", err)
	}
	return b, nil
}

// errorAsJSON turns a CBOR error body ({"__type": ..., "message": ...})
// into the JSON the SDK's own error decoder reads.
func errorAsJSON(body []byte) ([]byte, error) {
	m := map[string]string{}
	d := decoder{b: body}
	err := d.mapEach(func(key string) error {
		major, _, _, err := d.peek()
		if err != nil {
			return err
		}
		if major != majorText {
			return d.skip()
		}
		s, err := d.text()
		if err != nil {
			return err
		}
		m[key] = s
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decode CBOR error answer: %w", err)
	}
	return json.Marshal(m)
}
