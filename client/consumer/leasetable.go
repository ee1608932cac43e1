package consumer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// errLeaseChanged means a conditional write found the lease changed
// (another worker took it, or it is gone): this worker no longer holds it.
var errLeaseChanged = errors.New("consumer: the lease changed in the lease table")

// leaseTable reads and writes the lease table. Every write that depends on
// who holds a lease is conditional on the leaseCounter (and the owner) it
// expects, as the KCL's DynamoDBLeaseRefresher does, so two workers can
// never both believe they hold one lease.
type leaseTable struct {
	ddb  DynamoDBAPI
	name string
}

// ensure creates the table (leaseKey, a string hash key; on-demand
// capacity, as the KCL 2.x creates it by default) if it does not exist,
// and waits until it is ACTIVE.
func (t *leaseTable) ensure(ctx context.Context) error {
	_, err := t.ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(t.name),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(attrLeaseKey), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(attrLeaseKey), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	if err != nil && !errors.As(err, &inUse) {
		return fmt.Errorf("consumer: creating lease table %s: %w", t.name, err)
	}
	for wait := 100 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		out, err := t.ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.name)})
		if err != nil {
			return fmt.Errorf("consumer: describing lease table %s: %w", t.name, err)
		}
		if out.Table != nil && out.Table.TableStatus == types.TableStatusActive {
			return nil
		}
		if err := sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// list reads every lease (a consistent Scan, page by page).
func (t *leaseTable) list(ctx context.Context) ([]lease, error) {
	var out []lease
	var start map[string]types.AttributeValue
	for {
		page, err := t.ddb.Scan(ctx, &dynamodb.ScanInput{
			TableName:         aws.String(t.name),
			ConsistentRead:    aws.Bool(true),
			ExclusiveStartKey: start,
		})
		if err != nil {
			return nil, fmt.Errorf("consumer: scanning lease table %s: %w", t.name, err)
		}
		for _, it := range page.Items {
			l, err := leaseFromItem(it)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

// get reads one lease; ok is false when it does not exist.
func (t *leaseTable) get(ctx context.Context, key string) (l lease, ok bool, err error) {
	out, err := t.ddb.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(t.name),
		Key:            map[string]types.AttributeValue{attrLeaseKey: s(key)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return l, false, fmt.Errorf("consumer: reading lease %s: %w", key, err)
	}
	if len(out.Item) == 0 {
		return l, false, nil
	}
	l, err = leaseFromItem(out.Item)
	return l, err == nil, err
}

// create writes a new lease unless one with its key exists; created is
// false when one did.
func (t *leaseTable) create(ctx context.Context, l lease) (created bool, err error) {
	_, err = t.ddb.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:           aws.String(t.name),
		Item:                l.item(),
		ConditionExpression: aws.String("attribute_not_exists(leaseKey)"),
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("consumer: creating lease %s: %w", l.key, err)
	}
	return true, nil
}

// renew increments the counter of a lease this worker holds.
func (t *leaseTable) renew(ctx context.Context, l *lease) error {
	return t.update(ctx, l, "SET leaseCounter = :next", nil)
}

// take makes owner the holder of l, whatever its owner was, provided its
// counter is still the one the taker saw. It returns the lease as written.
func (t *leaseTable) take(ctx context.Context, l lease, owner string) (lease, error) {
	expr := "SET leaseOwner = :owner, leaseCounter = :next"
	vals := map[string]types.AttributeValue{
		":owner": s(owner),
		":next":  n(l.counter + 1),
		":cur":   n(l.counter),
	}
	if l.owner != "" && l.owner != owner {
		expr += " ADD ownerSwitchesSinceCheckpoint :one"
		vals[":one"] = n(1)
	}
	expr += " REMOVE checkpointOwner"
	out, err := t.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.name),
		Key:                       map[string]types.AttributeValue{attrLeaseKey: s(l.key)},
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("leaseCounter = :cur"),
		ExpressionAttributeValues: vals,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return l, errLeaseChanged
	}
	if err != nil {
		return l, fmt.Errorf("consumer: taking lease %s: %w", l.key, err)
	}
	return leaseFromItem(out.Attributes)
}

// release removes this worker as the owner of l (a graceful handoff, or a
// finished shard), so another worker can take it at once.
func (t *leaseTable) release(ctx context.Context, l *lease) error {
	return t.update(ctx, l, "SET leaseCounter = :next REMOVE leaseOwner", nil)
}

// checkpoint records cp as l's checkpoint and clears a pending one, as the
// KCL's updateLease does (ownerSwitchesSinceCheckpoint back to 0).
func (t *leaseTable) checkpoint(ctx context.Context, l *lease, cp esn) error {
	err := t.update(ctx, l,
		"SET leaseCounter = :next, checkpoint = :cp, checkpointSubSequenceNumber = :sub, ownerSwitchesSinceCheckpoint = :zero"+
			" REMOVE pendingCheckpoint, pendingCheckpointSubSequenceNumber",
		map[string]types.AttributeValue{":cp": s(cp.seq), ":sub": n(cp.sub), ":zero": n(0)})
	if err == nil {
		l.checkpoint, l.ownerSwitches, l.pending = cp, 0, nil
	}
	return err
}

// setChildren records the shard's children in its lease (childShardIds),
// as the KCL does when a shard ends.
func (t *leaseTable) setChildren(ctx context.Context, l *lease, children []string) error {
	err := t.update(ctx, l, "SET leaseCounter = :next, childShardIds = :children",
		map[string]types.AttributeValue{":children": &types.AttributeValueMemberSS{Value: children}})
	if err == nil {
		l.children = children
	}
	return err
}

// update applies expr to a lease this worker holds, on condition that its
// counter and owner are still l's; :next is l.counter+1, and on success
// l.counter becomes that.
func (t *leaseTable) update(ctx context.Context, l *lease, expr string, vals map[string]types.AttributeValue) error {
	if vals == nil {
		vals = map[string]types.AttributeValue{}
	}
	vals[":cur"] = n(l.counter)
	vals[":next"] = n(l.counter + 1)
	vals[":me"] = s(l.owner)
	_, err := t.ddb.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(t.name),
		Key:                       map[string]types.AttributeValue{attrLeaseKey: s(l.key)},
		UpdateExpression:          aws.String(expr),
		ConditionExpression:       aws.String("leaseCounter = :cur AND leaseOwner = :me"),
		ExpressionAttributeValues: vals,
	})
	if isConditionFailed(err) {
		return errLeaseChanged
	}
	if err != nil {
		return fmt.Errorf("consumer: writing lease %s: %w", l.key, err)
	}
	l.counter++
	return nil
}

// delete removes a lease, on condition that its counter is still the one
// the caller saw.
func (t *leaseTable) delete(ctx context.Context, l lease) error {
	_, err := t.ddb.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(t.name),
		Key:                       map[string]types.AttributeValue{attrLeaseKey: s(l.key)},
		ConditionExpression:       aws.String("leaseCounter = :cur"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":cur": n(l.counter)},
	})
	if isConditionFailed(err) {
		return errLeaseChanged
	}
	if err != nil {
		return fmt.Errorf("consumer: deleting lease %s: %w", l.key, err)
	}
	return nil
}

func isConditionFailed(err error) bool {
	var cf *types.ConditionalCheckFailedException
	return errors.As(err, &cf)
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
