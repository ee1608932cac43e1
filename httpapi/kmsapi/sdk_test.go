package kmsapi

import (
	"bytes"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go"

	"github.com/eddy-streams/eddy/httpapi"
	ek "github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// clock is a clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var testRoot = bytes.Repeat([]byte{7}, 32)

// startServer serves KMS on 127.0.0.1:0 over a bbolt file in dir and
// returns an aws-sdk-go-v2 client and the clock of the service.
func startServer(t *testing.T, dir string) (*kms.Client, *clock, *ek.Service) {
	t.Helper()
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	root, err := ek.RootKeyFromBytes(testRoot)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{now: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)}
	cfg := ek.DefaultConfig()
	cfg.Root, cfg.Clock = root, clk
	svc, err := ek.New(cfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
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
		meta.Close()
	})
	return kms.New(kms.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String("http://" + ln.Addr().String()),
		Credentials:      credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		RetryMaxAttempts: 1,
	}), clk, svc
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// wantErr fails unless err is an API error with code, and (if msg is not
// "") exactly that message.
func wantErr(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("%s: got %s %q, want %s %q", what, ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

const arnPrefix = "arn:aws:kms:us-east-1:000000000000:"

func TestSDKKeyLifecycle(t *testing.T) {
	c, clk, _ := startServer(t, t.TempDir())
	ctx := testCtx(t)
	out, err := c.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app key"),
		Tags: []types.Tag{{TagKey: aws.String("team"), TagValue: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	m := out.KeyMetadata
	id := aws.ToString(m.KeyId)
	if aws.ToString(m.Arn) != arnPrefix+"key/"+id || m.KeyState != types.KeyStateEnabled || !m.Enabled ||
		m.KeySpec != types.KeySpecSymmetricDefault || m.KeyUsage != types.KeyUsageTypeEncryptDecrypt ||
		m.KeyManager != types.KeyManagerTypeCustomer || aws.ToString(m.Description) != "app key" ||
		len(m.EncryptionAlgorithms) != 1 || aws.ToString(m.AWSAccountId) != "000000000000" || m.CreationDate == nil {
		t.Fatalf("metadata: %+v", m)
	}
	// Unsupported specs and bad usages change nothing.
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeSignVerify})
	wantErr(t, "RSA key", err, "UnsupportedOperationException", "")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeyUsage: types.KeyUsageTypeSignVerify})
	wantErr(t, "symmetric SIGN_VERIFY", err, "ValidationException", "")
	_, err = c.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: "AES_999"})
	wantErr(t, "unknown spec", err, "ValidationException", "")

	// Aliases.
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/app"), TargetKeyId: aws.String(id)})
	wantErr(t, "duplicate alias", err, "AlreadyExistsException", "An alias with the name "+arnPrefix+"alias/app already exists")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("app"), TargetKeyId: aws.String(id)})
	wantErr(t, "no prefix", err, "ValidationException", `Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/aws/mine"), TargetKeyId: aws.String(id)})
	wantErr(t, "reserved", err, "InvalidAliasNameException", "")
	_, err = c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/x"), TargetKeyId: aws.String("alias/app")})
	wantErr(t, "alias target", err, "NotFoundException", "Invalid keyId alias/app")
	for _, ref := range []string{id, arnPrefix + "key/" + id, "alias/app", arnPrefix + "alias/app"} {
		d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(ref)})
		if err != nil || aws.ToString(d.KeyMetadata.KeyId) != id {
			t.Fatalf("DescribeKey(%s): %v", ref, err)
		}
	}
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/nope")})
	wantErr(t, "missing alias", err, "NotFoundException", "Alias "+arnPrefix+"alias/nope is not found.")
	missing := "00000000-0000-4000-8000-000000000000"
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(missing)})
	wantErr(t, "missing key", err, "NotFoundException", "Key '"+arnPrefix+"key/"+missing+"' does not exist")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("arn:aws:kms:eu-west-1:000000000000:key/" + id)})
	wantErr(t, "other region", err, "NotFoundException", "")

	// The AWS managed key of Kinesis appears on listing.
	la, err := c.ListAliases(ctx, &kms.ListAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var kinesisKey string
	for _, a := range la.Aliases {
		names = append(names, aws.ToString(a.AliasName))
		if aws.ToString(a.AliasName) == "alias/aws/kinesis" {
			kinesisKey = aws.ToString(a.TargetKeyId)
		}
	}
	if strings.Join(names, ",") != "alias/app,alias/aws/kinesis" || kinesisKey == "" {
		t.Fatalf("aliases: %v", names)
	}
	d, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/kinesis")})
	if err != nil || d.KeyMetadata.KeyManager != types.KeyManagerTypeAws {
		t.Fatalf("aws/kinesis: %v %+v", err, d)
	}
	_, err = c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(kinesisKey)})
	wantErr(t, "disable AWS managed key", err, "UnsupportedOperationException", "")

	// ListKeys pages with Limit and Marker.
	var seen []string
	var marker *string
	for {
		lk, err := c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(1), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range lk.Keys {
			seen = append(seen, aws.ToString(k.KeyId))
		}
		if !lk.Truncated {
			break
		}
		marker = lk.NextMarker
	}
	if len(seen) != 2 {
		t.Fatalf("ListKeys pages: %v", seen)
	}
	_, err = c.ListKeys(ctx, &kms.ListKeysInput{Limit: aws.Int32(0)})
	wantErr(t, "limit 0", err, "ValidationException", "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")

	// Disable, enable.
	enc, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	disabled := arnPrefix + "key/" + id + " is disabled."
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String("alias/app"), Plaintext: []byte("x")})
	wantErr(t, "encrypt disabled", err, "DisabledException", disabled)
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	wantErr(t, "decrypt disabled", err, "DisabledException", disabled)
	if _, err := c.EnableKey(ctx, &kms.EnableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}

	// Deletion: the window's bounds, PendingDeletion, cancel, deletion.
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(6)})
	wantErr(t, "window 6", err, "ValidationException", "")
	sd, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if sd.KeyState != types.KeyStatePendingDeletion || aws.ToInt32(sd.PendingWindowInDays) != 30 ||
		!sd.DeletionDate.Equal(clk.Now().Add(30*24*time.Hour)) {
		t.Fatalf("ScheduleKeyDeletion: %+v", sd)
	}
	pending := arnPrefix + "key/" + id + " is pending deletion."
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("x")})
	wantErr(t, "encrypt pending", err, "KMSInvalidStateException", pending)
	_, err = c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id)})
	wantErr(t, "schedule twice", err, "KMSInvalidStateException", pending)
	d, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if err != nil || d.KeyMetadata.KeyState != types.KeyStatePendingDeletion || d.KeyMetadata.DeletionDate == nil ||
		aws.ToInt32(d.KeyMetadata.PendingDeletionWindowInDays) != 30 || d.KeyMetadata.Enabled {
		t.Fatalf("describe pending: %v %+v", err, d)
	}
	if _, err := c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	d, _ = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if d.KeyMetadata.KeyState != types.KeyStateDisabled || d.KeyMetadata.DeletionDate != nil {
		t.Fatalf("after cancel: %+v", d.KeyMetadata)
	}
	_, err = c.CancelKeyDeletion(ctx, &kms.CancelKeyDeletionInput{KeyId: aws.String(id)})
	wantErr(t, "cancel twice", err, "KMSInvalidStateException", "")
	if _, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: aws.String(id), PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	clk.Add(7*24*time.Hour - time.Second)
	if _, err := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatalf("a second before the end: %v", err)
	}
	clk.Add(time.Second)
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	wantErr(t, "deleted key", err, "NotFoundException", "Key '"+arnPrefix+"key/"+id+"' does not exist")
	_, err = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/app")})
	wantErr(t, "alias of deleted key", err, "NotFoundException", "")
	la, _ = c.ListAliases(ctx, &kms.ListAliasesInput{})
	if len(la.Aliases) != 1 {
		t.Fatalf("aliases after deletion: %+v", la.Aliases)
	}
}

func TestSDKEncryptDecrypt(t *testing.T) {
	c, _, _ := startServer(t, t.TempDir())
	ctx := testCtx(t)
	k1, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	k2, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id1, id2 := aws.ToString(k1.KeyMetadata.KeyId), aws.ToString(k2.KeyMetadata.KeyId)
	encCtx := map[string]string{"stream": "orders", "shard": "0001"}

	// Without context.
	e, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id1), Plaintext: []byte("hello")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(e.KeyId) != arnPrefix+"key/"+id1 || e.EncryptionAlgorithm != types.EncryptionAlgorithmSpecSymmetricDefault {
		t.Fatalf("Encrypt: %+v", e)
	}
	dd, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob})
	if err != nil || string(dd.Plaintext) != "hello" || aws.ToString(dd.KeyId) != arnPrefix+"key/"+id1 {
		t.Fatalf("Decrypt: %v %+v", err, dd)
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob, EncryptionContext: encCtx})
	wantErr(t, "context added", err, "InvalidCiphertextException", "")

	// With context: the same pairs in any order decrypt, others do not.
	e, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id1), Plaintext: []byte("world"), EncryptionContext: encCtx})
	if err != nil {
		t.Fatal(err)
	}
	dd, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob, KeyId: aws.String(id1),
		EncryptionContext: map[string]string{"shard": "0001", "stream": "orders"}})
	if err != nil || string(dd.Plaintext) != "world" {
		t.Fatalf("Decrypt with context: %v", err)
	}
	for _, bad := range []map[string]string{nil, {"stream": "orders"}, {"stream": "orders", "shard": "0002"},
		{"stream": "orders", "shard": "0001", "x": ""}} {
		_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob, EncryptionContext: bad})
		wantErr(t, "wrong context", err, "InvalidCiphertextException", "")
	}
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob, KeyId: aws.String(id2), EncryptionContext: encCtx})
	wantErr(t, "other key", err, "IncorrectKeyException", "")
	tampered := bytes.Clone(e.CiphertextBlob)
	tampered[len(tampered)-1] ^= 1
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: tampered, EncryptionContext: encCtx})
	wantErr(t, "tampered", err, "InvalidCiphertextException", "")
	_, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: []byte("not a ciphertext at all, but long enough to parse")})
	wantErr(t, "garbage", err, "InvalidCiphertextException", "")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id1), Plaintext: make([]byte, 4097)})
	wantErr(t, "4097 bytes", err, "ValidationException", "")
	_, err = c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id1), Plaintext: []byte("x"), EncryptionAlgorithm: types.EncryptionAlgorithmSpecRsaesOaepSha256})
	wantErr(t, "RSA algorithm", err, "InvalidKeyUsageException", "")

	// Data keys.
	g, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1), KeySpec: types.DataKeySpecAes256, EncryptionContext: encCtx})
	if err != nil || len(g.Plaintext) != 32 {
		t.Fatalf("GenerateDataKey: %v", err)
	}
	dd, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: g.CiphertextBlob, EncryptionContext: encCtx})
	if err != nil || !bytes.Equal(dd.Plaintext, g.Plaintext) {
		t.Fatalf("decrypt data key: %v", err)
	}
	for spec, n := range map[types.DataKeySpec]int{types.DataKeySpecAes128: 16} {
		g, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1), KeySpec: spec})
		if err != nil || len(g.Plaintext) != n {
			t.Fatalf("%s: %v", spec, err)
		}
	}
	g, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1), NumberOfBytes: aws.Int32(1024)})
	if err != nil || len(g.Plaintext) != 1024 {
		t.Fatalf("1024 bytes: %v", err)
	}
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1), NumberOfBytes: aws.Int32(1025)})
	wantErr(t, "1025 bytes", err, "ValidationException", "")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1)})
	wantErr(t, "neither spec nor bytes", err, "ValidationException", "")
	_, err = c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id1), KeySpec: types.DataKeySpecAes256, NumberOfBytes: aws.Int32(32)})
	wantErr(t, "both", err, "ValidationException", "")
	w, err := c.GenerateDataKeyWithoutPlaintext(ctx, &kms.GenerateDataKeyWithoutPlaintextInput{KeyId: aws.String("alias/aws/kinesis"), KeySpec: types.DataKeySpecAes128})
	if err != nil || len(w.CiphertextBlob) == 0 {
		t.Fatalf("WithoutPlaintext: %v", err)
	}
	dd, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: w.CiphertextBlob})
	if err != nil || len(dd.Plaintext) != 16 {
		t.Fatalf("decrypt WithoutPlaintext: %v", err)
	}

	// ReEncrypt moves a ciphertext to another key and context.
	re, err := c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: encCtx,
		DestinationKeyId: aws.String(id2), DestinationEncryptionContext: map[string]string{"k": "v"}})
	if err != nil || aws.ToString(re.SourceKeyId) != arnPrefix+"key/"+id1 || aws.ToString(re.KeyId) != arnPrefix+"key/"+id2 {
		t.Fatalf("ReEncrypt: %v %+v", err, re)
	}
	dd, err = c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: re.CiphertextBlob, EncryptionContext: map[string]string{"k": "v"}})
	if err != nil || string(dd.Plaintext) != "world" || aws.ToString(dd.KeyId) != arnPrefix+"key/"+id2 {
		t.Fatalf("decrypt re-encrypted: %v", err)
	}
	_, err = c.ReEncrypt(ctx, &kms.ReEncryptInput{CiphertextBlob: e.CiphertextBlob, DestinationKeyId: aws.String(id2)})
	wantErr(t, "ReEncrypt without context", err, "InvalidCiphertextException", "")
}

func TestSDKRotation(t *testing.T) {
	c, clk, _ := startServer(t, t.TempDir())
	ctx := testCtx(t)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	first := aws.ToString(k.KeyMetadata.CurrentKeyMaterialId)
	old, err := c.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{KeyId: aws.String(id), KeySpec: types.DataKeySpecAes256})
	if err != nil || aws.ToString(old.KeyMaterialId) != first {
		t.Fatalf("GenerateDataKey: %v", err)
	}
	st, err := c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil || st.KeyRotationEnabled {
		t.Fatalf("status: %v %+v", err, st)
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(89)})
	wantErr(t, "period 89", err, "ValidationException", "")
	if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id), RotationPeriodInDays: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	st, err = c.GetKeyRotationStatus(ctx, &kms.GetKeyRotationStatusInput{KeyId: aws.String(id)})
	if err != nil || !st.KeyRotationEnabled || aws.ToInt32(st.RotationPeriodInDays) != 90 ||
		!st.NextRotationDate.Equal(clk.Now().Add(90*24*time.Hour)) {
		t.Fatalf("status: %v %+v", err, st)
	}
	clk.Add(91 * 24 * time.Hour)
	e, err := c.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(id), Plaintext: []byte("after rotation")})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	second := aws.ToString(d.KeyMetadata.CurrentKeyMaterialId)
	if second == first || second == "" {
		t.Fatalf("no new material after the period: %s", second)
	}
	// On demand, a third material; every ciphertext still decrypts.
	if _, err := c.RotateKeyOnDemand(ctx, &kms.RotateKeyOnDemandInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	dk, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: old.CiphertextBlob})
	if err != nil || !bytes.Equal(dk.Plaintext, old.Plaintext) || aws.ToString(dk.KeyMaterialId) != first {
		t.Fatalf("old ciphertext after rotation: %v", err)
	}
	de, err := c.Decrypt(ctx, &kms.DecryptInput{CiphertextBlob: e.CiphertextBlob})
	if err != nil || string(de.Plaintext) != "after rotation" || aws.ToString(de.KeyMaterialId) != second {
		t.Fatalf("second ciphertext: %v", err)
	}
	d, _ = c.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(id)})
	if third := aws.ToString(d.KeyMetadata.CurrentKeyMaterialId); third == first || third == second {
		t.Fatalf("RotateKeyOnDemand made no new material")
	}
	if _, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: aws.String(id)})
	wantErr(t, "rotation of a disabled key", err, "DisabledException", "")
}

func TestSDKTagsAndPolicy(t *testing.T) {
	c, _, _ := startServer(t, t.TempDir())
	ctx := testCtx(t)
	k, err := c.CreateKey(ctx, &kms.CreateKeyInput{Policy: aws.String(`{"Version":"2012-10-17","Statement":[]}`),
		Tags: []types.Tag{{TagKey: aws.String("b"), TagValue: aws.String("2")}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(k.KeyMetadata.KeyId)
	if _, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []types.Tag{
		{TagKey: aws.String("a"), TagValue: aws.String("1")}, {TagKey: aws.String("b"), TagValue: aws.String("3")}}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.TagResource(ctx, &kms.TagResourceInput{KeyId: aws.String(id), Tags: []types.Tag{{TagKey: aws.String("aws:x"), TagValue: aws.String("1")}}})
	wantErr(t, "aws: tag", err, "TagException", "")
	lt, err := c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id), Limit: aws.Int32(1)})
	if err != nil || len(lt.Tags) != 1 || !lt.Truncated || aws.ToString(lt.Tags[0].TagKey) != "a" {
		t.Fatalf("page 1: %v %+v", err, lt)
	}
	lt, err = c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id), Marker: lt.NextMarker})
	if err != nil || len(lt.Tags) != 1 || lt.Truncated || aws.ToString(lt.Tags[0].TagValue) != "3" {
		t.Fatalf("page 2: %v %+v", err, lt)
	}
	if _, err := c.UntagResource(ctx, &kms.UntagResourceInput{KeyId: aws.String(id), TagKeys: []string{"a", "zz"}}); err != nil {
		t.Fatal(err)
	}
	lt, _ = c.ListResourceTags(ctx, &kms.ListResourceTagsInput{KeyId: aws.String(id)})
	if len(lt.Tags) != 1 || aws.ToString(lt.Tags[0].TagKey) != "b" {
		t.Fatalf("after untag: %+v", lt.Tags)
	}
	p, err := c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: aws.String(id)})
	if err != nil || aws.ToString(p.Policy) != `{"Version":"2012-10-17","Statement":[]}` || aws.ToString(p.PolicyName) != "default" {
		t.Fatalf("GetKeyPolicy: %v %+v", err, p)
	}
	_, err = c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: aws.String(id), Policy: aws.String("{not json")})
	wantErr(t, "bad policy", err, "MalformedPolicyDocumentException", "")
	k2, _ := c.CreateKey(ctx, &kms.CreateKeyInput{})
	p, err = c.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: k2.KeyMetadata.KeyId})
	if err != nil || !strings.Contains(aws.ToString(p.Policy), "arn:aws:iam::000000000000:root") {
		t.Fatalf("default policy: %v %+v", err, p)
	}
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/none"), TargetKeyId: aws.String(id)}); err == nil {
		t.Fatal("UpdateAlias of a missing alias succeeded")
	}
	if _, err := c.CreateAlias(ctx, &kms.CreateAliasInput{AliasName: aws.String("alias/p"), TargetKeyId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateAlias(ctx, &kms.UpdateAliasInput{AliasName: aws.String("alias/p"), TargetKeyId: k2.KeyMetadata.Arn}); err != nil {
		t.Fatal(err)
	}
	la, err := c.ListAliases(ctx, &kms.ListAliasesInput{KeyId: k2.KeyMetadata.KeyId})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].TargetKeyId) != aws.ToString(k2.KeyMetadata.KeyId) {
		t.Fatalf("aliases of k2: %v %+v", err, la)
	}
	if _, err := c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/p")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAlias(ctx, &kms.DeleteAliasInput{AliasName: aws.String("alias/p")})
	wantErr(t, "delete twice", err, "NotFoundException", "Alias "+arnPrefix+"alias/p is not found.")
}
