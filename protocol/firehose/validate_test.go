package firehose

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

// TestValidate: requests the model refuses, decoded from the wire, with the
// exception and the message the front end answers. The SDKs check required
// members before sending, so these are the cases only a raw request (the
// AWS CLI's, another SDK's) reaches.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		in   interface{ Validate() error }
		body string
		code string
		msg  string
	}{
		{"create-no-name", &CreateDeliveryStreamInput{}, `{}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'deliveryStreamName' failed to satisfy constraint: Member must not be null"},
		{"create-required-nested", &CreateDeliveryStreamInput{},
			`{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"ProcessingConfiguration":{"Processors":[{"Parameters":[{"ParameterName":"LambdaArn","ParameterValue":" "}]}]}}}`,
			eddy.CodeValidation,
			"4 validation errors detected: Value at 'extendedS3DestinationConfiguration.bucketARN' failed to satisfy constraint: Member must not be null; " +
				"Value at 'extendedS3DestinationConfiguration.roleARN' failed to satisfy constraint: Member must not be null; " +
				"Value at 'extendedS3DestinationConfiguration.processingConfiguration.processors.1.member.type' failed to satisfy constraint: Member must not be null; " +
				"Value at 'extendedS3DestinationConfiguration.processingConfiguration.processors.1.member.parameters.1.member.parameterValue' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?!\\s*$).+"},
		{"create-kinesis-no-source", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","DeliveryStreamType":"KinesisStreamAsSource",
			"S3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b"}}`, eddy.CodeInvalidArgument,
			"KinesisStreamSourceConfiguration is required for a delivery stream of type KinesisStreamAsSource."},
		{"create-splunk", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","SplunkDestinationConfiguration":{"HECEndpoint":"h","HECEndpointType":"Raw","S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b"}}}`,
			eddy.CodeInvalidArgument, "Eddy does not support the Splunk, Snowflake and OpenSearch Serverless destinations."},
		{"create-conversion-compressed", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b","CompressionFormat":"GZIP",
			"DataFormatConversionConfiguration":{"SchemaConfiguration":{},"InputFormatConfiguration":{},"OutputFormatConfiguration":{}}}}`,
			eddy.CodeInvalidArgument, "CompressionFormat must be UNCOMPRESSED when data format conversion is enabled."},
		{"create-redshift-zip", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","RedshiftDestinationConfiguration":{"RoleARN":"arn:r","ClusterJDBCURL":"jdbc:redshift://h.redshift.amazonaws.com:5439/db",
			"CopyCommand":{"DataTableName":"t"},"Username":"u","Password":"secret1","S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b","CompressionFormat":"ZIP"}}}`,
			eddy.CodeInvalidArgument, "CompressionFormat ZIP is not supported for a Redshift destination's S3Configuration."},
		{"redshift-password", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","RedshiftDestinationConfiguration":{"RoleARN":"arn:r","ClusterJDBCURL":"jdbc:x",
			"CopyCommand":{"DataTableName":"t"},"Password":"short","S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b"}}}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'redshiftDestinationConfiguration.password' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"http-url", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","HttpEndpointDestinationConfiguration":{"EndpointConfiguration":{"Url":"http://plain"},
			"S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b"},"RetryOptions":{"DurationInSeconds":7201}}}`, eddy.CodeValidation,
			"2 validation errors detected: Value at 'httpEndpointDestinationConfiguration.endpointConfiguration.url' failed to satisfy constraint: Member must satisfy regular expression pattern: https://.*; " +
				"Value at 'httpEndpointDestinationConfiguration.retryOptions.durationInSeconds' failed to satisfy constraint: Member must have value less than or equal to 7200"},
		{"http-url-loopback", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","HttpEndpointDestinationConfiguration":{"EndpointConfiguration":{"Url":"http://127.0.0.1:8080/x"},
			"S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b"}}}`, "", ""},
		{"batch-no-records", &PutRecordBatchInput{}, `{"DeliveryStreamName":"a"}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'records' failed to satisfy constraint: Member must not be null"},
		{"record-no-data", &PutRecordInput{}, `{"DeliveryStreamName":"a","Record":{}}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must not be null"},
		{"untag-keys", &UntagDeliveryStreamInput{}, `{"DeliveryStreamName":"a","TagKeys":["ok","aws:no"]}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^(?!aws:)[\\p{L}\\p{Z}\\p{N}_.:\\/=+\\-@%]*$]"},
		{"update-no-destination", &UpdateDestinationInput{}, `{"DeliveryStreamName":"a","CurrentDeliveryStreamVersionId":"1","DestinationId":"d"}`,
			eddy.CodeInvalidArgument, "A destination update is required."},
		{"encryption-key-type", &StartDeliveryStreamEncryptionInput{}, `{"DeliveryStreamName":"a","DeliveryStreamEncryptionConfigurationInput":{"KeyType":"AWS_OWNED_CMK","KeyARN":"arn:k"}}`,
			eddy.CodeInvalidArgument, "KeyARN must not be specified when KeyType is AWS_OWNED_CMK."},
		{"describe-limit", &DescribeDeliveryStreamInput{}, `{"DeliveryStreamName":"a","Limit":10001}`, eddy.CodeValidation,
			"1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
		{"valid", &CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a.b_c-1","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b","FileExtension":".gz","Prefix":""}}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := json.Unmarshal([]byte(tt.body), tt.in); err != nil {
				t.Fatal(err)
			}
			err := tt.in.Validate()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			e, ok := err.(*eddy.Error)
			if !ok || e.Code != tt.code || e.Message != tt.msg {
				t.Errorf("Validate() = %v\nwant %s: %s", err, tt.code, tt.msg)
			}
		})
	}
}

// TestTooManyViolations: at most ten violations are reported.
func TestTooManyViolations(t *testing.T) {
	var in TagDeliveryStreamInput
	var tags []string
	for i := 0; i < 12; i++ {
		tags = append(tags, `{"Key":"aws:`+strings.Repeat("k", i)+`"}`)
	}
	json.Unmarshal([]byte(`{"DeliveryStreamName":"a","Tags":[`+strings.Join(tags, ",")+`]}`), &in)
	err := in.Validate().(*eddy.Error)
	if !strings.HasPrefix(err.Message, "10 validation errors detected: ") || strings.Count(err.Message, "Value ") != 10 {
		t.Errorf("message: %s", err.Message)
	}
}

// FuzzValidate: Validate never panics on any decodable request.
func FuzzValidate(f *testing.F) {
	f.Add(`{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b","BufferingHints":{"SizeInMBs":0}}}`)
	f.Add(`{"DeliveryStreamName":"a","Records":[{"Data":""}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		for _, in := range []interface{ Validate() error }{&CreateDeliveryStreamInput{}, &PutRecordBatchInput{}, &UpdateDestinationInput{}, &UntagDeliveryStreamInput{}} {
			if json.Unmarshal([]byte(body), in) == nil {
				in.Validate()
			}
		}
	})
}

// TestCreateKeyCheck: CreateDeliveryStream checks its encryption input as
// StartDeliveryStreamEncryption does.
func TestCreateKeyCheck(t *testing.T) {
	var in CreateDeliveryStreamInput
	json.Unmarshal([]byte(`{"DeliveryStreamName":"a","S3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b"},
		"DeliveryStreamEncryptionConfigurationInput":{"KeyType":"CUSTOMER_MANAGED_CMK"}}`), &in)
	err, _ := in.Validate().(*eddy.Error)
	if err == nil || err.Code != eddy.CodeInvalidArgument || err.Message != "KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK." {
		t.Errorf("Validate() = %v", err)
	}
}

// TestBufferingHintsTogether: SizeInMBs and IntervalInSeconds come together
// or not at all, in every destination's hints, on create and update.
func TestBufferingHintsTogether(t *testing.T) {
	for _, tt := range []struct {
		in   interface{ Validate() error }
		body string
		want string
	}{
		{&CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b","BufferingHints":{"SizeInMBs":64}}}`,
			"If you specify a value for SizeInMBs in BufferingHints, you must also specify a value for IntervalInSeconds, and vice versa."},
		{&CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","HttpEndpointDestinationConfiguration":{"EndpointConfiguration":{"Url":"https://x"},
			"BufferingHints":{"IntervalInSeconds":60},"S3Configuration":{"RoleARN":"arn:r","BucketARN":"arn:b"}}}`,
			"If you specify a value for SizeInMBs in HttpEndpointBufferingHints, you must also specify a value for IntervalInSeconds, and vice versa."},
		{&UpdateDestinationInput{}, `{"DeliveryStreamName":"a","CurrentDeliveryStreamVersionId":"1","DestinationId":"d",
			"ExtendedS3DestinationUpdate":{"S3BackupUpdate":{"BufferingHints":{"SizeInMBs":1}}}}`,
			"If you specify a value for SizeInMBs in BufferingHints, you must also specify a value for IntervalInSeconds, and vice versa."},
		{&CreateDeliveryStreamInput{}, `{"DeliveryStreamName":"a","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:r","BucketARN":"arn:b","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0}}}`, ""},
	} {
		json.Unmarshal([]byte(tt.body), tt.in)
		err := tt.in.Validate()
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.body, err)
			}
			continue
		}
		if e, ok := err.(*eddy.Error); !ok || e.Code != eddy.CodeInvalidArgument || e.Message != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.body, err, tt.want)
		}
	}
}
