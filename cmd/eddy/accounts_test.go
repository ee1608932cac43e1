package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kda "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	kdatypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// accountsFile: two accounts, each with its root key.
const accountsFile = `{"Accounts": [
  {"Id": "111111111111", "RootAccessKeys": [{"AccessKeyId": "AKIAROOTA000000000AA", "SecretAccessKey": "a-secret"}]},
  {"Id": "222222222222", "RootAccessKeys": [{"AccessKeyId": "AKIAROOTB000000000AA", "SecretAccessKey": "b-secret"}]}
]}`

// TestServeAccountsKeepResourcesApart: with identities, two accounts
// have delivery streams, functions and SQL applications of the same
// names that are each their own, buckets each owns (the other account is
// denied them), and the second account's delivery streams and
// applications run again after a restart before any of its requests.
func TestServeAccountsKeepResourcesApart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "identities.json")
	if err := os.WriteFile(file, []byte(accountsFile), 0o600); err != nil {
		t.Fatal(err)
	}
	args := "serve --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --create-delay 0s --account-id 111111111111 --identities " + file +
		" --data-dir " + filepath.Join(dir, "data")
	c := startChild(t, args)
	type account struct {
		id, key, secret, bucket string
	}
	accounts := []account{{"111111111111", "AKIAROOTA000000000AA", "a-secret", "bucket-a"}, {"222222222222", "AKIAROOTB000000000AA", "b-secret", "bucket-b"}}
	fhAs := func(c *child, a account) *fhsdk.Client {
		return fhsdk.New(fhsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider(a.key, a.secret, "")})
	}
	lambdaAs := func(a account) *lambda.Client {
		return lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider(a.key, a.secret, "")})
	}
	var apiErr smithy.APIError

	// Buckets: one namespace, each bucket its creator's.
	for _, a := range accounts {
		if _, err := c.s3As(a.key, a.secret).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(a.bucket)}); err != nil {
			t.Fatalf("%s CreateBucket: %v", a.id, err)
		}
	}
	a, b := accounts[0], accounts[1]
	_, err := c.s3As(b.key, b.secret).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(a.bucket)})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "BucketAlreadyExists" {
		t.Errorf("B CreateBucket of A's bucket: %v", err)
	}
	for _, acct := range accounts {
		out, err := c.s3As(acct.key, acct.secret).ListBuckets(ctx, &s3.ListBucketsInput{})
		if err != nil || len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != acct.bucket {
			t.Errorf("%s ListBuckets: %+v %v", acct.id, out, err)
		}
	}
	_, err = c.s3As(b.key, b.secret).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(a.bucket)})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::222222222222:root is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::bucket-a because no resource-based policy allows the s3:ListBucket action" {
		t.Errorf("B ListObjectsV2 of A's bucket: %v", err)
	}

	// Delivery streams of the same name, each delivering to its
	// account's bucket.
	for _, acct := range accounts {
		fh := fhAs(c, acct)
		if _, err := fh.CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("events"),
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				RoleARN: aws.String("arn:aws:iam::" + acct.id + ":role/r"), BucketARN: aws.String("arn:aws:s3:::" + acct.bucket),
				Prefix:         aws.String("logs/"),
				BufferingHints: &fhtypes.BufferingHints{SizeInMBs: aws.Int32(1), IntervalInSeconds: aws.Int32(0)},
			}}); err != nil {
			t.Fatalf("%s CreateDeliveryStream: %v", acct.id, err)
		}
		d, err := fh.DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("events")})
		if err != nil || aws.ToString(d.DeliveryStreamDescription.DeliveryStreamARN) != "arn:aws:firehose:us-east-1:"+acct.id+":deliverystream/events" {
			t.Fatalf("%s DescribeDeliveryStream: %+v %v", acct.id, d, err)
		}
		if _, err := fh.PutRecord(ctx, &fhsdk.PutRecordInput{DeliveryStreamName: aws.String("events"),
			Record: &fhtypes.Record{Data: []byte("from " + acct.id + "\n")}}); err != nil {
			t.Fatalf("%s PutRecord: %v", acct.id, err)
		}
	}
	for _, acct := range accounts {
		waitObjects(ctx, t, c.s3As(acct.key, acct.secret), acct.bucket, "from "+acct.id+"\n")
	}
	_, err = fhAs(c, b).DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("only-a")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ResourceNotFoundException" {
		t.Errorf("B DescribeDeliveryStream of a missing stream: %v", err)
	}

	// Functions of the same name: each account invokes its own.
	for _, acct := range accounts {
		_, err := lambdaAs(acct).CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("whoami"), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"),
			Role: aws.String("arn:aws:iam::" + acct.id + ":role/r"),
			Code: &ltypes.FunctionCode{ZipFile: pythonZip("def handler(event, context):\n    return context.invoked_function_arn\n")},
		})
		if err != nil {
			t.Fatalf("%s CreateFunction: %v", acct.id, err)
		}
	}
	for _, acct := range accounts {
		out, err := lambdaAs(acct).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("whoami")})
		if want := `"arn:aws:lambda:us-east-1:` + acct.id + `:function:whoami"`; err != nil || string(out.Payload) != want {
			t.Errorf("%s Invoke: %s %v, want %s", acct.id, out.Payload, err, want)
		}
	}
	// A's function by its ARN, from B: across accounts, no resource
	// policy allows it.
	_, err = lambdaAs(b).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:111111111111:function:whoami")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
		t.Errorf("B Invoke of A's function: %v", err)
	}

	// SQL applications of the same name, each reading and writing its
	// account's streams.
	kinesisAs := func(c *child, a account) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider(a.key, a.secret, "")})
	}
	kdaAs := func(c *child, a account) *kda.Client {
		return kda.New(kda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider(a.key, a.secret, "")})
	}
	for _, acct := range accounts {
		kc := kinesisAs(c, acct)
		for _, s := range []string{"ticks", "out"} {
			if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(s), ShardCount: aws.Int32(1)}); err != nil {
				t.Fatalf("%s CreateStream: %v", acct.id, err)
			}
			waitStreamActive(t, kc, s)
		}
		arn := "arn:aws:kinesis:us-east-1:" + acct.id + ":stream/"
		role := aws.String("arn:aws:iam::" + acct.id + ":role/r")
		kc2 := kdaAs(c, acct)
		if _, err := kc2.CreateApplication(ctx, &kda.CreateApplicationInput{ApplicationName: aws.String("app"),
			ApplicationCode: aws.String(`CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4));
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "TICKER_SYMBOL" FROM "SOURCE_SQL_STREAM_001";`),
			Inputs: []kdatypes.Input{{NamePrefix: aws.String("SOURCE_SQL_STREAM"), InputSchema: tickerInputSchema(),
				KinesisStreamsInput: &kdatypes.KinesisStreamsInput{ResourceARN: aws.String(arn + "ticks"), RoleARN: role}}},
			Outputs: []kdatypes.Output{{Name: aws.String("DESTINATION_SQL_STREAM"),
				DestinationSchema:    &kdatypes.DestinationSchema{RecordFormatType: kdatypes.RecordFormatTypeCsv},
				KinesisStreamsOutput: &kdatypes.KinesisStreamsOutput{ResourceARN: aws.String(arn + "out"), RoleARN: role}}},
		}); err != nil {
			t.Fatalf("%s CreateApplication: %v", acct.id, err)
		}
		if _, err := kc2.StartApplication(ctx, &kda.StartApplicationInput{ApplicationName: aws.String("app"),
			InputConfigurations: []kdatypes.InputConfiguration{{Id: aws.String("1.1"),
				InputStartingPositionConfiguration: &kdatypes.InputStartingPositionConfiguration{InputStartingPosition: kdatypes.InputStartingPositionTrimHorizon}}}}); err != nil {
			t.Fatalf("%s StartApplication: %v", acct.id, err)
		}
		waitApplication(ctx, t, kc2, "app", kdatypes.ApplicationStatusRunning)
		sym := map[string]string{a.id: "AAA", b.id: "BBB"}[acct.id]
		putTickers(ctx, t, kc, "ticks", `{"TICKER_SYMBOL":"`+sym+`","SECTOR":"X","PRICE":1}`)
	}
	for _, acct := range accounts {
		sym := map[string]string{a.id: "AAA", b.id: "BBB"}[acct.id]
		if got := awaitStream(ctx, t, kinesisAs(c, acct), "out", []string{sym}); !slices.Equal(got, []string{sym}) {
			t.Errorf("%s's application wrote %q", acct.id, got)
		}
	}

	// After a restart, B's delivery stream runs before B asks for
	// anything: its metric series are there.
	c.cmd.Process.Signal(syscall.SIGTERM)
	c.cmd.Wait()
	c = startChild(t, args)
	series := `firehose_read_records_total{delivery_stream="arn:aws:firehose:us-east-1:222222222222:deliverystream/events",destination="S3"}`
	for deadline := time.Now().Add(30 * time.Second); ; {
		body := getMetrics(ctx, t, c.admin)
		if strings.Contains(body, series) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a restart, no %s in /metrics:\n%s", series, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := fhAs(c, b).ListDeliveryStreams(ctx, &fhsdk.ListDeliveryStreamsInput{})
	if err != nil || !slices.Equal(out.DeliveryStreamNames, []string{"events"}) {
		t.Errorf("B ListDeliveryStreams after a restart: %+v %v", out, err)
	}
	// ... and so does B's application.
	putTickers(ctx, t, kinesisAs(c, b), "ticks", `{"TICKER_SYMBOL":"BB2","SECTOR":"X","PRICE":1}`)
	awaitStream(ctx, t, kinesisAs(c, b), "out", []string{"BBB", "BB2"})
}

// waitObjects waits until bucket's objects under logs/ hold want, and
// only want (each copy of it: delivery is at least once).
func waitObjects(ctx context.Context, t *testing.T, sc *s3.Client, bucket, want string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		var got []string
		for _, k := range objectsUnder(ctx, t, sc, bucket, "logs/") {
			o, err := sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(o.Body)
			o.Body.Close()
			got = append(got, string(body))
		}
		if len(got) > 0 {
			for _, g := range got {
				if g != want {
					t.Fatalf("s3://%s/logs/ holds %q, want %q", bucket, got, want)
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing delivered to s3://%s/logs/ after 30s", bucket)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// getMetrics returns the admin listener's /metrics.
func getMetrics(ctx context.Context, t *testing.T, admin string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+admin+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
