package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	kda "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	kdatypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/eddy-streams/eddy/analytics"
	eddys3 "github.com/eddy-streams/eddy/s3"
)

func (c *child) analyticsClient() *kda.Client {
	return kda.New(kda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

const analyticsRole = "arn:aws:iam::000000000000:role/kda"

// tickerInputSchema is the stock-ticker demo stream's schema, as
// DiscoverInputSchema gives it.
func tickerInputSchema() *kdatypes.SourceSchema {
	return &kdatypes.SourceSchema{
		RecordFormat: &kdatypes.RecordFormat{RecordFormatType: kdatypes.RecordFormatTypeJson,
			MappingParameters: &kdatypes.MappingParameters{JSONMappingParameters: &kdatypes.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
		RecordEncoding: aws.String("UTF-8"),
		RecordColumns: []kdatypes.RecordColumn{
			{Name: aws.String("TICKER_SYMBOL"), Mapping: aws.String("$.TICKER_SYMBOL"), SqlType: aws.String("VARCHAR(4)")},
			{Name: aws.String("SECTOR"), Mapping: aws.String("$.SECTOR"), SqlType: aws.String("VARCHAR(16)")},
			{Name: aws.String("PRICE"), Mapping: aws.String("$.PRICE"), SqlType: aws.String("REAL")},
		},
	}
}

// waitApplication waits until the application is in status.
func waitApplication(ctx context.Context, t *testing.T, c *kda.Client, name string, status kdatypes.ApplicationStatus) {
	t.Helper()
	for {
		out, err := c.DescribeApplication(ctx, &kda.DescribeApplicationInput{ApplicationName: aws.String(name)})
		if err == nil && out.ApplicationDetail.ApplicationStatus == status {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("application %s not %s: %+v %v", name, status, out, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// awaitStream waits until stream holds every one of want (it may hold
// more: outputs are at least once) and returns what it holds.
func awaitStream(ctx context.Context, t *testing.T, kc *kinesis.Client, stream string, want []string) []string {
	t.Helper()
	for {
		got := readShardData(t, kc, stream)
		for i := range got {
			got[i] = strings.TrimSpace(got[i])
		}
		missing := slices.DeleteFunc(slices.Clone(want), func(w string) bool { return slices.Contains(got, w) })
		if len(missing) == 0 {
			return got
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: missing %q; holds %q", stream, missing, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func putTickers(ctx context.Context, t *testing.T, kc *kinesis.Client, stream string, recs ...string) {
	t.Helper()
	var entries []ktypes.PutRecordsRequestEntry
	for i, r := range recs {
		entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(r), PartitionKey: aws.String(fmt.Sprint(i))})
	}
	out, err := kc.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
	if err != nil || aws.ToInt32(out.FailedRecordCount) != 0 {
		t.Fatalf("PutRecords: %+v %v", out, err)
	}
}

// TestServeAnalyticsApplication runs a SQL application through the real
// binary with the Go SDK: a filter joined with a reference table read from
// the embedded S3 endpoint, from a Kinesis stream to another; a kill -9
// and a restart resume it where it stopped (LAST_STOPPED_POINT), and its
// metrics are on /metrics. A second application reads a delivery stream.
func TestServeAnalyticsApplication(t *testing.T) {
	ctx := testContext(t)
	args := "serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --data-dir " + t.TempDir()
	c := startChild(t, args)
	kc, ac, sc := c.client(), c.analyticsClient(), c.s3Client()
	for _, s := range []string{"ticker", "out", "fromfh"} {
		if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(s), ShardCount: aws.Int32(2)}); err != nil {
			t.Fatal(err)
		}
		waitStreamActive(t, kc, s)
	}
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("refs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("refs"), Key: aws.String("companies.csv"),
		Body: strings.NewReader("AMZN,Amazon\nWMT,Walmart\n")}); err != nil {
		t.Fatal(err)
	}
	code := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), company VARCHAR(20), price REAL);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM s."TICKER_SYMBOL", c."Company", s."PRICE"
  FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "CompanyName" AS c ON s."TICKER_SYMBOL" = c."Ticker"
  WHERE s."PRICE" > 10;`
	if _, err := ac.CreateApplication(ctx, &kda.CreateApplicationInput{ApplicationName: aws.String("tickers"), ApplicationCode: aws.String(code),
		Inputs: []kdatypes.Input{{NamePrefix: aws.String("SOURCE_SQL_STREAM"), InputSchema: tickerInputSchema(),
			KinesisStreamsInput: &kdatypes.KinesisStreamsInput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/ticker"), RoleARN: aws.String(analyticsRole)}}},
		Outputs: []kdatypes.Output{{Name: aws.String("DESTINATION_SQL_STREAM"),
			DestinationSchema:    &kdatypes.DestinationSchema{RecordFormatType: kdatypes.RecordFormatTypeJson},
			KinesisStreamsOutput: &kdatypes.KinesisStreamsOutput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/out"), RoleARN: aws.String(analyticsRole)}}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := ac.AddApplicationReferenceDataSource(ctx, &kda.AddApplicationReferenceDataSourceInput{ApplicationName: aws.String("tickers"),
		CurrentApplicationVersionId: aws.Int64(1),
		ReferenceDataSource: &kdatypes.ReferenceDataSource{TableName: aws.String("CompanyName"),
			S3ReferenceDataSource: &kdatypes.S3ReferenceDataSource{BucketARN: aws.String("arn:aws:s3:::refs"), FileKey: aws.String("companies.csv"), ReferenceRoleARN: aws.String(analyticsRole)},
			ReferenceSchema: &kdatypes.SourceSchema{
				RecordFormat: &kdatypes.RecordFormat{RecordFormatType: kdatypes.RecordFormatTypeCsv,
					MappingParameters: &kdatypes.MappingParameters{CSVMappingParameters: &kdatypes.CSVMappingParameters{RecordRowDelimiter: aws.String("\n"), RecordColumnDelimiter: aws.String(",")}}},
				RecordColumns: []kdatypes.RecordColumn{{Name: aws.String("Ticker"), SqlType: aws.String("VARCHAR(4)")}, {Name: aws.String("Company"), SqlType: aws.String("VARCHAR(20)")}}}},
	}); err != nil {
		t.Fatal(err)
	}
	putTickers(ctx, t, kc, "ticker", `{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","PRICE":84.5}`, `{"TICKER_SYMBOL":"WMT","SECTOR":"RETAIL","PRICE":5}`)
	desc, err := ac.DescribeApplication(ctx, &kda.DescribeApplicationInput{ApplicationName: aws.String("tickers")})
	if err != nil {
		t.Fatal(err)
	}
	inputID := desc.ApplicationDetail.InputDescriptions[0].InputId
	if _, err := ac.StartApplication(ctx, &kda.StartApplicationInput{ApplicationName: aws.String("tickers"),
		InputConfigurations: []kdatypes.InputConfiguration{{Id: inputID,
			InputStartingPositionConfiguration: &kdatypes.InputStartingPositionConfiguration{InputStartingPosition: kdatypes.InputStartingPositionTrimHorizon}}}}); err != nil {
		t.Fatal(err)
	}
	waitApplication(ctx, t, ac, "tickers", kdatypes.ApplicationStatusRunning)
	putTickers(ctx, t, kc, "ticker", `{"TICKER_SYMBOL":"XYZ","SECTOR":"ENERGY","PRICE":12.25}`)
	awaitStream(ctx, t, kc, "out", []string{
		`{"TICKER_SYMBOL":"AMZN","COMPANY":"Amazon","PRICE":84.5}`,
		`{"TICKER_SYMBOL":"XYZ","COMPANY":null,"PRICE":12.25}`,
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		_, body := get(t, "http://"+c.admin+"/metrics")
		if strings.Contains(body, `analytics_input_records_total{application="arn:aws:kinesisanalytics:us-east-1:000000000000:application/tickers"} 3`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics lacks the application's input records:\n%s", body)
		}
		time.Sleep(20 * time.Millisecond)
	}

	// kill -9: the application was RUNNING; the restarted server runs it
	// again from where it stopped.
	c.cmd.Process.Kill()
	c.cmd.Wait()
	c = startChild(t, args)
	kc, ac, sc = c.client(), c.analyticsClient(), c.s3Client()
	waitApplication(ctx, t, ac, "tickers", kdatypes.ApplicationStatusRunning)
	putTickers(ctx, t, kc, "ticker", `{"TICKER_SYMBOL":"WMT","SECTOR":"RETAIL","PRICE":60}`)
	got := awaitStream(ctx, t, kc, "out", []string{`{"TICKER_SYMBOL":"WMT","COMPANY":"Walmart","PRICE":60}`})
	// At least once: a row may come twice (written before the checkpoint
	// of its record), but none of the filtered-out record.
	for _, g := range got {
		if strings.Contains(g, `"PRICE":5`) {
			t.Errorf("a filtered-out row in the output: %s", g)
		}
	}

	// A second application reads a DirectPut delivery stream.
	fh := fhsdk.New(fhsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("fhout")}); err != nil && !strings.Contains(err.Error(), "BucketAlready") {
		t.Fatal(err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::fhout"), RoleARN: aws.String(analyticsRole)}}); err != nil {
		t.Fatal(err)
	}
	for {
		out, err := fh.DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
		if err == nil && out.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("delivery stream not ACTIVE")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Its rows also go to a delivery stream, delivering to a bucket.
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("appout")}); err != nil {
		t.Fatal(err)
	}
	if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("appout"),
		ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{BucketARN: aws.String("arn:aws:s3:::appout"),
			RoleARN: aws.String(analyticsRole), Prefix: aws.String("logs/"),
			BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)}}}); err != nil {
		t.Fatal(err)
	}
	code2 := `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(16));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "TICKER_SYMBOL", "SECTOR" FROM "SOURCE_SQL_STREAM_001";`
	if _, err := ac.CreateApplication(ctx, &kda.CreateApplicationInput{ApplicationName: aws.String("fromfh"), ApplicationCode: aws.String(code2),
		Inputs: []kdatypes.Input{{NamePrefix: aws.String("SOURCE_SQL_STREAM"), InputSchema: tickerInputSchema(),
			KinesisFirehoseInput: &kdatypes.KinesisFirehoseInput{ResourceARN: aws.String("arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks"), RoleARN: aws.String(analyticsRole)}}},
		Outputs: []kdatypes.Output{{Name: aws.String("DESTINATION_SQL_STREAM"),
			DestinationSchema:    &kdatypes.DestinationSchema{RecordFormatType: kdatypes.RecordFormatTypeCsv},
			KinesisStreamsOutput: &kdatypes.KinesisStreamsOutput{ResourceARN: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/fromfh"), RoleARN: aws.String(analyticsRole)}},
			{Name: aws.String("DESTINATION_SQL_STREAM"), DestinationSchema: &kdatypes.DestinationSchema{RecordFormatType: kdatypes.RecordFormatTypeCsv},
				KinesisFirehoseOutput: &kdatypes.KinesisFirehoseOutput{ResourceARN: aws.String("arn:aws:firehose:us-east-1:000000000000:deliverystream/appout"), RoleARN: aws.String(analyticsRole)}}},
	}); err != nil {
		t.Fatal(err)
	}
	d2, err := ac.DescribeApplication(ctx, &kda.DescribeApplicationInput{ApplicationName: aws.String("fromfh")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ac.StartApplication(ctx, &kda.StartApplicationInput{ApplicationName: aws.String("fromfh"),
		InputConfigurations: []kdatypes.InputConfiguration{{Id: d2.ApplicationDetail.InputDescriptions[0].InputId,
			InputStartingPositionConfiguration: &kdatypes.InputStartingPositionConfiguration{InputStartingPosition: kdatypes.InputStartingPositionNow}}}}); err != nil {
		t.Fatal(err)
	}
	waitApplication(ctx, t, ac, "fromfh", kdatypes.ApplicationStatusRunning)
	rec := map[string]any{"TICKER_SYMBOL": "QXZ", "SECTOR": "HEALTHCARE", "PRICE": 1.5}
	data, _ := json.Marshal(rec)
	if _, err := fh.PutRecord(ctx, &fhsdk.PutRecordInput{DeliveryStreamName: aws.String("clicks"), Record: &fhtypes.Record{Data: data}}); err != nil {
		t.Fatal(err)
	}
	awaitStream(ctx, t, kc, "fromfh", []string{"QXZ,HEALTHCARE"})
	waitObjects(ctx, t, sc, "appout", "QXZ,HEALTHCARE\n")

	// Stopped, an application reads nothing more.
	if _, err := ac.StopApplication(ctx, &kda.StopApplicationInput{ApplicationName: aws.String("tickers")}); err != nil {
		t.Fatal(err)
	}
	waitApplication(ctx, t, ac, "tickers", kdatypes.ApplicationStatusReady)
	before := len(readShardData(t, kc, "out"))
	putTickers(ctx, t, kc, "ticker", `{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","PRICE":99}`)
	time.Sleep(300 * time.Millisecond)
	if after := len(readShardData(t, kc, "out")); after != before {
		t.Errorf("a stopped application wrote %d rows", after-before)
	}
}

// TestReferenceObjects: reference data comes from a --s3-bucket-dir
// directory (a local file) or the embedded endpoint's store; a missing
// object is analytics.ErrNoObject, a key leaving the directory is
// refused.
func TestReferenceObjects(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "refs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "refs", "companies.csv"), []byte("AMZN,Amazon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	store := &eddys3.Store{Root: t.TempDir()}
	if err := store.CreateBucket("embedded"); err != nil {
		t.Fatal(err)
	}
	if err := store.Put("embedded", &eddys3.Meta{Key: "t.csv"}, strings.NewReader("WMT,Walmart\n"), nil); err != nil {
		t.Fatal(err)
	}
	readMax := referenceObjects(store, map[string]string{"local": dir})
	read := func(ctx context.Context, bucket, key string) ([]byte, error) { return readMax(ctx, bucket, key, -1) }
	if b, err := read(ctx, "local", "refs/companies.csv"); err != nil || string(b) != "AMZN,Amazon\n" {
		t.Errorf("local file: %q %v", b, err)
	}
	if b, err := read(ctx, "embedded", "t.csv"); err != nil || string(b) != "WMT,Walmart\n" {
		t.Errorf("embedded object: %q %v", b, err)
	}
	for _, c := range []struct{ bucket, key string }{{"local", "refs/missing.csv"}, {"embedded", "missing.csv"}, {"nobucket", "t.csv"}} {
		if _, err := read(ctx, c.bucket, c.key); !errors.Is(err, analytics.ErrNoObject) {
			t.Errorf("%s/%s: %v, want ErrNoObject", c.bucket, c.key, err)
		}
	}
	if _, err := read(ctx, "local", "../etc/passwd"); err == nil || errors.Is(err, analytics.ErrNoObject) {
		t.Errorf("a key out of the directory: %v", err)
	}
	if b, err := readMax(ctx, "local", "refs/companies.csv", 4); err != nil || string(b) != "AMZN" {
		t.Errorf("at most 4 bytes: %q %v", b, err)
	}
	if _, err := referenceObjects(nil, nil)(ctx, "embedded", "t.csv", -1); err == nil || !strings.Contains(err.Error(), "no S3 store") {
		t.Errorf("without a store: %v", err)
	}
}
