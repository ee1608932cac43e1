package dynamoapi

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// BenchmarkPutItemHTTP: conditional PutItems of new lease items through
// the transport on loopback (plain net/http clients, 64 per CPU), durable
// on boltmeta: what the engine benchmarks measure plus the HTTP and JSON
// work.
//
//	go test ./httpapi/dynamoapi -run '^$' -bench PutItemHTTP -cpu 2
func BenchmarkPutItemHTTP(b *testing.B) {
	meta, err := boltmeta.Open(b.TempDir()+"/meta.db", boltmeta.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	defer meta.Close()
	e, err := dynamo.Open(dynamo.DefaultConfig(), meta)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(e))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(ln)
	url := "http://" + ln.Addr().String() + "/"
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024}, Timeout: time.Minute}
	call := func(target, body string) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		req.Header.Set("X-Amz-Date", "20240102T030405Z")
		req.Header.Set("Authorization", unverifiedAuth)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: %d %s", target, res.StatusCode, out)
		}
	}
	call("CreateTable", `{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"leaseKey","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"leaseKey","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	var n atomic.Int64
	b.SetParallelism(64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			call("PutItem", fmt.Sprintf(`{"TableName":"bench","Item":{"leaseKey":{"S":"shard-%d"},"leaseOwner":{"S":"worker-1"},"leaseCounter":{"N":"1"}},`+
				`"ConditionExpression":"attribute_not_exists(leaseKey)"}`, i))
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	srv.Shutdown(b.Context())
}
