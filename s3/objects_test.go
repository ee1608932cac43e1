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

// The store's List by prefix (over both stores): only keys with the
// prefix, in key order, and none of another bucket whose name has this
// one's as a prefix.
func TestStoreListPrefix(t *testing.T) {
	st := storeAt(t.TempDir())
	for _, b := range []string{"b", "b.c"} {
		if err := st.CreateBucketFor(b, ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"x/2", "a", "x/1", "x", "y/1"} {
		if err := st.Put("b", &Meta{Key: k}, strings.NewReader(k), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Put("b.c", &Meta{Key: "x/3"}, strings.NewReader("other"), nil); err != nil {
		t.Fatal(err)
	}
	l, err := st.List("b", "x/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range l {
		keys = append(keys, m.Key)
	}
	if strings.Join(keys, ",") != "x/1,x/2" {
		t.Fatalf("List(b, x/) = %v", keys)
	}
}
