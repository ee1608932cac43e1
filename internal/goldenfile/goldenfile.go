// Package goldenfile is the golden-file harness the API services' tests
// share (httpapi/*api/golden_test.go): a scenario of requests runs twice,
// each exchange is rendered as text (request, status, headers, indented
// JSON body) under a path, and the texts are compared with each other
// (determinism) and with the files under a directory, or written there
// with -update.
package goldenfile

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// RenderJSON indents a JSON body; a body that is not JSON is kept as is.
// The result ends with a newline.
func RenderJSON(body []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		return string(body) + "\n"
	}
	return out.String() + "\n"
}

// RenderHeaders writes the headers one per line, "Name: value", sorted,
// leaving out the volatile ones (lower-case names: request ids, dates).
func RenderHeaders(h http.Header, volatile ...string) string {
	var lines []string
	for k, vs := range h {
		if slices.Contains(volatile, strings.ToLower(k)) {
			continue
		}
		for _, v := range vs {
			lines = append(lines, http.CanonicalHeaderKey(k)+": "+v+"\n")
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// Check compares first, the rendered exchanges by path, with again (the
// same scenario run a second time: they must be equal) and with the files
// under dir: each must exist with the same content, and no other .txt file
// may be there. With update it rewrites dir from first instead.
func Check(t testing.TB, dir string, first, again map[string]string, update bool) {
	t.Helper()
	for path, want := range first {
		if got := again[path]; got != want {
			t.Errorf("%s: not deterministic:\n%s\n---\n%s", path, want, got)
		}
	}
	if update {
		os.RemoveAll(dir)
		for path, content := range first {
			full := filepath.Join(dir, path)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	onDisk := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txt") {
			rel, _ := filepath.Rel(dir, p)
			onDisk[rel] = true
		}
		return nil
	})
	for path, got := range first {
		want, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Errorf("%s: %v (run with -update to write it)", path, err)
			continue
		}
		if string(want) != got {
			t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
		}
		delete(onDisk, path)
	}
	for path := range onDisk {
		t.Errorf("%s: stale golden file (no step writes it)", path)
	}
}
