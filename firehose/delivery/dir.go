package delivery

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DirObjects writes a bucket's objects as files under Dir: object key
// "a/b/c.gz" is the file Dir/a/b/c.gz. It is Eddy's local directory
// destination (an extension for development: `eddy serve --s3-bucket-dir
// BUCKET=DIR`), so delivered data can be read with ls, zcat and friends
// and no S3 server at all. A file appears whole: it is written under a
// temporary name in its directory, synced, and renamed. Content types are
// not kept.
type DirObjects struct {
	Dir string
}

// Put implements Objects.
func (d DirObjects) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	path, err := d.path(key)
	if err != nil {
		return fmt.Errorf("bucket %s directory %s: %w", bucket, d.Dir, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if df, err := os.Open(dir); err == nil {
		df.Sync() // the rename's durability; not every filesystem syncs directories
		df.Close()
	}
	return nil
}

// path is the file of key, which must stay inside Dir: no empty, "." or
// ".." segment (S3 allows them in keys; a directory cannot hold them).
func (d DirObjects) path(key string) (string, error) {
	if key == "" || strings.HasSuffix(key, "/") {
		return "", fmt.Errorf("object key %q cannot name a file", key)
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("object key %q has an empty, \".\" or \"..\" segment, which a directory cannot hold", key)
		}
	}
	return filepath.Join(d.Dir, filepath.FromSlash(key)), nil
}

// BucketRouter sends each bucket's objects to its own Objects, the others
// to Default; with no Default they fail.
type BucketRouter struct {
	Buckets map[string]Objects
	Default Objects
}

// Put implements Objects.
func (r BucketRouter) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	o, err := r.For(bucket)
	if err != nil {
		return err
	}
	return o.Put(ctx, bucket, key, body, contentType)
}

// For returns where bucket's objects go.
func (r BucketRouter) For(bucket string) (Objects, error) {
	if o, ok := r.Buckets[bucket]; ok {
		return o, nil
	}
	if r.Default == nil {
		return nil, fmt.Errorf("bucket %s: no S3 to deliver to (start eddy serve with --s3-listen, --s3-endpoint or --s3-bucket-dir %s=DIR)", bucket, bucket)
	}
	return r.Default, nil
}

// PutEncoded implements EncodedObjects: the bucket's store keeps the
// Content-Encoding if it can (a directory cannot).
func (r BucketRouter) PutEncoded(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error {
	o, err := r.For(bucket)
	if err != nil {
		return err
	}
	if e, ok := o.(EncodedObjects); ok {
		return e.PutEncoded(ctx, bucket, key, body, contentType, contentEncoding)
	}
	return o.Put(ctx, bucket, key, body, contentType)
}
