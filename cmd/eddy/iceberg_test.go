package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog/hadoop"
	"github.com/apache/iceberg-go/table"
	"github.com/aws/aws-sdk-go-v2/aws"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
)

// TestIcebergDelivery creates an Iceberg table with iceberg-go in a
// warehouse directory given to `eddy serve` as the bucket "lake"
// (--s3-bucket-dir), creates a delivery stream with an Iceberg
// destination through aws-sdk-go-v2, puts JSON records, and reads the
// table back with iceberg-go's scanner: every record is a row; a record
// that is not a JSON object goes to the error output in the bucket.
func TestIcebergDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	ctx := testContext(t)
	lake := t.TempDir()
	wh := filepath.Join(lake, "warehouse")
	cat, err := hadoop.NewCatalog("setup", wh, iceberggo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"shop"}, nil); err != nil {
		t.Fatal(err)
	}
	sc := iceberggo.NewSchema(0,
		iceberggo.NestedField{ID: 1, Name: "id", Type: iceberggo.PrimitiveTypes.Int64, Required: true},
		iceberggo.NestedField{ID: 2, Name: "item", Type: iceberggo.PrimitiveTypes.String},
		iceberggo.NestedField{ID: 3, Name: "price", Type: iceberggo.PrimitiveTypes.Float64})
	if _, err := cat.CreateTable(ctx, table.Identifier{"shop", "orders"}, sc); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve --listen 127.0.0.1:0 --in-memory --s3-bucket-dir lake="+lake)
	fc := c.firehoseClient()
	if _, err := fc.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("orders"),
		IcebergDestinationConfiguration: &fhtypes.IcebergDestinationConfiguration{
			RoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
			CatalogConfiguration: &fhtypes.CatalogConfiguration{CatalogARN: aws.String("arn:aws:glue:us-east-1:000000000000:catalog"),
				WarehouseLocation: aws.String("s3://lake/warehouse")},
			DestinationTableConfigurationList: []fhtypes.DestinationTableConfiguration{{
				DestinationDatabaseName: aws.String("shop"), DestinationTableName: aws.String("orders")}},
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			S3BackupMode:   fhtypes.IcebergS3BackupModeAllData,
			S3Configuration: &fhtypes.S3DestinationConfiguration{RoleARN: aws.String("arn:aws:iam::000000000000:role/r"),
				BucketARN: aws.String("arn:aws:s3:::lake"), ErrorOutputPrefix: aws.String("errors/")},
		}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery stream to be ACTIVE", func() bool {
		d, err := fc.DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("orders")})
		return err == nil && d.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive
	})
	var recs []fhtypes.Record
	for i := range 50 {
		recs = append(recs, fhtypes.Record{Data: []byte(fmt.Sprintf(`{"id": %d, "item": "item-%d", "price": %d.5}`, i, i, i))})
	}
	recs = append(recs, fhtypes.Record{Data: []byte("not json")})
	if out, err := fc.PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("orders"), Records: recs}); err != nil || *out.FailedPutCount != 0 {
		t.Fatalf("PutRecordBatch: %v", err)
	}
	var rows []string
	waitFor(t, "50 rows in the table", func() bool {
		rows = icebergRows(ctx, t, wh, "shop", "orders")
		return len(rows) >= 50
	})
	if len(rows) != 50 {
		t.Errorf("%d rows, want 50", len(rows))
	}
	for i := range 50 {
		want := fmt.Sprintf("%d|item-%d|%d.5", i, i, i)
		if !slices.Contains(rows, want) {
			t.Errorf("row %q missing", want)
		}
	}
	// The record that is not a JSON object, in the error output's shape.
	var errDoc string
	waitFor(t, "the failed record in the error output", func() bool {
		filepath.WalkDir(filepath.Join(lake, "errors"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				errDoc += string(b)
			}
			return nil
		})
		return errDoc != ""
	})
	if !strings.Contains(errDoc, `"rawData":"bm90IGpzb24="`) || !strings.Contains(errDoc, `"errorCode":"Iceberg.InvalidRecord"`) {
		t.Errorf("error output %s", errDoc)
	}
	// S3BackupMode AllData: every record, as put, in the S3
	// configuration's bucket (outside the warehouse and the errors).
	var backup string
	filepath.WalkDir(lake, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(lake, p)
		if err == nil && d.IsDir() && (rel == "warehouse" || rel == "errors") {
			return filepath.SkipDir
		}
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			backup += string(b)
		}
		return nil
	})
	for _, r := range recs {
		if !strings.Contains(backup, string(r.Data)) {
			t.Errorf("record %s not in the AllData backup", r.Data)
		}
	}
}

// icebergRows scans a table with iceberg-go: each row as its values joined
// by "|", sorted; nil while the table cannot be read.
func icebergRows(ctx context.Context, t *testing.T, wh, db, name string) []string {
	cat, err := hadoop.NewCatalog("reader", wh, iceberggo.Properties{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.LoadTable(ctx, table.Identifier{db, name})
	if err != nil {
		return nil
	}
	at, err := tbl.Scan().ToArrowTable(ctx)
	if err != nil {
		return nil
	}
	defer at.Release()
	tr := array.NewTableReader(at, 1024)
	defer tr.Release()
	var out []string
	for tr.Next() {
		rec := tr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			var vals []string
			for c := 0; c < int(rec.NumCols()); c++ {
				vals = append(vals, rec.Column(c).ValueStr(r))
			}
			out = append(out, strings.Join(vals, "|"))
		}
	}
	sort.Strings(out)
	return out
}
