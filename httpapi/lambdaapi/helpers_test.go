package lambdaapi

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/lambda"
	"github.com/eddy-streams/eddy/runtimeapi"
	"github.com/eddy-streams/eddy/storage/mem"
)

const (
	testRegion = "us-east-1"
	testKey    = "AKIDEXAMPLE"
	testSecret = "secret"
	testRole   = "arn:aws:iam::000000000000:role/lambda-role"
)

type env struct {
	url    string
	svc    *lambda.Service
	client *sdk.Client
}

// start runs a server with the Lambda service on 127.0.0.1 and returns a
// real SDK client for it. Everything stops when the test ends.
func start(t *testing.T, mutate ...func(*lambda.Config)) *env {
	t.Helper()
	cfg := lambda.DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg.Launcher = runtimeapi.Launcher{}
	// A runtime's start (python3) can take more than the default 10 s on a
	// loaded machine (CI saw "Init timed out" with a run of tests beside
	// it); tests of the timeout set their own.
	cfg.InitTimeout = time.Minute
	for _, m := range mutate {
		m(&cfg)
	}
	svc, err := lambda.New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.Config{Credentials: map[string]string{testKey: testSecret}, Logger: cfg.Logger})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddREST(Service(svc)); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	e := &env{url: "http://" + l.Addr().String(), svc: svc}
	e.client = sdk.New(sdk.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(e.url),
		Credentials:      credentials.NewStaticCredentialsProvider(testKey, testSecret, ""),
		RetryMaxAttempts: 1,
	})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
		if err := svc.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// zipFiles returns a zip holding files (name -> content), executable if
// the name is "bootstrap".
func zipFiles(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o644)
		if name == "bootstrap" {
			h.SetMode(0o755)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(content)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	goFnOnce sync.Once
	goFnZip  []byte
	goFnErr  error
)

// goFunction builds testdata/gofn (an aws-lambda-go handler) as bootstrap
// and zips it, once per test binary.
func goFunction(t *testing.T) []byte {
	t.Helper()
	goFnOnce.Do(func() {
		dir, err := os.MkdirTemp("", "eddy-gofn-")
		if err != nil {
			goFnErr = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "bootstrap")
		cmd := exec.Command("go", "build", "-o", out, "./testdata/gofn")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			goFnErr = errors.New("go build: " + err.Error() + ": " + string(b))
			return
		}
		bin, err := os.ReadFile(out)
		if err != nil {
			goFnErr = err
			return
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
		h.SetMode(0o755)
		w, _ := zw.CreateHeader(h)
		w.Write(bin)
		goFnErr = zw.Close()
		goFnZip = buf.Bytes()
	})
	if goFnErr != nil {
		t.Fatal(goFnErr)
	}
	return goFnZip
}

func decodeTail(t *testing.T, out *sdk.InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
