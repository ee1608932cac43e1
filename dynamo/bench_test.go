package dynamo

import (
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/eddy-streams/eddy/dynamo/attr"
	"github.com/eddy-streams/eddy/protocol/ddb"
	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// Durable conditional writes on one table, from parallel writers, on
// boltmeta in a temporary directory (every acknowledged write synced; the
// writers' transactions share commits through MetaStore.Batch):
//
//	go test ./dynamo -run XXX -bench Conditional -cpu 2 -benchtime 5s
//
// Run with -cpu 2; -test.parallelism-like writers come from
// b.SetParallelism (64 goroutines per CPU), as many clients would.

func benchEngine(b *testing.B) *Engine {
	bcfg := boltmeta.DefaultConfig()
	bcfg.NoSync = os.Getenv("EDDY_BENCH_NOSYNC") != ""
	meta, err := boltmeta.Open(b.TempDir()+"/meta.db", bcfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { meta.Close() })
	e, _ := newEngine(b, meta)
	createTable(b, e, "bench", "leaseKey", ddb.ScalarS, "", "")
	return e
}

// BenchmarkConditionalPut: PutItem of a 200-byte lease item with
// attribute_not_exists on a fresh key each time (the condition holds).
func BenchmarkConditionalPut(b *testing.B) {
	e := benchEngine(b)
	var n atomic.Int64
	payload := attr.S(string(make([]byte, 150)))
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := &ddb.PutItemInput{TableName: sp("bench"), Checker: Checker{},
				Item:                attr.Item{"leaseKey": S(fmt.Sprint("shard-", i)), "leaseOwner": S("worker-1"), "leaseCounter": N("1"), "data": payload},
				ConditionExpression: sp("attribute_not_exists(leaseKey)")}
			if err := in.Validate(); err != nil {
				b.Fatal(err)
			}
			if _, err := e.PutItem(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkConditionalUpdate: UpdateItem renewing one of 1,000 leases,
// conditional on its owner, as a KCL worker's renewal is.
func BenchmarkConditionalUpdate(b *testing.B) {
	e := benchEngine(b)
	const leases = 1000
	for i := range leases {
		put(b, e, "bench", attr.Item{"leaseKey": S(fmt.Sprint("shard-", i)), "leaseOwner": S("worker-1"), "leaseCounter": N("0")})
	}
	var n atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1) % leases
			in := &ddb.UpdateItemInput{TableName: sp("bench"), Checker: Checker{},
				Key:                       attr.Item{"leaseKey": S(fmt.Sprint("shard-", i))},
				UpdateExpression:          sp("SET leaseCounter = leaseCounter + :one"),
				ConditionExpression:       sp("leaseOwner = :owner"),
				ExpressionAttributeValues: map[string]attr.Value{":one": N("1"), ":owner": S("worker-1")}}
			if err := in.Validate(); err != nil {
				b.Fatal(err)
			}
			if _, err := e.UpdateItem(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// benchParallelism is the number of writers per CPU.
var benchParallelism = 64

// BenchmarkConditionalPutWorkingSet: PutItem replacing one of 1,000 lease
// items, conditional on the item's owner: the same conditional put over a
// working set that stays in few pages (BenchmarkConditionalPut inserts a
// new key each time, which costs bbolt a page write per item).
func BenchmarkConditionalPutWorkingSet(b *testing.B) {
	e := benchEngine(b)
	const leases = 1000
	for i := range leases {
		put(b, e, "bench", attr.Item{"leaseKey": S(fmt.Sprint("shard-", i)), "leaseOwner": S("worker-1"), "leaseCounter": N("0")})
	}
	var n atomic.Int64
	b.SetParallelism(benchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			in := &ddb.PutItemInput{TableName: sp("bench"), Checker: Checker{},
				Item:                      attr.Item{"leaseKey": S(fmt.Sprint("shard-", i%leases)), "leaseOwner": S("worker-1"), "leaseCounter": N(fmt.Sprint(i))},
				ConditionExpression:       sp("leaseOwner = :owner"),
				ExpressionAttributeValues: map[string]attr.Value{":owner": S("worker-1")}}
			if err := in.Validate(); err != nil {
				b.Fatal(err)
			}
			if _, err := e.PutItem(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}
