package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/natstest"
	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
	"github.com/eddy-streams/eddy/storage/jetstream"
)

// fileLauncher starts instances that answer with the content of the file
// "answer" of the unzipped code they run from.
type fileLauncher struct{}

func (fileLauncher) Start(spec InstanceSpec) (Instance, []byte, error) {
	b, err := os.ReadFile(filepath.Join(spec.Dir, "answer"))
	if err != nil {
		return nil, nil, err
	}
	return &fileInstance{answer: b}, nil, nil
}

type fileInstance struct {
	fakeInstance
	answer []byte
}

func (i *fileInstance) Run(ctx context.Context, inv *Invocation) (Result, bool) {
	return Result{Payload: i.answer}, true
}

// codeZip is a zip of an executable bootstrap, the file "answer" and
// filler bytes that do not compress.
func codeZip(t *testing.T, answer string, filler int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap"}
	h.SetMode(0o755)
	w, _ := zw.CreateHeader(h)
	w.Write([]byte("#!/bin/sh\n"))
	w, _ = zw.Create("answer")
	w.Write([]byte(answer))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "filler", Method: zip.Store})
	b := make([]byte, filler)
	rand.Read(b)
	w.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// twoNodes opens two Lambda services, each with a data directory of its
// own, over one JetStream store (one embedded nats-server): two Eddy
// nodes of a cluster.
func twoNodes(t *testing.T) (a, b *Service, logs storage.Logs) {
	t.Helper()
	srv := natstest.Embedded(t)
	var p [6]byte
	rand.Read(p[:])
	prefix := "T" + hex.EncodeToString(p[:])
	open := func() (*Service, storage.Logs) {
		c, err := jetstream.Open(jetstream.Config{URLs: srv.URL, Replicas: 1, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		m, err := c.Meta()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		l, err := c.Logs()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		cfg := DefaultConfig()
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		cfg.Launcher = fileLauncher{}
		cfg.DataDir = t.TempDir()
		cfg.Code = l
		s, err := New(cfg, m)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, l
	}
	a, logs = open()
	b, _ = open()
	return a, b, logs
}

func invokeOn(t *testing.T, s *Service, fn string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := s.InvokeFunction(ctx, &InvokeInput{Region: "us-east-1", FunctionName: fn, Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	return string(out.Payload) + out.FunctionError
}

// TestClusterCode: a function created through one node runs through the
// other, which fetches its code from the shared store; new code given
// through the other runs through the first (a zip of several records and
// several appends).
func TestClusterCode(t *testing.T) {
	a, b, _ := twoNodes(t)
	in := &lp.CreateFunctionInput{FunctionName: "f", Runtime: "provided.al2023", Role: "arn:aws:iam::123456789012:role/r",
		Code: &lp.FunctionCode{ZipFile: codeZip(t, "v1", 1000)}}
	if _, err := a.CreateFunction("us-east-1", in); err != nil {
		t.Fatal(err)
	}
	if got := invokeOn(t, a, "f"); got != "v1" {
		t.Fatalf("A answers %q", got)
	}
	if got := invokeOn(t, b, "f"); got != "v1" {
		t.Fatalf("B answers %q", got)
	}
	big := codeZip(t, "v2", codeChunk*codeChunksPerAppend+codeChunk/2)
	if _, err := b.UpdateFunctionCode("us-east-1", "f", &lp.UpdateFunctionCodeInput{ZipFile: big}); err != nil {
		t.Fatal(err)
	}
	if got := invokeOn(t, a, "f"); got != "v2" {
		t.Fatalf("A answers %q after B's UpdateFunctionCode", got)
	}
	out, err := b.GetFunction("us-east-1", "f")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(strings.TrimPrefix(out.Code.Location, "file://"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("B's code location holds %d bytes (%v), want the %d uploaded", len(got), err, len(big))
	}
	// A fetched the zip whole from the store.
	sum := sha256.Sum256(big)
	got, err = os.ReadFile(filepath.Join(a.codeDir, hex.EncodeToString(sum[:])+".zip"))
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("A's copy holds %d bytes (%v), want %d", len(got), err, len(big))
	}
}

// TestClusterCodeAbandoned: a code log its writer left unsealed is
// written again by the next upload of the same zip, and a node does not
// run code from an unsealed log.
func TestClusterCodeAbandoned(t *testing.T) {
	a, b, logs := twoNodes(t)
	defer func(d time.Duration) { codeSealWait = d }(codeSealWait)
	codeSealWait = 200 * time.Millisecond
	z := codeZip(t, "v1", 100)
	sum := sha256.Sum256(z)
	l, err := logs.Create(codeLogID(hex.EncodeToString(sum[:])), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append([]storage.Record{{Arrival: time.Now(), PartitionKey: "code", Data: z[:10]}}); err != nil {
		t.Fatal(err)
	}
	if err := b.fetchCode(hex.EncodeToString(sum[:]), filepath.Join(t.TempDir(), "x.zip")); err == nil {
		t.Fatal("fetched code from an unsealed log")
	}
	in := &lp.CreateFunctionInput{FunctionName: "f", Runtime: "provided.al2023", Role: "arn:aws:iam::123456789012:role/r",
		Code: &lp.FunctionCode{ZipFile: z}}
	if _, err := a.CreateFunction("us-east-1", in); err != nil {
		t.Fatal(err)
	}
	if got := invokeOn(t, b, "f"); got != "v1" {
		t.Fatalf("B answers %q", got)
	}
}
