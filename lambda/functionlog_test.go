package lambda

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestFunctionLogRotation: past FunctionLogMaxBytes the log becomes .log.1
// and a new one begins, so a function's logs stay bounded.
func TestFunctionLogRotation(t *testing.T) {
	path := FunctionLogPath(t.TempDir(), "us-east-1", "f")
	big := bytes.Repeat([]byte("x"), FunctionLogMaxBytes-10)
	if err := writeFunctionLog(path, big); err != nil {
		t.Fatal(err)
	}
	if err := writeFunctionLog(path, []byte("short\n")); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Size() != int64(len(big))+6 {
		t.Fatalf("within the bound: size %d", st.Size())
	}
	if err := writeFunctionLog(path, []byte("over the bound\n")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "over the bound\n" {
		t.Fatalf("new log holds %d bytes, want only the last line", len(b))
	}
	if st, err := os.Stat(path + ".1"); err != nil || st.Size() != int64(len(big))+6 {
		t.Fatalf("rotated log: %v", err)
	}
	if filepath.Base(filepath.Dir(path)) != "us-east-1" {
		t.Fatalf("path %s", path)
	}
}
