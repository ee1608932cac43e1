package redshift

import (
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/compress"
	"github.com/eddy-streams/eddy/firehose/delivery"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// FromStream builds a delivery stream's Redshift destination for the
// delivery runner: the staged objects go to the S3Configuration's bucket
// (its prefix, Firehose's object names, its CompressionFormat), buffered by
// the S3Configuration's BufferingHints as Firehose buffers them; with
// S3BackupMode Enabled every buffer also goes to the S3BackupConfiguration.
func FromStream(ds firehose.DeliveryStream, deps delivery.Deps) (delivery.Destination, delivery.Hints, error) {
	c := ds.Destination.Redshift
	stage, err := deps.S3(c.S3Configuration)
	if err != nil {
		return nil, delivery.Hints{}, err
	}
	cfg := Config{
		ClusterJDBCURL: fp.Deref(c.ClusterJDBCURL), Username: fp.Deref(c.Username), Password: fp.Deref(c.Password),
		RetryOptions: RetryOptions{DurationInSeconds: nil}, S3BackupMode: c.S3BackupMode,
		Objects: stage.Objects, Bucket: stage.Bucket, Key: stage.Key, ErrorKey: stage.ErrorKey,
		Attempted: deps.Metrics.Attempt, Logger: deps.Logger,
		Failed: func(key string, n int, code, msg string) {
			deps.Logger.Error("a staged object was not copied within the retry duration", "key", key, "records", n, "code", code, "message", msg)
		},
	}
	if cc := c.CopyCommand; cc != nil {
		cfg.CopyCommand = CopyCommand{DataTableName: fp.Deref(cc.DataTableName), DataTableColumns: fp.Deref(cc.DataTableColumns), CopyOptions: fp.Deref(cc.CopyOptions)}
	}
	if ro := c.RetryOptions; ro != nil {
		cfg.RetryOptions.DurationInSeconds = ro.DurationInSeconds
	}
	if c.S3Configuration != nil {
		format := c.S3Configuration.CompressionFormat
		cfg.Encode = func(data []byte) ([]byte, error) {
			return compress.Compress(compress.Config{CompressionFormat: format}, data)
		}
	}
	if c.S3BackupMode == "Enabled" {
		if cfg.Backup, err = deps.S3(c.S3BackupConfiguration); err != nil {
			return nil, delivery.Hints{}, err
		}
	}
	d, err := New(cfg)
	if err != nil {
		return nil, delivery.Hints{}, err
	}
	hints := delivery.Hints{Size: 5 << 20, Interval: 300 * time.Second}
	if c.S3Configuration != nil && c.S3Configuration.BufferingHints != nil {
		if b := c.S3Configuration.BufferingHints; b.SizeInMBs != nil {
			hints.Size = int(*b.SizeInMBs) << 20
		}
		if b := c.S3Configuration.BufferingHints; b.IntervalInSeconds != nil {
			hints.Interval = time.Duration(*b.IntervalInSeconds) * time.Second
		}
	}
	return d, hints, nil
}
