package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Objects writes objects into a Store in process, for Eddy's own services
// that deliver to the embedded endpoint (delivery streams, channels):
// they never make HTTP requests to Eddy itself. Its Put is the shape of
// internal/s3sink.Sink's, so either can stand behind a destination.
type Objects struct {
	Store ObjectStore
}

// Put writes body as the object key of bucket, replacing any object of
// that key, with the ETag S3 gives a single-part object (its MD5). A
// missing bucket is an error that says so: as on S3, buckets are created
// by their users.
func (o Objects) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	return o.PutEncoded(ctx, bucket, key, body, contentType, "")
}

// PutEncoded is Put with the object's Content-Encoding ("" for none),
// which GET and HEAD return.
func (o Objects) PutEncoded(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	sum := md5.Sum(body)
	m := &Meta{Key: key, ETag: `"` + hex.EncodeToString(sum[:]) + `"`, ContentType: contentType,
		ContentEncoding: contentEncoding, LastModified: time.Now().UTC()}
	err := o.Store.Put(bucket, m, bytes.NewReader(body), nil)
	if errors.Is(err, errNoBucket) {
		return fmt.Errorf("put s3://%s/%s: NoSuchBucket: The specified bucket does not exist", bucket, key)
	}
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
