package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

func (c *child) dynamo() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + c.addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
	})
}

func createKV(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	_, err := c.CreateTable(testContext(t), &dynamodb.CreateTableInput{
		TableName:            aws.String("kvs"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeDynamoDBRestart: `eddy serve` answers DynamoDB and Kinesis on
// one port, /ready covers DynamoDB, and a PutItem survives a restart.
func TestServeDynamoDBRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	srv := startChild(t, args)
	c := srv.dynamo()
	createKV(t, c)
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kvs"),
		Item: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: "a"}, "v": &ddbtypes.AttributeValueMemberN{Value: "42"}}}); err != nil {
		t.Fatal(err)
	}
	// Kinesis on the same port.
	if _, err := srv.client().CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get("http://" + srv.admin + "/ready")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/ready: %d %s", res.StatusCode, body)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	srv.cmd.Wait()

	srv = startChild(t, args)
	c = srv.dynamo()
	out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("kvs"), Key: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: "a"}}})
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := out.Item["v"].(*ddbtypes.AttributeValueMemberN); !ok || v.Value != "42" {
		t.Fatalf("after restart: %v", out.Item)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
}

// TestServeDynamoDBKill9 writes items from several clients, kills the
// server with SIGKILL right after, restarts it on the same data directory
// and finds every item whose PutItem was acknowledged.
func TestServeDynamoDBKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	srv := startChild(t, args)
	c := srv.dynamo()
	createKV(t, c)
	var mu sync.Mutex
	acked := map[string]string{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k, v := fmt.Sprintf("w%d-%d", w, i), fmt.Sprint(i*7)
				_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kvs"),
					Item:                map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: k}, "v": &ddbtypes.AttributeValueMemberN{Value: v}},
					ConditionExpression: aws.String("attribute_not_exists(k)")})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[k] = v
				mu.Unlock()
			}
		}(w)
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	waitFor(t, "500 acknowledged PutItems", func() bool {
		select {
		case <-writersDone:
			t.Fatal("every writer stopped before 500 puts were acknowledged")
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 500
	})
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	close(stop)
	recvWithin(t, writersDone, "the writers to stop")

	srv = startChild(t, args)
	c = srv.dynamo()
	found := map[string]string{}
	for p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("kvs")}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			found[it["k"].(*ddbtypes.AttributeValueMemberS).Value] = it["v"].(*ddbtypes.AttributeValueMemberN).Value
		}
	}
	for k, v := range acked {
		if found[k] != v {
			t.Fatalf("acknowledged item %s = %s after kill -9: %q", k, v, found[k])
		}
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("kvs")})
	if err != nil {
		t.Fatal(err)
	}
	if int(*d.Table.ItemCount) != len(found) {
		t.Fatalf("ItemCount %d, but a scan finds %d items", *d.Table.ItemCount, len(found))
	}
	t.Logf("%d acknowledged PutItems, all present after kill -9 (%d items in the table)", len(acked), len(found))
	srv.cmd.Process.Signal(syscall.SIGTERM)
}
