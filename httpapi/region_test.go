package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestRegionFromSignature: an operation learns the region its request's
// credential scope names, from the Authorization header or a presigned
// query, verified or not; a name that cannot be a region is refused when
// signatures are verified and served in Config.Region when they are not.
func TestRegionFromSignature(t *testing.T) {
	body := []byte(`{}`)
	tests := []struct {
		name      string
		cfg       Config
		region    string // the client's signing region
		presigned bool
		want      string // Region(ctx) in the operation; "" for a refused request
	}{
		{"verified header", withCreds(), "eu-central-1", false, "eu-central-1"},
		{"verified presigned", withCreds(), "eu-west-2", true, "eu-west-2"},
		{"unverified header", Config{Region: "us-west-2"}, "ap-south-1", false, "ap-south-1"},
		{"unverified presigned", Config{Region: "us-west-2"}, "sa-east-1", true, "sa-east-1"},
		{"default region", withCreds(), "us-east-1", false, "us-east-1"},
		{"not a region, unverified", Config{Region: "us-west-2"}, "Local_1", false, "us-west-2"},
		{"not a region, unverified, default", Config{}, "-x-", true, DefaultRegion},
		{"not a region, verified", withCreds(), "Local_1", false, ""},
		{"not a region, verified presigned", withCreds(), "EU", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := startServer(t, tt.cfg)
			req := rawRequest(t, ts.url, kinesisAPI+".ListStreams", contentTypeJSON, body)
			sum := sha256.Sum256(body)
			creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
			signer := v4.NewSigner()
			if tt.presigned {
				signed, hdr, err := signer.PresignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kinesis", tt.region, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				out := rawRequest(t, ts.url, "", "", body)
				if out.URL, err = out.URL.Parse(signed); err != nil {
					t.Fatal(err)
				}
				for k, v := range hdr {
					if k != "Host" {
						out.Header[k] = v
					}
				}
				req = out
			} else if err := signer.SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "kinesis", tt.region, time.Now()); err != nil {
				t.Fatal(err)
			}
			r := do(t, nil, req)
			if tt.want == "" {
				wantJSONError(t, r, 400, "InvalidSignatureException", "Credential should be scoped to a valid region, not '"+tt.region+"'. ")
				if ts.fake.calls.Load() != 0 {
					t.Error("operation called")
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("got %d %s", r.status, r.body)
			}
			if got := ts.fake.region(); got != tt.want {
				t.Errorf("Region(ctx) = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRegionOutsideServer: a context the Server did not make has no region.
func TestRegionOutsideServer(t *testing.T) {
	if got := Region(context.Background()); got != "" {
		t.Errorf("Region = %q", got)
	}
}
