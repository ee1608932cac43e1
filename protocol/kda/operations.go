package kda

// Requests and responses of the operations, members in service-2.json's
// order.

type CreateApplicationInput struct {
	ApplicationName          *string                   `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	ApplicationDescription   *string                   `json:"ApplicationDescription,omitempty" v:"len=0:1024"`
	Inputs                   []Input                   `json:"Inputs,omitempty"`
	Outputs                  []Output                  `json:"Outputs,omitempty"`
	CloudWatchLoggingOptions []CloudWatchLoggingOption `json:"CloudWatchLoggingOptions,omitempty"`
	ApplicationCode          *string                   `json:"ApplicationCode,omitempty" v:"len=0:102400"`
	Tags                     []Tag                     `json:"Tags,omitempty" v:"len=1:200"`
}

type CreateApplicationOutput struct {
	ApplicationSummary *ApplicationSummary `json:"ApplicationSummary"`
}

type DescribeApplicationInput struct {
	ApplicationName *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
}

type DescribeApplicationOutput struct {
	ApplicationDetail *ApplicationDetail `json:"ApplicationDetail"`
}

type ListApplicationsInput struct {
	Limit                         *int32  `json:"Limit,omitempty" v:"val=1:50"`
	ExclusiveStartApplicationName *string `json:"ExclusiveStartApplicationName,omitempty" v:"len=1:128,pat=name"`
}

type ListApplicationsOutput struct {
	ApplicationSummaries []ApplicationSummary `json:"ApplicationSummaries"`
	HasMoreApplications  *bool                `json:"HasMoreApplications"`
}

type DeleteApplicationInput struct {
	ApplicationName *string    `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CreateTimestamp *Timestamp `json:"CreateTimestamp,omitempty" v:"req"`
}

type DeleteApplicationOutput struct{}

type StartApplicationInput struct {
	ApplicationName     *string              `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	InputConfigurations []InputConfiguration `json:"InputConfigurations,omitempty" v:"req"`
}

type StartApplicationOutput struct{}

type StopApplicationInput struct {
	ApplicationName *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
}

type StopApplicationOutput struct{}

type UpdateApplicationInput struct {
	ApplicationName             *string            `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64             `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	ApplicationUpdate           *ApplicationUpdate `json:"ApplicationUpdate,omitempty" v:"req"`
}

type UpdateApplicationOutput struct{}

type AddApplicationInputInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	Input                       *Input  `json:"Input,omitempty" v:"req"`
}

type AddApplicationInputOutput struct{}

type AddApplicationOutputInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	Output                      *Output `json:"Output,omitempty" v:"req"`
}

type AddApplicationOutputOutput struct{}

type AddApplicationReferenceDataSourceInput struct {
	ApplicationName             *string              `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64               `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	ReferenceDataSource         *ReferenceDataSource `json:"ReferenceDataSource,omitempty" v:"req"`
}

type AddApplicationReferenceDataSourceOutput struct{}

type AddApplicationInputProcessingConfigurationInput struct {
	ApplicationName              *string                       `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId  *int64                        `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	InputId                      *string                       `json:"InputId,omitempty" v:"req,len=1:50,pat=id"`
	InputProcessingConfiguration *InputProcessingConfiguration `json:"InputProcessingConfiguration,omitempty" v:"req"`
}

type AddApplicationInputProcessingConfigurationOutput struct{}

type AddApplicationCloudWatchLoggingOptionInput struct {
	ApplicationName             *string                  `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64                   `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	CloudWatchLoggingOption     *CloudWatchLoggingOption `json:"CloudWatchLoggingOption,omitempty" v:"req"`
}

type AddApplicationCloudWatchLoggingOptionOutput struct{}

type DeleteApplicationOutputInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	OutputId                    *string `json:"OutputId,omitempty" v:"req,len=1:50,pat=id"`
}

type DeleteApplicationOutputOutput struct{}

type DeleteApplicationReferenceDataSourceInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	ReferenceId                 *string `json:"ReferenceId,omitempty" v:"req,len=1:50,pat=id"`
}

type DeleteApplicationReferenceDataSourceOutput struct{}

type DeleteApplicationInputProcessingConfigurationInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	InputId                     *string `json:"InputId,omitempty" v:"req,len=1:50,pat=id"`
}

type DeleteApplicationInputProcessingConfigurationOutput struct{}

type DeleteApplicationCloudWatchLoggingOptionInput struct {
	ApplicationName             *string `json:"ApplicationName,omitempty" v:"req,len=1:128,pat=name"`
	CurrentApplicationVersionId *int64  `json:"CurrentApplicationVersionId,omitempty" v:"req,val=1:999999999"`
	CloudWatchLoggingOptionId   *string `json:"CloudWatchLoggingOptionId,omitempty" v:"req,len=1:50,pat=id"`
}

type DeleteApplicationCloudWatchLoggingOptionOutput struct{}

type DiscoverInputSchemaInput struct {
	ResourceARN                        *string                             `json:"ResourceARN,omitempty" v:"len=1:2048,pat=arn"`
	RoleARN                            *string                             `json:"RoleARN,omitempty" v:"len=1:2048,pat=role"`
	InputStartingPositionConfiguration *InputStartingPositionConfiguration `json:"InputStartingPositionConfiguration,omitempty"`
	S3Configuration                    *S3Configuration                    `json:"S3Configuration,omitempty"`
	InputProcessingConfiguration       *InputProcessingConfiguration       `json:"InputProcessingConfiguration,omitempty"`
}

type DiscoverInputSchemaOutput struct {
	InputSchema           *SourceSchema `json:"InputSchema,omitempty"`
	ParsedInputRecords    [][]*string   `json:"ParsedInputRecords,omitempty"` // nil: null, as the developer guide's static-data example shows
	ProcessedInputRecords []string      `json:"ProcessedInputRecords,omitempty"`
	RawInputRecords       []string      `json:"RawInputRecords,omitempty"`
}

type TagResourceInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty" v:"req,len=1:2048,pat=appARN"`
	Tags        []Tag   `json:"Tags,omitempty" v:"req,len=1:200"`
}

type TagResourceOutput struct{}

type UntagResourceInput struct {
	ResourceARN *string  `json:"ResourceARN,omitempty" v:"req,len=1:2048,pat=appARN"`
	TagKeys     []string `json:"TagKeys,omitempty" v:"req,len=1:200,each=1:128"`
}

type UntagResourceOutput struct{}

type ListTagsForResourceInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty" v:"req,len=1:2048,pat=appARN"`
}

type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags,omitempty"`
}
