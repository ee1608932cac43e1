package s3

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
)

// A writer stopped between its synced temp file and the rename (as a crash
// there would) leaves the old object whole, or none: never a half object,
// and the leftover temp file is not listed.
func TestPutStoppedBeforeRename(t *testing.T) {
	if overLogs() {
		t.Skip("the file store's crash window (its rename); the LogStore's is covered by TestLogStoreGarbage")
	}
	root := t.TempDir()
	st := &Store{Root: root}
	if err := st.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	old := bytes.Repeat([]byte("old"), 100_000)
	if err := st.Put("bkt", &Meta{Key: "k", ETag: `"x"`}, bytes.NewReader(old), nil); err != nil {
		t.Fatal(err)
	}
	st.beforeRename = func() { runtime.Goexit() } // the writer dies here
	for _, key := range []string{"k", "new"} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			st.Put("bkt", &Meta{Key: key}, strings.NewReader(strings.Repeat("new", 100_000)), nil)
		}()
		<-done
	}
	// "Restart": a new Store over the same directory.
	st2 := &Store{Root: root}
	o, err := st2.Open("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(o.Body(0, o.Size))
	o.Close()
	if !bytes.Equal(b, old) {
		t.Fatalf("k after an interrupted overwrite: %d bytes, want the old %d", len(b), len(old))
	}
	if _, err := st2.Open("bkt", "new"); err != errNoKey {
		t.Fatalf("interrupted new object visible: %v", err)
	}
	l, err := st2.List("bkt", "")
	if err != nil || len(l) != 1 || l[0].Key != "k" {
		t.Fatalf("list: %v %+v", err, l)
	}
}
