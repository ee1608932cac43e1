package opensearch

import (
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/delivery"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// FromStream builds a delivery stream's OpenSearch Service or
// Elasticsearch destination for the delivery runner: documents to the
// cluster, failed ones (and with AllDocuments every buffer) to the
// S3Configuration's bucket, buffered by the destination's BufferingHints.
// Domains maps DomainARNs to endpoints.
func FromStream(domains map[string]string) func(ds firehose.DeliveryStream, deps delivery.Deps) (delivery.Destination, delivery.Hints, error) {
	return func(ds firehose.DeliveryStream, deps delivery.Deps) (delivery.Destination, delivery.Hints, error) {
		var (
			cfg     Config
			s3c     *fp.S3DestinationConfiguration
			size    *int32
			seconds *int32
		)
		if c := ds.Destination.OpenSearch; c != nil {
			cfg = Config{ClusterEndpoint: fp.Deref(c.ClusterEndpoint), DomainARN: fp.Deref(c.DomainARN), IndexName: fp.Deref(c.IndexName),
				TypeName: fp.Deref(c.TypeName), IndexRotationPeriod: c.IndexRotationPeriod, S3BackupMode: c.S3BackupMode}
			if c.DocumentIdOptions != nil {
				cfg.DocumentIdOptions = &DocumentIdOptions{DefaultDocumentIdFormat: c.DocumentIdOptions.DefaultDocumentIdFormat}
			}
			if c.RetryOptions != nil {
				cfg.RetryOptions.DurationInSeconds = c.RetryOptions.DurationInSeconds
			}
			if c.BufferingHints != nil {
				size, seconds = c.BufferingHints.SizeInMBs, c.BufferingHints.IntervalInSeconds
			}
			s3c = c.S3Configuration
		} else {
			c := ds.Destination.Elasticsearch
			cfg = Config{ClusterEndpoint: fp.Deref(c.ClusterEndpoint), DomainARN: fp.Deref(c.DomainARN), IndexName: fp.Deref(c.IndexName),
				TypeName: fp.Deref(c.TypeName), IndexRotationPeriod: c.IndexRotationPeriod, S3BackupMode: c.S3BackupMode}
			if c.DocumentIdOptions != nil {
				cfg.DocumentIdOptions = &DocumentIdOptions{DefaultDocumentIdFormat: c.DocumentIdOptions.DefaultDocumentIdFormat}
			}
			if c.RetryOptions != nil {
				cfg.RetryOptions.DurationInSeconds = c.RetryOptions.DurationInSeconds
			}
			if c.BufferingHints != nil {
				size, seconds = c.BufferingHints.SizeInMBs, c.BufferingHints.IntervalInSeconds
			}
			s3c = c.S3Configuration
		}
		backup, err := deps.S3(s3c)
		if err != nil {
			return nil, delivery.Hints{}, err
		}
		cfg.Domains, cfg.Objects, cfg.Bucket, cfg.ErrorKey, cfg.Backup = domains, backup.Objects, backup.Bucket, backup.ErrorKey, backup
		cfg.Logger = deps.Logger
		cfg.Attempted = func(failedDocs int, err error) {
			if err == nil && failedDocs > 0 {
				deps.Metrics.Attempt(errFailedDocs)
				return
			}
			deps.Metrics.Attempt(err)
		}
		d, err := New(cfg)
		if err != nil {
			return nil, delivery.Hints{}, err
		}
		// Defaults as the API reference gives them: 5 MB, 300 s.
		hints := delivery.Hints{Size: 5 << 20, Interval: 300 * time.Second}
		if size != nil {
			hints.Size = int(*size) << 20
		}
		if seconds != nil {
			hints.Interval = time.Duration(*seconds) * time.Second
		}
		return d, hints, nil
	}
}

type failedDocsError struct{}

func (failedDocsError) Error() string { return "some documents failed" }

var errFailedDocs error = failedDocsError{}
