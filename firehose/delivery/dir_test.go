package delivery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDirObjects: objects land as whole files under their key's path, a
// rewrite replaces the file, no temporary file is left, and keys that
// would leave the directory or name no file are refused.
func TestDirObjects(t *testing.T) {
	dir := t.TempDir()
	d := DirObjects{Dir: dir}
	ctx := context.Background()
	if err := d.Put(ctx, "b", "logs/2026/12/05/ds-1-x.gz", []byte("one"), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	if err := d.Put(ctx, "b", "logs/2026/12/05/ds-1-x.gz", []byte("two"), ""); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "logs", "2026", "12", "05", "ds-1-x.gz"))
	if err != nil || string(got) != "two" {
		t.Fatalf("file holds %q, %v", got, err)
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "logs", "2026", "12", "05"))
	if len(entries) != 1 {
		t.Errorf("%d files in the object's directory, want 1 (no temporary left)", len(entries))
	}
	for _, key := range []string{"../escape", "a/../../b", "a//b", "/abs", "dir/", ""} {
		if err := d.Put(ctx, "b", key, []byte("x"), ""); err == nil {
			t.Errorf("key %q accepted", key)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape")); err == nil {
		t.Error("a file was written outside the directory")
	}
	r := BucketRouter{Buckets: map[string]Objects{"local": d}}
	if err := r.Put(ctx, "local", "k", []byte("v"), ""); err != nil {
		t.Fatal(err)
	}
	if err := r.Put(ctx, "other", "k", nil, ""); err == nil || !strings.Contains(err.Error(), "--s3-bucket-dir other=DIR") {
		t.Errorf("an unrouted bucket: %v", err)
	}
}
