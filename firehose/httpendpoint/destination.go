package httpendpoint

import (
	"context"
	"errors"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/delivery"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// FromStream builds a delivery stream's HTTP endpoint destination for
// the delivery runner: records POSTed in Firehose's protocol, failures
// (after RetryOptions) to the S3 configuration's bucket as error documents,
// and with S3BackupMode AllData every record to it as well.
func FromStream(ds firehose.DeliveryStream, deps delivery.Deps) (delivery.Destination, delivery.Hints, error) {
	c := ds.Destination.HTTPEndpoint
	cfg := Config{DeliveryStreamARN: ds.ARN, Logger: deps.Logger}
	if e := c.EndpointConfiguration; e != nil {
		cfg.EndpointConfiguration = EndpointConfiguration{Url: fp.Deref(e.Url), AccessKey: fp.Deref(e.AccessKey), Name: fp.Deref(e.Name)}
	}
	if rc := c.RequestConfiguration; rc != nil {
		cfg.RequestConfiguration.ContentEncoding = rc.ContentEncoding
		for _, a := range rc.CommonAttributes {
			cfg.RequestConfiguration.CommonAttributes = append(cfg.RequestConfiguration.CommonAttributes,
				CommonAttribute{AttributeName: fp.Deref(a.AttributeName), AttributeValue: fp.Deref(a.AttributeValue)})
		}
	}
	if b := c.BufferingHints; b != nil {
		if b.SizeInMBs != nil {
			cfg.BufferingHints.SizeInMBs = int(*b.SizeInMBs)
		}
		if b.IntervalInSeconds != nil {
			v := int(*b.IntervalInSeconds)
			cfg.BufferingHints.IntervalInSeconds = &v
		}
	}
	if ro := c.RetryOptions; ro != nil && ro.DurationInSeconds != nil {
		v := int(*ro.DurationInSeconds)
		cfg.RetryOptions.DurationInSeconds = &v
	}
	client, err := New(cfg)
	if err != nil {
		return nil, delivery.Hints{}, err
	}
	size, interval := cfg.Buffering()
	backup, err := deps.S3(c.S3Configuration)
	if err != nil {
		return nil, delivery.Hints{}, err
	}
	return &httpDest{client: client, backup: backup, all: c.S3BackupMode == "AllData", metrics: deps.Metrics, log: deps},
		delivery.Hints{Size: size, Interval: interval}, nil
}

// httpDest delivers to an HTTP endpoint (see httpDestination).
type httpDest struct {
	client  *Client
	backup  *delivery.S3
	all     bool
	metrics *delivery.StreamMetrics
	log     delivery.Deps
}

// Deliver implements Destination.
func (h *httpDest) Deliver(ctx context.Context, b *delivery.Buffer) error {
	recs := make([][]byte, len(b.Records))
	for i := range b.Records {
		recs[i] = b.Records[i].Data
	}
	next := 0
	for _, batch := range Batches(recs) {
		part := b.Records[next : next+len(batch)]
		next += len(batch)
		d, err := h.client.Deliver(ctx, batch)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var de *DeliveryError
		switch {
		case err == nil:
			for range d.Attempts - 1 {
				h.metrics.Attempt(errors.New("retried"))
			}
			h.metrics.Attempt(nil)
		case errors.As(err, &de):
			for range de.Attempts {
				h.metrics.Attempt(err)
			}
			if !de.Backup {
				h.log.Logger.Error("the endpoint refused a batch for good; Firehose sends it to no error output", "err", err, "records", len(batch))
				continue
			}
			failed := make([]delivery.Failed, len(part))
			for i := range part {
				failed[i] = delivery.Failed{Record: part[i], ErrorCode: de.Code, ErrorMessage: firstNonEmpty(de.ErrorMessage, de.Message),
					OutputType: "http-endpoint-failed", Attempts: de.Attempts}
			}
			if err := h.backup.DeliverFailed(ctx, failed); err != nil {
				return err
			}
		default:
			return err
		}
	}
	if h.all {
		return h.backup.Deliver(ctx, b)
	}
	return nil
}

// DeliverFailed implements Destination: to the S3 configuration's error
// output.
func (h *httpDest) DeliverFailed(ctx context.Context, failed []delivery.Failed) error {
	return h.backup.DeliverFailed(ctx, failed)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
