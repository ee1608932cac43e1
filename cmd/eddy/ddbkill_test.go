package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// dynamoNoRetry is a DynamoDB client that never retries: an error means
// the write was not acknowledged.
func (c *child) dynamoNoRetry() *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + c.addr),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "secret", ""),
		Retryer:      aws.NopRetryer{},
	})
}

// TestServeKill9DynamoDB writes items from several clients into the real
// server (conditional PutItems of new keys, and a KCL-style chain of
// conditional UpdateItems per client), kills the server with SIGKILL after
// a random number of acknowledged writes (TestServeDynamoDBKill9 kills it
// after 500 PutItems), restarts it on the same data
// directory, and checks that every acknowledged write is there: each
// acknowledged item with its value, and each chain at its last
// acknowledged counter or (the write in flight at the kill) one past it.
func TestServeKill9DynamoDB(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test skipped in -short mode")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	srv := startChild(t, args)
	c := srv.dynamoNoRetry()
	const table = "kill9"
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	killAfter := 50 + rand.New(rand.NewPCG(seed, 0)).IntN(400)
	t.Logf("seed %d: SIGKILL after %d acknowledged writes", seed, killAfter)

	const writers = 6
	var mu sync.Mutex
	putAcked := map[string]string{}    // key -> value of each acknowledged PutItem
	chainAcked := make([]int, writers) // the last acknowledged counter of each writer's chain
	acks := 0
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			chain := fmt.Sprintf("lease-%d", w)
			counter := 0
			for i := 0; ; i++ {
				var err error
				if i%2 == 0 {
					key, val := fmt.Sprintf("item-%d-%d", w, i), fmt.Sprintf("v%d-%d", w, i)
					_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table),
						Item:                map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: key}, "v": &types.AttributeValueMemberS{Value: val}},
						ConditionExpression: aws.String("attribute_not_exists(k)")})
					if err == nil {
						mu.Lock()
						putAcked[key] = val
						acks++
						mu.Unlock()
					}
				} else {
					// The lease renewal: the counter moves by one under a
					// condition on the value last read (none the first time).
					in := &dynamodb.UpdateItemInput{TableName: aws.String(table),
						Key:                       map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: chain}},
						UpdateExpression:          aws.String("SET leaseCounter = :next, leaseOwner = :w"),
						ExpressionAttributeValues: map[string]types.AttributeValue{":next": &types.AttributeValueMemberN{Value: strconv.Itoa(counter + 1)}, ":w": &types.AttributeValueMemberS{Value: chain}},
						ConditionExpression:       aws.String("attribute_not_exists(leaseCounter)"),
					}
					if counter > 0 {
						in.ConditionExpression = aws.String("leaseCounter = :prev")
						in.ExpressionAttributeValues[":prev"] = &types.AttributeValueMemberN{Value: strconv.Itoa(counter)}
					}
					_, err = c.UpdateItem(ctx, in)
					if err == nil {
						counter++
						mu.Lock()
						chainAcked[w] = counter
						acks++
						mu.Unlock()
					}
				}
				if err != nil {
					return // the server is gone
				}
			}
		}()
	}
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	waitFor(t, fmt.Sprintf("%d acknowledged writes", killAfter), func() bool {
		select {
		case <-writersDone:
			t.Fatal("every writer stopped before the kill")
		default:
		}
		mu.Lock()
		defer mu.Unlock()
		return acks >= killAfter
	})
	srv.cmd.Process.Signal(syscall.SIGKILL)
	srv.cmd.Wait()
	recvWithin(t, writersDone, "the writers to stop")

	srv = startChild(t, args)
	c = srv.dynamoNoRetry()
	get := func(ctx context.Context, key string) map[string]types.AttributeValue {
		out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
			Key: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: key}}})
		if err != nil {
			t.Fatalf("GetItem %s after restart: %v", key, err)
		}
		return out.Item
	}
	for key, val := range putAcked {
		item := get(ctx, key)
		if v, ok := item["v"].(*types.AttributeValueMemberS); !ok || v.Value != val {
			t.Errorf("acknowledged PutItem %s=%s after restart: %v", key, val, item)
		}
	}
	for w, acked := range chainAcked {
		if acked == 0 {
			continue
		}
		item := get(ctx, fmt.Sprintf("lease-%d", w))
		n, _ := item["leaseCounter"].(*types.AttributeValueMemberN)
		got := -1
		if n != nil {
			got, _ = strconv.Atoi(n.Value)
		}
		if got != acked && got != acked+1 {
			t.Errorf("lease-%d after restart: leaseCounter %d, want the acknowledged %d (or %d, the update in flight)", w, got, acked, acked+1)
		}
	}
	t.Logf("%d acknowledged PutItems and %d chains, all present after kill -9", len(putAcked), writers)
	srv.cmd.Process.Signal(syscall.SIGTERM)
}
