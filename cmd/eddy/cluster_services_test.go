package main

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	fhsdk "github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	kda "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics"
	kdatypes "github.com/aws/aws-sdk-go-v2/service/kinesisanalytics/types"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/eddy-streams/eddy/internal/natstest"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// TestServeClusterServices runs two Eddy nodes on one NATS server (R1)
// and uses them as one endpoint for every service but Kinesis (which
// TestServeCluster covers) with aws-sdk-go-v2: DynamoDB tables and
// conditional writes, Lambda functions and their code, Firehose delivery
// streams and their records, KMS keys, Kinesis Analytics applications.
func TestServeClusterServices(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS server and two servers")
	}
	nats := natstest.Embedded(t)
	root, prefix := newRootKey(t), "S"+strconv.Itoa(os.Getpid())
	args := func() string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --nats-prefix %s --replicas 1 --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s",
			nats.URL, prefix, root, t.TempDir())
	}
	a, b := startChild(t, args()), startChild(t, args())
	ctx := testContext(t)

	t.Run("DynamoDB", func(t *testing.T) {
		da, db := a.dynamo(), b.dynamo()
		createKV(t, da)
		// Conditional puts of one key through both nodes at once: one
		// wins, and both nodes read the winner.
		for round := range 10 {
			key := fmt.Sprint("lease-", round)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, c := range []*dynamodb.Client{da, db} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kvs"),
						Item: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: key},
							"owner": &ddbtypes.AttributeValueMemberS{Value: fmt.Sprint("node-", i)}},
						ConditionExpression: aws.String("attribute_not_exists(k)")})
				}()
			}
			wg.Wait()
			var ccf *ddbtypes.ConditionalCheckFailedException
			winner := -1
			for i, err := range errs {
				switch {
				case err == nil && winner == -1:
					winner = i
				case err == nil:
					t.Fatalf("round %d: both conditional puts succeeded", round)
				case !errors.As(err, &ccf):
					t.Fatalf("round %d: %v", round, err)
				}
			}
			if winner == -1 {
				t.Fatalf("round %d: neither conditional put succeeded: %v", round, errs)
			}
			for _, c := range []*dynamodb.Client{da, db} {
				out, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("kvs"), ConsistentRead: aws.Bool(true),
					Key: map[string]ddbtypes.AttributeValue{"k": &ddbtypes.AttributeValueMemberS{Value: key}}})
				if err != nil {
					t.Fatal(err)
				}
				if o, _ := out.Item["owner"].(*ddbtypes.AttributeValueMemberS); o == nil || o.Value != fmt.Sprint("node-", winner) {
					t.Fatalf("round %d: a node reads %v, the winner was node-%d", round, out.Item, winner)
				}
			}
		}
		if _, err := da.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("kvs")}); err != nil {
			t.Fatal(err)
		}
		_, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("kvs")})
		var rnf *ddbtypes.ResourceNotFoundException
		if !errors.As(err, &rnf) {
			t.Fatalf("DescribeTable through B of a table deleted through A: %v", err)
		}
	})

	t.Run("Lambda", func(t *testing.T) {
		if _, err := a.lambdaClient().CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("echo"), Runtime: ltypes.RuntimePython312, Handler: aws.String("app.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/r"),
			Code: &ltypes.FunctionCode{ZipFile: pythonZip("def handler(event, context):\n    return {\"got\": event[\"x\"]}\n")},
		}); err != nil {
			t.Fatal(err)
		}
		out, err := b.lambdaClient().Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"x":42}`)})
		if err != nil {
			t.Fatal(err)
		}
		if out.FunctionError != nil || string(out.Payload) != `{"got": 42}` {
			t.Fatalf("Invoke through B of a function created through A: %s %s", aws.ToString(out.FunctionError), out.Payload)
		}
	})

	t.Run("Firehose", func(t *testing.T) {
		if _, err := a.firehoseClient().CreateDeliveryStream(ctx, &fhsdk.CreateDeliveryStreamInput{DeliveryStreamName: aws.String("clicks"),
			ExtendedS3DestinationConfiguration: &fhtypes.ExtendedS3DestinationConfiguration{
				RoleARN: aws.String("arn:aws:iam::000000000000:role/r"), BucketARN: aws.String("arn:aws:s3:::out")}}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the delivery stream ACTIVE through B", func() bool {
			d, err := b.firehoseClient().DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
			return err == nil && d.DeliveryStreamDescription.DeliveryStreamStatus == fhtypes.DeliveryStreamStatusActive
		})
		out, err := b.firehoseClient().PutRecordBatch(ctx, &fhsdk.PutRecordBatchInput{DeliveryStreamName: aws.String("clicks"),
			Records: []fhtypes.Record{{Data: []byte("a\n")}, {Data: []byte("b\n")}}})
		if err != nil || aws.ToInt32(out.FailedPutCount) != 0 {
			t.Fatalf("PutRecordBatch through B: %v", err)
		}
		d, err := a.firehoseClient().DescribeDeliveryStream(ctx, &fhsdk.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String("clicks")})
		if err != nil || aws.ToString(d.DeliveryStreamDescription.DeliveryStreamName) != "clicks" {
			t.Fatalf("DescribeDeliveryStream through A: %v", err)
		}
	})

	t.Run("KMS", func(t *testing.T) {
		k, err := a.kmsClient().CreateKey(ctx, &kmssdk.CreateKeyInput{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.kmsClient().CreateAlias(ctx, &kmssdk.CreateAliasInput{AliasName: aws.String("alias/shared"), TargetKeyId: k.KeyMetadata.KeyId}); err != nil {
			t.Fatal(err)
		}
		enc, err := b.kmsClient().Encrypt(ctx, &kmssdk.EncryptInput{KeyId: aws.String("alias/shared"), Plaintext: []byte("secret")})
		if err != nil {
			t.Fatal(err)
		}
		dec, err := a.kmsClient().Decrypt(ctx, &kmssdk.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
		if err != nil || !bytes.Equal(dec.Plaintext, []byte("secret")) || aws.ToString(dec.KeyId) != aws.ToString(k.KeyMetadata.Arn) {
			t.Fatalf("Decrypt through A of what B encrypted: %q %v", dec.Plaintext, err)
		}
	})

	t.Run("Analytics", func(t *testing.T) {
		if _, err := a.analyticsClient().CreateApplication(ctx, &kda.CreateApplicationInput{ApplicationName: aws.String("app"),
			ApplicationCode: aws.String(`CREATE OR REPLACE STREAM "D" (X INTEGER);`)}); err != nil {
			t.Fatal(err)
		}
		d, err := b.analyticsClient().DescribeApplication(ctx, &kda.DescribeApplicationInput{ApplicationName: aws.String("app")})
		if err != nil || d.ApplicationDetail.ApplicationStatus != kdatypes.ApplicationStatusReady {
			t.Fatalf("DescribeApplication through B: %v", err)
		}
	})
}

// TestAutoTLSCluster: with --tls auto, two nodes of a cluster listening on
// different addresses end up serving one certificate covering both: the
// second replaces the first's by one covering its names too, and the
// first takes it up on the store's notice.
func TestAutoTLSCluster(t *testing.T) {
	nats := natstest.Embedded(t)
	prefix := "TLS" + strconv.Itoa(os.Getpid())
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	node := func(listen string) *serverTLS {
		c, err := jetstream.Open(jetstream.Config{URLs: nats.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		m, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		cfg := defaultServeConfig()
		cfg.Backend, cfg.TLS, cfg.Listen, cfg.DataDir = "jetstream", "auto", listen, t.TempDir()
		st, cleanup, err := autoTLS(cfg, m, logger)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		return st
	}
	covers := func(st *serverTLS, ips ...string) bool {
		c, err := st.config.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil || c.Leaf == nil {
			return false
		}
		for _, ip := range ips {
			if !slices.ContainsFunc(c.Leaf.IPAddresses, func(a net.IP) bool { return a.String() == ip }) {
				return false
			}
		}
		pem, err := os.ReadFile(st.caFile)
		return err == nil && bytes.Contains(pem, []byte("CERTIFICATE"))
	}
	a := node("10.1.1.1:4567")
	if !covers(a, "10.1.1.1") {
		t.Fatal("A's certificate does not cover its address")
	}
	b := node("10.2.2.2:4567")
	if !covers(b, "10.1.1.1", "10.2.2.2") {
		t.Fatal("B's certificate does not cover both nodes' addresses")
	}
	waitFor(t, "A serves the certificate B stored", func() bool { return covers(a, "10.1.1.1", "10.2.2.2") })
	ca, _ := os.ReadFile(a.caFile)
	cb, _ := os.ReadFile(b.caFile)
	if !bytes.Equal(ca, cb) {
		t.Fatal("the nodes' certificate files differ")
	}
}

// TestServeClusterIAM: with identities, two nodes on one NATS server
// share the IAM API's users, keys, roles and policies and STS's
// temporary credentials: a key made through A signs through B at once,
// and credentials from AssumeRole through A sign through B.
func TestServeClusterIAM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS server and two servers")
	}
	nats := natstest.Embedded(t)
	dir := t.TempDir()
	file := dir + "/identities.json"
	if err := os.WriteFile(file, []byte(iamAPIIdentities), 0o600); err != nil {
		t.Fatal(err)
	}
	root, prefix := newRootKey(t), "I"+strconv.Itoa(os.Getpid())
	args := func() string {
		return fmt.Sprintf("serve --backend jetstream --nats-url %s --nats-prefix %s --replicas 1 --kms-root-key-file %s --listen 127.0.0.1:0 --data-dir %s --account-id 111111111111 --identities %s",
			nats.URL, prefix, root, t.TempDir(), file)
	}
	a, b := startChild(t, args()), startChild(t, args())
	ctx := testContext(t)
	creds := func(key, secret, token string) aws.CredentialsProvider {
		return credentials.NewStaticCredentialsProvider(key, secret, token)
	}
	iamOn := func(c *child, p aws.CredentialsProvider) *iamsdk.Client {
		return iamsdk.New(iamsdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{}, Credentials: p})
	}
	kOn := func(c *child, p aws.CredentialsProvider) *kinesis.Client {
		return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr), Retryer: aws.NopRetryer{}, Credentials: p})
	}
	rootA := iamOn(a, creds("AKIAROOT0000000000AA", "root-secret", ""))
	if _, err := rootA.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:ListStreams","sts:AssumeRole"],"Resource":"*"}]}`
	if _, err := rootA.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow)}); err != nil {
		t.Fatal(err)
	}
	key, err := rootA.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	app := creds(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
	if _, err := kOn(b, app).ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams through B with a key made through A: %v", err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/app"},"Action":"sts:AssumeRole"}]}`
	if _, err := rootA.CreateRole(ctx, &iamsdk.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := rootA.PutRolePolicy(ctx, &iamsdk.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allow)}); err != nil {
		t.Fatal(err)
	}
	stsA := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + a.addr), Retryer: aws.NopRetryer{}, Credentials: app})
	ar, err := stsA.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/reader"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	sess := creds(aws.ToString(ar.Credentials.AccessKeyId), aws.ToString(ar.Credentials.SecretAccessKey), aws.ToString(ar.Credentials.SessionToken))
	if _, err := kOn(b, sess).ListStreams(ctx, &kinesis.ListStreamsInput{}); err != nil {
		t.Fatalf("ListStreams through B with credentials AssumeRole gave through A: %v", err)
	}
	who, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + b.addr), Retryer: aws.NopRetryer{}, Credentials: sess}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::111111111111:assumed-role/reader/s1" {
		t.Fatalf("GetCallerIdentity through B: %v %v", who, err)
	}
}
