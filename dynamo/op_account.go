package dynamo

import (
	"context"
	"time"

	"github.com/eddy-streams/eddy"

	"github.com/eddy-streams/eddy/protocol/ddb"
)

// Continuous backups (accepted and described, nothing is backed up),
// DescribeLimits and DescribeEndpoints.

// DescribeContinuousBackups describes a table's backups: continuous
// backups are always ENABLED on DynamoDB (API reference,
// ContinuousBackupsDescription), point-in-time recovery as last set.
func (e *Engine) DescribeContinuousBackups(ctx context.Context, in *ddb.DescribeContinuousBackupsInput) (*ddb.DescribeContinuousBackupsOutput, error) {
	t, err := e.fresh(*in.TableName)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, errBackupsTableNotFound(*in.TableName)
	}
	return &ddb.DescribeContinuousBackupsOutput{ContinuousBackupsDescription: e.backups(t)}, nil
}

func (e *Engine) backups(t *table) *ddb.ContinuousBackupsDescription {
	d := &ddb.PointInTimeRecoveryDescription{PointInTimeRecoveryStatus: ptr(ddb.PITRDisabled)}
	if t.doc.PITR {
		d.PointInTimeRecoveryStatus = ptr(ddb.PITREnabled)
		days := t.doc.PITRDays
		if days == 0 {
			days = 35
		}
		d.RecoveryPeriodInDays = &days
		now := e.cfg.Clock.Now()
		earliest := t.doc.PITRSince
		if min := now.Add(-time.Duration(days) * 24 * time.Hour); earliest.Before(min) {
			earliest = min
		}
		ets, lts := ddb.Timestamp(earliest), ddb.Timestamp(now.Add(-5*time.Minute))
		if time.Time(lts).Before(earliest) {
			lts = ets
		}
		d.EarliestRestorableDateTime, d.LatestRestorableDateTime = &ets, &lts
	}
	return &ddb.ContinuousBackupsDescription{ContinuousBackupsStatus: ptr(ddb.BackupsEnabled), PointInTimeRecoveryDescription: d}
}

// errBackupsTableNotFound is the continuous backups operations' error
// for a missing table: TableNotFoundException, the error the API
// reference lists for them. No recording of its message was found; Eddy
// words it "Table not found: <name>".
func errBackupsTableNotFound(name string) error {
	return &eddy.Error{Code: eddy.CodeTableNotFound, Message: "Table not found: " + name}
}

// UpdateContinuousBackups turns point-in-time recovery on or off. It is
// recorded and described; Eddy keeps no backups (see DYNAMODB.md).
func (e *Engine) UpdateContinuousBackups(ctx context.Context, in *ddb.UpdateContinuousBackupsInput) (*ddb.UpdateContinuousBackupsOutput, error) {
	spec := in.PointInTimeRecoverySpecification
	enable := *spec.PointInTimeRecoveryEnabled
	err := e.changeTable(*in.TableName, func(doc *tableDoc) error {
		if !enable && spec.RecoveryPeriodInDays != nil {
			return validation("Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.")
		}
		if enable && !doc.PITR {
			doc.PITRSince = e.cfg.Clock.Now()
		}
		doc.PITR = enable
		doc.PITRDays = 0
		if spec.RecoveryPeriodInDays != nil {
			doc.PITRDays = *spec.RecoveryPeriodInDays
		}
		return nil
	})
	if eddy.CodeOf(err) == eddy.CodeResourceNotFound {
		return nil, errBackupsTableNotFound(*in.TableName)
	}
	if err != nil {
		return nil, err
	}
	return &ddb.UpdateContinuousBackupsOutput{ContinuousBackupsDescription: e.backups(e.lookup(*in.TableName))}, nil
}

// DescribeLimits answers DynamoDB's default quotas: 80,000 read and write
// capacity units per account and 40,000 per table (the AWS CLI's
// describe-limits example, aws/aws-cli
// awscli/examples/dynamodb/describe-limits.rst, records this answer).
func (e *Engine) DescribeLimits(ctx context.Context, in *ddb.DescribeLimitsInput) (*ddb.DescribeLimitsOutput, error) {
	return &ddb.DescribeLimitsOutput{
		AccountMaxReadCapacityUnits:  ptr(int64(80000)),
		AccountMaxWriteCapacityUnits: ptr(int64(80000)),
		TableMaxReadCapacityUnits:    ptr(int64(40000)),
		TableMaxWriteCapacityUnits:   ptr(int64(40000)),
	}, nil
}

// DescribeEndpoints answers as DynamoDB does: its regional endpoint,
// cached for 1440 minutes (the AWS CLI's describe-endpoints example,
// aws/aws-cli awscli/examples/dynamodb/describe-endpoints.rst, records
// {"Address": "dynamodb.us-west-2.amazonaws.com", "CachePeriodInMinutes":
// 1440}). The SDKs use it only with endpoint discovery turned on, which a
// client pointed at Eddy leaves off.
func (e *Engine) DescribeEndpoints(ctx context.Context, in *ddb.DescribeEndpointsInput) (*ddb.DescribeEndpointsOutput, error) {
	return &ddb.DescribeEndpointsOutput{Endpoints: []ddb.Endpoint{{Address: "dynamodb." + e.cfg.Region + ".amazonaws.com", CachePeriodInMinutes: 1440}}}, nil
}
