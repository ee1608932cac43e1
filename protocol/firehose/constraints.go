package firehose

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// This file holds the constraints of the model's scalar shapes that
// validate checks, keyed "Structure.Member" (a list's element constraint
// under "Structure.Member[]"). Every range and pattern is the one botocore's
// firehose/2015-08-04/service-2.json gives the member's shape (the name of
// that shape is in each comment). Patterns Go's regexp cannot express
// (look-arounds) are checked by hand where it matters (TagKey) and left out
// where it does not (ClusterJDBCURL: its length is checked, its pattern
// not).

// bounds is an inclusive range; nil ends are unbounded.
type bounds struct{ min, max *int64 }

func rng(min, max int64) *bounds { return &bounds{&min, &max} }
func atLeast(min int64) *bounds  { return &bounds{min: &min} }

func (b *bounds) within(n int64) bool {
	return (b.min == nil || n >= *b.min) && (b.max == nil || n <= *b.max)
}

func (b *bounds) withinF(f float64) bool {
	return (b.min == nil || f >= float64(*b.min)) && (b.max == nil || f <= float64(*b.max))
}

func (b *bounds) lenMsg(n int64) string {
	if b.min != nil && n < *b.min {
		return msgMinLen(*b.min)
	}
	return msgMaxLen(*b.max)
}

func (b *bounds) valMsg(n int64) string {
	if b.min != nil && n < *b.min {
		return msgMinVal(*b.min)
	}
	return msgMaxVal(*b.max)
}

func (b *bounds) rangeMsg(f float64) string {
	if b.min != nil && f < float64(*b.min) {
		return msgMinVal(*b.min)
	}
	return msgMaxVal(*b.max)
}

// constraint is one member's shape: a length (strings, blobs, lists), a
// value range (numbers), a pattern.
type constraint struct {
	length  *bounds
	value   *bounds
	pattern string
	match   func(string) bool
}

func (c constraint) ok(s string) bool {
	return (c.match == nil || c.match(s)) && (c.length == nil || c.length.within(javaLen(s)))
}

// elementMsg is how the front end describes a list element's shape: the
// maximum first, as Kinesis's front end was observed to.
func (c constraint) elementMsg() string {
	var parts []string
	if c.length != nil && c.length.max != nil {
		parts = append(parts, msgMaxLen(*c.length.max))
	}
	if c.length != nil && c.length.min != nil {
		parts = append(parts, msgMinLen(*c.length.min))
	}
	if c.pattern != "" {
		parts = append(parts, msgPattern(c.pattern))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func str(min, max int64, pattern string) constraint {
	c := constraint{length: rng(min, max), pattern: pattern}
	if strings.Contains(pattern, "(?!") {
		// Look-ahead, which RE2 lacks: the only one of the model's
		// patterns that uses it this way means "not blank".
		if pattern == `^(?!\s*$).+` {
			c.match = notBlank
		}
		return c
	}
	if pattern != "" && pattern != ".*" {
		re := regexp.MustCompile(`^(?:` + pattern + `)$`)
		c.match = re.MatchString
	}
	return c
}

func val(min, max int64) constraint  { return constraint{value: rng(min, max)} }
func list(min, max int64) constraint { return constraint{length: rng(min, max)} }

// Shapes of the model.
var (
	deliveryStreamName = str(1, 64, "[a-zA-Z0-9_.-]+") // DeliveryStreamName
	arn512             = str(1, 512, "arn:.*")         // RoleARN, KinesisStreamARN, AWSKMSKeyARN, *DomainARN, GlueDataCatalogARN
	bucketARN          = str(1, 2048, "arn:.*")        // BucketARN
	prefix             = str(0, 1024, ".*")            // Prefix, ErrorOutputPrefix
	httpsEndpoint      = str(1, 512, "https:.*")       // *ClusterEndpoint, AmazonOpenSearchServerlessCollectionEndpoint
	retrySeconds       = val(0, 7200)                  // *RetryDurationInSeconds
	intervalSeconds    = val(0, 900)                   // *BufferingIntervalInSeconds, IntervalInSeconds
	nonEmptyNoSpace    = str(1, 1024, `^\S+$`)         // NonEmptyStringWithoutWhitespace
	tagKey             = constraint{length: rng(1, 128), pattern: `^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`}
	tagValue           = str(0, 256, `^[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$`)
)

// notBlank is NonEmptyString's pattern ^(?!\s*$).+ by hand.
func notBlank(s string) bool {
	return strings.TrimFunc(s, unicode.IsSpace) != "" && !strings.ContainsAny(s, "\n\r")
}

var tagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@%]*$`)

// validTagKey is TagKey's pattern ^(?!aws:)[\p{L}\p{Z}\p{N}_.:\/=+\-@%]*$
// by hand.
func validTagKey(s string) bool { return !strings.HasPrefix(s, "aws:") && tagChars.MatchString(s) }

var constraints = map[string]constraint{}

func set(c constraint, keys ...string) {
	for _, k := range keys {
		constraints[k] = c
	}
}

func init() {
	tagKey.match = validTagKey
	set(tagKey, "Tag.Key", "UntagDeliveryStreamInput.TagKeys[]", "ListTagsForDeliveryStreamInput.ExclusiveStartTagKey")
	httpName := str(1, 256, `^(?!\s*$).+`) // HttpEndpointName, HttpEndpointAttributeName

	set(deliveryStreamName,
		"CreateDeliveryStreamInput.DeliveryStreamName", "DeleteDeliveryStreamInput.DeliveryStreamName",
		"DescribeDeliveryStreamInput.DeliveryStreamName", "ListDeliveryStreamsInput.ExclusiveStartDeliveryStreamName",
		"PutRecordInput.DeliveryStreamName", "PutRecordBatchInput.DeliveryStreamName",
		"UpdateDestinationInput.DeliveryStreamName", "StartDeliveryStreamEncryptionInput.DeliveryStreamName",
		"StopDeliveryStreamEncryptionInput.DeliveryStreamName", "TagDeliveryStreamInput.DeliveryStreamName",
		"UntagDeliveryStreamInput.DeliveryStreamName", "ListTagsForDeliveryStreamInput.DeliveryStreamName")
	set(val(1, 10000), "DescribeDeliveryStreamInput.Limit", "ListDeliveryStreamsInput.Limit") // *InputLimit
	set(val(1, 50), "ListTagsForDeliveryStreamInput.Limit")                                   // ListTagsForDeliveryStreamInputLimit
	set(str(1, 100, "[a-zA-Z0-9-]+"), "DescribeDeliveryStreamInput.ExclusiveStartDestinationId",
		"UpdateDestinationInput.DestinationId") // DestinationId
	set(str(1, 50, "[0-9]+"), "UpdateDestinationInput.CurrentDeliveryStreamVersionId") // DeliveryStreamVersionId
	set(list(1, 500), "PutRecordBatchInput.Records")                                   // PutRecordBatchRequestEntryList
	set(constraint{length: rng(0, MaxRecordBytes)}, "Record.Data")                     // Data
	set(list(1, 50), "CreateDeliveryStreamInput.Tags", "TagDeliveryStreamInput.Tags",
		"UntagDeliveryStreamInput.TagKeys") // TagDeliveryStreamInputTagList, TagKeyList
	set(tagValue, "Tag.Value")

	// Sources and encryption.
	set(arn512, "KinesisStreamSourceConfiguration.KinesisStreamARN", "KinesisStreamSourceConfiguration.RoleARN",
		"DeliveryStreamEncryptionConfigurationInput.KeyARN", "KMSEncryptionConfig.AWSKMSKeyARN")

	// Every destination's role, bucket, prefixes, buffering, retries.
	for _, s := range []string{"ExtendedS3Destination", "S3Destination", "RedshiftDestination", "ElasticsearchDestination",
		"AmazonopensearchserviceDestination", "AmazonOpenSearchServerlessDestination", "HttpEndpointDestination",
		"IcebergDestination", "SplunkDestination", "SnowflakeDestination"} {
		for _, kind := range []string{"Configuration", "Update"} {
			set(arn512, s+kind+".RoleARN")
			set(bucketARN, s+kind+".BucketARN")
			set(prefix, s+kind+".Prefix", s+kind+".ErrorOutputPrefix")
		}
	}
	set(arn512, "VpcConfiguration.RoleARN", "SecretsManagerConfiguration.RoleARN", "AuthenticationConfiguration.RoleARN",
		"ElasticsearchDestinationConfiguration.DomainARN", "ElasticsearchDestinationUpdate.DomainARN",
		"AmazonopensearchserviceDestinationConfiguration.DomainARN", "AmazonopensearchserviceDestinationUpdate.DomainARN",
		"CatalogConfiguration.CatalogARN")
	set(str(1, 2048, "arn:.*"), "SecretsManagerConfiguration.SecretARN")                            // SecretARN
	set(str(0, 128, `^$|\.[0-9a-z!\-_.*'()]+`), "ExtendedS3DestinationConfiguration.FileExtension", // FileExtension
		"ExtendedS3DestinationUpdate.FileExtension")
	set(str(0, 50, ""), "ExtendedS3DestinationConfiguration.CustomTimeZone", "ExtendedS3DestinationUpdate.CustomTimeZone") // CustomTimeZone
	set(val(1, 128), "BufferingHints.SizeInMBs")                                                                           // SizeInMBs
	set(intervalSeconds, "BufferingHints.IntervalInSeconds", "ElasticsearchBufferingHints.IntervalInSeconds",
		"AmazonopensearchserviceBufferingHints.IntervalInSeconds", "AmazonOpenSearchServerlessBufferingHints.IntervalInSeconds",
		"HttpEndpointBufferingHints.IntervalInSeconds", "SnowflakeBufferingHints.IntervalInSeconds")
	set(val(1, 100), "ElasticsearchBufferingHints.SizeInMBs", "AmazonopensearchserviceBufferingHints.SizeInMBs",
		"AmazonOpenSearchServerlessBufferingHints.SizeInMBs")
	set(val(1, 64), "HttpEndpointBufferingHints.SizeInMBs")   // HttpEndpointBufferingSizeInMBs
	set(val(1, 128), "SnowflakeBufferingHints.SizeInMBs")     // SnowflakeBufferingSizeInMBs
	set(val(0, 60), "SplunkBufferingHints.IntervalInSeconds") // SplunkBufferingIntervalInSeconds
	set(val(1, 5), "SplunkBufferingHints.SizeInMBs")          // SplunkBufferingSizeInMBs
	set(retrySeconds, "RetryOptions.DurationInSeconds", "RedshiftRetryOptions.DurationInSeconds",
		"ElasticsearchRetryOptions.DurationInSeconds", "AmazonopensearchserviceRetryOptions.DurationInSeconds",
		"AmazonOpenSearchServerlessRetryOptions.DurationInSeconds", "HttpEndpointRetryOptions.DurationInSeconds",
		"SplunkRetryOptions.DurationInSeconds", "SnowflakeRetryOptions.DurationInSeconds")
	set(str(0, 512, `[\.\-_/#A-Za-z0-9]*`), "CloudWatchLoggingOptions.LogGroupName") // LogGroupName
	set(str(0, 512, `[^:*]*`), "CloudWatchLoggingOptions.LogStreamName")             // LogStreamName

	// Processing and format conversion.
	set(str(1, 5120, `^(?!\s*$).+`), "ProcessorParameter.ParameterValue") // ProcessorParameterValue
	set(nonEmptyNoSpace, "SchemaConfiguration.RoleARN", "SchemaConfiguration.CatalogId", "SchemaConfiguration.DatabaseName",
		"SchemaConfiguration.TableName", "SchemaConfiguration.Region", "SchemaConfiguration.VersionId",
		"DestinationTableConfiguration.DestinationTableName", "DestinationTableConfiguration.DestinationDatabaseName",
		"VpcConfigurationDescription.VpcId")
	set(constraint{value: atLeast(67108864)}, "ParquetSerDe.BlockSizeBytes", "OrcSerDe.BlockSizeBytes") // BlockSizeBytes
	set(constraint{value: atLeast(65536)}, "ParquetSerDe.PageSizeBytes")                                // ParquetPageSizeBytes
	set(constraint{value: atLeast(0)}, "ParquetSerDe.MaxPaddingBytes")                                  // NonNegativeIntegerObject
	set(constraint{value: atLeast(8388608)}, "OrcSerDe.StripeSizeBytes")                                // OrcStripeSizeBytes
	set(constraint{value: atLeast(1000)}, "OrcSerDe.RowIndexStride")                                    // OrcRowIndexStride
	set(constraint{value: rng(0, 1)}, "OrcSerDe.PaddingTolerance", "OrcSerDe.BloomFilterFalsePositiveProbability",
		"OrcSerDe.DictionaryKeyThreshold") // Proportion

	// HTTP endpoint.
	for _, s := range []string{"HttpEndpointConfiguration"} {
		set(endpointURL(), s+".Url") // HttpEndpointUrl
		set(httpName, s+".Name")
		set(str(0, 4096, ".*"), s+".AccessKey") // HttpEndpointAccessKey
	}
	set(list(0, 50), "HttpEndpointRequestConfiguration.CommonAttributes") // HttpEndpointCommonAttributesList
	set(httpName, "HttpEndpointCommonAttribute.AttributeName")
	set(str(0, 1024, ".*"), "HttpEndpointCommonAttribute.AttributeValue") // HttpEndpointAttributeValue

	// Redshift.
	for _, s := range []string{"RedshiftDestinationConfiguration", "RedshiftDestinationUpdate"} {
		set(str(1, 512, ""), s+".ClusterJDBCURL") // ClusterJDBCURL (its pattern uses look-arounds)
		set(str(1, 512, ".*"), s+".Username")     // Username
		set(str(6, 512, ".*"), s+".Password")     // Password
	}
	set(str(1, 512, ".*"), "CopyCommand.DataTableName")       // DataTableName
	set(str(0, 204800, ".*"), "CopyCommand.DataTableColumns") // DataTableColumns
	set(str(0, 204800, ".*"), "CopyCommand.CopyOptions")      // CopyOptions

	// OpenSearch and Elasticsearch.
	for _, s := range []string{"ElasticsearchDestination", "AmazonopensearchserviceDestination"} {
		for _, kind := range []string{"Configuration", "Update"} {
			set(httpsEndpoint, s+kind+".ClusterEndpoint")
			set(str(1, 80, ".*"), s+kind+".IndexName") // *IndexName
			set(str(0, 100, ".*"), s+kind+".TypeName") // *TypeName
		}
	}
	for _, kind := range []string{"Configuration", "Update"} {
		set(httpsEndpoint, "AmazonOpenSearchServerlessDestination"+kind+".CollectionEndpoint")
		set(str(1, 80, ".*"), "AmazonOpenSearchServerlessDestination"+kind+".IndexName")
	}
	set(list(1, 16), "VpcConfiguration.SubnetIds")       // SubnetIdList
	set(list(1, 5), "VpcConfiguration.SecurityGroupIds") // SecurityGroupIdList
}

// endpointURL is HttpEndpointUrl's constraint, with one Eddy extension:
// besides the model's https://.* it accepts http:// URLs whose host is a
// loopback address (127.0.0.1, ::1, localhost), for endpoints on the
// developer's machine. Any other URL is refused with the model's message.
func endpointURL() constraint {
	c := str(1, 1000, "https://.*")
	https := c.match
	c.match = func(s string) bool {
		if https(s) {
			return true
		}
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "http" {
			return false
		}
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return c
}
