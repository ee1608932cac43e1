package main

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
)

const iamAPIIdentities = `{"Accounts": [{"Id": "111111111111",
  "RootAccessKeys": [{"AccessKeyId": "AKIAROOT0000000000AA", "SecretAccessKey": "root-secret"}],
  "Users": [{"UserName": "nobody", "AccessKeys": [{"AccessKeyId": "AKIANOBODY00000000AA", "SecretAccessKey": "nobody-secret"}]}]}]}`

// TestServeIAMAPI manages users, keys and policies through IAM's API with
// aws-sdk-go-v2, uses the keys it made, and finds them all again after a
// restart.
func TestServeIAMAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "identities.json")
	if err := os.WriteFile(file, []byte(iamAPIIdentities), 0o600); err != nil {
		t.Fatal(err)
	}
	args := "serve --listen 127.0.0.1:0 --create-delay 0s --account-id 111111111111 --data-dir " + filepath.Join(dir, "data") + " --identities " + file
	c := startChild(t, args)
	ctx := testContext(t)
	iamAs := func(c *child, key, secret string) *iamsdk.Client {
		return iamsdk.New(iamsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	kAs := func(c *child, key, secret string) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	root := iamAs(c, "AKIAROOT0000000000AA", "root-secret")
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode() + ": " + ae.ErrorMessage()
		}
		return "no API error: " + func() string {
			if err == nil {
				return "nil"
			}
			return err.Error()
		}()
	}
	createTestStream(t, kAs(c, "AKIAROOT0000000000AA", "root-secret"), "orders", 1)
	createTestStream(t, kAs(c, "AKIAROOT0000000000AA", "root-secret"), "other", 1)

	u, err := root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("app"), Path: aws.String("/svc/")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(u.User.Arn) != "arn:aws:iam::111111111111:user/svc/app" || !strings.HasPrefix(aws.ToString(u.User.UserId), "AIDA") {
		t.Errorf("CreateUser: %+v", u.User)
	}
	_, err = root.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("APP")})
	if got := code(err); got != "EntityAlreadyExists: User with name APP already exists." {
		t.Errorf("CreateUser of a name taken in another case: %s", got)
	}
	const putOrders = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"arn:aws:kinesis:*:111111111111:stream/orders"}]}`
	p, err := root.CreatePolicy(ctx, &iamsdk.CreatePolicyInput{PolicyName: aws.String("put-orders"), PolicyDocument: aws.String(putOrders)})
	if err != nil || aws.ToString(p.Policy.Arn) != "arn:aws:iam::111111111111:policy/put-orders" {
		t.Fatalf("CreatePolicy: %+v %v", p, err)
	}
	if _, err := root.AttachUserPolicy(ctx, &iamsdk.AttachUserPolicyInput{UserName: aws.String("app"), PolicyArn: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	const list = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:ListStreams","Resource":"*"}}`
	if _, err := root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("list"), PolicyDocument: aws.String(list)}); err != nil {
		t.Fatal(err)
	}
	_, err = root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("bad"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:*"}}`)})
	if got := code(err); got != "MalformedPolicyDocument: Policy statement must contain resources." {
		t.Errorf("PutUserPolicy without resources: %s", got)
	}
	got, err := root.GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("list")})
	if err != nil {
		t.Fatal(err)
	}
	if doc, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); doc != list {
		t.Errorf("GetUserPolicy document %q", aws.ToString(got.PolicyDocument))
	}
	key, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)
	if _, err := root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	_, err = root.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("app")})
	if got := code(err); got != "LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2" {
		t.Errorf("a third access key: %s", got)
	}
	_, err = root.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("app")})
	if got := code(err); got != "DeleteConflict: Cannot delete entity, must delete access keys first." {
		t.Errorf("DeleteUser with keys: %s", got)
	}
	_, err = root.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("nobody"), PolicyName: aws.String("p"), PolicyDocument: aws.String(list)})
	if got := code(err); !strings.HasPrefix(got, "UnmodifiableEntity: ") {
		t.Errorf("PutUserPolicy on a user of the identities file: %s", got)
	}
	_, err = iamAs(c, "AKIANOBODY00000000AA", "nobody-secret").CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("x")})
	if got := code(err); got != "AccessDenied: User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::111111111111:user/x because no identity-based policy allows the iam:CreateUser action" {
		t.Errorf("nobody CreateUser: %s", got)
	}

	// The new key signs as the new user, held to its policies.
	check := func(c *child, wantOrders bool) {
		t.Helper()
		app := kAs(c, id, secret)
		_, err := app.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("orders"), PartitionKey: aws.String("k"), Data: []byte("x")})
		if (err == nil) != wantOrders {
			t.Errorf("app PutRecord orders: %v, want allowed=%v", err, wantOrders)
		}
		_, err = app.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("other"), PartitionKey: aws.String("k"), Data: []byte("x")})
		if got := code(err); got != "AccessDeniedException: User: arn:aws:iam::111111111111:user/svc/app is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:111111111111:stream/other because no identity-based policy allows the kinesis:PutRecord action" {
			t.Errorf("app PutRecord other: %s", got)
		}
		if _, err := app.ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
			t.Errorf("app ListStreams: %v", err)
		}
	}
	check(c, true)

	// Everything the API made outlives a kill -9 and a restart.
	c.cmd.Process.Kill()
	c.cmd.Wait()
	c = startChild(t, args)
	root = iamAs(c, "AKIAROOT0000000000AA", "root-secret")
	check(c, true)
	users, err := root.ListUsers(ctx, &iamsdk.ListUsersInput{})
	if err != nil || len(users.Users) != 2 || aws.ToString(users.Users[0].UserName) != "app" || aws.ToString(users.Users[1].UserName) != "nobody" {
		t.Errorf("ListUsers after a restart: %+v %v", users, err)
	}
	if _, err := root.DetachUserPolicy(ctx, &iamsdk.DetachUserPolicyInput{UserName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::111111111111:policy/put-orders")}); err != nil {
		t.Fatal(err)
	}
	check(c, false)
	keys, err := root.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("app")})
	if err != nil || len(keys.AccessKeyMetadata) != 2 {
		t.Fatalf("ListAccessKeys: %+v %v", keys, err)
	}
	if _, err := root.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("app"), AccessKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = kAs(c, id, secret).ListStreams(ctx, &kinesis.ListStreamsInput{})
	if got := code(err); got != "UnrecognizedClientException: The security token included in the request is invalid." {
		t.Errorf("a deleted key: %s", got)
	}
}
