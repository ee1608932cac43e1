package s3sink_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/internal/s3sink"
	"github.com/eddy-streams/eddy/internal/s3test"
)

func TestPutWritesObject(t *testing.T) {
	srv := s3test.Start(t)
	cfg := s3sink.DefaultConfig()
	cfg.Endpoint = srv.Endpoint
	cfg.AccessKeyID, cfg.SecretAccessKey = "test", "test"
	sink, err := s3sink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	key := "aws/lambda/x/shardId-000000000000/2026/12/04/2026-12-04T10.11.12-abc"
	if err := sink.Put(ctx, srv.Bucket, key, []byte(`{"a":1}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	if keys := srv.Keys(t); len(keys) != 1 || keys[0] != key {
		t.Fatalf("keys %q, want [%q]", keys, key)
	}
	body, meta := srv.Object(t, key)
	if string(body) != `{"a":1}` {
		t.Errorf("body %q", body)
	}
	if meta["Content-Type"] != "application/json" {
		t.Errorf("metadata %v, want Content-Type application/json", meta)
	}
	// A second Put of the same key replaces the object.
	if err := sink.Put(ctx, srv.Bucket, key, []byte(`{}`), ""); err != nil {
		t.Fatal(err)
	}
	if body, _ := srv.Object(t, key); string(body) != `{}` {
		t.Errorf("after overwrite: body %q", body)
	}
}

func TestPutMissingBucket(t *testing.T) {
	srv := s3test.Start(t)
	cfg := s3sink.DefaultConfig()
	cfg.Endpoint = srv.Endpoint
	sink, err := s3sink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = sink.Put(ctx, "no-such-bucket", "k", []byte("x"), "")
	if err == nil || !strings.Contains(err.Error(), "NoSuchBucket") || !strings.Contains(err.Error(), "s3://no-such-bucket/k") {
		t.Fatalf("err %v, want NoSuchBucket naming s3://no-such-bucket/k", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*s3sink.Config)
		want string // substring of the error; "" for valid
	}{
		{"valid", func(c *s3sink.Config) { c.Endpoint = "http://127.0.0.1:9000" }, ""},
		{"https", func(c *s3sink.Config) { c.Endpoint = "https://s3.example" }, ""},
		{"no endpoint", func(c *s3sink.Config) {}, "Endpoint is required"},
		{"no scheme", func(c *s3sink.Config) { c.Endpoint = "127.0.0.1:9000" }, "want an http:// or https:// URL"},
		{"ftp", func(c *s3sink.Config) { c.Endpoint = "ftp://host" }, "want an http:// or https:// URL"},
		{"key without secret", func(c *s3sink.Config) { c.Endpoint = "http://h"; c.AccessKeyID = "k" }, "go together"},
		{"negative attempts", func(c *s3sink.Config) { c.Endpoint = "http://h"; c.MaxAttempts = -1 }, "MaxAttempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s3sink.DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}
