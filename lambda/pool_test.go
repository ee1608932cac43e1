package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage/mem"
)

// fakeLauncher starts fakeInstances that answer with their own number, or
// block until released when the payload is "block".
type fakeLauncher struct {
	mu      sync.Mutex
	started []*fakeInstance
	release chan struct{}
}

func (l *fakeLauncher) Start(spec InstanceSpec) (Instance, []byte, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := &fakeInstance{n: len(l.started) + 1, spec: spec, release: l.release}
	l.started = append(l.started, i)
	return i, nil, nil
}

func (l *fakeLauncher) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.started)
}

type fakeInstance struct {
	n       int
	spec    InstanceSpec
	release chan struct{}
	mu      sync.Mutex
	stopped bool
}

func (i *fakeInstance) Run(ctx context.Context, inv *Invocation) (Result, bool) {
	if string(inv.Payload) == `"block"` {
		<-i.release
	}
	return Result{Payload: fmt.Appendf(nil, "%d", i.n)}, true
}
func (i *fakeInstance) Alive() bool                    { i.mu.Lock(); defer i.mu.Unlock(); return !i.stopped }
func (i *fakeInstance) Stop()                          { i.mu.Lock(); i.stopped = true; i.mu.Unlock() }
func (i *fakeInstance) ResetLog()                      {}
func (i *fakeInstance) Log(format string, args ...any) {}
func (i *fakeInstance) Tail() []byte                   { return nil }
func (i *fakeInstance) Output() []byte                 { return nil }

func testZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap"}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("#!/bin/sh\n"))
	zw.Close()
	return buf.Bytes()
}

func newFakeService(t *testing.T, l *fakeLauncher, maxInstances int) *Service {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.MaxInstances = maxInstances
	if l != nil {
		cfg.Launcher = l
	}
	s, err := New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	zip := testZip(t)
	// A bootstrap that is executable, as command() checks.
	in := &lp.CreateFunctionInput{FunctionName: "f", Runtime: "provided.al2023", Role: "arn:aws:iam::123456789012:role/r", Code: &lp.FunctionCode{ZipFile: zip}}
	if _, err := s.CreateFunction("us-east-1", in); err != nil {
		t.Fatal(err)
	}
	return s
}

func invokeN(t *testing.T, s *Service, payload string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.InvokeFunction(ctx, &InvokeInput{Region: "us-east-1", FunctionName: "f", Payload: []byte(payload)})
	if err != nil {
		return "", err
	}
	return string(out.Payload) + out.FunctionError, nil
}

func TestPoolReusesAndRetires(t *testing.T) {
	l := &fakeLauncher{release: make(chan struct{})}
	s := newFakeService(t, l, 10)
	for range 3 {
		if got, err := invokeN(t, s, `{}`); err != nil || got != "1" {
			t.Fatalf("invoke: %q %v, want instance 1 reused", got, err)
		}
	}
	// New code: the warm instance is stopped and a new one started.
	if _, err := s.UpdateFunctionCode("us-east-1", "f", &lp.UpdateFunctionCodeInput{ZipFile: testZip(t)}); err != nil {
		t.Fatal(err)
	}
	if !l.started[0].stopped {
		t.Error("instance of the old revision still running")
	}
	if got, err := invokeN(t, s, `{}`); err != nil || got != "2" {
		t.Fatalf("after UpdateFunctionCode: %q %v, want instance 2", got, err)
	}
	env := map[string]bool{}
	for _, kv := range l.started[1].spec.Env {
		env[kv] = true
	}
	for _, want := range []string{"AWS_LAMBDA_FUNCTION_NAME=f", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_REGION=us-east-1", "_HANDLER="} {
		if !env[want] {
			t.Errorf("environment lacks %s: %v", want, l.started[1].spec.Env)
		}
	}
}

func TestPoolConcurrency(t *testing.T) {
	l := &fakeLauncher{release: make(chan struct{})}
	s := newFakeService(t, l, 2)
	// Two blocked calls take both instances; a third waits (no
	// reservation), then runs on a freed one.
	results := make(chan string, 3)
	for range 3 {
		go func() {
			got, err := invokeN(t, s, `"block"`)
			if err != nil {
				got = err.Error()
			}
			results <- got
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.count() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := l.count(); n != 2 {
		t.Fatalf("%d instances started, want 2 (MaxInstances)", n)
	}
	close(l.release)
	for range 3 {
		if got := <-results; got != "1" && got != "2" {
			t.Errorf("result %q", got)
		}
	}
	if n := l.count(); n != 2 {
		t.Errorf("%d instances started, want 2", n)
	}

	// Reserved 0: throttled at once.
	if _, err := s.PutFunctionConcurrency("us-east-1", "f", 0); err != nil {
		t.Fatal(err)
	}
	_, err := invokeN(t, s, `{}`)
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != lp.CodeTooManyRequests || ee.Message != "Rate Exceeded." {
		t.Errorf("reserved 0: %v, want TooManyRequestsException", err)
	}
}

func TestInvokeWithoutLauncher(t *testing.T) {
	s := newFakeService(t, nil, 1)
	if _, err := invokeN(t, s, `{}`); err == nil {
		t.Error("Invoke without a Launcher succeeded")
	}
	if _, err := s.GetFunction("us-east-1", "f"); err != nil {
		t.Errorf("GetFunction without a Launcher: %v", err)
	}
}

func TestCloseWakesWaiters(t *testing.T) {
	l := &fakeLauncher{release: make(chan struct{})}
	s := newFakeService(t, l, 1)
	results := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := invokeN(t, s, `"block"`)
			results <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.count() < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// One call holds the only instance, the other waits for it. Deleting
	// the function must fail the waiter at once, not leave it waiting.
	if err := s.DeleteFunction("us-east-1", "f"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-results:
		if err == nil {
			t.Error("the waiting call succeeded after DeleteFunction")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting call still waits after DeleteFunction")
	}
	close(l.release)
	<-results
}

// TestUnzipOncePerRevision: instances that start together share one unzip
// of the function's code.
func TestUnzipOncePerRevision(t *testing.T) {
	l := &fakeLauncher{release: make(chan struct{})}
	s := newFakeService(t, l, 8)
	results := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := invokeN(t, s, `"block"`)
			results <- err
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for l.count() < 8 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	close(l.release)
	for range 8 {
		if err := <-results; err != nil {
			t.Fatal(err)
		}
	}
	if n := l.count(); n != 8 {
		t.Fatalf("%d instances started, want 8", n)
	}
	if n := s.unzips.Load(); n != 1 {
		t.Fatalf("%d unzips for one revision, want 1", n)
	}
}

// A function reaching Eddy over HTTPS with a self-signed certificate
// (--tls auto) is told where the certificate is, in the variables the AWS
// SDKs and Node read.
func TestEnvironmentCABundle(t *testing.T) {
	s := &Service{cfg: Config{Endpoint: "https://127.0.0.1:4567", CABundle: "/data/tls-cert.pem"}}
	env, _ := s.environment("us-east-1", &lp.FunctionConfiguration{FunctionName: "f", Runtime: "python3.12", Handler: "h.h"}, "/code")
	for _, want := range []string{"AWS_ENDPOINT_URL=https://127.0.0.1:4567", "AWS_CA_BUNDLE=/data/tls-cert.pem", "NODE_EXTRA_CA_CERTS=/data/tls-cert.pem"} {
		if !slices.Contains(env, want) {
			t.Errorf("environment lacks %s: %v", want, env)
		}
	}
	s.cfg.CABundle = ""
	env, _ = s.environment("us-east-1", &lp.FunctionConfiguration{FunctionName: "f", Runtime: "python3.12", Handler: "h.h"}, "/code")
	for _, kv := range env {
		if strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			t.Errorf("AWS_CA_BUNDLE set without a CA bundle: %s", kv)
		}
	}
}

// With RoleCredentials a function's instance gets its execution role's
// temporary credentials, session token included, and their expiry; a role
// that cannot be assumed leaves it the default ones.
func TestEnvironmentRoleCredentials(t *testing.T) {
	exp := time.Date(2026, 12, 5, 13, 0, 0, 0, time.UTC)
	s := &Service{log: slog.New(slog.DiscardHandler), cfg: Config{AccessKeyID: "test", SecretAccessKey: "test",
		RoleCredentials: func(role, session string) (RoleCredentials, error) {
			if role != "arn:aws:iam::111111111111:role/fn" || session != "f" {
				return RoleCredentials{}, errors.New("no such role")
			}
			return RoleCredentials{AccessKeyID: "ASIAFN", SecretAccessKey: "sec", SessionToken: "tok", Expires: exp}, nil
		}}}
	env, expires := s.environment("us-east-1", &lp.FunctionConfiguration{FunctionName: "f", Runtime: "python3.12", Handler: "h.h", Role: "arn:aws:iam::111111111111:role/fn"}, "/code")
	for _, want := range []string{"AWS_ACCESS_KEY_ID=ASIAFN", "AWS_SECRET_ACCESS_KEY=sec", "AWS_SESSION_TOKEN=tok"} {
		if !slices.Contains(env, want) {
			t.Errorf("environment lacks %s: %v", want, env)
		}
	}
	if !expires.Equal(exp) {
		t.Errorf("expiry %v, want %v", expires, exp)
	}
	i := &instance{expires: exp}
	if !i.fresh(exp.Add(-6*time.Minute)) || i.fresh(exp.Add(-4*time.Minute)) {
		t.Error("an instance is reused within 5 minutes of its credentials' expiry")
	}
	env, expires = s.environment("us-east-1", &lp.FunctionConfiguration{FunctionName: "f", Runtime: "python3.12", Handler: "h.h", Role: "arn:aws:iam::111111111111:role/other"}, "/code")
	if !slices.Contains(env, "AWS_ACCESS_KEY_ID=test") || !expires.IsZero() {
		t.Errorf("a role that cannot be assumed: %v %v", env, expires)
	}
}
