package kmsapi

// Golden request/response files for every operation. One scenario
// (goldenScenario) runs in order against one service: in-memory storage, a
// fake clock and a seeded random source, so every answer (key ids,
// ciphertexts and data keys included) is the same on every run. Each
// exchange is written to testdata/golden/<Operation>/<case>.json.txt (the
// format of httpapi/kinesisapi/testdata/golden/README.md, JSON 1.1 only).
// A step may save a member of its answer ($key1: CreateKey's KeyId, $blob1:
// Encrypt's CiphertextBlob) for the bodies of later steps.
//
//	go test ./httpapi/kmsapi -run Golden           compare
//	go test ./httpapi/kmsapi -run Golden -update   rewrite

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/eddy-streams/eddy/internal/goldenfile"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/httpapi"
	"github.com/eddy-streams/eddy/kinesis"
	ek "github.com/eddy-streams/eddy/kms"
	"github.com/eddy-streams/eddy/storage/mem"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const goldenDir = "testdata/golden"

var goldenStart = time.Date(2024, 1, 2, 3, 4, 5, 678_000_000, time.UTC)

const unverifiedAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/kms/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=0000000000000000000000000000000000000000000000000000000000000000"

type step struct {
	op, name, note, body string
	save                 map[string]string // variable -> top-level or KeyMetadata member of the answer
}

const missingKey = "00000000-0000-4000-8000-000000000000"

var goldenScenario = []step{
	{op: "CreateKey", name: "ok", note: "description and tags; the default policy", body: `{"Description":"app","Tags":[{"TagKey":"team","TagValue":"a"}]}`,
		save: map[string]string{"key1": "KeyMetadata.KeyId"}},
	{op: "CreateKey", name: "rsa", note: "asymmetric keys are not supported", body: `{"KeySpec":"RSA_2048","KeyUsage":"SIGN_VERIFY"}`},
	{op: "CreateKey", name: "second", note: "", body: `{}`, save: map[string]string{"key2": "KeyMetadata.KeyId"}},
	{op: "DescribeKey", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "DescribeKey", name: "not-found", note: "", body: `{"KeyId":"` + missingKey + `"}`},
	{op: "CreateAlias", name: "ok", note: "", body: `{"AliasName":"alias/app","TargetKeyId":"$key1"}`},
	{op: "CreateAlias", name: "exists", note: "", body: `{"AliasName":"alias/app","TargetKeyId":"$key2"}`},
	{op: "CreateAlias", name: "no-prefix", note: "", body: `{"AliasName":"app","TargetKeyId":"$key1"}`},
	{op: "CreateAlias", name: "reserved", note: "alias/aws/ is AWS managed keys'", body: `{"AliasName":"alias/aws/app","TargetKeyId":"$key1"}`},
	{op: "UpdateAlias", name: "ok", note: "alias/app now names the second key", body: `{"AliasName":"alias/app","TargetKeyId":"$key2"}`},
	{op: "UpdateAlias", name: "missing", note: "", body: `{"AliasName":"alias/none","TargetKeyId":"$key2"}`},
	{op: "ListAliases", name: "ok", note: "listing creates the AWS managed key of Kinesis", body: `{}`},
	{op: "ListAliases", name: "bad-limit", note: "", body: `{"Limit":0}`},
	{op: "ListKeys", name: "ok", note: "a page of two of three keys", body: `{"Limit":2}`},
	{op: "ListKeys", name: "bad-marker", note: "", body: `{"Marker":"x"}`},
	{op: "Encrypt", name: "ok", note: "through an alias, with a context", body: `{"KeyId":"alias/app","Plaintext":"aGVsbG8=","EncryptionContext":{"a":"1"}}`,
		save: map[string]string{"blob1": "CiphertextBlob"}},
	{op: "Encrypt", name: "no-plaintext", note: "", body: `{"KeyId":"alias/app"}`},
	{op: "Decrypt", name: "ok", note: "no KeyId: the ciphertext names its key", body: `{"CiphertextBlob":"$blob1","EncryptionContext":{"a":"1"}}`},
	{op: "Decrypt", name: "wrong-context", note: "", body: `{"CiphertextBlob":"$blob1"}`},
	{op: "GenerateDataKey", name: "ok", note: "", body: `{"KeyId":"$key1","KeySpec":"AES_256"}`},
	{op: "GenerateDataKey", name: "both", note: "KeySpec and NumberOfBytes", body: `{"KeyId":"$key1","KeySpec":"AES_256","NumberOfBytes":32}`},
	{op: "GenerateDataKeyWithoutPlaintext", name: "ok", note: "under the AWS managed key of Kinesis", body: `{"KeyId":"alias/aws/kinesis","NumberOfBytes":16}`},
	{op: "GenerateDataKeyWithoutPlaintext", name: "no-alias", note: "", body: `{"KeyId":"alias/nope","KeySpec":"AES_128"}`},
	{op: "ReEncrypt", name: "ok", note: "", body: `{"CiphertextBlob":"$blob1","SourceEncryptionContext":{"a":"1"},"DestinationKeyId":"$key1"}`},
	{op: "ReEncrypt", name: "incorrect-key", note: "the ciphertext is the second key's", body: `{"CiphertextBlob":"$blob1","SourceKeyId":"$key1","SourceEncryptionContext":{"a":"1"},"DestinationKeyId":"$key1"}`},
	{op: "TagResource", name: "ok", note: "", body: `{"KeyId":"$key1","Tags":[{"TagKey":"env","TagValue":"dev"}]}`},
	{op: "TagResource", name: "reserved", note: "", body: `{"KeyId":"$key1","Tags":[{"TagKey":"aws:x","TagValue":"1"}]}`},
	{op: "UntagResource", name: "ok", note: "", body: `{"KeyId":"$key1","TagKeys":["team"]}`},
	{op: "UntagResource", name: "not-found", note: "", body: `{"KeyId":"` + missingKey + `","TagKeys":["team"]}`},
	{op: "ListResourceTags", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "ListResourceTags", name: "bad-limit", note: "", body: `{"KeyId":"$key1","Limit":1001}`},
	{op: "GetKeyPolicy", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "GetKeyPolicy", name: "other-name", note: "", body: `{"KeyId":"$key1","PolicyName":"other"}`},
	{op: "PutKeyPolicy", name: "ok", note: "stored, not enforced", body: `{"KeyId":"$key1","Policy":"{\"Version\":\"2012-10-17\",\"Statement\":[]}"}`},
	{op: "PutKeyPolicy", name: "malformed", note: "", body: `{"KeyId":"$key1","Policy":"{"}`},
	{op: "UpdateKeyDescription", name: "ok", note: "", body: `{"KeyId":"$key1","Description":"renamed"}`},
	{op: "UpdateKeyDescription", name: "no-description", note: "", body: `{"KeyId":"$key1"}`},
	{op: "EnableKeyRotation", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "EnableKeyRotation", name: "short-period", note: "", body: `{"KeyId":"$key1","RotationPeriodInDays":10}`},
	{op: "GetKeyRotationStatus", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "GetKeyRotationStatus", name: "not-found", note: "", body: `{"KeyId":"` + missingKey + `"}`},
	{op: "RotateKeyOnDemand", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "RotateKeyOnDemand", name: "alias", note: "key management takes a key id or ARN only", body: `{"KeyId":"alias/app"}`},
	{op: "DisableKeyRotation", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "DisableKeyRotation", name: "not-found", note: "", body: `{"KeyId":"` + missingKey + `"}`},
	{op: "DisableKey", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "Encrypt", name: "disabled", note: "", body: `{"KeyId":"$key1","Plaintext":"eA=="}`},
	{op: "DisableKey", name: "invalid-id", note: "", body: `{"KeyId":"nope"}`},
	{op: "EnableKey", name: "ok", note: "", body: `{"KeyId":"$key1"}`},
	{op: "EnableKey", name: "other-region-arn", note: "", body: `{"KeyId":"arn:aws:kms:eu-west-1:000000000000:key/$key1"}`},
	{op: "ScheduleKeyDeletion", name: "ok", note: "", body: `{"KeyId":"$key1","PendingWindowInDays":7}`},
	{op: "ScheduleKeyDeletion", name: "pending", note: "", body: `{"KeyId":"$key1"}`},
	{op: "Encrypt", name: "pending-deletion", note: "", body: `{"KeyId":"$key1","Plaintext":"eA=="}`},
	{op: "CancelKeyDeletion", name: "ok", note: "the key is Disabled afterwards", body: `{"KeyId":"$key1"}`},
	{op: "CancelKeyDeletion", name: "not-pending", note: "", body: `{"KeyId":"$key1"}`},
	{op: "DeleteAlias", name: "ok", note: "", body: `{"AliasName":"alias/app"}`},
	{op: "DeleteAlias", name: "missing", note: "", body: `{"AliasName":"alias/app"}`},
}

type goldenRun struct {
	srv   *httpapi.Server
	clock *kinesis.FakeClock
	vars  map[string]string
	files map[string]string
	codes map[string][]int
}

func newGoldenRun(t *testing.T) *goldenRun {
	t.Helper()
	clk := kinesis.NewFakeClock(goldenStart)
	root, err := ek.RootKeyFromBytes(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg := ek.DefaultConfig()
	cfg.Clock, cfg.Root = clk, root
	cfg.Rand = rand.NewChaCha8([32]byte{'e', 'd', 'd', 'y'})
	svc, err := ek.New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.DefaultConfig(), Service(svc))
	if err != nil {
		t.Fatal(err)
	}
	return &goldenRun{srv: srv, clock: clk, vars: map[string]string{}, files: map[string]string{}, codes: map[string][]int{}}
}

func (r *goldenRun) run(t *testing.T, s step) {
	body := s.body
	for k, v := range r.vars {
		body = strings.ReplaceAll(body, "$"+k, v)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(body)); err != nil {
		t.Fatalf("%s/%s: body: %v", s.op, s.name, err)
	}
	now := r.clock.Now()
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(compact.Bytes()))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+s.op)
	req.Header.Set("X-Amz-Date", now.UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", unverifiedAuth)
	rec := httptest.NewRecorder()
	r.srv.ServeHTTP(rec, req)
	res := rec.Result()
	r.codes[s.op] = append(r.codes[s.op], res.StatusCode)
	for name, path := range s.save {
		var v map[string]any
		json.Unmarshal(rec.Body.Bytes(), &v)
		parts := strings.Split(path, ".")
		for _, p := range parts[:len(parts)-1] {
			v, _ = v[p].(map[string]any)
		}
		got, _ := v[parts[len(parts)-1]].(string)
		if got == "" {
			t.Fatalf("%s/%s: no %s in %s", s.op, s.name, path, rec.Body)
		}
		r.vars[name] = got
	}

	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s: %s\n", s.op, s.name, s.note)
	fmt.Fprintf(&b, "# clock %s\n", now.UTC().Format("2006-01-02T15:04:05.000Z"))
	b.WriteString("\n--- request\nPOST /\nContent-Type: application/x-amz-json-1.1\n")
	fmt.Fprintf(&b, "X-Amz-Target: TrentService.%s\n\n", s.op)
	b.WriteString(goldenfile.RenderJSON(compact.Bytes()))
	b.WriteString("\n--- response\n")
	fmt.Fprintf(&b, "%d %s\n", res.StatusCode, http.StatusText(res.StatusCode))
	b.WriteString(goldenfile.RenderHeaders(res.Header, "x-amzn-requestid", "x-amz-id-2", "date"))
	b.WriteString("\n")
	b.WriteString(goldenfile.RenderJSON(rec.Body.Bytes()))
	r.files[filepath.Join(s.op, s.name+".json.txt")] = b.String()
}

func TestGolden(t *testing.T) {
	first, again := newGoldenRun(t), newGoldenRun(t)
	for _, s := range goldenScenario {
		first.run(t, s)
		again.run(t, s)
	}
	for _, op := range Service(nil).Operations {
		codes := first.codes[op.Name]
		if !slices.Contains(codes, 200) {
			t.Errorf("%s: no successful exchange in the scenario", op.Name)
		}
		if !slices.ContainsFunc(codes, func(c int) bool { return c >= 400 }) {
			t.Errorf("%s: no failing exchange in the scenario", op.Name)
		}
	}
	goldenfile.Check(t, goldenDir, first.files, again.files, *update)
}
