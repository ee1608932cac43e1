package kds

// Channels deliver a stream's records to Amazon S3 or S3 Tables:
// CreateChannel, DescribeChannel, ListChannels, UpdateChannel,
// DeleteChannel. They are the newest part of the model (SDK v1.50.0).
//
// The constraints of the channel shapes are those of the Kinesis API
// reference pages (API_ChannelDescription, API_S3StorageConfiguration):
// ChannelName 1-128 [a-zA-Z0-9_.-]+, ChannelARN 1-2048
// arn:aws.*:kinesis:.*:\d{12}:channel/\S+, BucketARN 1-2048
// arn:aws[-a-z0-9]*:s3:::[a-z0-9._-]{3,63}, ExpectedBucketOwner 12 digits,
// OutputKeyTemplate 1-1024 [0-9A-Za-z!\-_'.*()\/=:{}]+; and
// DataFreshnessInSeconds 300-900 ("Valid range is 300 to 900 seconds":
// the SDK for Ruby's S3DestinationUpdateInput; the developer guide's "Data
// delivery concepts"). The other channel shapes (RoleARN, prefixes, table
// names, GSRSchemaARN, ListChannelsInputLimit, ...) carry constraints in
// the service model that no source available to this package spells out,
// so Validate checks only presence and enum values for them.

var (
	shapeChannelName       = newStringShape(between(1, 128), `[a-zA-Z0-9_.-]+`)
	shapeChannelARN        = newStringShape(between(1, 2048), `arn:aws.*:kinesis:.*:\d{12}:channel/\S+`)
	shapeBucketARN         = newStringShape(between(1, 2048), `arn:aws[-a-z0-9]*:s3:::[a-z0-9._-]{3,63}`)
	shapeBucketOwner       = newStringShape(between(12, 12), `\d{12}`)
	shapeOutputKeyTemplate = newStringShape(between(1, 1024), `[0-9A-Za-z!\-_'.*()\/=:{}]+`)
	rangeDataFreshness     = between(300, 900)
)

// ChannelStatus is the state of a channel.
type ChannelStatus string

// ChannelStatus values.
const (
	ChannelStatusCreating ChannelStatus = "CREATING"
	ChannelStatusActive   ChannelStatus = "ACTIVE"
	ChannelStatusUpdating ChannelStatus = "UPDATING"
	ChannelStatusDeleting ChannelStatus = "DELETING"
	ChannelStatusFailed   ChannelStatus = "FAILED"
)

// ChannelDestinationType is where a channel delivers.
type ChannelDestinationType string

// ChannelDestinationType values.
const (
	ChannelDestinationTypeS3       ChannelDestinationType = "S3"
	ChannelDestinationTypeS3Tables ChannelDestinationType = "S3_TABLES"
)

// ChannelEncryptionType is the encryption of delivered data.
type ChannelEncryptionType string

// ChannelEncryptionType values.
const (
	ChannelEncryptionTypeKMS ChannelEncryptionType = "KMS"
)

// RecordFormatType is how a channel reads record data.
type RecordFormatType string

// RecordFormatType values.
const (
	RecordFormatTypeGSRJSON   RecordFormatType = "GSR_JSON"
	RecordFormatTypeJSON      RecordFormatType = "JSON"
	RecordFormatTypeString    RecordFormatType = "STRING"
	RecordFormatTypeByteArray RecordFormatType = "BYTE_ARRAY"
)

// S3CompressionType is the compression of objects written to S3.
type S3CompressionType string

// S3CompressionType values.
const (
	S3CompressionTypeNone S3CompressionType = "NONE"
	S3CompressionTypeGzip S3CompressionType = "GZIP"
	S3CompressionTypeZstd S3CompressionType = "ZSTD"
)

// S3StorageClass is the storage class of objects written to S3.
type S3StorageClass string

// S3StorageClass values.
const (
	S3StorageClassStandard           S3StorageClass = "STANDARD"
	S3StorageClassIntelligentTiering S3StorageClass = "INTELLIGENT_TIERING"
	S3StorageClassGlacierIR          S3StorageClass = "GLACIER_IR"
)

// S3TablesCompressionType is the compression of data written to S3 Tables.
type S3TablesCompressionType string

// S3TablesCompressionType values.
const (
	S3TablesCompressionTypeNone   S3TablesCompressionType = "NONE"
	S3TablesCompressionTypeZstd   S3TablesCompressionType = "ZSTD"
	S3TablesCompressionTypeSnappy S3TablesCompressionType = "SNAPPY"
)

// PartitionTransform is how a table partition is derived from a field.
type PartitionTransform string

// PartitionTransform values.
const (
	PartitionTransformTimeHour PartitionTransform = "TIME_HOUR"
)

var (
	enumChannelEncryption = enumOf(ChannelEncryptionTypeKMS)
	enumRecordFormat      = enumOf(RecordFormatTypeGSRJSON, RecordFormatTypeJSON, RecordFormatTypeString, RecordFormatTypeByteArray)
	enumS3Compression     = enumOf(S3CompressionTypeNone, S3CompressionTypeGzip, S3CompressionTypeZstd)
	enumS3StorageClass    = enumOf(S3StorageClassStandard, S3StorageClassIntelligentTiering, S3StorageClassGlacierIR)
	enumTablesCompression = enumOf(S3TablesCompressionTypeNone, S3TablesCompressionTypeZstd, S3TablesCompressionTypeSnappy)
	enumTransform         = enumOf(PartitionTransformTimeHour)
)

// CreateChannelInput is the request of CreateChannel. Exactly one of
// S3DestinationConfiguration and S3TablesDestinationConfiguration is
// expected, which the service checks.
type CreateChannelInput struct {
	ChannelName                      *string                           `json:"ChannelName,omitempty"`
	ServiceExecutionRoleARN          *string                           `json:"ServiceExecutionRoleARN,omitempty"`
	StreamConfigurationList          []ChannelStreamConfiguration      `json:"StreamConfigurationList,omitzero"`
	S3DestinationConfiguration       *S3DestinationConfiguration       `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *S3TablesDestinationConfiguration `json:"S3TablesDestinationConfiguration,omitempty"`
	EncryptionConfiguration          *ChannelEncryptionConfiguration   `json:"EncryptionConfiguration,omitempty"`
	Tags                             map[string]string                 `json:"Tags,omitzero"`
	LoggingConfiguration             *ChannelLoggingConfiguration      `json:"LoggingConfiguration,omitempty"`
}

// CreateChannelOutput is the response of CreateChannel.
type CreateChannelOutput struct {
	ChannelDescription ChannelDescription `json:"ChannelDescription"`
}

// Validate checks the known model constraints.
func (in *CreateChannelInput) Validate() error {
	var v violations
	v.str("channelName", in.ChannelName, true, shapeChannelName)
	if c := in.EncryptionConfiguration; v.required("encryptionConfiguration", c != nil, false) {
		enum(&v, "encryptionConfiguration.encryptionType", c.EncryptionType, true, enumChannelEncryption)
		v.str("encryptionConfiguration.keyId", c.KeyId, true, shapeKeyID)
	}
	if c := in.LoggingConfiguration; v.required("loggingConfiguration", c != nil, false) {
		if l := c.CloudWatchLogs; v.required("loggingConfiguration.cloudWatchLogs", l != nil, true) {
			v.required("loggingConfiguration.cloudWatchLogs.enabled", l.Enabled != nil, true)
		}
	}
	if c := in.S3DestinationConfiguration; v.required("s3DestinationConfiguration", c != nil, false) {
		num(&v, "s3DestinationConfiguration.dataFreshnessInSeconds", c.DataFreshnessInSeconds, false, rangeDataFreshness)
		c.DeadLetterQueueS3Configuration.validate(&v, "s3DestinationConfiguration.deadLetterQueueS3Configuration", false)
		c.StorageConfiguration.validate(&v, "s3DestinationConfiguration.storageConfiguration")
	}
	if c := in.S3TablesDestinationConfiguration; v.required("s3TablesDestinationConfiguration", c != nil, false) {
		const p = "s3TablesDestinationConfiguration"
		num(&v, p+".dataFreshnessInSeconds", c.DataFreshnessInSeconds, false, rangeDataFreshness)
		c.DeadLetterQueueS3Configuration.validate(&v, p+".deadLetterQueueS3Configuration", true)
		validateTablesList(&v, p+".s3TablesConfigurationList", c.S3TablesConfigurationList)
	}
	v.str("serviceExecutionRoleARN", in.ServiceExecutionRoleARN, true, shapeUnconstrained)
	if v.listLength("streamConfigurationList", in.StreamConfigurationList != nil, len(in.StreamConfigurationList), true, bounds{}, nil) {
		for i, c := range in.StreamConfigurationList {
			p := member("streamConfigurationList", i)
			c.RecordConfiguration.validate(&v, p+".recordConfiguration")
			v.str(p+".streamARN", c.StreamARN, true, shapeStreamARN)
		}
	}
	v.strMap("tags", in.Tags, false, lenTagMap, shapeTagKey, shapeTagValue)
	return v.err()
}

func validateTablesList(v *violations, path string, l []S3TablesConfiguration) {
	if !v.listLength(path, l != nil, len(l), true, bounds{}, nil) {
		return
	}
	for i, c := range l {
		p := member(path, i)
		enum(v, p+".compressionType", c.CompressionType, true, enumTablesCompression)
		v.str(p+".namespace", c.Namespace, true, shapeUnconstrained)
		if s := c.PartitionSpec; v.required(p+".partitionSpec", s != nil, false) {
			if v.listLength(p+".partitionSpec.partitionFields", s.PartitionFields != nil, len(s.PartitionFields), true, bounds{}, nil) {
				for j, f := range s.PartitionFields {
					fp := member(p+".partitionSpec.partitionFields", j)
					v.str(fp+".sourceName", f.SourceName, true, shapeUnconstrained)
					enum(v, fp+".transform", f.Transform, true, enumTransform)
				}
			}
		}
		v.str(p+".tableBucketARN", c.TableBucketARN, true, shapeUnconstrained)
		v.str(p+".tableName", c.TableName, true, shapeUnconstrained)
	}
}

// DescribeChannelInput is the request of DescribeChannel.
type DescribeChannelInput struct {
	ChannelARN *string `json:"ChannelARN,omitempty"`
}

// DescribeChannelOutput is the response of DescribeChannel.
type DescribeChannelOutput struct {
	ChannelDescription ChannelDescription `json:"ChannelDescription"`
}

// Validate checks the known model constraints.
func (in *DescribeChannelInput) Validate() error {
	var v violations
	v.str("channelARN", in.ChannelARN, true, shapeChannelARN)
	return v.err()
}

// DeleteChannelInput is the request of DeleteChannel.
type DeleteChannelInput struct {
	ChannelARN *string `json:"ChannelARN,omitempty"`
}

// DeleteChannelOutput is the response of DeleteChannel: empty.
type DeleteChannelOutput struct{}

// Validate checks the known model constraints.
func (in *DeleteChannelInput) Validate() error {
	var v violations
	v.str("channelARN", in.ChannelARN, true, shapeChannelARN)
	return v.err()
}

// ListChannelsInput is the request of ListChannels.
type ListChannelsInput struct {
	StreamFilter []StreamFilter `json:"StreamFilter,omitzero"`
	MaxResults   *int32         `json:"MaxResults,omitempty"`
	NextToken    *string        `json:"NextToken,omitempty"`
}

// ListChannelsOutput is the response of ListChannels. ChannelSummaries must
// not be nil.
type ListChannelsOutput struct {
	ChannelSummaries []ChannelSummary `json:"ChannelSummaries"`
	NextToken        *string          `json:"NextToken,omitempty"`
}

// Validate checks the known model constraints.
func (in *ListChannelsInput) Validate() error {
	var v violations
	v.str("nextToken", in.NextToken, false, shapeNextToken)
	for i, f := range in.StreamFilter {
		v.str(member("streamFilter", i)+".streamARN", f.StreamARN, true, shapeStreamARN)
	}
	return v.err()
}

// UpdateChannelInput is the request of UpdateChannel.
type UpdateChannelInput struct {
	ChannelARN                       *string                         `json:"ChannelARN,omitempty"`
	S3DestinationConfiguration       *S3DestinationUpdateInput       `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *S3TablesDestinationUpdateInput `json:"S3TablesDestinationConfiguration,omitempty"`
	LoggingConfiguration             *ChannelLoggingUpdateInput      `json:"LoggingConfiguration,omitempty"`
}

// UpdateChannelOutput is the response of UpdateChannel.
type UpdateChannelOutput struct {
	ChannelDescription ChannelDescription `json:"ChannelDescription"`
}

// Validate checks the known model constraints.
func (in *UpdateChannelInput) Validate() error {
	var v violations
	v.str("channelARN", in.ChannelARN, true, shapeChannelARN)
	if c := in.LoggingConfiguration; v.required("loggingConfiguration", c != nil, false) {
		if l := c.CloudWatchLogs; v.required("loggingConfiguration.cloudWatchLogs", l != nil, true) {
			v.required("loggingConfiguration.cloudWatchLogs.enabled", l.Enabled != nil, true)
		}
	}
	if c := in.S3DestinationConfiguration; v.required("s3DestinationConfiguration", c != nil, false) {
		num(&v, "s3DestinationConfiguration.dataFreshnessInSeconds", c.DataFreshnessInSeconds, true, rangeDataFreshness)
	}
	if c := in.S3TablesDestinationConfiguration; v.required("s3TablesDestinationConfiguration", c != nil, false) {
		num(&v, "s3TablesDestinationConfiguration.dataFreshnessInSeconds", c.DataFreshnessInSeconds, true, rangeDataFreshness)
	}
	return v.err()
}

// ChannelDescription describes a channel.
type ChannelDescription struct {
	ChannelName                      string                          `json:"ChannelName"`
	ChannelARN                       string                          `json:"ChannelARN"`
	ChannelId                        string                          `json:"ChannelId"`
	ChannelStatus                    ChannelStatus                   `json:"ChannelStatus"`
	ChannelStatusReason              *string                         `json:"ChannelStatusReason,omitempty"`
	ChannelCreationTimestamp         Timestamp                       `json:"ChannelCreationTimestamp"`
	ServiceExecutionRoleARN          string                          `json:"ServiceExecutionRoleARN"`
	StreamConfigurationList          []ChannelStreamDescription      `json:"StreamConfigurationList"`
	S3DestinationConfiguration       *S3DestinationDescription       `json:"S3DestinationConfiguration,omitempty"`
	S3TablesDestinationConfiguration *S3TablesDestinationDescription `json:"S3TablesDestinationConfiguration,omitempty"`
	EncryptionConfiguration          *ChannelEncryptionConfiguration `json:"EncryptionConfiguration,omitempty"`
	LoggingConfiguration             ChannelLoggingConfiguration     `json:"LoggingConfiguration"`
}

// ChannelSummary is one channel of ListChannels.
type ChannelSummary struct {
	ChannelName              string                    `json:"ChannelName"`
	ChannelARN               string                    `json:"ChannelARN"`
	ChannelId                string                    `json:"ChannelId"`
	ChannelStatus            ChannelStatus             `json:"ChannelStatus"`
	ChannelStatusReason      *string                   `json:"ChannelStatusReason,omitempty"`
	ChannelCreationTimestamp Timestamp                 `json:"ChannelCreationTimestamp"`
	ChannelDestinationType   ChannelDestinationType    `json:"ChannelDestinationType"`
	Streams                  []ChannelStreamIdentifier `json:"Streams"`
}

// ChannelStreamIdentifier names a source stream of a channel.
type ChannelStreamIdentifier struct {
	StreamARN               string    `json:"StreamARN"`
	StreamCreationTimestamp Timestamp `json:"StreamCreationTimestamp"`
}

// ChannelStreamConfiguration is a source stream of a new channel.
type ChannelStreamConfiguration struct {
	StreamARN           *string              `json:"StreamARN"`
	RecordConfiguration *RecordConfiguration `json:"RecordConfiguration"`
}

// ChannelStreamDescription is a source stream of a channel.
type ChannelStreamDescription struct {
	StreamARN               string              `json:"StreamARN"`
	StreamCreationTimestamp Timestamp           `json:"StreamCreationTimestamp"`
	RecordConfiguration     RecordConfiguration `json:"RecordConfiguration"`
}

// RecordConfiguration says how a channel reads a stream's records.
type RecordConfiguration struct {
	RecordFormatType *RecordFormatType `json:"RecordFormatType"`
	GSRSchemaARN     *string           `json:"GSRSchemaARN,omitempty"`
}

func (c *RecordConfiguration) validate(v *violations, path string) {
	if v.required(path, c != nil, true) {
		enum(v, path+".recordFormatType", c.RecordFormatType, true, enumRecordFormat)
	}
}

// ChannelEncryptionConfiguration is the KMS key a channel encrypts with.
type ChannelEncryptionConfiguration struct {
	EncryptionType *ChannelEncryptionType `json:"EncryptionType"`
	KeyId          *string                `json:"KeyId"`
}

// ChannelLoggingConfiguration is a channel's CloudWatch Logs setting.
type ChannelLoggingConfiguration struct {
	CloudWatchLogs *CloudWatchLogs `json:"CloudWatchLogs"`
}

// CloudWatchLogs is where a channel logs.
type CloudWatchLogs struct {
	Enabled       *bool   `json:"Enabled"`
	LogGroupName  *string `json:"LogGroupName,omitempty"`
	LogStreamName *string `json:"LogStreamName,omitempty"`
}

// ChannelLoggingUpdateInput changes a channel's CloudWatch Logs setting.
type ChannelLoggingUpdateInput struct {
	CloudWatchLogs *CloudWatchLogsUpdateInput `json:"CloudWatchLogs"`
}

// CloudWatchLogsUpdateInput changes where a channel logs.
type CloudWatchLogsUpdateInput struct {
	Enabled       *bool   `json:"Enabled"`
	LogGroupName  *string `json:"LogGroupName,omitempty"`
	LogStreamName *string `json:"LogStreamName,omitempty"`
}

// S3DestinationConfiguration is delivery to a general purpose S3 bucket.
type S3DestinationConfiguration struct {
	DataFreshnessInSeconds         *int32                          `json:"DataFreshnessInSeconds,omitempty"`
	DeadLetterQueueS3Configuration *DeadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration,omitempty"`
	StorageConfiguration           *S3StorageConfiguration         `json:"StorageConfiguration"`
}

// S3DestinationDescription is a channel's delivery to S3.
type S3DestinationDescription struct {
	DataFreshnessInSeconds         int32                          `json:"DataFreshnessInSeconds"`
	DeadLetterQueueS3Configuration DeadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration"`
	StorageConfiguration           S3StorageConfiguration         `json:"StorageConfiguration"`
}

// S3DestinationUpdateInput changes a channel's delivery to S3.
type S3DestinationUpdateInput struct {
	DataFreshnessInSeconds *int32 `json:"DataFreshnessInSeconds"`
}

// S3StorageConfiguration is the bucket and object settings of S3 delivery.
type S3StorageConfiguration struct {
	BucketARN           *string            `json:"BucketARN"`
	ExpectedBucketOwner *string            `json:"ExpectedBucketOwner"`
	OutputKeyTemplate   *string            `json:"OutputKeyTemplate,omitempty"`
	StorageClass        *S3StorageClass    `json:"StorageClass,omitempty"`
	CompressionType     *S3CompressionType `json:"CompressionType"`
}

func (c *S3StorageConfiguration) validate(v *violations, path string) {
	if !v.required(path, c != nil, true) {
		return
	}
	v.str(path+".bucketARN", c.BucketARN, true, shapeBucketARN)
	enum(v, path+".compressionType", c.CompressionType, true, enumS3Compression)
	v.str(path+".expectedBucketOwner", c.ExpectedBucketOwner, true, shapeBucketOwner)
	v.str(path+".outputKeyTemplate", c.OutputKeyTemplate, false, shapeOutputKeyTemplate)
	enum(v, path+".storageClass", c.StorageClass, false, enumS3StorageClass)
}

// DeadLetterQueueS3Configuration is where undeliverable records go.
type DeadLetterQueueS3Configuration struct {
	BucketARN           *string `json:"BucketARN"`
	ExpectedBucketOwner *string `json:"ExpectedBucketOwner"`
	ErrorOutputPrefix   *string `json:"ErrorOutputPrefix,omitempty"`
}

func (c *DeadLetterQueueS3Configuration) validate(v *violations, path string, req bool) {
	if !v.required(path, c != nil, req) {
		return
	}
	v.str(path+".bucketARN", c.BucketARN, true, shapeBucketARN)
	v.str(path+".expectedBucketOwner", c.ExpectedBucketOwner, true, shapeBucketOwner)
}

// S3TablesDestinationConfiguration is delivery to S3 Tables.
type S3TablesDestinationConfiguration struct {
	DataFreshnessInSeconds         *int32                          `json:"DataFreshnessInSeconds,omitempty"`
	DeadLetterQueueS3Configuration *DeadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration"`
	S3TablesConfigurationList      []S3TablesConfiguration         `json:"S3TablesConfigurationList"`
}

// S3TablesDestinationDescription is a channel's delivery to S3 Tables.
type S3TablesDestinationDescription struct {
	DataFreshnessInSeconds         int32                          `json:"DataFreshnessInSeconds"`
	DeadLetterQueueS3Configuration DeadLetterQueueS3Configuration `json:"DeadLetterQueueS3Configuration"`
	S3TablesConfigurationList      []S3TablesConfiguration        `json:"S3TablesConfigurationList"`
}

// S3TablesDestinationUpdateInput changes a channel's delivery to S3 Tables.
type S3TablesDestinationUpdateInput struct {
	DataFreshnessInSeconds *int32 `json:"DataFreshnessInSeconds"`
}

// S3TablesConfiguration is one destination table.
type S3TablesConfiguration struct {
	TableBucketARN  *string                  `json:"TableBucketARN"`
	Namespace       *string                  `json:"Namespace"`
	TableName       *string                  `json:"TableName"`
	CompressionType *S3TablesCompressionType `json:"CompressionType"`
	PartitionSpec   *PartitionSpec           `json:"PartitionSpec,omitempty"`
}

// PartitionSpec is the partitioning of a destination table.
type PartitionSpec struct {
	PartitionFields []PartitionField `json:"PartitionFields"`
}

// PartitionField is one partition field of a destination table.
type PartitionField struct {
	Transform  *PartitionTransform `json:"Transform"`
	SourceName *string             `json:"SourceName"`
}

// StreamFilter selects the channels of a stream in ListChannels.
type StreamFilter struct {
	StreamARN               *string    `json:"StreamARN"`
	StreamCreationTimestamp *Timestamp `json:"StreamCreationTimestamp,omitempty"`
}
