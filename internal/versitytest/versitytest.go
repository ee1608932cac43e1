// Package versitytest runs a real S3-compatible server inside a test
// process: the Versity S3 Gateway (github.com/versity/versitygw,
// Apache-2.0) with its posix backend, which serves a directory (each
// subdirectory a bucket, each file an object, metadata in extended
// attributes). It is the third-party S3 server the Firehose S3 delivery
// and internal/s3sink are tested against.
//
//	srv := versitytest.Start(t)    // srv.Endpoint, srv.AccessKey, srv.SecretKey
//	c := srv.Client()              // an aws-sdk-go-v2 S3 client for it
//	srv.CreateBucket(t, "out")
//	srv.Stop(t); srv.Restart(t)    // down, then up again on the same port and directory
//
// The binary is found as $EDDY_VERSITYGW, then versitygw on PATH, then
// bin/tools/versitygw under the module root, where
// scripts/install-test-deps.sh installs the pinned version (Version) with
// `go install`. Without it the test is skipped with a message saying how
// to get it, unless EDDY_REQUIRE_VERSITYGW is set (CI sets it): then the
// test fails, so a missing server cannot pass silently.
package versitytest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Version is the versitygw release scripts/install-test-deps.sh installs.
const Version = "v1.8.0"

// RequireEnv names the environment variable that turns a missing binary
// from a skip into a failure.
const RequireEnv = "EDDY_REQUIRE_VERSITYGW"

// Server is a running versitygw.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	Port     int
	// AccessKey and SecretKey are the root account's credentials; Region
	// the one requests are signed for.
	AccessKey, SecretKey, Region string
	// Dir is the posix backend's root: Dir/<bucket>/<key>.
	Dir string

	bin  string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

// Bin returns the versitygw binary's path, or "" when it is not found.
func Bin() string {
	if p := os.Getenv("EDDY_VERSITYGW"); p != "" {
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if root := moduleRoot(); root != "" {
		p := filepath.Join(root, "bin", "tools", "versitygw")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// moduleRoot is the nearest directory above the working directory holding
// a go.mod (a test runs in its package's directory).
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Start starts a server on 127.0.0.1 on a free port, serving a new
// temporary directory; the test's cleanup stops it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Bin()
	if bin == "" {
		msg := "versitytest: versitygw not found ($EDDY_VERSITYGW, PATH, bin/tools/versitygw); install it with" +
			" scripts/install-test-deps.sh (`make test` runs it) or `GOBIN=$PWD/bin/tools go install" +
			" github.com/versity/versitygw/cmd/versitygw@" + Version + "`"
		if os.Getenv(RequireEnv) != "" {
			t.Fatalf("%s; %s is set, so this is a failure", msg, RequireEnv)
		}
		t.Skip(msg)
	}
	tmp := t.TempDir()
	s := &Server{AccessKey: "eddy-root", SecretKey: "eddy-root-secret-key", Region: "us-east-1",
		Dir: filepath.Join(tmp, "root"), log: filepath.Join(tmp, "versitygw.log"), bin: bin}
	if err := os.Mkdir(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var err error
	for range 3 { // the free port may be taken between finding it and listening
		if s.Port, err = freePort(); err != nil {
			t.Fatalf("versitytest: %v", err)
		}
		s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(s.Port)
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("versitytest: %v", err)
	}
	t.Cleanup(func() { s.stop() })
	return s
}

// start runs the server and waits until it answers HTTP.
func (s *Server) start() error {
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, "--port", "127.0.0.1:"+strconv.Itoa(s.Port), "--access", s.AccessKey, "--secret", s.SecretKey,
		"--region", s.Region, "--quiet", "posix", s.Dir)
	// Only the flags above configure it: no ROOT_ACCESS_KEY or VGW_*
	// variables of the caller's environment.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(s.Dir)}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	client := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(60 * time.Second); ; {
		select {
		case <-done:
			log, _ := os.ReadFile(s.log)
			s.cmd = nil
			return fmt.Errorf("versitygw exited: %v\nlog:\n%s", cmd.ProcessState, log)
		default:
		}
		// Any HTTP answer (403 to an anonymous ListBuckets) means it serves.
		if resp, err := client.Get(s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			s.stop()
			log, _ := os.ReadFile(s.log)
			return fmt.Errorf("versitygw did not answer on %s within 60s\nlog:\n%s", s.Endpoint, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server (SIGTERM, then SIGKILL after 10s) and waits for it.
func (s *Server) stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// Stop stops the server; Restart starts it again.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	s.stop()
}

// Restart starts a stopped server again on the same port and directory
// (its buckets and objects are still there).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if s.cmd != nil {
		t.Fatal("versitytest: Restart of a running server")
	}
	var err error
	for range 50 { // the port may linger a moment after the old process
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("versitytest: restart: %v", err)
}

// Client returns an aws-sdk-go-v2 S3 client for the server, path-style,
// signed with the root credentials.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{Region: s.Region, BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
}

// CreateBucket creates a bucket.
func (s *Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("versitytest: create bucket %s: %v", name, err)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
