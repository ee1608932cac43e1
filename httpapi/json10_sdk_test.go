package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// newDynamoClient returns a real DynamoDB client for url, without retries.
func newDynamoClient(url string, rt http.RoundTripper) *dynamodb.Client {
	opts := dynamodb.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(testKeyID, testSecret, ""),
		RetryMaxAttempts: 1,
	}
	if rt != nil {
		opts.HTTPClient = &http.Client{Transport: rt}
	}
	return dynamodb.New(opts)
}

// crcTamperer changes the x-amz-crc32 header of every response.
type crcTamperer struct{ rt http.RoundTripper }

func (c crcTamperer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err == nil {
		resp.Header.Set("X-Amz-Crc32", "12345")
	}
	return resp, err
}

// TestDynamoSDK drives the fake DynamoDB service with aws-sdk-go-v2's
// DynamoDB client: its answers, its typed errors with their members, and
// the response checksum the SDK verifies.
func TestDynamoSDK(t *testing.T) {
	ts := startDynamo(t, withCreds(), true)
	ctx := context.Background()
	c := newDynamoClient(ts.url, nil)

	out, err := c.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(out.TableNames, ",") != "alpha,beta" || aws.ToString(out.LastEvaluatedTableName) != "beta" {
		t.Fatalf("ListTables: %+v", out)
	}

	// The SDK checks x-amz-crc32: a wrong one is noticed...
	bad := newDynamoClient(ts.url, crcTamperer{http.DefaultTransport})
	if _, err := bad.ListTables(ctx, &dynamodb.ListTablesInput{}); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("a wrong x-amz-crc32 was not noticed: %v", err)
	}
	// ... and ours passes, on errors too.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String("abc"),
		Item:                                map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}},
		ConditionExpression:                 aws.String("attribute_not_exists(pk)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Fatalf("PutItem: %v, want ConditionalCheckFailedException", err)
	}
	if ccf.ErrorMessage() != "The conditional request failed" {
		t.Errorf("message %q", ccf.ErrorMessage())
	}
	if n, ok := ccf.Item["n"].(*types.AttributeValueMemberN); !ok || n.Value != "7" {
		t.Errorf("Item = %#v", ccf.Item)
	}

	_, err = c.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("abc"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}}},
		{Put: &types.Put{TableName: aws.String("abc"), Item: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}}}},
	}})
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		t.Fatalf("TransactWriteItems: %v, want TransactionCanceledException", err)
	}
	if len(tce.CancellationReasons) != 2 || aws.ToString(tce.CancellationReasons[0].Code) != "None" ||
		aws.ToString(tce.CancellationReasons[1].Code) != "ConditionalCheckFailed" || tce.CancellationReasons[1].Item["pk"] == nil {
		t.Errorf("CancellationReasons = %+v", tce.CancellationReasons)
	}
	if !strings.HasPrefix(tce.ErrorMessage(), "Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]") {
		t.Errorf("message %q", tce.ErrorMessage())
	}

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:    aws.String("abc"),
		Item:         map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}},
		ReturnValues: types.ReturnValueAllNew,
	})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != "ReturnValues can only be ALL_OLD or NONE" {
		t.Fatalf("PutItem ALL_NEW: %v", err)
	}

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("missing"),
		Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}},
	})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) || rnf.ErrorMessage() != "Requested resource not found" {
		t.Fatalf("PutItem missing: %v", err)
	}

	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String("boom"),
		Item:      map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}},
	})
	var ise *types.InternalServerError
	if !errors.As(err, &ise) {
		t.Fatalf("PutItem boom: %v, want InternalServerError", err)
	}

	// The Kinesis client still works beside it.
	k := newClient(ts.url, testKeyID, testSecret)
	if _, err := k.ListStreams(ctx, nil); err != nil {
		t.Fatalf("Kinesis ListStreams beside DynamoDB: %v", err)
	}
}
