package ddb

// Table settings and account facts: UpdateTimeToLive, DescribeTimeToLive,
// UpdateContinuousBackups, DescribeContinuousBackups, DescribeEndpoints,
// DescribeLimits, and tags: TagResource, UntagResource,
// ListTagsOfResource.

// TimeToLiveSpecification turns expiry on or off for an attribute.
type TimeToLiveSpecification struct {
	Enabled       *bool   `json:"Enabled,omitempty"`
	AttributeName *string `json:"AttributeName,omitempty"`
}

// TimeToLiveDescription is a table's expiry setting.
type TimeToLiveDescription struct {
	TimeToLiveStatus *TimeToLiveStatus `json:"TimeToLiveStatus,omitempty"`
	AttributeName    *string           `json:"AttributeName,omitempty"`
}

// UpdateTimeToLiveInput is the request of UpdateTimeToLive.
type UpdateTimeToLiveInput struct {
	TableName               *string                  `json:"TableName,omitempty"`
	TimeToLiveSpecification *TimeToLiveSpecification `json:"TimeToLiveSpecification,omitempty"`
}

// UpdateTimeToLiveOutput is the response of UpdateTimeToLive.
type UpdateTimeToLiveOutput struct {
	TimeToLiveSpecification *TimeToLiveSpecification `json:"TimeToLiveSpecification,omitempty"`
}

// Validate checks UpdateTimeToLive: the table name as DescribeTimeToLive
// checks it (dynalite validations/describeTimeToLive.js; dynalite has no
// UpdateTimeToLive), then the specification's members, attributeName
// before enabled (recorded answers of DynamoDB: "2 validation errors
// detected: Value null at 'timeToLiveSpecification.attributeName' ...;
// Value null at 'timeToLiveSpecification.enabled' ...", and a length of at
// least 1 for the name).
func (in *UpdateTimeToLiveInput) Validate() error {
	if err := checkTableName(in.TableName); err != nil {
		return err
	}
	var v violations
	v.str("tableName", in.TableName, false, shapeTableNamePattern)
	if s := in.TimeToLiveSpecification; v.notNull("timeToLiveSpecification", s != nil, true) {
		v.str("timeToLiveSpecification.attributeName", s.AttributeName, true, shapeTTLAttributeName)
		v.notNull("timeToLiveSpecification.enabled", s.Enabled != nil, true)
	}
	return v.err()
}

// DescribeTimeToLiveInput is the request of DescribeTimeToLive.
type DescribeTimeToLiveInput struct {
	TableName *string `json:"TableName,omitempty"`
}

// DescribeTimeToLiveOutput is the response of DescribeTimeToLive.
type DescribeTimeToLiveOutput struct {
	TimeToLiveDescription *TimeToLiveDescription `json:"TimeToLiveDescription,omitempty"`
}

// Validate checks DescribeTimeToLive (dynalite
// validations/describeTimeToLive.js).
func (in *DescribeTimeToLiveInput) Validate() error { return checkTableOnly(in.TableName) }

// PointInTimeRecoverySpecification turns point-in-time recovery on or off.
type PointInTimeRecoverySpecification struct {
	PointInTimeRecoveryEnabled *bool  `json:"PointInTimeRecoveryEnabled,omitempty"`
	RecoveryPeriodInDays       *int32 `json:"RecoveryPeriodInDays,omitempty"`
}

// PointInTimeRecoveryDescription is a table's point-in-time recovery.
type PointInTimeRecoveryDescription struct {
	PointInTimeRecoveryStatus  *PointInTimeRecoveryStatus `json:"PointInTimeRecoveryStatus,omitempty"`
	RecoveryPeriodInDays       *int32                     `json:"RecoveryPeriodInDays,omitempty"`
	EarliestRestorableDateTime *Timestamp                 `json:"EarliestRestorableDateTime,omitempty"`
	LatestRestorableDateTime   *Timestamp                 `json:"LatestRestorableDateTime,omitempty"`
}

// ContinuousBackupsDescription is a table's backup settings.
type ContinuousBackupsDescription struct {
	ContinuousBackupsStatus        *ContinuousBackupsStatus        `json:"ContinuousBackupsStatus,omitempty"`
	PointInTimeRecoveryDescription *PointInTimeRecoveryDescription `json:"PointInTimeRecoveryDescription,omitempty"`
}

// UpdateContinuousBackupsInput is the request of UpdateContinuousBackups.
type UpdateContinuousBackupsInput struct {
	TableName                        *string                           `json:"TableName,omitempty"`
	PointInTimeRecoverySpecification *PointInTimeRecoverySpecification `json:"PointInTimeRecoverySpecification,omitempty"`
}

// UpdateContinuousBackupsOutput is the response of
// UpdateContinuousBackups.
type UpdateContinuousBackupsOutput struct {
	ContinuousBackupsDescription *ContinuousBackupsDescription `json:"ContinuousBackupsDescription,omitempty"`
}

// Validate checks UpdateContinuousBackups: the table name as the table
// operations check it (dynalite has no UpdateContinuousBackups), then the
// specification (recorded answers of DynamoDB: "Value null at
// 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled'",
// "recoveryPeriodInDays ... Member must have value greater than or equal
// to 1"; the model's maximum is 35).
func (in *UpdateContinuousBackupsInput) Validate() error {
	if err := checkTableName(in.TableName); err != nil {
		return err
	}
	var v violations
	v.str("tableName", in.TableName, false, shapeTableNamePattern)
	if s := in.PointInTimeRecoverySpecification; v.notNull("pointInTimeRecoverySpecification", s != nil, true) {
		v.notNull("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled", s.PointInTimeRecoveryEnabled != nil, true)
		num(&v, "pointInTimeRecoverySpecification.recoveryPeriodInDays", s.RecoveryPeriodInDays, false, 1, 35)
	}
	return v.err()
}

// DescribeContinuousBackupsInput is the request of
// DescribeContinuousBackups.
type DescribeContinuousBackupsInput struct {
	TableName *string `json:"TableName,omitempty"`
}

// DescribeContinuousBackupsOutput is the response of
// DescribeContinuousBackups.
type DescribeContinuousBackupsOutput struct {
	ContinuousBackupsDescription *ContinuousBackupsDescription `json:"ContinuousBackupsDescription,omitempty"`
}

// Validate checks DescribeContinuousBackups as the table operations check
// their table name.
func (in *DescribeContinuousBackupsInput) Validate() error { return checkTableOnly(in.TableName) }

// DescribeEndpointsInput is the request of DescribeEndpoints: empty.
type DescribeEndpointsInput struct{}

// Endpoint is an address of the service with how long a client may cache
// it.
type Endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

// DescribeEndpointsOutput is the response of DescribeEndpoints.
type DescribeEndpointsOutput struct {
	Endpoints []Endpoint `json:"Endpoints"`
}

// DescribeLimitsInput is the request of DescribeLimits: empty.
type DescribeLimitsInput struct{}

// DescribeLimitsOutput is the response of DescribeLimits.
type DescribeLimitsOutput struct {
	AccountMaxReadCapacityUnits  *int64 `json:"AccountMaxReadCapacityUnits,omitempty"`
	AccountMaxWriteCapacityUnits *int64 `json:"AccountMaxWriteCapacityUnits,omitempty"`
	TableMaxReadCapacityUnits    *int64 `json:"TableMaxReadCapacityUnits,omitempty"`
	TableMaxWriteCapacityUnits   *int64 `json:"TableMaxWriteCapacityUnits,omitempty"`
}
