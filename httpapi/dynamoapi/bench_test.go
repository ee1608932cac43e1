package dynamoapi

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
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

// BenchmarkHandler: the server's own work per request, without a network
// or a disk: the transport's handler called directly on an in-memory
// store, one request after another. What it measures is what every
// request costs the server besides net/http and the commit (decoding,
// validation, the engine, the response), and its allocations:
//
//	go test ./httpapi/dynamoapi -run '^$' -bench Handler -benchmem
func BenchmarkHandler(b *testing.B) {
	e, err := dynamo.Open(dynamo.DefaultConfig(), mem.NewMeta())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(e))
	if err != nil {
		b.Fatal(err)
	}
	call := func(b *testing.B, target, body string) {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		req.Header.Set("X-Amz-Date", "20240102T030405Z")
		req.Header.Set("Authorization", unverifiedAuth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", target, rec.Code, rec.Body)
		}
	}
	call(b, "CreateTable", `{"TableName":"bench","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
		"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"}`)
	call(b, "PutItem", `{"TableName":"bench","Item":{"pk":{"S":"lease"},"leaseCounter":{"N":"0"},"leaseOwner":{"S":"worker-1"}}}`)
	payload := strings.Repeat("x", 100)
	next, counter := 0, 0 // b.Run calls each function more than once
	b.Run("put-new", func(b *testing.B) {
		for range b.N {
			next++
			call(b, "PutItem", `{"TableName":"bench","Item":{"pk":{"S":"item-`+strconv.Itoa(next)+`"},"data":{"S":"`+payload+`"}},"ConditionExpression":"attribute_not_exists(pk)"}`)
		}
	})
	b.Run("lease", func(b *testing.B) {
		for range b.N {
			call(b, "UpdateItem", `{"TableName":"bench","Key":{"pk":{"S":"lease"}},"Expected":{"leaseCounter":{"Value":{"N":"`+strconv.Itoa(counter)+`"}}},`+
				`"AttributeUpdates":{"leaseCounter":{"Action":"ADD","Value":{"N":"1"}}}}`)
			counter++
		}
	})
}
