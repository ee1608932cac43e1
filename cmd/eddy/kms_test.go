package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/eddy-streams/eddy/storage/boltmeta"
)

// TestServeKMSRestart: the real server makes a root key file on first
// start, keys and ciphertexts survive a SIGKILL and a restart, and no data
// key is in the data directory in the clear.
func TestServeKMSRestart(t *testing.T) {
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --data-dir " + dir
	c := startChild(t, args)
	client := func(c *child) *kmssdk.Client {
		return kmssdk.New(kmssdk.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + c.addr),
			Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	}
	ctx := testContext(t)
	k := client(c)
	key, err := k.CreateKey(ctx, &kmssdk.CreateKeyInput{Description: aws.String("kept")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.CreateAlias(ctx, &kmssdk.CreateAliasInput{AliasName: aws.String("alias/kept"), TargetKeyId: key.KeyMetadata.KeyId}); err != nil {
		t.Fatal(err)
	}
	encCtx := map[string]string{"purpose": "test"}
	dk, err := k.GenerateDataKey(ctx, &kmssdk.GenerateDataKeyInput{KeyId: aws.String("alias/kept"), KeySpec: kmstypes.DataKeySpecAes256, EncryptionContext: encCtx})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.stderr.String(), "kms: made a root key file") {
		t.Errorf("no warning about the generated root key file; stderr:\n%s", c.stderr)
	}
	st, err := os.Stat(filepath.Join(dir, kmsRootKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("root key file: %v %v", err, st)
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()

	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, dk.Plaintext) {
			t.Errorf("the data key is in %s in the clear", p)
		}
		return nil
	})

	c = startChild(t, args)
	k = client(c)
	out, err := k.Decrypt(ctx, &kmssdk.DecryptInput{CiphertextBlob: dk.CiphertextBlob, EncryptionContext: encCtx})
	if err != nil || !bytes.Equal(out.Plaintext, dk.Plaintext) {
		t.Fatalf("Decrypt after restart: %v", err)
	}
	d, err := k.DescribeKey(ctx, &kmssdk.DescribeKeyInput{KeyId: aws.String("alias/kept")})
	if err != nil || aws.ToString(d.KeyMetadata.Description) != "kept" {
		t.Fatalf("DescribeKey after restart: %v", err)
	}
	if strings.Contains(c.stderr.String(), "kms: made a root key file") {
		t.Error("a second root key file was made")
	}
}

// TestKMSRootKeyOptions: the root key's sources, and the clear errors of a
// store with keys but without its root key or with another one.
func TestKMSRootKeyOptions(t *testing.T) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	meta, err := boltmeta.Open(filepath.Join(dir, "meta.db"), boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer meta.Close()
	cfg := defaultServeConfig()
	cfg.DataDir = dir
	noEnv := func(string) string { return "" }
	keyFile := filepath.Join(dir, "root.hex")
	os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)

	withFile := cfg
	withFile.KMSRootKey = keyFile
	if _, err := openKMS(withFile, noEnv, meta, logger); err != nil {
		t.Fatal(err)
	}
	// The same key through the environment, as base64.
	env := func(k string) string {
		if k == "EDDY_KMS_ROOT_KEY" {
			return "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="
		}
		return ""
	}
	if _, err := openKMS(cfg, env, meta, logger); err != nil {
		t.Fatalf("same key from the environment: %v", err)
	}
	if _, err := openKMS(withFile, env, meta, logger); err == nil || !strings.Contains(err.Error(), "one way only") {
		t.Fatalf("two sources: %v", err)
	}
	other := filepath.Join(dir, "other.hex")
	os.WriteFile(other, []byte(strings.Repeat("cd", 32)), 0o600)
	withOther := cfg
	withOther.KMSRootKey = other
	if _, err := openKMS(withOther, noEnv, meta, logger); err == nil || !strings.Contains(err.Error(), "not the one the stored KMS keys were sealed with") {
		t.Fatalf("wrong root key: %v", err)
	}
	// Keys are stored (a root record exists) and no key is given: no new
	// root key file is made up.
	if _, err := openKMS(cfg, noEnv, meta, logger); err == nil || !strings.Contains(err.Error(), "no KMS root key was given") {
		t.Fatalf("missing root key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, kmsRootKeyFile)); !os.IsNotExist(err) {
		t.Fatalf("a root key file was made: %v", err)
	}
	bad := cfg
	bad.KMSRootKey = filepath.Join(dir, "meta.db")
	if _, err := openKMS(bad, noEnv, meta, logger); err == nil || !strings.Contains(err.Error(), "--kms-root-key-file") {
		t.Fatalf("not a key: %v", err)
	}
}
