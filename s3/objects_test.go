package s3

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestObjectsPutInProcess(t *testing.T) {
	st := storeAt(t.TempDir())
	o := Objects{Store: st}
	if err := o.Put(context.Background(), "b", "k/1", []byte("hello"), "text/plain"); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Fatalf("put to a missing bucket: %v", err)
	}
	if err := st.CreateBucketFor("b", ""); err != nil {
		t.Fatal(err)
	}
	if err := o.Put(context.Background(), "b", "k/1", []byte("hello"), "text/plain"); err != nil {
		t.Fatal(err)
	}
	obj, err := st.Open("b", "k/1")
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	body, _ := io.ReadAll(obj.Body(0, obj.Size))
	if string(body) != "hello" || obj.ETag != `"5d41402abc4b2a76b9719d911017c592"` || obj.ContentType != "text/plain" {
		t.Fatalf("object %q %+v", body, obj.Meta)
	}
}
