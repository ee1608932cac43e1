package kmsapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy/httpapi"
	ek "github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/storage/mem"
)

// FuzzKMS sends any body to any KMS operation through the transport: the
// answer is never a server fault and always a JSON document, and what a
// request decodes to goes through its Validate before the service sees it
// (a panic in decoding, validation or the service fails the target). The
// seeds are the bodies of the golden scenario.
func FuzzKMS(f *testing.F) {
	ops := Service(nil).Operations
	for i, s := range goldenScenario {
		f.Add(uint8(i), []byte(strings.ReplaceAll(strings.ReplaceAll(s.body, "$key1", "alias/a"), "$blob1", "AAAA")))
	}
	f.Add(uint8(0), []byte(`{"KeyId":`))
	f.Add(uint8(3), []byte(`{"CiphertextBlob":"AQ==","EncryptionContext":{"":""}}`))
	root, err := ek.RootKeyFromBytes(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		f.Fatal(err)
	}
	cfg := ek.DefaultConfig()
	cfg.Root, cfg.Rand = root, rand.NewChaCha8([32]byte{})
	svc, err := ek.New(cfg, mem.NewMeta())
	if err != nil {
		f.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, op uint8, body []byte) {
		name := ops[int(op)%len(ops)].Name
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "TrentService."+name)
		req.Header.Set("X-Amz-Date", "20240102T030405Z")
		req.Header.Set("Authorization", unverifiedAuth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", name, body, rec.Code, rec.Body)
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %q: answer is not JSON: %s", name, body, rec.Body)
		}
	})
}
