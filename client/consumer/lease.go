package consumer

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Lease table attribute names: the Java KCL 2.x layout
// (awslabs/amazon-kinesis-client, DynamoDBLeaseSerializer), so tables
// written by either read the same. checkpointOwner is KCL 3.x's (a lease
// being handed over); this package reads it and clears it when taking.
const (
	attrLeaseKey             = "leaseKey"
	attrLeaseOwner           = "leaseOwner"
	attrLeaseCounter         = "leaseCounter"
	attrOwnerSwitches        = "ownerSwitchesSinceCheckpoint"
	attrCheckpoint           = "checkpoint"
	attrCheckpointSub        = "checkpointSubSequenceNumber"
	attrPendingCheckpoint    = "pendingCheckpoint"
	attrPendingCheckpointSub = "pendingCheckpointSubSequenceNumber"
	attrParentShardID        = "parentShardId"
	attrChildShardIDs        = "childShardIds"
	attrStartingHashKey      = "startingHashKey"
	attrEndingHashKey        = "endingHashKey"
	attrCheckpointOwner      = "checkpointOwner"
)

// lease is one row of the lease table: a shard (leaseKey is its shard id,
// as single-stream KCL applications write it), who holds it, and how far
// it was processed.
type lease struct {
	key           string
	owner         string // "" when nobody holds it
	counter       int64  // incremented by every write to the lease
	ownerSwitches int64
	checkpoint    esn
	pending       *esn // pendingCheckpoint, when set (written by KCL's two-phase checkpoints)
	parents       []string
	children      []string
	startingHash  string // decimal, "" when not known
	endingHash    string
	checkpointOwn string
}

// done reports whether the lease's shard was processed to its end.
func (l *lease) done() bool { return l.checkpoint.seq == checkpointShardEnd }

// item encodes l as the KCL does (toDynamoRecord).
func (l *lease) item() map[string]types.AttributeValue {
	m := map[string]types.AttributeValue{
		attrLeaseKey:      s(l.key),
		attrLeaseCounter:  n(l.counter),
		attrOwnerSwitches: n(l.ownerSwitches),
		attrCheckpoint:    s(l.checkpoint.seq),
		attrCheckpointSub: n(l.checkpoint.sub),
	}
	if l.owner != "" {
		m[attrLeaseOwner] = s(l.owner)
	}
	if len(l.parents) > 0 {
		m[attrParentShardID] = &types.AttributeValueMemberSS{Value: slices.Clone(l.parents)}
	}
	if len(l.children) > 0 {
		m[attrChildShardIDs] = &types.AttributeValueMemberSS{Value: slices.Clone(l.children)}
	}
	if l.pending != nil {
		m[attrPendingCheckpoint] = s(l.pending.seq)
		m[attrPendingCheckpointSub] = n(l.pending.sub)
	}
	if l.startingHash != "" && l.endingHash != "" {
		m[attrStartingHashKey] = s(l.startingHash)
		m[attrEndingHashKey] = s(l.endingHash)
	}
	return m
}

// leaseFromItem decodes a lease table row. Attributes it does not know
// (throughputKBps, a KCL 3.x lease's extras, anything a user added) are
// ignored.
func leaseFromItem(m map[string]types.AttributeValue) (lease, error) {
	var l lease
	var err error
	get := func(name string) string {
		if v, ok := m[name].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	getN := func(name string) int64 {
		v, ok := m[name].(*types.AttributeValueMemberN)
		if !ok || err != nil {
			return 0
		}
		x, perr := strconv.ParseInt(v.Value, 10, 64)
		if perr != nil {
			err = fmt.Errorf("consumer: lease attribute %s: %w", name, perr)
		}
		return x
	}
	getSS := func(name string) []string {
		if v, ok := m[name].(*types.AttributeValueMemberSS); ok {
			out := slices.Clone(v.Value)
			slices.Sort(out)
			return out
		}
		return nil
	}
	l.key = get(attrLeaseKey)
	if l.key == "" {
		return l, fmt.Errorf("consumer: lease table row without a string %s", attrLeaseKey)
	}
	l.owner = get(attrLeaseOwner)
	l.counter = getN(attrLeaseCounter)
	l.ownerSwitches = getN(attrOwnerSwitches)
	l.checkpoint = esn{seq: get(attrCheckpoint), sub: getN(attrCheckpointSub)}
	if p := get(attrPendingCheckpoint); p != "" {
		l.pending = &esn{seq: p, sub: getN(attrPendingCheckpointSub)}
	}
	l.parents = getSS(attrParentShardID)
	l.children = getSS(attrChildShardIDs)
	l.startingHash = get(attrStartingHashKey)
	l.endingHash = get(attrEndingHashKey)
	l.checkpointOwn = get(attrCheckpointOwner)
	return l, err
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}
