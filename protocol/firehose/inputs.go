package firehose

import (
	"reflect"
	"strings"
)

// Validate methods of every operation's input: the model's constraints
// (validate.go), then the checks the service makes before it looks at its
// state, answered with InvalidArgumentException. Where no recording of
// AWS's wording for such a check was found, the message is Eddy's and the
// comment says so.

// Destination types, as Eddy names them in its own messages and in
// Destination.Type.
const (
	DestExtendedS3    = "ExtendedS3"
	DestS3            = "S3"
	DestRedshift      = "Redshift"
	DestElasticsearch = "Elasticsearch"
	DestOpenSearch    = "Amazonopensearchservice"
	DestHTTPEndpoint  = "HttpEndpoint"
	DestIceberg       = "Iceberg"
)

// Delivery stream types (the model's DeliveryStreamType enum).
const (
	TypeDirectPut             = "DirectPut"
	TypeKinesisStreamAsSource = "KinesisStreamAsSource"
)

// Validate implements the request's checks.
func (in *CreateDeliveryStreamInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	// Eddy's words: no recording of AWS's answer to these was found.
	switch in.DeliveryStreamType {
	case "", TypeDirectPut:
		if in.KinesisStreamSourceConfiguration != nil {
			return invalidArgument("KinesisStreamSourceConfiguration is only allowed for a delivery stream of type KinesisStreamAsSource.")
		}
	case TypeKinesisStreamAsSource:
		if in.KinesisStreamSourceConfiguration == nil {
			return invalidArgument("KinesisStreamSourceConfiguration is required for a delivery stream of type KinesisStreamAsSource.")
		}
		if in.DeliveryStreamEncryptionConfigurationInput != nil {
			// The model's documentation of StartDeliveryStreamEncryption:
			// "You can enable SSE for a delivery stream only if it's a
			// delivery stream that uses DirectPut as its source."
			return invalidArgument("Server-side encryption is only supported for a delivery stream of type DirectPut.")
		}
	default:
		return invalidArgument("Eddy does not support delivery stream type " + in.DeliveryStreamType + ".")
	}
	if err := checkKey(in.DeliveryStreamEncryptionConfigurationInput); err != nil {
		return err
	}
	if in.MSKSourceConfiguration != nil || in.DatabaseSourceConfiguration != nil {
		return invalidArgument("Eddy does not support MSK or database sources.")
	}
	if in.SplunkDestinationConfiguration != nil || in.SnowflakeDestinationConfiguration != nil ||
		in.AmazonOpenSearchServerlessDestinationConfiguration != nil {
		return invalidArgument("Eddy does not support the Splunk, Snowflake and OpenSearch Serverless destinations.")
	}
	n := 0
	for _, set := range []bool{in.ExtendedS3DestinationConfiguration != nil, in.S3DestinationConfiguration != nil,
		in.RedshiftDestinationConfiguration != nil, in.ElasticsearchDestinationConfiguration != nil,
		in.AmazonopensearchserviceDestinationConfiguration != nil, in.HttpEndpointDestinationConfiguration != nil,
		in.IcebergDestinationConfiguration != nil} {
		if set {
			n++
		}
	}
	// The model's documentation of CreateDeliveryStream: "You must
	// specify only one of the following destination configuration
	// parameters". The words of the answer are Eddy's.
	switch {
	case n == 0:
		return invalidArgument("A destination configuration is required.")
	case n > 1:
		return invalidArgument("Only one destination configuration may be specified.")
	}
	if err := checkBufferingHints(in); err != nil {
		return err
	}
	if s3 := in.ExtendedS3DestinationConfiguration; s3 != nil {
		if err := checkExtendedS3(s3.S3BackupMode, s3.S3BackupConfiguration != nil, s3.DataFormatConversionConfiguration, s3.CompressionFormat, s3.BufferingHints); err != nil {
			return err
		}
	}
	if r := in.RedshiftDestinationConfiguration; r != nil {
		if err := checkRedshiftCompression(r.S3Configuration); err != nil {
			return err
		}
	}
	return nil
}

// checkExtendedS3 checks what the model's documentation says of an
// ExtendedS3 destination. Eddy's words.
func checkExtendedS3(backupMode string, hasBackup bool, conv *DataFormatConversionConfiguration, compression string, hints *BufferingHints) error {
	if backupMode == "Enabled" && !hasBackup {
		return invalidArgument("S3BackupConfiguration is required when S3BackupMode is Enabled.")
	}
	if conv != nil && (conv.Enabled == nil || *conv.Enabled) {
		// DataFormatConversionConfiguration: SchemaConfiguration,
		// InputFormatConfiguration and OutputFormatConfiguration are
		// "required if Enabled is set to true" (it defaults to true).
		if conv.SchemaConfiguration == nil || conv.InputFormatConfiguration == nil || conv.OutputFormatConfiguration == nil {
			return invalidArgument("DataFormatConversionConfiguration needs SchemaConfiguration, InputFormatConfiguration and OutputFormatConfiguration when enabled.")
		}
		// Deserializer and Serializer: "If both are non-null, the server
		// rejects the request."
		if d := conv.InputFormatConfiguration.Deserializer; d != nil && d.OpenXJsonSerDe != nil && d.HiveJsonSerDe != nil {
			return invalidArgument("Deserializer may name only one of OpenXJsonSerDe and HiveJsonSerDe.")
		}
		if s := conv.OutputFormatConfiguration.Serializer; s != nil && s.ParquetSerDe != nil && s.OrcSerDe != nil {
			return invalidArgument("Serializer may name only one of ParquetSerDe and OrcSerDe.")
		}
		// With conversion enabled, the real service refuses a
		// CompressionFormat other than UNCOMPRESSED (the serializer
		// compresses) and an explicit SizeInMBs below 64, with
		// InvalidArgumentException (probed in 2026, floci-io/floci pull
		// 3236; the messages are Eddy's: the pull request does not quote
		// AWS's).
		if compression != "" && compression != "UNCOMPRESSED" {
			return invalidArgument("CompressionFormat must be UNCOMPRESSED when data format conversion is enabled.")
		}
		if hints != nil && hints.SizeInMBs != nil && *hints.SizeInMBs < 64 {
			return invalidArgument("BufferingHints.SizeInMBs must be at least 64 when data format conversion is enabled.")
		}
	}
	return nil
}

// checkBufferingHints: "This parameter is optional but if you specify a
// value for it, you must also specify a value for IntervalInSeconds, and
// vice versa." (the model's documentation of BufferingHints.SizeInMBs, and
// of every destination's buffering hints). It walks every buffering hints
// structure of the request. Eddy's words.
func checkBufferingHints(in any) error {
	var bad string
	walkHints(reflect.ValueOf(in), func(name string, size, interval bool) {
		if bad == "" && size != interval {
			bad = name
		}
	})
	if bad != "" {
		return invalidArgument("If you specify a value for SizeInMBs in " + bad + ", you must also specify a value for IntervalInSeconds, and vice versa.")
	}
	return nil
}

// walkHints calls fn for every *BufferingHints structure under v, with
// whether its SizeInMBs and IntervalInSeconds are set.
func walkHints(v reflect.Value, fn func(name string, size, interval bool)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkHints(v.Elem(), fn)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkHints(v.Index(i), fn)
		}
	case reflect.Struct:
		t := v.Type()
		if strings.HasSuffix(t.Name(), "BufferingHints") {
			size, interval := v.FieldByName("SizeInMBs"), v.FieldByName("IntervalInSeconds")
			if size.IsValid() && interval.IsValid() {
				fn(t.Name(), !size.IsNil(), !interval.IsNil())
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			walkHints(v.Field(i), fn)
		}
	}
}

// checkRedshiftCompression: "The compression formats SNAPPY or ZIP cannot
// be specified in RedshiftDestinationConfiguration.S3Configuration"
// (CreateDeliveryStream's documentation). Eddy's words.
func checkRedshiftCompression(s3 *S3DestinationConfiguration) error {
	if s3 == nil {
		return nil
	}
	switch s3.CompressionFormat {
	case "Snappy", "ZIP", "HADOOP_SNAPPY":
		return invalidArgument("CompressionFormat " + s3.CompressionFormat + " is not supported for a Redshift destination's S3Configuration.")
	}
	return nil
}

// Validate implements the request's checks.
func (in *DeleteDeliveryStreamInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *DescribeDeliveryStreamInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *ListDeliveryStreamsInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *ListTagsForDeliveryStreamInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *PutRecordInput) Validate() error { return validate(in) }

// Validate implements the request's checks: the model's, then the 4 MiB
// limit on a call's records ("Records size exceeds 4 MB limit", the
// answer recorded in osquery issue 3568; InvalidArgumentException as
// Kinesis's PutRecords answers its own size limit, the code was not
// recorded).
func (in *PutRecordBatchInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	total := 0
	for i := range in.Records {
		total += len(in.Records[i].Data)
	}
	if total > MaxBatchBytes {
		return invalidArgument("Records size exceeds 4 MB limit")
	}
	return nil
}

// Validate implements the request's checks.
func (in *StartDeliveryStreamEncryptionInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	return checkKey(in.DeliveryStreamEncryptionConfigurationInput)
}

// checkKey: "If you set KeyType to CUSTOMER_MANAGED_CMK, you must specify
// the Amazon Resource Name (ARN) of the CMK" (the model's documentation of
// DeliveryStreamEncryptionConfigurationInput.KeyARN). Eddy's words.
func checkKey(k *DeliveryStreamEncryptionConfigurationInput) error {
	if k == nil {
		return nil
	}
	if k.KeyType == "CUSTOMER_MANAGED_CMK" && k.KeyARN == nil {
		return invalidArgument("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.")
	}
	if k.KeyType == "AWS_OWNED_CMK" && k.KeyARN != nil {
		return invalidArgument("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.")
	}
	return nil
}

// Validate implements the request's checks.
func (in *StopDeliveryStreamEncryptionInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *TagDeliveryStreamInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *UntagDeliveryStreamInput) Validate() error { return validate(in) }

// Validate implements the request's checks.
func (in *UpdateDestinationInput) Validate() error {
	if err := validate(in); err != nil {
		return err
	}
	if in.SplunkDestinationUpdate != nil || in.SnowflakeDestinationUpdate != nil || in.AmazonOpenSearchServerlessDestinationUpdate != nil {
		return invalidArgument("Eddy does not support the Splunk, Snowflake and OpenSearch Serverless destinations.")
	}
	n := 0
	for _, set := range []bool{in.ExtendedS3DestinationUpdate != nil, in.S3DestinationUpdate != nil,
		in.RedshiftDestinationUpdate != nil, in.ElasticsearchDestinationUpdate != nil,
		in.AmazonopensearchserviceDestinationUpdate != nil, in.HttpEndpointDestinationUpdate != nil,
		in.IcebergDestinationUpdate != nil} {
		if set {
			n++
		}
	}
	// Eddy's words.
	switch {
	case n == 0:
		return invalidArgument("A destination update is required.")
	case n > 1:
		return invalidArgument("Only one destination update may be specified.")
	}
	return checkBufferingHints(in)
}

// StreamName returns the delivery stream a request addresses, or "", for
// the request log.
func StreamName(in any) string {
	if n, ok := in.(interface{ streamName() *string }); ok {
		return Deref(n.streamName())
	}
	return ""
}

func (in *CreateDeliveryStreamInput) streamName() *string          { return in.DeliveryStreamName }
func (in *DeleteDeliveryStreamInput) streamName() *string          { return in.DeliveryStreamName }
func (in *DescribeDeliveryStreamInput) streamName() *string        { return in.DeliveryStreamName }
func (in *PutRecordInput) streamName() *string                     { return in.DeliveryStreamName }
func (in *PutRecordBatchInput) streamName() *string                { return in.DeliveryStreamName }
func (in *UpdateDestinationInput) streamName() *string             { return in.DeliveryStreamName }
func (in *TagDeliveryStreamInput) streamName() *string             { return in.DeliveryStreamName }
func (in *UntagDeliveryStreamInput) streamName() *string           { return in.DeliveryStreamName }
func (in *ListTagsForDeliveryStreamInput) streamName() *string     { return in.DeliveryStreamName }
func (in *StartDeliveryStreamEncryptionInput) streamName() *string { return in.DeliveryStreamName }
func (in *StopDeliveryStreamEncryptionInput) streamName() *string  { return in.DeliveryStreamName }
