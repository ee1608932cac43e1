package ddb

import "github.com/eddy-streams/eddy/dynamo/attr"

// Shapes shared by several operations. Member names are the model's
// (aws-sdk-go-v2 service/dynamodb schemas, botocore's dynamodb
// service-2.json).

// Enumerations of the model. Each is a string type; the constants are its
// values.
type (
	ScalarAttributeType                 string
	KeyType                             string
	ProjectionType                      string
	BillingMode                         string
	TableStatus                         string
	IndexStatus                         string
	StreamViewType                      string
	SSEType                             string
	SSEStatus                           string
	TableClass                          string
	ReturnConsumedCapacity              string
	ReturnItemCollectionMetrics         string
	ReturnValue                         string
	ReturnValuesOnConditionCheckFailure string
	ComparisonOperator                  string
	ConditionalOperator                 string
	AttributeAction                     string
	Select                              string
	TimeToLiveStatus                    string
	ContinuousBackupsStatus             string
	PointInTimeRecoveryStatus           string
)

// Values of the enumerations.
const (
	ScalarS ScalarAttributeType = "S"
	ScalarN ScalarAttributeType = "N"
	ScalarB ScalarAttributeType = "B"

	KeyTypeHash  KeyType = "HASH"
	KeyTypeRange KeyType = "RANGE"

	ProjectionAll      ProjectionType = "ALL"
	ProjectionKeysOnly ProjectionType = "KEYS_ONLY"
	ProjectionInclude  ProjectionType = "INCLUDE"

	BillingProvisioned   BillingMode = "PROVISIONED"
	BillingPayPerRequest BillingMode = "PAY_PER_REQUEST"

	TableCreating TableStatus = "CREATING"
	TableUpdating TableStatus = "UPDATING"
	TableDeleting TableStatus = "DELETING"
	TableActive   TableStatus = "ACTIVE"

	IndexCreating IndexStatus = "CREATING"
	IndexUpdating IndexStatus = "UPDATING"
	IndexDeleting IndexStatus = "DELETING"
	IndexActive   IndexStatus = "ACTIVE"

	ConsumedIndexes ReturnConsumedCapacity = "INDEXES"
	ConsumedTotal   ReturnConsumedCapacity = "TOTAL"
	ConsumedNone    ReturnConsumedCapacity = "NONE"

	ReturnNone       ReturnValue = "NONE"
	ReturnAllOld     ReturnValue = "ALL_OLD"
	ReturnUpdatedOld ReturnValue = "UPDATED_OLD"
	ReturnAllNew     ReturnValue = "ALL_NEW"
	ReturnUpdatedNew ReturnValue = "UPDATED_NEW"

	OnCheckFailureAllOld ReturnValuesOnConditionCheckFailure = "ALL_OLD"
	OnCheckFailureNone   ReturnValuesOnConditionCheckFailure = "NONE"

	OpEQ          ComparisonOperator = "EQ"
	OpNE          ComparisonOperator = "NE"
	OpIN          ComparisonOperator = "IN"
	OpLE          ComparisonOperator = "LE"
	OpLT          ComparisonOperator = "LT"
	OpGE          ComparisonOperator = "GE"
	OpGT          ComparisonOperator = "GT"
	OpBetween     ComparisonOperator = "BETWEEN"
	OpNotNull     ComparisonOperator = "NOT_NULL"
	OpNull        ComparisonOperator = "NULL"
	OpContains    ComparisonOperator = "CONTAINS"
	OpNotContains ComparisonOperator = "NOT_CONTAINS"
	OpBeginsWith  ComparisonOperator = "BEGINS_WITH"

	And ConditionalOperator = "AND"
	Or  ConditionalOperator = "OR"

	ActionAdd    AttributeAction = "ADD"
	ActionPut    AttributeAction = "PUT"
	ActionDelete AttributeAction = "DELETE"

	SelectAllAttributes          Select = "ALL_ATTRIBUTES"
	SelectAllProjectedAttributes Select = "ALL_PROJECTED_ATTRIBUTES"
	SelectSpecificAttributes     Select = "SPECIFIC_ATTRIBUTES"
	SelectCount                  Select = "COUNT"

	TTLEnabling  TimeToLiveStatus = "ENABLING"
	TTLDisabling TimeToLiveStatus = "DISABLING"
	TTLEnabled   TimeToLiveStatus = "ENABLED"
	TTLDisabled  TimeToLiveStatus = "DISABLED"

	BackupsEnabled  ContinuousBackupsStatus = "ENABLED"
	BackupsDisabled ContinuousBackupsStatus = "DISABLED"

	PITREnabled  PointInTimeRecoveryStatus = "ENABLED"
	PITRDisabled PointInTimeRecoveryStatus = "DISABLED"
)

// AttributeDefinition names a key attribute and its type.
type AttributeDefinition struct {
	AttributeName *string              `json:"AttributeName,omitempty"`
	AttributeType *ScalarAttributeType `json:"AttributeType,omitempty"`
}

// KeySchemaElement is one key attribute of a table or index.
type KeySchemaElement struct {
	AttributeName *string  `json:"AttributeName,omitempty"`
	KeyType       *KeyType `json:"KeyType,omitempty"`
}

// Projection is what an index copies from the table.
type Projection struct {
	ProjectionType   *ProjectionType `json:"ProjectionType,omitempty"`
	NonKeyAttributes []string        `json:"NonKeyAttributes,omitzero"`
}

// ProvisionedThroughput is a table's or index's provisioned capacity.
type ProvisionedThroughput struct {
	ReadCapacityUnits  *int64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits *int64 `json:"WriteCapacityUnits,omitempty"`
}

// OnDemandThroughput caps an on-demand table's or index's request units.
type OnDemandThroughput struct {
	MaxReadRequestUnits  *int64 `json:"MaxReadRequestUnits,omitempty"`
	MaxWriteRequestUnits *int64 `json:"MaxWriteRequestUnits,omitempty"`
}

// LocalSecondaryIndex is a local secondary index of CreateTable.
type LocalSecondaryIndex struct {
	IndexName  *string            `json:"IndexName,omitempty"`
	KeySchema  []KeySchemaElement `json:"KeySchema,omitzero"`
	Projection *Projection        `json:"Projection,omitempty"`
}

// GlobalSecondaryIndex is a global secondary index of CreateTable.
type GlobalSecondaryIndex struct {
	IndexName             *string                `json:"IndexName,omitempty"`
	KeySchema             []KeySchemaElement     `json:"KeySchema,omitzero"`
	Projection            *Projection            `json:"Projection,omitempty"`
	ProvisionedThroughput *ProvisionedThroughput `json:"ProvisionedThroughput,omitempty"`
	OnDemandThroughput    *OnDemandThroughput    `json:"OnDemandThroughput,omitempty"`
}

// StreamSpecification turns a table's stream on or off.
type StreamSpecification struct {
	StreamEnabled  *bool           `json:"StreamEnabled,omitempty"`
	StreamViewType *StreamViewType `json:"StreamViewType,omitempty"`
}

// SSESpecification asks for encryption at rest.
type SSESpecification struct {
	Enabled        *bool    `json:"Enabled,omitempty"`
	SSEType        *SSEType `json:"SSEType,omitempty"`
	KMSMasterKeyId *string  `json:"KMSMasterKeyId,omitempty"`
}

// Tag is a key-value pair on a resource.
type Tag struct {
	Key   *string `json:"Key,omitempty"`
	Value *string `json:"Value,omitempty"`
}

// ExpectedAttributeValue is one legacy condition of Expected.
type ExpectedAttributeValue struct {
	Value              *attr.Value         `json:"Value,omitempty"`
	Exists             *bool               `json:"Exists,omitempty"`
	ComparisonOperator *ComparisonOperator `json:"ComparisonOperator,omitempty"`
	AttributeValueList []attr.Value        `json:"AttributeValueList,omitzero"`
}

// Condition is one legacy condition of KeyConditions, QueryFilter or
// ScanFilter.
type Condition struct {
	AttributeValueList []attr.Value        `json:"AttributeValueList,omitzero"`
	ComparisonOperator *ComparisonOperator `json:"ComparisonOperator,omitempty"`
}

// AttributeValueUpdate is one legacy update of AttributeUpdates.
type AttributeValueUpdate struct {
	Value  *attr.Value      `json:"Value,omitempty"`
	Action *AttributeAction `json:"Action,omitempty"`
}

// Capacity is capacity consumed on one table or index.
type Capacity struct {
	ReadCapacityUnits  *float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits *float64 `json:"WriteCapacityUnits,omitempty"`
	CapacityUnits      *float64 `json:"CapacityUnits,omitempty"`
}

// ConsumedCapacity is the capacity an operation consumed, sent when the
// request asked for it (ReturnConsumedCapacity).
type ConsumedCapacity struct {
	TableName              *string             `json:"TableName,omitempty"`
	CapacityUnits          *float64            `json:"CapacityUnits,omitempty"`
	ReadCapacityUnits      *float64            `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     *float64            `json:"WriteCapacityUnits,omitempty"`
	Table                  *Capacity           `json:"Table,omitempty"`
	LocalSecondaryIndexes  map[string]Capacity `json:"LocalSecondaryIndexes,omitempty"`
	GlobalSecondaryIndexes map[string]Capacity `json:"GlobalSecondaryIndexes,omitempty"`
}

// ItemCollectionMetrics estimates the size of an item collection (tables
// with local secondary indexes).
type ItemCollectionMetrics struct {
	ItemCollectionKey   attr.Item `json:"ItemCollectionKey,omitempty"`
	SizeEstimateRangeGB []float64 `json:"SizeEstimateRangeGB,omitempty"`
}

// CancellationReason is why one item of a transaction failed, in
// TransactionCanceledException's CancellationReasons: Code "None" for an
// item that did not fail, "ConditionalCheckFailed" (with Item when the
// request asked for ReturnValuesOnConditionCheckFailure ALL_OLD),
// "TransactionConflict", "ValidationError", ...
type CancellationReason struct {
	Item    attr.Item `json:"Item,omitempty"`
	Code    string    `json:"Code,omitempty"`
	Message string    `json:"Message,omitempty"`
}
