// Package s3sink writes objects to an external S3-compatible server
// (AWS S3, MinIO, Ceph, versitygw, ...) through aws-sdk-go-v2's S3 client:
// the Lambda on-failure destinations, Kinesis channels and Firehose
// deliveries write to the server of eddy serve --s3-endpoint (the embedded
// endpoint, --s3-listen, is written in process instead). It is tested
// against gofakes3 (internal/s3test) and a real versitygw
// (internal/versitytest).
//
//	cfg := s3sink.DefaultConfig()
//	cfg.Endpoint = "http://127.0.0.1:9000"
//	sink, err := s3sink.New(cfg)
//	err = sink.Put(ctx, "bucket", "some/key", body, "application/json")
package s3sink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Config says which server to write to and how.
type Config struct {
	// Endpoint is the server's base URL (http:// or https://). Required.
	Endpoint string
	// Region signs the requests. Default "us-east-1".
	Region string
	// AccessKeyID and SecretAccessKey sign the requests (SigV4), with
	// SessionToken when set. Default: none, requests go unsigned.
	AccessKeyID, SecretAccessKey, SessionToken string
	// PathStyle addresses buckets as ENDPOINT/BUCKET/KEY instead of
	// BUCKET.ENDPOINT/KEY; most self-hosted servers need it. Default true.
	PathStyle bool
	// MaxAttempts bounds the client's attempts per request (the SDK's
	// standard retryer: throttling, 5xx and connection errors are
	// retried with backoff). Default 3, the SDK's default.
	MaxAttempts int
}

// DefaultConfig returns a Config with every default set and no Endpoint.
func DefaultConfig() Config {
	return Config{Region: "us-east-1", PathStyle: true, MaxAttempts: 3}
}

// Validate reports an unusable Config.
func (c Config) Validate() error {
	if c.Endpoint == "" {
		return errors.New("s3sink: Endpoint is required")
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("s3sink: Endpoint %q: want an http:// or https:// URL", c.Endpoint)
	}
	if (c.AccessKeyID == "") != (c.SecretAccessKey == "") {
		return errors.New("s3sink: AccessKeyID and SecretAccessKey go together")
	}
	if c.MaxAttempts < 0 {
		return errors.New("s3sink: MaxAttempts is negative")
	}
	return nil
}

// Sink writes objects. It is safe for concurrent use.
type Sink struct {
	cfg    Config
	client *s3.Client
}

// New returns a Sink for cfg (validated). It does not contact the server.
func New(cfg Config) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		cfg.Region = DefaultConfig().Region
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultConfig().MaxAttempts
	}
	var creds aws.CredentialsProvider = aws.AnonymousCredentials{}
	if cfg.AccessKeyID != "" {
		creds = credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)
	}
	client := s3.New(s3.Options{
		Region:       cfg.Region,
		BaseEndpoint: aws.String(cfg.Endpoint),
		UsePathStyle: cfg.PathStyle,
		Credentials:  creds,
		// Checksums only where the API requires them: since 2025 the SDK
		// adds CRC32 trailers to every upload by default, which many
		// S3-compatible servers do not understand.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		RetryMaxAttempts:           cfg.MaxAttempts,
	})
	return &Sink{cfg: cfg, client: client}, nil
}

// Endpoint is the server's base URL.
func (s *Sink) Endpoint() string { return s.cfg.Endpoint }

// Put writes body as the object key of bucket (replacing any object of
// that key) with the given Content-Type ("" for none). The error names
// the bucket and key; a missing bucket is the server's NoSuchBucket.
func (s *Sink) Put(ctx context.Context, bucket, key string, body []byte, contentType string) error {
	return s.PutEncoded(ctx, bucket, key, body, contentType, "")
}

// PutEncoded is Put with the object's Content-Encoding ("" for none): the
// server keeps it and returns it on GET and HEAD.
func (s *Sink) PutEncoded(ctx context.Context, bucket, key string, body []byte, contentType, contentEncoding string) error {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))),
	}
	if contentType != "" {
		in.ContentType = aws.String(contentType)
	}
	if contentEncoding != "" {
		in.ContentEncoding = aws.String(contentEncoding)
	}
	if _, err := s.client.PutObject(ctx, in); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}
