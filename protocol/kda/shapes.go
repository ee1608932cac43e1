package kda

// The structures of the model, members in service-2.json's order. The v
// tag holds the member's constraints from the model: req (required),
// len=min:max (string or list length; max may be empty), val=min:max
// (numbers), pat=<name> (a pattern of patterns in validate.go), enum=<name>
// (an enum of enums in validate.go).

// Tag is a key-value tag.
type Tag struct {
	Key   *string `json:"Key,omitempty" v:"req,len=1:128"`
	Value *string `json:"Value,omitempty" v:"len=0:256"`
}

// CloudWatchLoggingOption names a log stream for application messages.
type CloudWatchLoggingOption struct {
	LogStreamARN *string `json:"LogStreamARN,omitempty" v:"req,len=1:2048,pat=arn"`
	RoleARN      *string `json:"RoleARN,omitempty" v:"req,len=1:2048,pat=role"`
}

// CloudWatchLoggingOptionDescription is a CloudWatchLoggingOption with its id.
type CloudWatchLoggingOptionDescription struct {
	CloudWatchLoggingOptionId *string `json:"CloudWatchLoggingOptionId,omitempty"`
	LogStreamARN              *string `json:"LogStreamARN,omitempty"`
	RoleARN                   *string `json:"RoleARN,omitempty"`
}

// CloudWatchLoggingOptionUpdate changes a CloudWatchLoggingOption.
type CloudWatchLoggingOptionUpdate struct {
	CloudWatchLoggingOptionId *string `json:"CloudWatchLoggingOptionId,omitempty" v:"req,len=1:50,pat=id"`
	LogStreamARNUpdate        *string `json:"LogStreamARNUpdate,omitempty" v:"len=1:2048,pat=arn"`
	RoleARNUpdate             *string `json:"RoleARNUpdate,omitempty" v:"len=1:2048,pat=role"`
}

// CSVMappingParameters are the delimiters of CSV records.
type CSVMappingParameters struct {
	RecordRowDelimiter    *string `json:"RecordRowDelimiter,omitempty" v:"req,len=1:"`
	RecordColumnDelimiter *string `json:"RecordColumnDelimiter,omitempty" v:"req,len=1:"`
}

// JSONMappingParameters is the path to the records of a JSON document.
type JSONMappingParameters struct {
	RecordRowPath *string `json:"RecordRowPath,omitempty" v:"req,len=1:"`
}

// MappingParameters are a record format's mapping parameters.
type MappingParameters struct {
	JSONMappingParameters *JSONMappingParameters `json:"JSONMappingParameters,omitempty"`
	CSVMappingParameters  *CSVMappingParameters  `json:"CSVMappingParameters,omitempty"`
}

// RecordFormat is the format of source records.
type RecordFormat struct {
	RecordFormatType  string             `json:"RecordFormatType,omitempty" v:"req,enum=RecordFormatType"`
	MappingParameters *MappingParameters `json:"MappingParameters,omitempty"`
}

// RecordColumn maps a source element to a column.
type RecordColumn struct {
	Name    *string `json:"Name,omitempty" v:"req"`
	Mapping *string `json:"Mapping,omitempty"`
	SqlType *string `json:"SqlType,omitempty" v:"req,len=1:"`
}

// SourceSchema is the format of a source and its columns.
type SourceSchema struct {
	RecordFormat   *RecordFormat  `json:"RecordFormat,omitempty" v:"req"`
	RecordEncoding *string        `json:"RecordEncoding,omitempty" v:"pat=encoding"`
	RecordColumns  []RecordColumn `json:"RecordColumns,omitempty" v:"req,len=1:1000"`
}

// InputLambdaProcessor is a function preprocessing input records.
type InputLambdaProcessor struct {
	ResourceARN *string `json:"ResourceARN,omitempty" v:"req,len=1:2048,pat=arn"`
	RoleARN     *string `json:"RoleARN,omitempty" v:"req,len=1:2048,pat=role"`
}

// InputLambdaProcessorDescription describes an InputLambdaProcessor.
type InputLambdaProcessorDescription struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	RoleARN     *string `json:"RoleARN,omitempty"`
}

// InputLambdaProcessorUpdate changes an InputLambdaProcessor.
type InputLambdaProcessorUpdate struct {
	ResourceARNUpdate *string `json:"ResourceARNUpdate,omitempty" v:"len=1:2048,pat=arn"`
	RoleARNUpdate     *string `json:"RoleARNUpdate,omitempty" v:"len=1:2048,pat=role"`
}

// InputProcessingConfiguration is an input's preprocessor.
type InputProcessingConfiguration struct {
	InputLambdaProcessor *InputLambdaProcessor `json:"InputLambdaProcessor,omitempty" v:"req"`
}

// InputProcessingConfigurationDescription describes an input's preprocessor.
type InputProcessingConfigurationDescription struct {
	InputLambdaProcessorDescription *InputLambdaProcessorDescription `json:"InputLambdaProcessorDescription,omitempty"`
}

// InputProcessingConfigurationUpdate changes an input's preprocessor.
type InputProcessingConfigurationUpdate struct {
	InputLambdaProcessorUpdate *InputLambdaProcessorUpdate `json:"InputLambdaProcessorUpdate,omitempty" v:"req"`
}

// ResourceRole is the shape of KinesisStreamsInput, KinesisFirehoseInput,
// KinesisStreamsOutput, KinesisFirehoseOutput and LambdaOutput: a resource
// and the role to reach it, both required.
type ResourceRole struct {
	ResourceARN *string `json:"ResourceARN,omitempty" v:"req,len=1:2048,pat=arn"`
	RoleARN     *string `json:"RoleARN,omitempty" v:"req,len=1:2048,pat=role"`
}

// ResourceRoleDescription is the shape of the descriptions of the
// ResourceRole members.
type ResourceRoleDescription struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	RoleARN     *string `json:"RoleARN,omitempty"`
}

// ResourceRoleUpdate is the shape of the updates of the ResourceRole
// members.
type ResourceRoleUpdate struct {
	ResourceARNUpdate *string `json:"ResourceARNUpdate,omitempty" v:"len=1:2048,pat=arn"`
	RoleARNUpdate     *string `json:"RoleARNUpdate,omitempty" v:"len=1:2048,pat=role"`
}

// InputParallelism is the number of in-application streams of an input.
type InputParallelism struct {
	Count *int32 `json:"Count,omitempty" v:"val=1:64"`
}

// InputParallelismUpdate changes InputParallelism.
type InputParallelismUpdate struct {
	CountUpdate *int32 `json:"CountUpdate,omitempty" v:"val=1:64"`
}

// InputStartingPositionConfiguration is where reading starts.
type InputStartingPositionConfiguration struct {
	InputStartingPosition string `json:"InputStartingPosition,omitempty" v:"enum=InputStartingPosition"`
}

// Input is a streaming source.
type Input struct {
	NamePrefix                   *string                       `json:"NamePrefix,omitempty" v:"req,len=1:32"`
	InputProcessingConfiguration *InputProcessingConfiguration `json:"InputProcessingConfiguration,omitempty"`
	KinesisStreamsInput          *ResourceRole                 `json:"KinesisStreamsInput,omitempty"`
	KinesisFirehoseInput         *ResourceRole                 `json:"KinesisFirehoseInput,omitempty"`
	InputParallelism             *InputParallelism             `json:"InputParallelism,omitempty"`
	InputSchema                  *SourceSchema                 `json:"InputSchema,omitempty" v:"req"`
}

// InputDescription describes an input.
type InputDescription struct {
	InputId                                 *string                                  `json:"InputId,omitempty"`
	NamePrefix                              *string                                  `json:"NamePrefix,omitempty"`
	InAppStreamNames                        []string                                 `json:"InAppStreamNames,omitempty"`
	InputProcessingConfigurationDescription *InputProcessingConfigurationDescription `json:"InputProcessingConfigurationDescription,omitempty"`
	KinesisStreamsInputDescription          *ResourceRoleDescription                 `json:"KinesisStreamsInputDescription,omitempty"`
	KinesisFirehoseInputDescription         *ResourceRoleDescription                 `json:"KinesisFirehoseInputDescription,omitempty"`
	InputSchema                             *SourceSchema                            `json:"InputSchema,omitempty"`
	InputParallelism                        *InputParallelism                        `json:"InputParallelism,omitempty"`
	InputStartingPositionConfiguration      *InputStartingPositionConfiguration      `json:"InputStartingPositionConfiguration,omitempty"`
}

// InputSchemaUpdate changes an input's schema.
type InputSchemaUpdate struct {
	RecordFormatUpdate   *RecordFormat  `json:"RecordFormatUpdate,omitempty"`
	RecordEncodingUpdate *string        `json:"RecordEncodingUpdate,omitempty" v:"pat=encoding"`
	RecordColumnUpdates  []RecordColumn `json:"RecordColumnUpdates,omitempty" v:"len=1:1000"`
}

// InputUpdate changes an input.
type InputUpdate struct {
	InputId                            *string                             `json:"InputId,omitempty" v:"req,len=1:50,pat=id"`
	NamePrefixUpdate                   *string                             `json:"NamePrefixUpdate,omitempty" v:"len=1:32"`
	InputProcessingConfigurationUpdate *InputProcessingConfigurationUpdate `json:"InputProcessingConfigurationUpdate,omitempty"`
	KinesisStreamsInputUpdate          *ResourceRoleUpdate                 `json:"KinesisStreamsInputUpdate,omitempty"`
	KinesisFirehoseInputUpdate         *ResourceRoleUpdate                 `json:"KinesisFirehoseInputUpdate,omitempty"`
	InputSchemaUpdate                  *InputSchemaUpdate                  `json:"InputSchemaUpdate,omitempty"`
	InputParallelismUpdate             *InputParallelismUpdate             `json:"InputParallelismUpdate,omitempty"`
}

// InputConfiguration is where StartApplication reads an input from.
type InputConfiguration struct {
	Id                                 *string                             `json:"Id,omitempty" v:"req,len=1:50,pat=id"`
	InputStartingPositionConfiguration *InputStartingPositionConfiguration `json:"InputStartingPositionConfiguration,omitempty" v:"req"`
}

// DestinationSchema is the format of output records.
type DestinationSchema struct {
	RecordFormatType string `json:"RecordFormatType,omitempty" v:"req,enum=RecordFormatType"`
}

// Output is a destination for an in-application stream.
type Output struct {
	Name                  *string            `json:"Name,omitempty" v:"req,len=1:32"`
	KinesisStreamsOutput  *ResourceRole      `json:"KinesisStreamsOutput,omitempty"`
	KinesisFirehoseOutput *ResourceRole      `json:"KinesisFirehoseOutput,omitempty"`
	LambdaOutput          *ResourceRole      `json:"LambdaOutput,omitempty"`
	DestinationSchema     *DestinationSchema `json:"DestinationSchema,omitempty" v:"req"`
}

// OutputDescription describes an output.
type OutputDescription struct {
	OutputId                         *string                  `json:"OutputId,omitempty"`
	Name                             *string                  `json:"Name,omitempty"`
	KinesisStreamsOutputDescription  *ResourceRoleDescription `json:"KinesisStreamsOutputDescription,omitempty"`
	KinesisFirehoseOutputDescription *ResourceRoleDescription `json:"KinesisFirehoseOutputDescription,omitempty"`
	LambdaOutputDescription          *ResourceRoleDescription `json:"LambdaOutputDescription,omitempty"`
	DestinationSchema                *DestinationSchema       `json:"DestinationSchema,omitempty"`
}

// OutputUpdate changes an output.
type OutputUpdate struct {
	OutputId                    *string             `json:"OutputId,omitempty" v:"req,len=1:50,pat=id"`
	NameUpdate                  *string             `json:"NameUpdate,omitempty" v:"len=1:32"`
	KinesisStreamsOutputUpdate  *ResourceRoleUpdate `json:"KinesisStreamsOutputUpdate,omitempty"`
	KinesisFirehoseOutputUpdate *ResourceRoleUpdate `json:"KinesisFirehoseOutputUpdate,omitempty"`
	LambdaOutputUpdate          *ResourceRoleUpdate `json:"LambdaOutputUpdate,omitempty"`
	DestinationSchemaUpdate     *DestinationSchema  `json:"DestinationSchemaUpdate,omitempty"`
}

// S3ReferenceDataSource is the object holding reference data.
type S3ReferenceDataSource struct {
	BucketARN        *string `json:"BucketARN,omitempty" v:"req,len=1:2048,pat=arn"`
	FileKey          *string `json:"FileKey,omitempty" v:"req,len=1:1024"`
	ReferenceRoleARN *string `json:"ReferenceRoleARN,omitempty" v:"req,len=1:2048,pat=role"`
}

// S3ReferenceDataSourceUpdate changes an S3ReferenceDataSource.
type S3ReferenceDataSourceUpdate struct {
	BucketARNUpdate        *string `json:"BucketARNUpdate,omitempty" v:"len=1:2048,pat=arn"`
	FileKeyUpdate          *string `json:"FileKeyUpdate,omitempty" v:"len=1:1024"`
	ReferenceRoleARNUpdate *string `json:"ReferenceRoleARNUpdate,omitempty" v:"len=1:2048,pat=role"`
}

// ReferenceDataSource is a reference table.
type ReferenceDataSource struct {
	TableName             *string                `json:"TableName,omitempty" v:"req,len=1:32"`
	S3ReferenceDataSource *S3ReferenceDataSource `json:"S3ReferenceDataSource,omitempty"`
	ReferenceSchema       *SourceSchema          `json:"ReferenceSchema,omitempty" v:"req"`
}

// ReferenceDataSourceDescription describes a reference table.
type ReferenceDataSourceDescription struct {
	ReferenceId                      *string                `json:"ReferenceId,omitempty"`
	TableName                        *string                `json:"TableName,omitempty"`
	S3ReferenceDataSourceDescription *S3ReferenceDataSource `json:"S3ReferenceDataSourceDescription,omitempty"`
	ReferenceSchema                  *SourceSchema          `json:"ReferenceSchema,omitempty"`
}

// ReferenceDataSourceUpdate changes a reference table.
type ReferenceDataSourceUpdate struct {
	ReferenceId                 *string                      `json:"ReferenceId,omitempty" v:"req,len=1:50,pat=id"`
	TableNameUpdate             *string                      `json:"TableNameUpdate,omitempty" v:"len=1:32"`
	S3ReferenceDataSourceUpdate *S3ReferenceDataSourceUpdate `json:"S3ReferenceDataSourceUpdate,omitempty"`
	ReferenceSchemaUpdate       *SourceSchema                `json:"ReferenceSchemaUpdate,omitempty"`
}

// ApplicationUpdate is UpdateApplication's change.
type ApplicationUpdate struct {
	InputUpdates                   []InputUpdate                   `json:"InputUpdates,omitempty"`
	ApplicationCodeUpdate          *string                         `json:"ApplicationCodeUpdate,omitempty" v:"len=0:102400"`
	OutputUpdates                  []OutputUpdate                  `json:"OutputUpdates,omitempty"`
	ReferenceDataSourceUpdates     []ReferenceDataSourceUpdate     `json:"ReferenceDataSourceUpdates,omitempty"`
	CloudWatchLoggingOptionUpdates []CloudWatchLoggingOptionUpdate `json:"CloudWatchLoggingOptionUpdates,omitempty"`
}

// ApplicationDetail describes an application.
type ApplicationDetail struct {
	ApplicationName                     *string                              `json:"ApplicationName"`
	ApplicationDescription              *string                              `json:"ApplicationDescription,omitempty"`
	ApplicationARN                      *string                              `json:"ApplicationARN"`
	ApplicationStatus                   string                               `json:"ApplicationStatus"`
	CreateTimestamp                     *Timestamp                           `json:"CreateTimestamp,omitempty"`
	LastUpdateTimestamp                 *Timestamp                           `json:"LastUpdateTimestamp,omitempty"`
	InputDescriptions                   []InputDescription                   `json:"InputDescriptions,omitempty"`
	OutputDescriptions                  []OutputDescription                  `json:"OutputDescriptions,omitempty"`
	ReferenceDataSourceDescriptions     []ReferenceDataSourceDescription     `json:"ReferenceDataSourceDescriptions,omitempty"`
	CloudWatchLoggingOptionDescriptions []CloudWatchLoggingOptionDescription `json:"CloudWatchLoggingOptionDescriptions,omitempty"`
	ApplicationCode                     *string                              `json:"ApplicationCode,omitempty"`
	ApplicationVersionId                *int64                               `json:"ApplicationVersionId"`
}

// ApplicationSummary is an application in lists.
type ApplicationSummary struct {
	ApplicationName   *string `json:"ApplicationName"`
	ApplicationARN    *string `json:"ApplicationARN"`
	ApplicationStatus string  `json:"ApplicationStatus"`
}

// S3Configuration is an object DiscoverInputSchema samples.
type S3Configuration struct {
	RoleARN   *string `json:"RoleARN,omitempty" v:"req,len=1:2048,pat=role"`
	BucketARN *string `json:"BucketARN,omitempty" v:"req,len=1:2048,pat=arn"`
	FileKey   *string `json:"FileKey,omitempty" v:"req,len=1:1024"`
}
