package dynamoapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/dynamo"
	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// startServer serves DynamoDB on 127.0.0.1:0 over bbolt in a temporary
// directory and returns an aws-sdk-go-v2 client for it.
func startServer(t *testing.T) *dynamodb.Client {
	c, _ := startServerCounting(t)
	return c
}

// crcCounter counts responses, and those without an X-Amz-Crc32 header.
type crcCounter struct {
	next             http.RoundTripper
	mu               sync.Mutex
	responses, noCRC int
}

func (c *crcCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := c.next.RoundTrip(r)
	if err == nil {
		c.mu.Lock()
		c.responses++
		if res.Header.Get("X-Amz-Crc32") == "" {
			c.noCRC++
		}
		c.mu.Unlock()
	}
	return res, err
}

// startServerCounting is startServer with the client's responses counted.
func startServerCounting(t *testing.T) (*dynamodb.Client, *crcCounter) {
	t.Helper()
	meta, err := boltmeta.Open(t.TempDir()+"/meta.db", boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	regions, err := dynamo.OpenRegions(dynamo.DefaultConfig(), meta)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), RegionalService(regions))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		regions.Close()
		meta.Close()
	})
	counter := &crcCounter{next: http.DefaultTransport}
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + ln.Addr().String()),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		HTTPClient:   &http.Client{Transport: counter},
		// The SDK checks X-Amz-Crc32 on every response (its default,
		// DisableValidateResponseChecksum false): a wrong one fails the
		// call.
		RetryMaxAttempts: 1,
	}), counter
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func createLeaseTable(t *testing.T, c *dynamodb.Client, name string) {
	t.Helper()
	_, err := c.CreateTable(ctxT(t), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("leaseKey"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("leaseKey"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSDKItemsAndTables(t *testing.T) {
	c, crc := startServerCounting(t)
	defer func() {
		if crc.responses == 0 || crc.noCRC != 0 {
			t.Errorf("%d of %d responses without X-Amz-Crc32", crc.noCRC, crc.responses)
		}
	}()
	ctx := ctxT(t)
	createLeaseTable(t, c, "leases")

	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	if err != nil {
		t.Fatal(err)
	}
	if d.Table.TableStatus != types.TableStatusActive || *d.Table.TableArn != "arn:aws:dynamodb:us-east-1:000000000000:table/leases" {
		t.Fatalf("describe: %v %v", d.Table.TableStatus, *d.Table.TableArn)
	}

	// A lease taken with a condition, as KCL takes them.
	put := &dynamodb.PutItemInput{
		TableName:           aws.String("leases"),
		Item:                map[string]types.AttributeValue{"leaseKey": s("shard-0"), "leaseCounter": n("1"), "leaseOwner": s("w1")},
		ConditionExpression: aws.String("attribute_not_exists(leaseKey)"),
	}
	if _, err := c.PutItem(ctx, put); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutItem(ctx, put); apiCode(err) != "ConditionalCheckFailedException: The conditional request failed" {
		t.Fatalf("second conditional put: %v", apiCode(err))
	}
	// Renew with the legacy Expected, as KCL 2.x does, and ADD.
	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("leases"),
		Key:       map[string]types.AttributeValue{"leaseKey": s("shard-0")},
		Expected: map[string]types.ExpectedAttributeValue{
			"leaseCounter": {Value: n("1")},
		},
		AttributeUpdates: map[string]types.AttributeValueUpdate{
			"leaseCounter": {Action: types.AttributeActionAdd, Value: n("1")},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	if v := up.Attributes["leaseCounter"].(*types.AttributeValueMemberN).Value; v != "2" {
		t.Fatalf("leaseCounter = %s", v)
	}
	// A checkpoint with an update expression, lower-case keyword.
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String("leases"),
		Key:                       map[string]types.AttributeValue{"leaseKey": s("shard-0")},
		UpdateExpression:          aws.String("set checkpoint = :c remove leaseOwner"),
		ConditionExpression:       aws.String("leaseCounter = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": s("49590"), ":n": n("2")},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("leases"), Key: map[string]types.AttributeValue{"leaseKey": s("shard-0")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Item["leaseOwner"]; ok || got.Item["checkpoint"].(*types.AttributeValueMemberS).Value != "49590" {
		t.Fatalf("item %v", got.Item)
	}
	// The key checks that need the table.
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("leases"), Key: map[string]types.AttributeValue{"id": s("x")}})
	if apiCode(err) != "ValidationException: The provided key element does not match the schema" {
		t.Fatalf("bad key: %v", apiCode(err))
	}
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("leases"), Item: map[string]types.AttributeValue{"x": s("x")}})
	if apiCode(err) != "ValidationException: One or more parameter values were invalid: Missing the key leaseKey in the item" {
		t.Fatalf("missing key: %v", apiCode(err))
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("leases"), Key: map[string]types.AttributeValue{"leaseKey": s("a")},
		UpdateExpression: aws.String("SET leaseKey = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": s("b")}})
	if apiCode(err) != "ValidationException: One or more parameter values were invalid: Cannot update attribute leaseKey. This attribute is part of the key" {
		t.Fatalf("update key: %v", apiCode(err))
	}
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: map[string]types.AttributeValue{"leaseKey": s("x")}})
	if apiCode(err) != "ResourceNotFoundException: Requested resource not found" {
		t.Fatalf("missing table: %v", apiCode(err))
	}
	d, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Table.ItemCount != 1 || *d.Table.TableSizeBytes == 0 {
		t.Fatalf("count %d size %d", *d.Table.ItemCount, *d.Table.TableSizeBytes)
	}
	if _, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("leases"), Key: map[string]types.AttributeValue{"leaseKey": s("shard-0")}}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		createLeaseTable(t, c, fmt.Sprint("more-", i))
	}
	var names []string
	for p := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(2)}); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.TableNames...)
	}
	if fmt.Sprint(names) != "[leases more-0 more-1 more-2]" {
		t.Fatalf("ListTables pages: %v", names)
	}
	if _, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("leases")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	if apiCode(err) != "ResourceNotFoundException: Requested resource not found: Table: leases not found" {
		t.Fatalf("deleted: %v", apiCode(err))
	}
}

// TestSDKQueryPaginator pages a Query and a Scan with the SDK's
// paginators, Limit 3 over 10 items.
func TestSDKQueryPaginator(t *testing.T) {
	c := startServer(t)
	ctx := ctxT(t)
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("events"),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		for _, pk := range []string{"a", "b"} {
			if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("events"),
				Item: map[string]types.AttributeValue{"pk": s(pk), "sk": n(fmt.Sprint(i - 5)), "odd": &types.AttributeValueMemberBOOL{Value: i%2 == 1}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	q := &dynamodb.QueryInput{
		TableName:                 aws.String("events"),
		KeyConditionExpression:    aws.String("pk = :p AND sk >= :lo"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("a"), ":lo": n("-2")},
		Limit:                     aws.Int32(3),
		ScanIndexForward:          aws.Bool(false),
	}
	var sks []string
	for p := dynamodb.NewQueryPaginator(c, q); p.HasMorePages(); {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			sks = append(sks, it["sk"].(*types.AttributeValueMemberN).Value)
		}
	}
	if fmt.Sprint(sks) != "[4 3 2 1 0 -1 -2]" {
		t.Fatalf("query pages: %v", sks)
	}
	total := 0
	for seg := range 3 {
		for p := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: aws.String("events"), Limit: aws.Int32(4),
			Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3)}); p.HasMorePages(); {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			total += int(out.Count)
		}
	}
	if total != 20 {
		t.Fatalf("scan of 3 segments saw %d items, want 20", total)
	}
	out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("events"),
		KeyConditionExpression: aws.String("pk = :p"), FilterExpression: aws.String("odd = :t"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": s("b"), ":t": &types.AttributeValueMemberBOOL{Value: true}},
		Select:                    types.SelectCount})
	if err != nil {
		t.Fatal(err)
	}
	if out.Count != 5 || out.ScannedCount != 10 || out.Items != nil {
		t.Fatalf("count %d scanned %d items %v", out.Count, out.ScannedCount, out.Items)
	}
}

// TestSDKRegions: a client's region picks its own tables and ARNs.
func TestSDKRegions(t *testing.T) {
	c := startServer(t)
	ctx := ctxT(t)
	eu := func(o *dynamodb.Options) { o.Region = "eu-west-1" }
	createLeaseTable(t, c, "leases")
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("leases"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("k"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("k"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}, eu); err != nil {
		t.Fatalf("the same name in another region: %v", err)
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")}, eu)
	if err != nil {
		t.Fatal(err)
	}
	if *d.Table.TableArn != "arn:aws:dynamodb:eu-west-1:000000000000:table/leases" || *d.Table.KeySchema[0].AttributeName != "k" {
		t.Fatalf("eu-west-1's table: %s %s", *d.Table.TableArn, *d.Table.KeySchema[0].AttributeName)
	}
	d, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	if err != nil || *d.Table.KeySchema[0].AttributeName != "leaseKey" {
		t.Fatalf("us-east-1's table: %v", err)
	}
}
