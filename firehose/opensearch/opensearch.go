package opensearch

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy/firehose/delivery"
)

// Destination delivers buffers to an OpenSearch or Elasticsearch cluster
// as Firehose does. It implements delivery.Destination.
type Destination struct {
	cfg      Config
	endpoint string
	client   *http.Client
	clock    delivery.Clock
	logger   *slog.Logger
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// New checks cfg (an InvalidArgumentException when it is wrong) and
// returns its destination.
func New(cfg Config) (*Destination, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Destination{cfg: cfg, client: cfg.Client, clock: cfg.Clock, logger: cfg.Logger}
	d.endpoint, _ = cfg.Endpoint()
	if d.client == nil {
		d.client = &http.Client{Timeout: 60 * time.Second}
	}
	if d.clock == nil {
		d.clock = systemClock{}
	}
	if d.logger == nil {
		d.logger = slog.New(slog.DiscardHandler)
	}
	if d.cfg.RetryEvery <= 0 {
		d.cfg.RetryEvery = 5 * time.Second
	}
	if d.cfg.ErrorOutputType == "" {
		d.cfg.ErrorOutputType = "AmazonOpenSearchService-failed"
	}
	if d.cfg.IndexRotationPeriod == "" {
		d.cfg.IndexRotationPeriod = "OneDay"
	}
	return d, nil
}

// doc is one record on its way to the cluster.
type doc struct {
	rec    delivery.Record
	index  string
	id     string // "" without ids
	source []byte // one line
	// The last failure: errorCode and errorMessage of the error record.
	code, message string
}

// Deliver implements delivery.Destination: one _bulk request with the
// buffer's records, then, for documents that failed, more requests with
// only those every RetryEvery until the retry duration has passed since
// the first; the documents still failing then go to the error output.
func (d *Destination) Deliver(ctx context.Context, b *delivery.Buffer) error {
	if d.cfg.S3BackupMode == "AllDocuments" {
		if err := d.cfg.Backup.Deliver(ctx, b); err != nil {
			return err
		}
	}
	pending := d.docs(b)
	// Records that cannot be one line of NDJSON never reach the cluster.
	var unsendable []*doc
	sendable := pending[:0]
	for _, dc := range pending {
		if dc.source == nil {
			unsendable = append(unsendable, dc)
		} else {
			sendable = append(sendable, dc)
		}
	}
	pending = sendable
	start := d.clock.Now()
	attempts := 0
	for len(pending) > 0 {
		attempts++
		var err error
		pending, err = d.bulk(ctx, pending)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if d.cfg.Attempted != nil {
			d.cfg.Attempted(len(pending), err)
		}
		if len(pending) == 0 {
			break
		}
		d.logger.Warn("opensearch: documents not indexed", "endpoint", d.endpoint, "documents", len(pending),
			"errorCode", pending[0].code, "errorMessage", pending[0].message)
		if d.clock.Now().Sub(start) >= d.cfg.retryFor() {
			break
		}
		t := time.NewTimer(d.cfg.RetryEvery)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	failed := append(unsendable, pending...)
	if len(failed) == 0 {
		return nil
	}
	return d.writeFailed(ctx, failed, attempts)
}

// docs makes the documents of a buffer. A FIREHOSE_DEFAULT id is the
// record's id (its PutRecord RecordId, or the Kinesis record's) followed by
// "." and the record's index among the buffer's records of that id (0
// unless a processor split it): the same on every attempt and after a
// restart, as the API reference requires ("stable across multiple delivery
// attempts"). Firehose does not document its ids' form; this one mirrors
// the "<id>.<n>" record ids of its HTTP endpoint error records.
func (d *Destination) docs(b *delivery.Buffer) []*doc {
	seen := map[string]int{}
	out := make([]*doc, 0, len(b.Records))
	for _, r := range b.Records {
		dc := &doc{rec: r, index: IndexFor(d.cfg.IndexName, d.cfg.IndexRotationPeriod, r.Arrival)}
		if d.cfg.withIDs() {
			key := r.ID
			if key == "" {
				key = strconv.FormatUint(r.Pos, 10)
			}
			dc.id = key + "." + strconv.Itoa(seen[key])
			seen[key]++
		}
		dc.source, dc.message = oneLine(r.Data)
		if dc.source == nil {
			// Eddy's code: Firehose documents none for a record its
			// _bulk request cannot carry.
			dc.code = "InvalidRecord"
		}
		out = append(out, dc)
	}
	return out
}

// oneLine is a record as one line of NDJSON: JSON compacted (Firehose asks
// for records "flattened to a single-line JSON object"), anything else as
// it is without its trailing line break; the cluster judges it. A record
// that is not JSON and holds a line break cannot be sent: nil and why.
func oneLine(data []byte) ([]byte, string) {
	trimmed := bytes.TrimRight(data, "\r\n")
	if json.Valid(trimmed) {
		var buf bytes.Buffer
		if err := json.Compact(&buf, trimmed); err == nil {
			return buf.Bytes(), ""
		}
	}
	if bytes.ContainsAny(trimmed, "\r\n") {
		return nil, "the record is not JSON and spans several lines: it cannot be one document of a _bulk request"
	}
	return trimmed, ""
}

// action is a _bulk index action line.
type action struct {
	Index actionMeta `json:"index"`
}

type actionMeta struct {
	Index string `json:"_index"`
	Type  string `json:"_type,omitempty"`
	ID    string `json:"_id,omitempty"`
}

// bulkAnswer is the part of a _bulk answer Eddy reads.
type bulkAnswer struct {
	Errors bool `json:"errors"`
	Items  []map[string]struct {
		Status int             `json:"status"`
		Error  json.RawMessage `json:"error"`
	} `json:"items"`
}

// bulk sends one _bulk request and returns the documents that failed (all
// of them when the request itself failed, with the error).
func (d *Destination) bulk(ctx context.Context, docs []*doc) ([]*doc, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body) // ends each line with \n
	for _, dc := range docs {
		if err := enc.Encode(action{actionMeta{Index: dc.index, Type: d.cfg.TypeName, ID: dc.id}}); err != nil {
			return docs, err
		}
		body.Write(dc.source)
		body.WriteByte('\n')
	}
	failAll := func(code, msg string, err error) ([]*doc, error) {
		for _, dc := range docs {
			dc.code, dc.message = code, msg
		}
		return docs, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.endpoint+"/_bulk", &body)
	if err != nil {
		return failAll("InternalError", err.Error(), err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := d.client.Do(req)
	if err != nil {
		// No HTTP code to report: Firehose documents none for a
		// cluster it cannot reach.
		return failAll("ConnectionFailed", err.Error(), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return failAll("ConnectionFailed", err.Error(), err)
	}
	if resp.StatusCode/100 != 2 {
		err := fmt.Errorf("_bulk: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(raw))
		return failAll(strconv.Itoa(resp.StatusCode), string(bytes.TrimSpace(raw)), err)
	}
	var ans bulkAnswer
	if err := json.Unmarshal(raw, &ans); err != nil || len(ans.Items) != len(docs) {
		err := fmt.Errorf("_bulk: an answer of %d items for %d documents (%v): %.200s", len(ans.Items), len(docs), err, raw)
		return failAll("InternalError", err.Error(), err)
	}
	var failed []*doc
	for i, item := range ans.Items {
		for _, res := range item { // one action per item: "index"
			if res.Status/100 == 2 && len(res.Error) == 0 {
				continue
			}
			docs[i].code = strconv.Itoa(res.Status)
			docs[i].message = string(res.Error)
			failed = append(failed, docs[i])
		}
	}
	return failed, nil
}

// errorDoc is a failed document in the error output, in the shape of the
// Firehose developer guide ("Data Delivery Failure Handling", Amazon
// OpenSearch Service): errorCode is the HTTP status the cluster gave the
// document (or the request), errorMessage its error; timestamps are epoch
// milliseconds, as in Firehose's other error records.
type errorDoc struct {
	AttemptsMade           int    `json:"attemptsMade"`
	ArrivalTimestamp       int64  `json:"arrivalTimestamp"`
	ErrorCode              string `json:"errorCode"`
	ErrorMessage           string `json:"errorMessage"`
	AttemptEndingTimestamp int64  `json:"attemptEndingTimestamp"`
	EsDocumentID           string `json:"esDocumentId"`
	EsIndexName            string `json:"esIndexName"`
	EsTypeName             string `json:"esTypeName"`
	RawData                string `json:"rawData"`
}

// writeFailed writes the documents given up to the error output, one
// object, a JSON document per line, retried as S3 writes are.
func (d *Destination) writeFailed(ctx context.Context, failed []*doc, attempts int) error {
	now := d.clock.Now()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, dc := range failed {
		n := attempts
		if dc.source == nil {
			n = 0
		}
		if err := enc.Encode(errorDoc{
			AttemptsMade: n, ArrivalTimestamp: dc.rec.Arrival.UnixMilli(), ErrorCode: dc.code, ErrorMessage: dc.message,
			AttemptEndingTimestamp: now.UnixMilli(), EsDocumentID: dc.id, EsIndexName: dc.index, EsTypeName: d.cfg.TypeName,
			RawData: base64.StdEncoding.EncodeToString(dc.rec.Data),
		}); err != nil {
			return err
		}
	}
	key, err := d.cfg.ErrorKey(d.cfg.ErrorOutputType, now)
	if err != nil {
		return err
	}
	body := buf.Bytes()
	s3 := &delivery.S3{
		Objects: d.cfg.Objects, Bucket: d.cfg.Bucket, Clock: d.clock, ContentType: "application/json",
		Key:    func(*delivery.Buffer, time.Time) (string, error) { return key, nil },
		Encode: func(*delivery.Buffer) ([]byte, []delivery.Failed, error) { return body, nil, nil },
		Dropped: func(key string, n int, err error) {
			d.logger.Error("opensearch: failed documents dropped after 24h of failed S3 writes", "key", key, "documents", n, "err", err)
		},
	}
	recs := make([]delivery.Record, len(failed))
	for i, dc := range failed {
		recs[i] = dc.rec
	}
	if err := s3.Deliver(ctx, &delivery.Buffer{Records: recs}); err != nil {
		return err
	}
	d.logger.Error("opensearch: documents given up after the retry duration, written to the error output",
		"endpoint", d.endpoint, "documents", len(failed), "key", key)
	return nil
}

// DeliverFailed implements delivery.Destination: records that failed
// processing go to the bucket's error output, as for S3.
func (d *Destination) DeliverFailed(ctx context.Context, failed []delivery.Failed) error {
	s3 := &delivery.S3{Objects: d.cfg.Objects, Bucket: d.cfg.Bucket, Clock: d.clock, ErrorKey: d.cfg.ErrorKey}
	return s3.DeliverFailed(ctx, failed)
}

var _ delivery.Destination = (*Destination)(nil)
