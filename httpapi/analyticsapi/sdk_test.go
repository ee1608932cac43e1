package analyticsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/analytics"
	fh "github.com/eddy-streams/eddy/firehose"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/httpapi/firehoseapi"
	"github.com/eddy-streams/eddy/httpapi/kinesisapi"
	kin "github.com/eddy-streams/eddy/kinesis"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/segment"
)

// testObjects are the S3 objects the test servers' ReadObject serves, by
// "<bucket>/<key>": the developer guide's static-data example file.
var testObjects = map[string][]byte{
	"ref/data.csv": []byte("year,month,state,producer_type,energy_source,units,consumption\r\n" +
		"2001,1,AK,TotalElectricPowerIndustry,Coal,ShortTons,47615\r\n" +
		"2001,1,AK,ElectricGeneratorsElectricUtilities,Coal,ShortTons,16535\r\n" +
		"2001,1,AK,CombinedHeatandPowerElectricPower,Coal,ShortTons,22890\r\n" +
		"2001,1,AL,TotalElectricPowerIndustry,Coal,ShortTons,3020601\r\n" +
		"2001,1,AL,ElectricGeneratorsElectricUtilities,Coal,ShortTons,2987681"),
}

// testInvoke is the test servers' Lambda: function csv2json turns
// stock-ticker CSV records into the demo stream's JSON, drops records that
// begin with "#", fails those that begin with "!" and leaves out of its
// response those that begin with "?"; function broken fails.
func testInvoke(_ context.Context, fn string, payload []byte) ([]byte, error) {
	if fn == "arn:aws:lambda:us-east-1:000000000000:function:broken" {
		return nil, errors.New("Unhandled: boom")
	}
	var ev analytics.PreprocessEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, err
	}
	var resp analytics.PreprocessResponse
	for _, r := range ev.Records {
		if r.RecordID != r.Metadata.SequenceNumber || r.Metadata.ShardID == "" || r.Metadata.PartitionKey != "k" || r.Metadata.ApproximateArrivalTimestamp == 0 ||
			ev.InvocationID == "" || !strings.HasSuffix(ev.StreamARN, ":stream/processed") {
			return nil, fmt.Errorf("event record %+v of %+v", r, ev)
		}
		out := analytics.PreprocessResult{RecordID: r.RecordID, Result: analytics.ResultOk}
		switch {
		case bytes.HasPrefix(r.Data, []byte("#")):
			out.Result = analytics.ResultDropped
		case bytes.HasPrefix(r.Data, []byte("!")):
			out.Result = analytics.ResultProcessingFailed
		case bytes.HasPrefix(r.Data, []byte("?")):
			continue
		default:
			f := strings.Split(string(r.Data), ",")
			out.Data = fmt.Appendf(nil, `{"TICKER_SYMBOL":%q,"SECTOR":%q,"CHANGE":%s,"PRICE":%s}`, f[0], f[1], f[2], f[3])
		}
		resp.Records = append(resp.Records, out)
	}
	return json.Marshal(resp)
}

// stores are a durable metadata store and logs in a temporary directory,
// shared by the servers of a test (a restart opens new services over them).
type stores struct {
	meta storage.MetaStore
	logs storage.Logs
}

func openStores(t *testing.T) *stores {
	t.Helper()
	dir := t.TempDir()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	logs, err := segment.Open(filepath.Join(dir, "logs"), segment.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close(); meta.Close() })
	return &stores{meta, logs}
}

// server is Kinesis, Firehose and Kinesis Analytics on one port, as eddy
// serve has them, with aws-sdk-go-v2 clients.
type server struct {
	kda  *ka.Client
	kin  *kinesis.Client
	apps *analytics.Service
	stop func()
}

// startServer serves the three services over st; rt, if not nil, is the
// applications' Runtime.
func startServer(t *testing.T, st *stores, rt analytics.Runtime) *server {
	t.Helper()
	regions, err := kin.OpenRegions(kin.DefaultConfig(), st.logs, st.meta)
	if err != nil {
		t.Fatal(err)
	}
	fhs, err := fh.New(fh.DefaultConfig(), st.meta, st.logs)
	if err != nil {
		t.Fatal(err)
	}
	cfg := analytics.DefaultConfig()
	cfg.Runtime = rt
	cfg.Firehose = fhs
	cfg.Invoke = testInvoke
	cfg.ReadObject = func(_ context.Context, bucket, key string, max int64) ([]byte, error) {
		b, ok := testObjects[bucket+"/"+key]
		if !ok {
			return nil, fmt.Errorf("read s3://%s/%s: %w", bucket, key, analytics.ErrNoObject)
		}
		return b, nil
	}
	cfg.Kinesis = func(region string) (analytics.Kinesis, error) {
		e, err := regions.Get(region)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
	apps, err := analytics.New(cfg, st.meta)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), kinesisapi.RegionalService(regions), firehoseapi.Service(fhs), Service(apps))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Shutdown(context.Background())
			apps.Close()
			regions.Close()
		})
	}
	t.Cleanup(stop)
	endpoint := aws.String("http://" + ln.Addr().String())
	creds := credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")
	return &server{
		kda:  ka.New(ka.Options{Region: "us-east-1", BaseEndpoint: endpoint, Credentials: creds}),
		kin:  kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: endpoint, Credentials: creds}),
		apps: apps, stop: stop,
	}
}

func apiError(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", fmt.Sprint(err)
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

const (
	account = "000000000000"
	role    = "arn:aws:iam::000000000000:role/kda"
)

func streamARN(name string) string { return "arn:aws:kinesis:us-east-1:" + account + ":stream/" + name }
func appARN(name string) string {
	return "arn:aws:kinesisanalytics:us-east-1:" + account + ":application/" + name
}

func createStream(t *testing.T, s *server, name string) {
	t.Helper()
	ctx := testCtx(t)
	if _, err := s.kin.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "stream "+name+" ACTIVE", func() bool {
		d, err := s.kin.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		return err == nil && d.StreamDescriptionSummary.StreamStatus == "ACTIVE"
	})
}

const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM ticker_symbol, price FROM "SOURCE_SQL_STREAM_001";`

func schema() *types.SourceSchema {
	return &types.SourceSchema{
		RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeJson,
			MappingParameters: &types.MappingParameters{JSONMappingParameters: &types.JSONMappingParameters{RecordRowPath: aws.String("$")}}},
		RecordEncoding: aws.String("UTF-8"),
		RecordColumns: []types.RecordColumn{
			{Name: aws.String("ticker_symbol"), Mapping: aws.String("$.ticker_symbol"), SqlType: aws.String("VARCHAR(4)")},
			{Name: aws.String("price"), Mapping: aws.String("$.price"), SqlType: aws.String("DOUBLE")},
		},
	}
}

func input(stream string, parallelism int32) types.Input {
	return types.Input{
		NamePrefix:          aws.String("SOURCE_SQL_STREAM"),
		KinesisStreamsInput: &types.KinesisStreamsInput{ResourceARN: aws.String(streamARN(stream)), RoleARN: aws.String(role)},
		InputParallelism:    &types.InputParallelism{Count: aws.Int32(parallelism)},
		InputSchema:         schema(),
	}
}

func output(stream string) types.Output {
	return types.Output{
		Name:                 aws.String("DESTINATION_SQL_STREAM"),
		KinesisStreamsOutput: &types.KinesisStreamsOutput{ResourceARN: aws.String(streamARN(stream)), RoleARN: aws.String(role)},
		DestinationSchema:    &types.DestinationSchema{RecordFormatType: types.RecordFormatTypeJson},
	}
}

func describe(t *testing.T, s *server, name string) *types.ApplicationDetail {
	t.Helper()
	d, err := s.kda.DescribeApplication(testCtx(t), &ka.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return d.ApplicationDetail
}

func status(s *server, name string) types.ApplicationStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := s.kda.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String(name)})
	if err != nil {
		return "error: " + types.ApplicationStatus(err.Error())
	}
	return d.ApplicationDetail.ApplicationStatus
}

func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	c, m := apiError(err)
	if c != code || (msg != "" && m != msg) {
		t.Errorf("error = %s: %s\nwant    %s: %s", c, m, code, msg)
	}
}

// TestLifecycle creates, describes, lists, starts, updates, stops and
// deletes an application through aws-sdk-go-v2, without a Runtime.
func TestLifecycle(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	createStream(t, s, "results")
	out, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{
		ApplicationName:        aws.String("tickers"),
		ApplicationDescription: aws.String("demo"),
		ApplicationCode:        aws.String(code),
		Inputs:                 []types.Input{input("ticks", 2)},
		Outputs:                []types.Output{output("results")},
		Tags:                   []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum := out.ApplicationSummary; aws.ToString(sum.ApplicationARN) != appARN("tickers") || sum.ApplicationStatus != types.ApplicationStatusReady {
		t.Fatalf("summary: %+v", sum)
	}
	_, err = s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("tickers")})
	wantError(t, err, "ResourceInUseException", "Application tickers already exists.")

	d := describe(t, s, "tickers")
	if d.ApplicationStatus != types.ApplicationStatusReady || aws.ToInt64(d.ApplicationVersionId) != 1 ||
		aws.ToString(d.ApplicationCode) != code || aws.ToString(d.ApplicationDescription) != "demo" ||
		d.CreateTimestamp == nil || d.LastUpdateTimestamp != nil || len(d.InputDescriptions) != 1 || len(d.OutputDescriptions) != 1 {
		t.Fatalf("detail: %+v", d)
	}
	in := d.InputDescriptions[0]
	if aws.ToString(in.InputId) != "1.1" || !reflect.DeepEqual(in.InAppStreamNames, []string{"SOURCE_SQL_STREAM_001", "SOURCE_SQL_STREAM_002"}) ||
		aws.ToString(in.KinesisStreamsInputDescription.ResourceARN) != streamARN("ticks") || aws.ToInt32(in.InputParallelism.Count) != 2 ||
		len(in.InputSchema.RecordColumns) != 2 || aws.ToString(in.InputSchema.RecordColumns[0].Mapping) != "$.ticker_symbol" {
		t.Errorf("input: %+v", in)
	}
	if o := d.OutputDescriptions[0]; aws.ToString(o.OutputId) != "2.1" || aws.ToString(o.KinesisStreamsOutputDescription.ResourceARN) != streamARN("results") ||
		o.DestinationSchema.RecordFormatType != types.RecordFormatTypeJson {
		t.Errorf("output: %+v", o)
	}

	// Start: without a Runtime, RUNNING at once.
	_, err = s.kda.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("tickers"),
		InputConfigurations: []types.InputConfiguration{{Id: aws.String("9.9"),
			InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionNow}}}})
	wantError(t, err, "InvalidArgumentException", "Application tickers has no input with id 9.9.")
	startCfg := []types.InputConfiguration{{Id: aws.String("1.1"),
		InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionTrimHorizon}}}
	if _, err := s.kda.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("tickers"), InputConfigurations: startCfg}); err != nil {
		t.Fatal(err)
	}
	d = describe(t, s, "tickers")
	if d.ApplicationStatus != types.ApplicationStatusRunning ||
		d.InputDescriptions[0].InputStartingPositionConfiguration.InputStartingPosition != types.InputStartingPositionTrimHorizon {
		t.Fatalf("after start: %s %+v", d.ApplicationStatus, d.InputDescriptions[0].InputStartingPositionConfiguration)
	}
	_, err = s.kda.StartApplication(ctx, &ka.StartApplicationInput{ApplicationName: aws.String("tickers"), InputConfigurations: startCfg})
	wantError(t, err, "ResourceInUseException", "Application tickers is in RUNNING state; the operation is not allowed.")

	// Update: the version must be the current one, and increments.
	newCode := code + "\n-- v2"
	_, err = s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("tickers"), CurrentApplicationVersionId: aws.Int64(7),
		ApplicationUpdate: &types.ApplicationUpdate{ApplicationCodeUpdate: aws.String(newCode)}})
	wantError(t, err, "ConcurrentModificationException", "Application tickers: CurrentApplicationVersionId 7 is not the current version 1.")
	if _, err := s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("tickers"), CurrentApplicationVersionId: aws.Int64(1),
		ApplicationUpdate: &types.ApplicationUpdate{ApplicationCodeUpdate: aws.String(newCode),
			InputUpdates: []types.InputUpdate{{InputId: aws.String("1.1"), NamePrefixUpdate: aws.String("IN"),
				InputParallelismUpdate: &types.InputParallelismUpdate{CountUpdate: aws.Int32(3)}}},
			OutputUpdates: []types.OutputUpdate{{OutputId: aws.String("2.1"), NameUpdate: aws.String("OUT")}}}}); err != nil {
		t.Fatal(err)
	}
	d = describe(t, s, "tickers")
	if aws.ToInt64(d.ApplicationVersionId) != 2 || aws.ToString(d.ApplicationCode) != newCode || d.LastUpdateTimestamp == nil ||
		!reflect.DeepEqual(d.InputDescriptions[0].InAppStreamNames, []string{"IN_001", "IN_002", "IN_003"}) ||
		aws.ToString(d.OutputDescriptions[0].Name) != "OUT" || d.ApplicationStatus != types.ApplicationStatusRunning {
		t.Fatalf("after update: %+v", d)
	}
	_, err = s.kda.UpdateApplication(ctx, &ka.UpdateApplicationInput{ApplicationName: aws.String("tickers"), CurrentApplicationVersionId: aws.Int64(2),
		ApplicationUpdate: &types.ApplicationUpdate{OutputUpdates: []types.OutputUpdate{{OutputId: aws.String("5.1")}}}})
	wantError(t, err, "ResourceNotFoundException", "Application tickers has no output with id 5.1.")

	// List, with paging.
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	l, err := s.kda.ListApplications(ctx, &ka.ListApplicationsInput{Limit: aws.Int32(1)})
	if err != nil || len(l.ApplicationSummaries) != 1 || aws.ToString(l.ApplicationSummaries[0].ApplicationName) != "alpha" || !aws.ToBool(l.HasMoreApplications) {
		t.Fatalf("list page 1: %+v %v", l, err)
	}
	l, err = s.kda.ListApplications(ctx, &ka.ListApplicationsInput{ExclusiveStartApplicationName: aws.String("alpha")})
	if err != nil || len(l.ApplicationSummaries) != 1 || aws.ToString(l.ApplicationSummaries[0].ApplicationName) != "tickers" ||
		l.ApplicationSummaries[0].ApplicationStatus != types.ApplicationStatusRunning || aws.ToBool(l.HasMoreApplications) {
		t.Fatalf("list page 2: %+v %v", l, err)
	}

	// Stop, then delete: the CreateTimestamp must match.
	_, err = s.kda.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("alpha")})
	wantError(t, err, "ResourceInUseException", "Application alpha is in READY state; the operation is not allowed.")
	if _, err := s.kda.StopApplication(ctx, &ka.StopApplicationInput{ApplicationName: aws.String("tickers")}); err != nil {
		t.Fatal(err)
	}
	if st := status(s, "tickers"); st != types.ApplicationStatusReady {
		t.Fatalf("after stop: %s", st)
	}
	_, err = s.kda.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("tickers"), CreateTimestamp: aws.Time(d.CreateTimestamp.Add(time.Second))})
	if c, _ := apiError(err); c != "ResourceNotFoundException" {
		t.Errorf("delete with another CreateTimestamp: %v", err)
	}
	// The CreateTimestamp in whole seconds, as the AWS CLI and botocore
	// send it (interop/cli/analytics.sh), matches too.
	if _, err := s.kda.DeleteApplication(ctx, &ka.DeleteApplicationInput{ApplicationName: aws.String("tickers"), CreateTimestamp: aws.Time(d.CreateTimestamp.Truncate(time.Second))}); err != nil {
		t.Fatal(err)
	}
	_, err = s.kda.DescribeApplication(ctx, &ka.DescribeApplicationInput{ApplicationName: aws.String("tickers")})
	wantError(t, err, "ResourceNotFoundException", "Application tickers is not found.")
}

func errorAs[T error](err error, target *T) bool { return errors.As(err, target) }
