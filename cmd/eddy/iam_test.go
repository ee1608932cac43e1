package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// identitiesFile is the matrix's identities: account 111111111111 (the
// server's) with its root key, users with identity policies and a role
// that a user of account 222222222222 may assume.
const identitiesFile = `{
  "Accounts": [
    {
      "Id": "111111111111",
      "RootAccessKeys": [{"AccessKeyId": "AKIAROOT0000000000AA", "SecretAccessKey": "root-secret"}],
      "Policies": [{"PolicyName": "read-everything", "PolicyDocument": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["kinesis:Get*", "kinesis:Describe*", "kinesis:ListShards"], "Resource": "*"}]
      }}],
      "Users": [
        {"UserName": "writer", "AccessKeys": [{"AccessKeyId": "AKIAWRITER00000000AA", "SecretAccessKey": "writer-secret"}],
         "Policies": {"orders-writer": {
           "Version": "2012-10-17",
           "Statement": [
             {"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:PutRecords"], "Resource": "arn:aws:kinesis:*:111111111111:stream/orders*"},
             {"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}
           ]}}},
        {"UserName": "reader", "Path": "/team/", "AccessKeys": [{"AccessKeyId": "AKIAREADER00000000AA", "SecretAccessKey": "reader-secret"}],
         "AttachedPolicies": ["arn:aws:iam::111111111111:policy/read-everything"],
         "Policies": {"no-secrets": "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Deny\",\"Action\":\"kinesis:GetRecords\",\"Resource\":\"arn:aws:kinesis:*:*:stream/secret-*\"}}"}},
        {"UserName": "nobody", "AccessKeys": [{"AccessKeyId": "AKIANOBODY00000000AA", "SecretAccessKey": "nobody-secret"}]},
        {"UserName": "conditional", "AccessKeys": [{"AccessKeyId": "AKIACONDITION0000AAA", "SecretAccessKey": "conditional-secret"}],
         "Policies": {"blue-team": {
           "Version": "2012-10-17",
           "Statement": [
             {"Effect": "Allow", "Action": "kinesis:PutRecord", "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}},
             {"Effect": "Allow", "Action": "kinesis:DescribeStreamSummary", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
             {"Effect": "Allow", "Action": "kinesis:ListShards", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:RequestedRegion": "us-east-1"}}}
           ]}}}
      ],
      "Roles": [
        {"RoleName": "auditor",
         "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:user/partner"}, "Action": "sts:AssumeRole"}]},
         "Policies": {"describe": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:DescribeStreamSummary", "Resource": "*"}]}}}
      ]
    },
    {"Id": "333333333333", "Users": [{"UserName": "stranger", "AccessKeys": [{"AccessKeyId": "AKIASTRANGER000000AA", "SecretAccessKey": "stranger-secret"}]}]},
    {
      "Id": "222222222222",
      "Users": [
        {"UserName": "partner", "AccessKeys": [{"AccessKeyId": "AKIAPARTNER0000000AA", "SecretAccessKey": "partner-secret"}],
         "Policies": {"reach-out": {
           "Version": "2012-10-17",
           "Statement": [
             {"Effect": "Allow", "Action": ["kinesis:PutRecord", "kinesis:DescribeStreamSummary"], "Resource": "arn:aws:kinesis:*:111111111111:stream/*"},
             {"Effect": "Allow", "Action": "kinesis:*", "Resource": "arn:aws:kinesis:*:222222222222:*"},
             {"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"},
             {"Effect": "Allow", "Action": "kms:*", "Resource": "*"},
             {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111111111111:role/auditor"}
           ]}}}
      ]
    }
  ]
}`

// TestServeIAMPolicyMatrix runs the real binary with identities and
// checks, with aws-sdk-go-v2, each way IAM allows or denies a call: the
// exact AccessDeniedException message, and that a denied call changed
// nothing.
func TestServeIAMPolicyMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	file := filepath.Join(t.TempDir(), "identities.json")
	if err := os.WriteFile(file, []byte(identitiesFile), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve --in-memory --listen 127.0.0.1:0 --s3-listen 127.0.0.1:0 --create-delay 0s --account-id 111111111111 --identities "+file)
	ctx := testContext(t)
	as := func(key, secret, token string) *kinesis.Client {
		return kinesis.New(kinesis.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String("http://" + c.addr),
			Credentials:  credentials.NewStaticCredentialsProvider(key, secret, token),
			Retryer:      aws.NopRetryer{},
		})
	}
	root := as("AKIAROOT0000000000AA", "root-secret", "")
	writer := as("AKIAWRITER00000000AA", "writer-secret", "")
	reader := as("AKIAREADER00000000AA", "reader-secret", "")
	nobody := as("AKIANOBODY00000000AA", "nobody-secret", "")
	conditional := as("AKIACONDITION0000AAA", "conditional-secret", "")
	partner := as("AKIAPARTNER0000000AA", "partner-secret", "")

	const acct = "arn:aws:kinesis:us-east-1:111111111111:stream/"
	for _, s := range []struct {
		name string
		tags map[string]string
	}{{"orders", nil}, {"secret-1", nil}, {"tagged", map[string]string{"team": "blue"}}, {"untagged", nil}} {
		if _, err := root.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(s.name), ShardCount: aws.Int32(1), Tags: s.tags}); err != nil {
			t.Fatalf("root CreateStream %s: %v", s.name, err)
		}
	}
	put := func(c *kinesis.Client, stream string) error {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	putARN := func(c *kinesis.Client, stream string) error {
		_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(acct + stream), PartitionKey: aws.String("k"), Data: []byte("x")})
		return err
	}
	count := func(stream string) int {
		t.Helper()
		it, err := root.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatal(err)
		}
		out, err := root.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
		if err != nil {
			t.Fatal(err)
		}
		return len(out.Records)
	}
	denied := func(what string, err error, want string) {
		t.Helper()
		var ad *types.AccessDeniedException
		if !errors.As(err, &ad) {
			t.Errorf("%s: %v, want AccessDeniedException", what, err)
			return
		}
		if got := aws.ToString(ad.Message); got != want {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}
	allowed := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v, want it allowed", what, err)
		}
	}

	// Allow by an identity policy, with a wildcard in the resource.
	allowed("writer PutRecord orders", put(writer, "orders"))
	allowed("writer ListStreams", func() error { _, err := writer.ListStreams(ctx, &kinesis.ListStreamsInput{}); return err }())
	// Implicit deny: no statement matches the resource, or the action.
	if err := put(writer, "secret-1"); err != nil {
		denied("writer PutRecord secret-1", err, "User: arn:aws:iam::111111111111:user/writer is not authorized to perform: kinesis:PutRecord on resource: "+acct+"secret-1 because no identity-based policy allows the kinesis:PutRecord action")
	} else {
		t.Error("writer PutRecord secret-1 was allowed")
	}
	_, err := writer.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")})
	denied("writer DeleteStream", err, "User: arn:aws:iam::111111111111:user/writer is not authorized to perform: kinesis:DeleteStream on resource: "+acct+"orders because no identity-based policy allows the kinesis:DeleteStream action")
	_, err = nobody.ListStreams(ctx, &kinesis.ListStreamsInput{})
	denied("nobody ListStreams", err, "User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: kinesis:ListStreams on resource: * because no identity-based policy allows the kinesis:ListStreams action")
	// Denied calls changed nothing.
	if n := count("secret-1"); n != 0 {
		t.Errorf("secret-1 holds %d records after a denied put", n)
	}
	if _, err := root.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")}); err != nil {
		t.Errorf("orders after a denied DeleteStream: %v", err)
	}

	// An attached managed policy allows (Get*, a user with a path); an
	// explicit Deny in an inline policy wins over it.
	allowed("root PutRecord secret-1", put(root, "secret-1"))
	itOf := func(c *kinesis.Client, stream string) *string {
		t.Helper()
		it, err := c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream),
			ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
		if err != nil {
			t.Fatalf("GetShardIterator %s: %v", stream, err)
		}
		return it.ShardIterator
	}
	_, err = reader.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: itOf(reader, "orders")})
	allowed("reader GetRecords orders", err)
	_, err = reader.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: itOf(reader, "secret-1")})
	denied("reader GetRecords secret-1", err, "User: arn:aws:iam::111111111111:user/team/reader is not authorized to perform: kinesis:GetRecords on resource: "+acct+"secret-1 with an explicit deny in an identity-based policy")

	// Conditions: a resource tag, the source address, transport and
	// requested region.
	allowed("conditional PutRecord tagged", put(conditional, "tagged"))
	denied("conditional PutRecord untagged", put(conditional, "untagged"),
		"User: arn:aws:iam::111111111111:user/conditional is not authorized to perform: kinesis:PutRecord on resource: "+acct+"untagged because no identity-based policy allows the kinesis:PutRecord action")
	_, err = conditional.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("tagged")})
	denied("conditional DescribeStreamSummary from 127.0.0.1", err,
		"User: arn:aws:iam::111111111111:user/conditional is not authorized to perform: kinesis:DescribeStreamSummary on resource: "+acct+"tagged because no identity-based policy allows the kinesis:DescribeStreamSummary action")
	_, err = conditional.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String("tagged")})
	allowed("conditional ListShards over plain HTTP in us-east-1", err)

	// Cross account: the partner's own policy allows, but the stream's
	// resource policy must too.
	denied("partner PutRecord orders without a resource policy", putARN(partner, "orders"),
		"User: arn:aws:iam::222222222222:user/partner is not authorized to perform: kinesis:PutRecord on resource: "+acct+"orders because no resource-based policy allows the kinesis:PutRecord action")
	// Resource policies are validated as IAM validates them.
	_, err = root.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(acct + "orders"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*"}]}`)})
	var invalid *types.InvalidArgumentException
	if !errors.As(err, &invalid) || !strings.Contains(aws.ToString(invalid.Message), "Missing required field Principal") {
		t.Errorf("PutResourcePolicy without a Principal: %v", err)
	}
	_, err = root.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(acct + "orders"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kinesis:PutRecord","Resource":"` + acct + `orders"},
			{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:user/writer"},"Action":"kinesis:PutRecords","Resource":"*"}]}`)})
	allowed("root PutResourcePolicy", err)
	allowed("partner PutRecord orders with the resource policy", putARN(partner, "orders"))
	// An explicit Deny in the resource policy wins over the writer's
	// identity policy.
	_, err = writer.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("orders"),
		Records: []types.PutRecordsRequestEntry{{PartitionKey: aws.String("k"), Data: []byte("x")}}})
	denied("writer PutRecords orders", err, "User: arn:aws:iam::111111111111:user/writer is not authorized to perform: kinesis:PutRecords on resource: "+acct+"orders with an explicit deny in a resource-based policy")
	// The partner's own account has no allowance for DeleteStream either.
	_, err = partner.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(acct + "orders")})
	denied("partner DescribeStreamSummary orders", err, "User: arn:aws:iam::222222222222:user/partner is not authorized to perform: kinesis:DescribeStreamSummary on resource: "+acct+"orders because no resource-based policy allows the kinesis:DescribeStreamSummary action")
	if n := count("orders"); n != 2 {
		t.Errorf("orders holds %d records, want 2 (the writer's and the partner's allowed puts)", n)
	}

	// Resources are separate per account: the partner's streams are
	// account 222222222222's, apart from 111111111111's of the same name.
	if _, err := partner.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("partner CreateStream orders in its own account: %v", err)
	}
	allowed("partner PutRecord to its own orders", put(partner, "orders"))
	sum, err := partner.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil || aws.ToString(sum.StreamDescriptionSummary.StreamARN) != "arn:aws:kinesis:us-east-1:222222222222:stream/orders" {
		t.Errorf("partner DescribeStreamSummary of its own orders: %v, %v", sum, err)
	}
	listed, err := partner.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || strings.Join(listed.StreamNames, ",") != "orders" {
		t.Errorf("partner ListStreams: %v, %v (want its own orders alone)", listed, err)
	}
	listed, err = root.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || strings.Join(listed.StreamNames, ",") != "orders,secret-1,tagged,untagged" {
		t.Errorf("root ListStreams: %v, %v", listed, err)
	}
	if n := count("orders"); n != 2 {
		t.Errorf("111111111111's orders holds %d records after the partner's put to its own, want 2", n)
	}

	// KMS keys are separate per account too, and the partner's stream is
	// encrypted under its own account's key.
	km := func(key, secret string) *kmssdk.Client {
		return kmssdk.New(kmssdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{},
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	pk, err := km("AKIAPARTNER0000000AA", "partner-secret").CreateKey(ctx, &kmssdk.CreateKeyInput{Description: aws.String("partner's")})
	if err != nil {
		t.Fatalf("partner CreateKey: %v", err)
	}
	if arn := aws.ToString(pk.KeyMetadata.Arn); !strings.HasPrefix(arn, "arn:aws:kms:us-east-1:222222222222:key/") {
		t.Errorf("the partner's key ARN %s", arn)
	}
	rootKeys, err := km("AKIAROOT0000000000AA", "root-secret").ListKeys(ctx, &kmssdk.ListKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range rootKeys.Keys {
		if aws.ToString(k.KeyId) == aws.ToString(pk.KeyMetadata.KeyId) {
			t.Error("account 111111111111 lists the partner's key")
		}
	}
	if _, err := partner.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("orders"),
		EncryptionType: types.EncryptionTypeKms, KeyId: pk.KeyMetadata.Arn}); err != nil {
		t.Fatalf("partner StartStreamEncryption with its key: %v", err)
	}
	waitFor(t, "the partner's stream ACTIVE again", func() bool {
		d, err := partner.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
		return err == nil && d.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive
	})
	allowed("partner PutRecord to its encrypted orders", put(partner, "orders"))
	_, err = root.StartStreamEncryption(ctx, &kinesis.StartStreamEncryptionInput{StreamName: aws.String("untagged"),
		EncryptionType: types.EncryptionTypeKms, KeyId: pk.KeyMetadata.Arn})
	var kmsNotFound *types.KMSNotFoundException
	if !errors.As(err, &kmsNotFound) {
		t.Errorf("root StartStreamEncryption with the partner's key: %v, want KMSNotFoundException", err)
	}

	// A denied call of an account that has made nothing yet makes nothing:
	// no namespace, no engine (whose series would show in the metrics).
	stranger := as("AKIASTRANGER000000AA", "stranger-secret", "")
	_, err = stranger.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)})
	denied("stranger CreateStream", err, "User: arn:aws:iam::333333333333:user/stranger is not authorized to perform: kinesis:CreateStream on resource: arn:aws:kinesis:us-east-1:333333333333:stream/s because no identity-based policy allows the kinesis:CreateStream action")
	if _, m := get(t, "http://"+c.admin+"/metrics"); !strings.Contains(m, `region="222222222222/us-east-1"`) || strings.Contains(m, "333333333333") {
		t.Errorf("metrics: want series of account 222222222222's engine and none of 333333333333's")
	}

	// STS: who am I, and a role of account 111111111111 assumed from
	// account 222222222222.
	stsAs := func(key, secret, token string) *sts.Client {
		return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, token), Retryer: aws.NopRetryer{}})
	}
	who, err := stsAs("AKIAPARTNER0000000AA", "partner-secret", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:iam::222222222222:user/partner" || aws.ToString(who.Account) != "222222222222" || !strings.HasPrefix(aws.ToString(who.UserId), "AIDA") {
		t.Fatalf("partner GetCallerIdentity: %+v, %v", who, err)
	}
	_, err = stsAs("AKIAROOT0000000000AA", "root-secret", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/auditor"), RoleSessionName: aws.String("s")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationError" {
		t.Errorf("AssumeRole with a one-character session name: %v", err)
	}
	_, err = stsAs("AKIANOBODY00000000AA", "nobody-secret", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/auditor"), RoleSessionName: aws.String("nosy")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/auditor because no resource-based policy allows the sts:AssumeRole action" {
		t.Errorf("nobody AssumeRole: %v", err)
	}
	ar, err := stsAs("AKIAPARTNER0000000AA", "partner-secret", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/auditor"), RoleSessionName: aws.String("audit-1")})
	if err != nil {
		t.Fatalf("partner AssumeRole auditor: %v", err)
	}
	if got := aws.ToString(ar.AssumedRoleUser.Arn); got != "arn:aws:sts::111111111111:assumed-role/auditor/audit-1" {
		t.Errorf("AssumedRoleUser.Arn %s", got)
	}
	cr := ar.Credentials
	auditor := as(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
	_, err = auditor.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("secret-1")})
	allowed("auditor DescribeStreamSummary", err)
	denied("auditor PutRecord", put(auditor, "orders"), "User: arn:aws:sts::111111111111:assumed-role/auditor/audit-1 is not authorized to perform: kinesis:PutRecord on resource: "+acct+"orders because no identity-based policy allows the kinesis:PutRecord action")
	who, err = stsAs(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::111111111111:assumed-role/auditor/audit-1" || !strings.HasSuffix(aws.ToString(who.UserId), ":audit-1") {
		t.Errorf("auditor GetCallerIdentity: %+v, %v", who, err)
	}
	// Temporary credentials need their session token; unknown keys are
	// refused.
	_, err = as(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), "").DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnrecognizedClientException" {
		t.Errorf("temporary key without its token: %v", err)
	}
	_, err = stsAs("AKIAUNKNOWN0000000AA", "x", "").GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidClientTokenId" {
		t.Errorf("STS with an unknown key: %v", err)
	}
	_, err = as("AKIAUNKNOWN0000000AA", "x", "").ListStreams(ctx, &kinesis.ListStreamsInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "UnrecognizedClientException" {
		t.Errorf("an unknown key: %v", err)
	}
	_, err = stsAs("AKIAROOT0000000000AA", "root-secret", "").AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/auditor"), RoleSessionName: aws.String("as-root")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" || apiErr.ErrorMessage() != "Roles may not be assumed by root accounts." {
		t.Errorf("root AssumeRole: %v", err)
	}

	// The other services are authorized too.
	fh := fhsdk.New(fhsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIANOBODY00000000AA", "nobody-secret", "")})
	_, err = fh.DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("ds")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: firehose:DescribeDeliveryStream on resource: arn:aws:firehose:us-east-1:111111111111:deliverystream/ds because no identity-based policy allows the firehose:DescribeDeliveryStream action" {
		t.Errorf("nobody DescribeDeliveryStream: %v", err)
	}
	if _, err := c.s3As("AKIAROOT0000000000AA", "root-secret").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("iam-bucket")}); err != nil {
		t.Errorf("root CreateBucket: %v", err)
	}
	_, err = c.s3As("AKIANOBODY00000000AA", "nobody-secret").PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("iam-bucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::iam-bucket/k because no identity-based policy allows the s3:PutObject action" {
		t.Errorf("nobody PutObject: %v", err)
	}
	list, err := c.s3As("AKIAROOT0000000000AA", "root-secret").ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("iam-bucket")})
	if err != nil || len(list.Contents) != 0 {
		t.Errorf("the bucket after a denied put: %v, %v", list, err)
	}
	if _, err := c.s3As("AKIAUNKNOWN0000000AA", "x").ListBuckets(ctx, &s3.ListBucketsInput{}); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidAccessKeyId" {
		t.Errorf("S3 with an unknown key: %v", err)
	}
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIANOBODY00000000AA", "nobody-secret", "")})
	_, err = lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn")})
	var re *smithyhttp.ResponseError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" || !errors.As(err, &re) || re.HTTPStatusCode() != 403 ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::111111111111:user/nobody is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:111111111111:function:fn because no identity-based policy allows the lambda:InvokeFunction action" {
		t.Errorf("nobody Invoke: %v", err)
	}
	ddb := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: retry.AddWithMaxAttempts(retry.NewStandard(), 1),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAWRITER00000000AA", "writer-secret", "")})
	_, err = ddb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("leases")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" ||
		apiErr.ErrorMessage() != "User: arn:aws:iam::111111111111:user/writer is not authorized to perform: dynamodb:DescribeTable on resource: arn:aws:dynamodb:us-east-1:111111111111:table/leases because no identity-based policy allows the dynamodb:DescribeTable action" {
		t.Errorf("writer DescribeTable: %v", err)
	}
}

// s3As is an S3 client of the embedded endpoint signing with key.
func (c *child) s3As(key, secret string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.s3), UsePathStyle: true,
		Retryer: aws.NopRetryer{}, Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

// TestServeIdentitiesFileErrors: a bad identities file stops eddy serve
// with an error naming what is wrong.
func TestServeIdentitiesFileErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	dir := t.TempDir()
	for _, tc := range []struct{ doc, want string }{
		{`{"Accounts":[{"Id":"12"}]}`, `account Id "12": 12 digits`},
		{`{"Acounts":[]}`, `unknown field "Acounts"`},
		{`{"Accounts":[{"Id":"111111111111","Users":[{"UserName":"u","Policies":{"p":{"Statement":[{"Effect":"Allow","Action":"kinesis:*"}]}}}]}]}`, "user u: policy p: Policy statement must contain resources."},
		{`{"Accounts":[{"Id":"111111111111","Users":[{"UserName":"u","AttachedPolicies":["arn:aws:iam::111111111111:policy/none"]}]}]}`, "attached policy arn:aws:iam::111111111111:policy/none is not among"},
	} {
		f := filepath.Join(dir, "ids.json")
		os.WriteFile(f, []byte(tc.doc), 0o600)
		if msg := serveFails(t, "serve --in-memory --listen 127.0.0.1:0 --identities "+f); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %s, want %q", tc.doc, msg, tc.want)
		}
	}
}

// functionRoleIdentities has a root key and a function execution role
// that Lambda may assume, allowed to list streams only.
const functionRoleIdentities = `{"Accounts": [{"Id": "111111111111",
  "RootAccessKeys": [{"AccessKeyId": "AKIAROOT0000000000AA", "SecretAccessKey": "root-secret"}],
  "Roles": [{"RoleName": "fn-role",
    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
    "Policies": {"list": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kinesis:ListStreams", "Resource": "*"}]}}}]}]}`

// functionCallingBack lists streams and tries to create one with the
// credentials Lambda gave it, and reports what happened.
const functionCallingBack = `
import json, os
import boto3
from botocore.exceptions import ClientError

def handler(event, context):
    k = boto3.client("kinesis", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    out = {"key": os.environ["AWS_ACCESS_KEY_ID"][:4], "token": bool(os.environ.get("AWS_SESSION_TOKEN"))}
    out["streams"] = k.list_streams()["StreamNames"]
    try:
        k.create_stream(StreamName="from-fn", ShardCount=1)
        out["create"] = "allowed"
    except ClientError as e:
        out["create"] = e.response["Error"]["Code"] + ": " + e.response["Error"]["Message"]
    return out
`

// TestServeIAMFunctionRole: with identities, a function calls Eddy back
// with its execution role's temporary credentials, and is held to the
// role's policies.
func TestServeIAMFunctionRole(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 not installed (scripts/install-test-deps.sh installs them)")
	}
	file := filepath.Join(t.TempDir(), "identities.json")
	if err := os.WriteFile(file, []byte(functionRoleIdentities), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve --in-memory --listen 127.0.0.1:0 --create-delay 0s --account-id 111111111111 --identities "+file)
	ctx := testContext(t)
	creds := credentials.NewStaticCredentialsProvider("AKIAROOT0000000000AA", "root-secret", "")
	kc := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Credentials: creds})
	createTestStream(t, kc, "visible", 1)
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Credentials: creds})
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("caller"), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"), Timeout: aws.Int32(30),
		Role: aws.String("arn:aws:iam::111111111111:role/fn-role"), Code: &ltypes.FunctionCode{ZipFile: pythonZip(functionCallingBack)},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("caller")})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil {
		t.Fatalf("function error: %s", out.Payload)
	}
	var got struct {
		Key     string
		Token   bool
		Streams []string
		Create  string
	}
	if err := json.Unmarshal(out.Payload, &got); err != nil {
		t.Fatalf("%s: %v", out.Payload, err)
	}
	if got.Key != "ASIA" || !got.Token || !slices.Equal(got.Streams, []string{"visible"}) {
		t.Errorf("the function's credentials and ListStreams: %+v", got)
	}
	if want := "AccessDeniedException: User: arn:aws:sts::111111111111:assumed-role/fn-role/caller is not authorized to perform: kinesis:CreateStream on resource: arn:aws:kinesis:us-east-1:111111111111:stream/from-fn because no identity-based policy allows the kinesis:CreateStream action"; got.Create != want {
		t.Errorf("the function's CreateStream:\n got %s\nwant %s", got.Create, want)
	}
}
