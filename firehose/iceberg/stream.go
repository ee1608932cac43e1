package iceberg

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/firehose/delivery"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// FromStream returns the builder of a delivery stream's Iceberg
// destination, for delivery.Config.Destinations. dirOf gives the local
// directory of a bucket (`--s3-bucket-dir`), where warehouses live.
func FromStream(dirOf func(bucket string) (string, bool)) func(firehose.DeliveryStream, delivery.Deps) (delivery.Destination, delivery.Hints, error) {
	return func(ds firehose.DeliveryStream, deps delivery.Deps) (delivery.Destination, delivery.Hints, error) {
		c := ds.Destination.Iceberg
		if c == nil || c.CatalogConfiguration == nil {
			return nil, delivery.Hints{}, errors.New("iceberg: no catalog configuration")
		}
		location := fp.Deref(c.CatalogConfiguration.WarehouseLocation)
		if location == "" {
			// S3 Tables: the catalog ARN names the table bucket
			// (arn:aws:glue:REGION:ACCOUNT:catalog/s3tablescatalog/BUCKET),
			// whose warehouse is the bucket of that name.
			if _, bucket, ok := strings.Cut(fp.Deref(c.CatalogConfiguration.CatalogARN), ":catalog/s3tablescatalog/"); ok && bucket != "" {
				location = "s3://" + bucket
			}
		}
		if location == "" {
			return nil, delivery.Hints{}, errors.New("iceberg: the catalog configuration has no WarehouseLocation")
		}
		wh, err := Warehouse(location, dirOf)
		if err != nil {
			return nil, delivery.Hints{}, err
		}
		cfg := Config{Warehouse: wh, Attempted: deps.Metrics.Attempt,
			CreateTables: c.TableCreationConfiguration != nil && c.TableCreationConfiguration.Enabled != nil && *c.TableCreationConfiguration.Enabled}
		for _, t := range c.DestinationTableConfigurationList {
			cfg.Tables = append(cfg.Tables, Table{Database: fp.Deref(t.DestinationDatabaseName), Name: fp.Deref(t.DestinationTableName)})
		}
		if c.S3Configuration != nil {
			errOut, err := deps.S3(c.S3Configuration)
			if err != nil {
				return nil, delivery.Hints{}, err
			}
			cfg.Errors = errOut.DeliverFailed
			if c.S3BackupMode == "AllData" {
				cfg.Backup = errOut.Deliver
			}
			// A table's own S3ErrorOutputPrefix: an error output of its own.
			for _, t := range c.DestinationTableConfigurationList {
				if fp.Deref(t.S3ErrorOutputPrefix) == "" {
					continue
				}
				sc := *c.S3Configuration
				sc.ErrorOutputPrefix = t.S3ErrorOutputPrefix
				w, err := deps.S3(&sc)
				if err != nil {
					return nil, delivery.Hints{}, err
				}
				if cfg.TableErrors == nil {
					cfg.TableErrors = map[Table]func(context.Context, []delivery.Failed) error{}
				}
				cfg.TableErrors[Table{Database: fp.Deref(t.DestinationDatabaseName), Name: fp.Deref(t.DestinationTableName)}] = w.DeliverFailed
			}
		}
		d, err := New(cfg)
		if err != nil {
			return nil, delivery.Hints{}, err
		}
		// Firehose's Iceberg defaults: 5 MiB or 300 s.
		hints := delivery.Hints{Size: 5 << 20, Interval: 300 * time.Second}
		if b := c.BufferingHints; b != nil {
			if b.SizeInMBs != nil {
				hints.Size = int(*b.SizeInMBs) << 20
			}
			if b.IntervalInSeconds != nil {
				hints.Interval = time.Duration(*b.IntervalInSeconds) * time.Second
			}
		}
		return d, hints, nil
	}
}

var _ delivery.Destination = (*Destination)(nil)
