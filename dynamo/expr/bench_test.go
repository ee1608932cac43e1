package expr

import (
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Benchmarks of what the engine does per request with the expressions the
// KCL sends most: the lease-renewal condition (as the Java KCL 2.x sends
// it, Expected on leaseCounter and leaseOwner, and as the equivalent
// ConditionExpression) and the update that comes with it. The ...Parsed
// variants reuse one parsed expression: the gap between the two is what a
// cache of parsed expressions per request string could save at most (see
// the package doc for the measurements and the conclusion).

const (
	benchLease     = `{"leaseKey":{"S":"shardId-000000000001"},"leaseOwner":{"S":"worker-1"},"leaseCounter":{"N":"42"},"checkpoint":{"S":"49590338271490256608559692538361571095921575989136588898"},"checkpointSubSequenceNumber":{"N":"0"},"ownerSwitchesSinceCheckpoint":{"N":"0"},"parentShardId":{"SS":["shardId-000000000000"]}}`
	benchCondition = "attribute_exists(leaseKey) AND leaseOwner = :owner AND leaseCounter = :counter"
	benchCondVals  = `{":owner":{"S":"worker-1"},":counter":{"N":"42"}}`
	benchUpdate    = "SET leaseCounter = leaseCounter + :one, leaseOwner = :owner, checkpoint = :cp ADD ownerSwitchesSinceCheckpoint :one REMOVE pendingCheckpoint"
	benchUpdVals   = `{":one":{"N":"1"},":owner":{"S":"worker-2"},":cp":{"S":"49590338271490256608559692538361571095921575989136588999"}}`
)

// BenchmarkLeaseConditionExpression: NewParams, ParseCondition, Unused and
// Eval, as for every conditional write.
func BenchmarkLeaseConditionExpression(b *testing.B) {
	lease, values := item(b, benchLease), vals(b, benchCondVals)
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewParams(nil, values)
		if err != nil {
			b.Fatal(err)
		}
		c, err := ParseCondition(benchCondition, p)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Unused(); err != nil {
			b.Fatal(err)
		}
		if !c.Eval(lease) {
			b.Fatal("false")
		}
	}
}

// BenchmarkLeaseConditionExpressionParsed: Eval alone.
func BenchmarkLeaseConditionExpressionParsed(b *testing.B) {
	lease := item(b, benchLease)
	c, err := ParseCondition(benchCondition, params(b, nil, benchCondVals))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(lease) {
			b.Fatal("false")
		}
	}
}

// BenchmarkLeaseExpected: the same condition as the KCL 2.x sends it,
// Expected {leaseCounter: {Value}, leaseOwner: {Value}}, converted and
// evaluated.
func BenchmarkLeaseExpected(b *testing.B) {
	lease := item(b, benchLease)
	owner, counter := attr.S("worker-1"), attr.N("42")
	expected := map[string]ExpectedAttributeValue{
		"leaseCounter": {Value: &counter},
		"leaseOwner":   {Value: &owner},
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := FromExpected(expected, "")
		if err != nil {
			b.Fatal(err)
		}
		if !c.Eval(lease) {
			b.Fatal("false")
		}
	}
}

// BenchmarkUpdateExpression: NewParams, ParseUpdate, Unused and Apply.
func BenchmarkUpdateExpression(b *testing.B) {
	lease, values := item(b, benchLease), vals(b, benchUpdVals)
	b.ReportAllocs()
	for b.Loop() {
		p, err := NewParams(nil, values)
		if err != nil {
			b.Fatal(err)
		}
		u, err := ParseUpdate(benchUpdate, p)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Unused(); err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(lease); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUpdateExpressionParsed: Apply alone.
func BenchmarkUpdateExpressionParsed(b *testing.B) {
	lease := item(b, benchLease)
	u, err := ParseUpdate(benchUpdate, params(b, nil, benchUpdVals))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := u.Apply(lease); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeaseAttributeUpdates: the KCL 2.x's renewal update as
// AttributeUpdates (leaseCounter PUT, leaseOwner PUT), converted and
// applied.
func BenchmarkLeaseAttributeUpdates(b *testing.B) {
	lease := item(b, benchLease)
	owner, counter := attr.S("worker-2"), attr.N("43")
	updates := map[string]AttributeValueUpdate{
		"leaseCounter": {Value: &counter, Action: "PUT"},
		"leaseOwner":   {Value: &owner, Action: "PUT"},
	}
	b.ReportAllocs()
	for b.Loop() {
		u, err := FromAttributeUpdates(updates)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(lease); err != nil {
			b.Fatal(err)
		}
	}
}
