package analyticsapi

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ka "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	"github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
)

// TestAddDelete adds and deletes inputs, outputs, reference data sources,
// input processing configurations and logging options: each change makes
// a new version; a stale version changes nothing.
func TestAddDelete(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	name := aws.String("app")
	version := func() int64 { return aws.ToInt64(describe(t, s, "app").ApplicationVersionId) }
	in := input("ticks", 1)
	if _, err := s.kda.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(1), Input: &in}); err != nil {
		t.Fatal(err)
	}
	_, err := s.kda.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(2), Input: &in})
	wantError(t, err, "InvalidArgumentException", "Application app already has an input; an application reads a single streaming source.")
	_, err = s.kda.AddApplicationInput(ctx, &ka.AddApplicationInputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(1), Input: &in})
	wantError(t, err, "ConcurrentModificationException", "Application app: CurrentApplicationVersionId 1 is not the current version 2.")

	out := output("ticks")
	if _, err := s.kda.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(2), Output: &out}); err != nil {
		t.Fatal(err)
	}
	ref := &types.ReferenceDataSource{TableName: aws.String("COMPANIES"),
		S3ReferenceDataSource: &types.S3ReferenceDataSource{BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("companies.csv"), ReferenceRoleARN: aws.String(role)},
		ReferenceSchema: &types.SourceSchema{
			RecordFormat: &types.RecordFormat{RecordFormatType: types.RecordFormatTypeCsv, MappingParameters: &types.MappingParameters{
				CSVMappingParameters: &types.CSVMappingParameters{RecordRowDelimiter: aws.String("\n"), RecordColumnDelimiter: aws.String(",")}}},
			RecordColumns: []types.RecordColumn{{Name: aws.String("TICKER"), SqlType: aws.String("VARCHAR(4)")}, {Name: aws.String("NAME"), SqlType: aws.String("VARCHAR(64)")}}}}
	if _, err := s.kda.AddApplicationReferenceDataSource(ctx, &ka.AddApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(3), ReferenceDataSource: ref}); err != nil {
		t.Fatal(err)
	}
	proc := &types.InputProcessingConfiguration{InputLambdaProcessor: &types.InputLambdaProcessor{
		ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:pre"), RoleARN: aws.String(role)}}
	if _, err := s.kda.AddApplicationInputProcessingConfiguration(ctx, &ka.AddApplicationInputProcessingConfigurationInput{ApplicationName: name,
		CurrentApplicationVersionId: aws.Int64(4), InputId: aws.String("1.1"), InputProcessingConfiguration: proc}); err != nil {
		t.Fatal(err)
	}
	logOpt := &types.CloudWatchLoggingOption{LogStreamARN: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"), RoleARN: aws.String(role)}
	if _, err := s.kda.AddApplicationCloudWatchLoggingOption(ctx, &ka.AddApplicationCloudWatchLoggingOptionInput{ApplicationName: name,
		CurrentApplicationVersionId: aws.Int64(5), CloudWatchLoggingOption: logOpt}); err != nil {
		t.Fatal(err)
	}
	d := describe(t, s, "app")
	if aws.ToInt64(d.ApplicationVersionId) != 6 || len(d.InputDescriptions) != 1 || len(d.OutputDescriptions) != 1 ||
		len(d.ReferenceDataSourceDescriptions) != 1 || len(d.CloudWatchLoggingOptionDescriptions) != 1 ||
		d.InputDescriptions[0].InputProcessingConfigurationDescription == nil {
		t.Fatalf("after adds: %+v", d)
	}
	ids := []string{aws.ToString(d.InputDescriptions[0].InputId), aws.ToString(d.OutputDescriptions[0].OutputId),
		aws.ToString(d.ReferenceDataSourceDescriptions[0].ReferenceId), aws.ToString(d.CloudWatchLoggingOptionDescriptions[0].CloudWatchLoggingOptionId)}
	if !reflect.DeepEqual(ids, []string{"1.1", "2.1", "3.1", "4.1"}) {
		t.Errorf("ids: %q", ids)
	}
	if r := d.ReferenceDataSourceDescriptions[0]; aws.ToString(r.TableName) != "COMPANIES" || aws.ToString(r.S3ReferenceDataSourceDescription.FileKey) != "companies.csv" {
		t.Errorf("reference: %+v", r)
	}
	_, err = s.kda.AddApplicationInputProcessingConfiguration(ctx, &ka.AddApplicationInputProcessingConfigurationInput{ApplicationName: name,
		CurrentApplicationVersionId: aws.Int64(6), InputId: aws.String("1.1"), InputProcessingConfiguration: proc})
	wantError(t, err, "InvalidArgumentException", "Input 1.1 of application app already has an InputProcessingConfiguration.")

	// The Delete counterparts.
	_, err = s.kda.DeleteApplicationOutput(ctx, &ka.DeleteApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(6), OutputId: aws.String("9.1")})
	wantError(t, err, "ResourceNotFoundException", "Application app has no output with id 9.1.")
	steps := []func(v int64) error{
		func(v int64) error {
			_, err := s.kda.DeleteApplicationOutput(ctx, &ka.DeleteApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(v), OutputId: aws.String("2.1")})
			return err
		},
		func(v int64) error {
			_, err := s.kda.DeleteApplicationReferenceDataSource(ctx, &ka.DeleteApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(v), ReferenceId: aws.String("3.1")})
			return err
		},
		func(v int64) error {
			_, err := s.kda.DeleteApplicationInputProcessingConfiguration(ctx, &ka.DeleteApplicationInputProcessingConfigurationInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(v), InputId: aws.String("1.1")})
			return err
		},
		func(v int64) error {
			_, err := s.kda.DeleteApplicationCloudWatchLoggingOption(ctx, &ka.DeleteApplicationCloudWatchLoggingOptionInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(v), CloudWatchLoggingOptionId: aws.String("4.1")})
			return err
		},
	}
	for i, step := range steps {
		v := version()
		if err := step(v - 1); err == nil {
			t.Fatalf("step %d with a stale version succeeded", i)
		}
		if err := step(v); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	d = describe(t, s, "app")
	if aws.ToInt64(d.ApplicationVersionId) != 10 || len(d.OutputDescriptions) != 0 || len(d.ReferenceDataSourceDescriptions) != 0 ||
		len(d.CloudWatchLoggingOptionDescriptions) != 0 || d.InputDescriptions[0].InputProcessingConfigurationDescription != nil {
		t.Fatalf("after deletes: %+v", d)
	}
}

// TestTags tags, lists and untags an application; tagging does not change
// its version.
func TestTags(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app"),
		Tags: []types.Tag{{Key: aws.String("b"), Value: aws.String("1")}}}); err != nil {
		t.Fatal(err)
	}
	arn := aws.String(appARN("app"))
	if _, err := s.kda.TagResource(ctx, &ka.TagResourceInput{ResourceARN: arn, Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("2")}, {Key: aws.String("b"), Value: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	l, err := s.kda.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tag := range l.Tags {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if !reflect.DeepEqual(got, map[string]string{"a": "2", "b": "3"}) {
		t.Errorf("tags: %v", got)
	}
	if _, err := s.kda.UntagResource(ctx, &ka.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a", "none"}}); err != nil {
		t.Fatal(err)
	}
	l, err = s.kda.ListTagsForResource(ctx, &ka.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || len(l.Tags) != 1 || aws.ToString(l.Tags[0].Key) != "b" {
		t.Errorf("after untag: %+v %v", l, err)
	}
	var many []types.Tag
	for i := range 50 {
		many = append(many, types.Tag{Key: aws.String(string(rune('c' + i)))})
	}
	_, err = s.kda.TagResource(ctx, &ka.TagResourceInput{ResourceARN: arn, Tags: many})
	wantError(t, err, "TooManyTagsException", "An application can have at most 50 tags.")
	if v := aws.ToInt64(describe(t, s, "app").ApplicationVersionId); v != 1 {
		t.Errorf("version after tagging: %d", v)
	}
}

// TestDiscoverInputSchema infers schemas from records put in a stream.
func TestDiscoverInputSchema(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	createStream(t, s, "json")
	createStream(t, s, "csv")
	createStream(t, s, "empty")
	put := func(stream string, recs ...string) {
		for _, r := range recs {
			if _, err := s.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte(r)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("json",
		`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84,"QTY":3000000000,"ok":true,"at":"2026-12-05 19:00:00.123","geo":{"lat":1.5,"city":"Oslo"}}`,
		`{"TICKER_SYMBOL":"AB","SECTOR":"TECH","CHANGE":1,"PRICE":84.5,"QTY":1,"ok":false,"at":"2026-12-05 19:00:01","geo":{"lat":2,"city":"Rome"}}`)
	put("csv", "QXZ,84.5,12\nAB,3,4", "CD,1,2")
	disc := func(stream string) (*ka.DiscoverInputSchemaOutput, error) {
		return s.kda.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN(stream)), RoleARN: aws.String(role),
			InputStartingPositionConfiguration: &types.InputStartingPositionConfiguration{InputStartingPosition: types.InputStartingPositionNow}})
	}
	out, err := disc("json")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range out.InputSchema.RecordColumns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType)+" "+aws.ToString(c.Mapping))
	}
	want := []string{"TICKER_SYMBOL VARCHAR(4) $.TICKER_SYMBOL", "SECTOR VARCHAR(16) $.SECTOR", "CHANGE REAL $.CHANGE",
		"PRICE REAL $.PRICE", "QTY BIGINT $.QTY", "ok BOOLEAN $.ok", "at TIMESTAMP $.at", "lat REAL $.geo.lat", "city VARCHAR(4) $.geo.city"}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns:\n%q\nwant\n%q", cols, want)
	}
	if f := out.InputSchema.RecordFormat; f.RecordFormatType != types.RecordFormatTypeJson || aws.ToString(f.MappingParameters.JSONMappingParameters.RecordRowPath) != "$" {
		t.Errorf("format: %+v", f)
	}
	if len(out.RawInputRecords) != 2 || len(out.ParsedInputRecords) != 2 ||
		!reflect.DeepEqual(out.ParsedInputRecords[1], []string{"AB", "TECH", "1", "84.5", "1", "false", "2026-12-05 19:00:01", "2", "Rome"}) {
		t.Errorf("records: %q %q", out.RawInputRecords, out.ParsedInputRecords)
	}

	out, err = disc("csv")
	if err != nil {
		t.Fatal(err)
	}
	cols = nil
	for _, c := range out.InputSchema.RecordColumns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType))
	}
	if !reflect.DeepEqual(cols, []string{"COL_0 VARCHAR(4)", "COL_1 REAL", "COL_2 INTEGER"}) || out.InputSchema.RecordFormat.RecordFormatType != types.RecordFormatTypeCsv ||
		len(out.ParsedInputRecords) != 3 {
		t.Errorf("csv: %q %+v", cols, out.ParsedInputRecords)
	}

	_, err = disc("empty")
	var unable *types.UnableToDetectSchemaException
	wantError(t, err, "UnableToDetectSchemaException", "No records were found in the stream to determine its schema.")
	put("empty", "not json nor csv")
	_, err = disc("empty")
	wantError(t, err, "UnableToDetectSchemaException", "Unable to determine the schema of the sampled records.")
	if !errorAs(err, &unable) || !reflect.DeepEqual(unable.RawInputRecords, []string{"not json nor csv"}) {
		t.Errorf("RawInputRecords of %v", err)
	}
	_, err = disc("nope")
	wantError(t, err, "InvalidArgumentException", "Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream/nope does not exist.")
}

// TestDiscoverInputSchemaS3 discovers the schema of an S3 object: the
// developer guide's static-data example, whose response it prints.
func TestDiscoverInputSchemaS3(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	disc := func(bucketARN, key string) (*ka.DiscoverInputSchemaOutput, error) {
		return s.kda.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{S3Configuration: &types.S3Configuration{
			RoleARN: aws.String(role), BucketARN: aws.String(bucketARN), FileKey: aws.String(key)}})
	}
	out, err := disc("arn:aws:s3:::ref", "data.csv")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range out.InputSchema.RecordColumns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType))
	}
	want := []string{"COL_year INTEGER", "COL_month INTEGER", "state VARCHAR(4)", "producer_type VARCHAR(64)",
		"energy_source VARCHAR(4)", "units VARCHAR(16)", "consumption INTEGER"}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns\n%q\nwant\n%q", cols, want)
	}
	csv := out.InputSchema.RecordFormat.MappingParameters.CSVMappingParameters
	if out.InputSchema.RecordFormat.RecordFormatType != types.RecordFormatTypeCsv || aws.ToString(csv.RecordRowDelimiter) != "\r\n" ||
		aws.ToString(csv.RecordColumnDelimiter) != "," {
		t.Errorf("format %+v", out.InputSchema.RecordFormat)
	}
	if len(out.RawInputRecords) != 1 || out.RawInputRecords[0] != string(testObjects["ref/data.csv"]) || len(out.ParsedInputRecords) != 6 ||
		!reflect.DeepEqual(out.ParsedInputRecords[1], []string{"2001", "1", "AK", "TotalElectricPowerIndustry", "Coal", "ShortTons", "47615"}) {
		t.Errorf("records %q %q", out.RawInputRecords, out.ParsedInputRecords)
	}
	// The header row's nulls: the SDK reads a null in a list of strings
	// as "".
	if got := out.ParsedInputRecords[0]; !reflect.DeepEqual(got, []string{"", "", "state", "producer_type", "energy_source", "units", ""}) {
		t.Errorf("header row %q", got)
	}

	_, err = disc("arn:aws:s3:::ref", "nope.csv")
	wantError(t, err, "ResourceNotFoundException", "Object nope.csv of bucket ref is not found.")
	_, err = disc("arn:aws:s3:::ref/x", "data.csv")
	wantError(t, err, "InvalidArgumentException", "arn:aws:s3:::ref/x is not the ARN of an S3 bucket.")
}

// TestLimits: three outputs, one reference data source and MaxApplications
// applications at most; a refused change makes no version.
func TestLimits(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	createStream(t, s, "ticks")
	if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("app"),
		Outputs: []types.Output{output("ticks"), output("ticks")}}); err != nil {
		t.Fatal(err)
	}
	name := aws.String("app")
	out := output("ticks")
	if _, err := s.kda.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(1), Output: &out}); err != nil {
		t.Fatal(err)
	}
	_, err := s.kda.AddApplicationOutput(ctx, &ka.AddApplicationOutputInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(2), Output: &out})
	wantError(t, err, "InvalidArgumentException", "Application app already has 3 outputs, the most it can have.")
	ref := &types.ReferenceDataSource{TableName: aws.String("COMPANIES"),
		S3ReferenceDataSource: &types.S3ReferenceDataSource{BucketARN: aws.String("arn:aws:s3:::ref"), FileKey: aws.String("companies.csv"), ReferenceRoleARN: aws.String(role)},
		ReferenceSchema:       schema()}
	if _, err := s.kda.AddApplicationReferenceDataSource(ctx, &ka.AddApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(2), ReferenceDataSource: ref}); err != nil {
		t.Fatal(err)
	}
	_, err = s.kda.AddApplicationReferenceDataSource(ctx, &ka.AddApplicationReferenceDataSourceInput{ApplicationName: name, CurrentApplicationVersionId: aws.Int64(3), ReferenceDataSource: ref})
	wantError(t, err, "InvalidArgumentException", "Application app already has a reference data source; an application uses at most one.")
	if d := describe(t, s, "app"); aws.ToInt64(d.ApplicationVersionId) != 3 || len(d.OutputDescriptions) != 3 || len(d.ReferenceDataSourceDescriptions) != 1 {
		t.Errorf("version %d, %d outputs, %d references", aws.ToInt64(d.ApplicationVersionId), len(d.OutputDescriptions), len(d.ReferenceDataSourceDescriptions))
	}
	for i := 2; i <= 50; i++ {
		if _, err := s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String(fmt.Sprintf("app%02d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.kda.CreateApplication(ctx, &ka.CreateApplicationInput{ApplicationName: aws.String("one-too-many")})
	wantError(t, err, "LimitExceededException", "You can create up to 50 applications in a region.")
}

// TestDiscoverInputSchemaPreprocessed runs the sampled records through a
// Lambda preprocessor and infers the processed records' schema.
func TestDiscoverInputSchemaPreprocessed(t *testing.T) {
	s := startServer(t, openStores(t), nil)
	ctx := testCtx(t)
	createStream(t, s, "processed")
	put := func(recs ...string) {
		for _, r := range recs {
			if _, err := s.kin.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("processed"), PartitionKey: aws.String("k"), Data: []byte(r)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	put("QXZ,HEALTHCARE,-0.05,84.51", "# a comment", "AMZN,TECHNOLOGY,1.38,823.4", "!bad")
	disc := func(fn string) (*ka.DiscoverInputSchemaOutput, error) {
		return s.kda.DiscoverInputSchema(ctx, &ka.DiscoverInputSchemaInput{ResourceARN: aws.String(streamARN("processed")), RoleARN: aws.String(role),
			InputProcessingConfiguration: &types.InputProcessingConfiguration{InputLambdaProcessor: &types.InputLambdaProcessor{
				ResourceARN: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + fn), RoleARN: aws.String(role)}}})
	}
	out, err := disc("csv2json")
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for _, c := range out.InputSchema.RecordColumns {
		cols = append(cols, aws.ToString(c.Name)+" "+aws.ToString(c.SqlType)+" "+aws.ToString(c.Mapping))
	}
	want := []string{"TICKER_SYMBOL VARCHAR(4) $.TICKER_SYMBOL", "SECTOR VARCHAR(16) $.SECTOR", "CHANGE REAL $.CHANGE", "PRICE REAL $.PRICE"}
	if !reflect.DeepEqual(cols, want) {
		t.Errorf("columns\n%q\nwant\n%q", cols, want)
	}
	if !reflect.DeepEqual(out.RawInputRecords, []string{"QXZ,HEALTHCARE,-0.05,84.51", "# a comment", "AMZN,TECHNOLOGY,1.38,823.4", "!bad"}) ||
		!reflect.DeepEqual(out.ProcessedInputRecords, []string{`{"TICKER_SYMBOL":"QXZ","SECTOR":"HEALTHCARE","CHANGE":-0.05,"PRICE":84.51}`,
			`{"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":1.38,"PRICE":823.4}`}) ||
		!reflect.DeepEqual(out.ParsedInputRecords, [][]string{{"QXZ", "HEALTHCARE", "-0.05", "84.51"}, {"AMZN", "TECHNOLOGY", "1.38", "823.4"}}) {
		t.Errorf("raw %q\nprocessed %q\nparsed %q", out.RawInputRecords, out.ProcessedInputRecords, out.ParsedInputRecords)
	}

	_, err = disc("broken")
	wantError(t, err, "UnableToDetectSchemaException", "preprocessing function arn:aws:lambda:us-east-1:000000000000:function:broken failed: Unhandled: boom")
	put("?lost")
	_, err = disc("csv2json")
	code, msg := apiError(err)
	var unable *types.UnableToDetectSchemaException
	if code != "UnableToDetectSchemaException" || !strings.HasPrefix(msg, "preprocessing function arn:aws:lambda:us-east-1:000000000000:function:csv2json did not return record ") ||
		!errorAs(err, &unable) || len(unable.RawInputRecords) != 5 || unable.RawInputRecords[4] != "?lost" {
		t.Errorf("a record left out: %v", err)
	}
}
