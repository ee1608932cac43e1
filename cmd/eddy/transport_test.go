package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// serveFails runs `eddy serve args` in a child process, with env added to
// its environment, and returns its stderr; the test fails if the server
// starts (it is killed after 30 s) or exits 0.
func serveFails(t *testing.T, args string, env ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestServeChild$")
	if !strings.Contains(args, "--admin-listen") {
		args += " --admin-listen 127.0.0.1:0"
	}
	cmd.Env = append(append(os.Environ(), "EDDY_SERVE_ARGS="+args), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("eddy serve %s: still running after 30s; stderr:\n%s", args, stderr.String())
	}
	if err == nil {
		t.Fatalf("eddy serve %s: exited 0; stderr:\n%s", args, stderr.String())
	}
	return stderr.String()
}

// tlsClient is a Kinesis client of c's HTTPS endpoint that trusts the
// certificate in caFile alone.
func tlsClient(t *testing.T, c *child, caFile string) *kinesis.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	hc := &http.Client{Timeout: testTimeout, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("https://" + c.addr), HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
}

// TestServeTLSAuto: --tls auto serves HTTPS with a certificate the Go SDK
// verifies against <data-dir>/tls-cert.pem (for 127.0.0.1), refuses a
// client that does not trust it, and keeps the same certificate across a
// restart; the admin listener on loopback stays plain HTTP.
func TestServeTLSAuto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	ctx := testContext(t)
	dir := t.TempDir()
	args := "serve --listen 127.0.0.1:0 --tls auto --create-delay 0s --data-dir " + dir
	c := startChild(t, args)
	caFile := filepath.Join(dir, "tls-cert.pem")
	first, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tlsClient(t, c, caFile).CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("tls"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	// A client with the system's roots only does not trust it.
	plain := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("https://" + c.addr),
		Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", "")})
	if _, err := plain.ListStreams(ctx, &kinesis.ListStreamsInput{}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client that does not trust the certificate: %v", err)
	}
	if code, _ := get(t, "http://"+c.admin+"/health"); code != 200 {
		t.Fatalf("admin /health over http on loopback: %d", code)
	}
	if !strings.Contains(c.stderr.String(), "sha256=") {
		t.Errorf("the certificate's fingerprint is not logged:\n%s", c.stderr)
	}
	c.cmd.Process.Kill()
	c.cmd.Wait()

	c = startChild(t, args)
	again, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Fatal("a restart made a new certificate")
	}
	out, err := tlsClient(t, c, caFile).ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil || len(out.StreamNames) != 1 {
		t.Fatalf("after a restart: %v %+v", err, out)
	}
}

// TestServeRefusesExposedListeners: a listener on every interface
// (0.0.0.0; bound and closed again at once, nothing is served) is refused
// without TLS and signature verification, saying which is missing.
func TestServeRefusesExposedListeners(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	msg := serveFails(t, "serve --in-memory --listen 0.0.0.0:0")
	for _, want := range []string{"--listen 0.0.0.0:0 (", "is reachable from other machines", "without TLS", "without verifying signatures", "--insecure"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no TLS, no signatures: message lacks %q:\n%s", want, msg)
		}
	}
	msg = serveFails(t, "serve --in-memory --listen 0.0.0.0:0 --tls auto")
	if !strings.Contains(msg, "without verifying signatures") || strings.Contains(msg, "without TLS") {
		t.Errorf("TLS, no signatures: %s", msg)
	}
	msg = serveFails(t, "serve --in-memory --listen 127.0.0.1:0 --admin-listen 0.0.0.0:0")
	if !strings.Contains(msg, "--admin-listen 0.0.0.0:0 (") || !strings.Contains(msg, "without a bearer token") {
		t.Errorf("admin on every interface: %s", msg)
	}
	msg = serveFails(t, "serve --in-memory --listen 127.0.0.1:0 --tls auto --tls-cert x.pem --tls-key y.pem")
	if !strings.Contains(msg, "--tls auto and --tls-cert") {
		t.Errorf("--tls auto with --tls-cert: %s", msg)
	}
}

// TestCheckExposure covers what the refusal test cannot without serving
// beyond loopback: an address other than loopback with everything given
// passes, and --insecure lets one through with a warning.
func TestCheckExposure(t *testing.T) {
	public := &net.TCPAddr{IP: net.ParseIP("192.0.2.10"), Port: 4567}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	withTLS := &serverTLS{config: &tls.Config{}}
	full := serveConfig{AccessKeyID: "AKID", SecretKey: "s"}
	if err := checkExposure(full, logger, "--listen", "x", public, apiLacks(full, withTLS)); err != nil {
		t.Errorf("TLS and signatures: %v", err)
	}
	if err := checkExposure(serveConfig{}, logger, "--listen", "x", &net.TCPAddr{IP: net.ParseIP("::1")}, apiLacks(serveConfig{}, &serverTLS{})); err != nil {
		t.Errorf("loopback ::1: %v", err)
	}
	if err := checkExposure(serveConfig{}, logger, "--listen", "x", public, apiLacks(serveConfig{}, withTLS)); err == nil {
		t.Error("no signature verification: not refused")
	}
	if err := checkExposure(serveConfig{Insecure: true}, logger, "--listen", "x", public, apiLacks(serveConfig{}, &serverTLS{})); err != nil {
		t.Errorf("--insecure: %v", err)
	}
	if !strings.Contains(logs.String(), "--insecure") {
		t.Errorf("--insecure did not warn: %s", logs.String())
	}
	if lacks := adminLacks(withTLS, "0123456789abcdef"); len(lacks) != 0 {
		t.Errorf("admin with TLS and a token lacks %v", lacks)
	}
}

// TestServeAdminToken: with --admin-token-file every admin request but
// /health and /ready needs the bearer token.
func TestServeAdminToken(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	tokenFile := filepath.Join(t.TempDir(), "token")
	const token = "s3cr3t-admin-token-0123456789"
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := startChild(t, "serve --in-memory --listen 127.0.0.1:0 --admin-token-file "+tokenFile)
	do := func(path, auth string) int {
		req, err := http.NewRequest("GET", "http://"+c.admin+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		path, auth string
		want       int
	}{
		{"/metrics", "", 401},
		{"/metrics", "Bearer wrong-token-0123456789", 401},
		{"/metrics", "Bearer " + token, 200},
		{"/faults", "Bearer " + token, 200},
		{"/faults", "", 401},
		{"/health", "", 200},
		{"/ready", "", 200},
	} {
		if got := do(tc.path, tc.auth); got != tc.want {
			t.Errorf("GET %s with %q: %d, want %d", tc.path, tc.auth, got, tc.want)
		}
	}
	short := filepath.Join(t.TempDir(), "short")
	os.WriteFile(short, []byte("abc"), 0o600)
	if msg := serveFails(t, "serve --in-memory --listen 127.0.0.1:0 --admin-token-file "+short); !strings.Contains(msg, "shorter than 16 characters") {
		t.Errorf("a short token: %s", msg)
	}
}
