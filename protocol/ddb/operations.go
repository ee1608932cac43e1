package ddb

// Operation is one DynamoDB operation Eddy serves: its name in
// X-Amz-Target and a constructor for its input.
type Operation struct {
	Name     string
	NewInput func() any
}

// Operations lists the operations this package has shapes for, by name.
var Operations = []Operation{
	{"BatchGetItem", func() any { return new(BatchGetItemInput) }},
	{"BatchWriteItem", func() any { return new(BatchWriteItemInput) }},
	{"CreateTable", func() any { return new(CreateTableInput) }},
	{"DeleteItem", func() any { return new(DeleteItemInput) }},
	{"DeleteTable", func() any { return new(DeleteTableInput) }},
	{"DescribeContinuousBackups", func() any { return new(DescribeContinuousBackupsInput) }},
	{"DescribeEndpoints", func() any { return new(DescribeEndpointsInput) }},
	{"DescribeLimits", func() any { return new(DescribeLimitsInput) }},
	{"DescribeTable", func() any { return new(DescribeTableInput) }},
	{"DescribeTimeToLive", func() any { return new(DescribeTimeToLiveInput) }},
	{"GetItem", func() any { return new(GetItemInput) }},
	{"ListTables", func() any { return new(ListTablesInput) }},
	{"ListTagsOfResource", func() any { return new(ListTagsOfResourceInput) }},
	{"PutItem", func() any { return new(PutItemInput) }},
	{"Query", func() any { return new(QueryInput) }},
	{"Scan", func() any { return new(ScanInput) }},
	{"TagResource", func() any { return new(TagResourceInput) }},
	{"TransactGetItems", func() any { return new(TransactGetItemsInput) }},
	{"TransactWriteItems", func() any { return new(TransactWriteItemsInput) }},
	{"UntagResource", func() any { return new(UntagResourceInput) }},
	{"UpdateContinuousBackups", func() any { return new(UpdateContinuousBackupsInput) }},
	{"UpdateItem", func() any { return new(UpdateItemInput) }},
	{"UpdateTable", func() any { return new(UpdateTableInput) }},
	{"UpdateTimeToLive", func() any { return new(UpdateTimeToLiveInput) }},
}
