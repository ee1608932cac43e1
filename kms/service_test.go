package kms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage/boltmeta"
	"github.com/eddy-streams/eddy/storage/mem"
)

type fixedClock struct{ t time.Time }

func (c *fixedClock) Now() time.Time { return c.t }

func openAt(t *testing.T, path string, root *RootKey) (*Service, func(), error) {
	t.Helper()
	meta, err := boltmeta.Open(path, boltmeta.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Root = root
	s, err := New(cfg, meta)
	if err != nil {
		meta.Close()
		return nil, nil, err
	}
	return s, func() { meta.Close() }, nil
}

func mustRoot(t *testing.T, b []byte) *RootKey {
	t.Helper()
	r, err := RootKeyFromBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRestartAndRootKey: keys survive a restart under the same root key; a
// wrong root key, or a passphrase where a key was used, is refused before
// anything is read; neither a data key nor a plaintext nor the root key is
// anywhere in the data directory.
func TestRestartAndRootKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "meta.db")
	rootBytes := bytes.Repeat([]byte{0x42}, 32)
	s, closeFn, err := openAt(t, path, mustRoot(t, rootBytes))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	k, err := s.CreateKey("", &kp.CreateKeyInput{Description: kp.String("d")})
	if err != nil {
		t.Fatal(err)
	}
	id := *k.KeyMetadata.KeyId
	encCtx := map[string]string{"stream": "s"}
	pt, blob, arn, err := s.In("").GenerateDataKey(ctx, id, encCtx)
	if err != nil || len(pt) != 32 || arn != s.KeyARN("", id) {
		t.Fatalf("GenerateDataKey: %v", err)
	}
	secret := []byte("a plaintext that must never be on disk in the clear")
	enc, err := s.Encrypt("", &kp.EncryptInput{KeyId: kp.String(id), Plaintext: secret})
	if err != nil {
		t.Fatal(err)
	}
	// A managed key too, for its material.
	if _, _, _, err := s.In("").GenerateDataKey(ctx, KinesisAlias, nil); err != nil {
		t.Fatal(err)
	}
	closeFn()

	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range map[string][]byte{"data key": pt, "plaintext": secret, "root key": rootBytes} {
			if bytes.Contains(b, v) {
				t.Errorf("%s is in %s in the clear", name, p)
			}
		}
		return nil
	})

	// Wrong root key, passphrase instead of key: clear errors.
	if _, _, err := openAt(t, path, mustRoot(t, bytes.Repeat([]byte{0x43}, 32))); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("wrong root key: %v", err)
	}
	pass, _ := RootKeyFromPassphrase([]byte("pw\n"))
	if _, _, err := openAt(t, path, pass); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("passphrase for a key: %v", err)
	}
	if ok, err := func() (bool, error) {
		meta, err := boltmeta.Open(path, boltmeta.DefaultConfig())
		if err != nil {
			return false, err
		}
		defer meta.Close()
		return Initialized(meta)
	}(); err != nil || !ok {
		t.Fatalf("Initialized = %v, %v", ok, err)
	}

	// The same key as hex text reopens the store; everything decrypts.
	hexRoot := []byte("4242424242424242424242424242424242424242424242424242424242424242\n")
	s, closeFn, err = openAt(t, path, mustRoot(t, hexRoot))
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	got, gotARN, err := s.In("").Decrypt(ctx, blob, encCtx)
	if err != nil || !bytes.Equal(got, pt) || gotARN != arn {
		t.Fatalf("Decrypt after restart: %v", err)
	}
	d, err := s.Decrypt("", &kp.DecryptInput{CiphertextBlob: enc.CiphertextBlob})
	if err != nil || !bytes.Equal(d.Plaintext, secret) {
		t.Fatalf("Decrypt after restart: %v", err)
	}
	if _, _, err := s.In("").Decrypt(ctx, blob, nil); !errors.Is(err, ErrInvalidCiphertext) {
		t.Fatalf("without context: %v", err)
	}
}

func TestPassphraseRoot(t *testing.T) {
	meta := mem.NewMeta()
	pass, err := RootKeyFromPassphrase([]byte("correct horse battery staple\n"))
	if err != nil {
		t.Fatal(err)
	}
	pass.iterations = 1000 // the count is stored with the salt
	cfg := DefaultConfig()
	cfg.Root = pass
	s, err := New(cfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateKey("", &kp.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	enc, err := s.Encrypt("", &kp.EncryptInput{KeyId: k.KeyMetadata.KeyId, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := RootKeyFromPassphrase([]byte("correct horse battery staple"))
	cfg.Root = again
	s2, err := New(cfg, meta)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := s2.Decrypt("", &kp.DecryptInput{CiphertextBlob: enc.CiphertextBlob}); err != nil || string(d.Plaintext) != "x" {
		t.Fatalf("Decrypt: %v", err)
	}
	wrong, _ := RootKeyFromPassphrase([]byte("incorrect"))
	cfg.Root = wrong
	if _, err := New(cfg, meta); !errors.Is(err, ErrWrongRootKey) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

func TestRootKeyFromBytes(t *testing.T) {
	raw := bytes.Repeat([]byte{1}, 32)
	for _, in := range [][]byte{raw, []byte("0101010101010101010101010101010101010101010101010101010101010101"),
		[]byte(" AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n")} {
		r, err := RootKeyFromBytes(in)
		if err != nil || !bytes.Equal(r.Bytes(), raw) {
			t.Errorf("RootKeyFromBytes(%q) = %v", in, err)
		}
	}
	for _, in := range [][]byte{nil, []byte("short"), bytes.Repeat([]byte{1}, 31), []byte("zz01010101010101010101010101010101010101010101010101010101010101")} {
		if _, err := RootKeyFromBytes(in); err == nil {
			t.Errorf("RootKeyFromBytes(%q) accepted", in)
		}
	}
	if _, err := RootKeyFromPassphrase([]byte("\n")); err == nil {
		t.Error("empty passphrase accepted")
	}
}

// TestCheckUsable covers the engine's view of key states.
func TestCheckUsable(t *testing.T) {
	clk := &fixedClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := DefaultConfig()
	cfg.Root = mustRoot(t, bytes.Repeat([]byte{9}, 32))
	cfg.Clock = clk
	s, err := New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	keys := s.In("us-east-1")
	k, _ := s.CreateKey("us-east-1", &kp.CreateKeyInput{})
	id := *k.KeyMetadata.KeyId
	if err := keys.CheckUsable(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := keys.CheckUsable(ctx, KinesisAlias); err != nil {
		t.Fatalf("aws/kinesis on first use: %v", err)
	}
	s.DisableKey("us-east-1", &kp.KeyIdInput{KeyId: &id})
	if err := keys.CheckUsable(ctx, id); !errors.Is(err, ErrDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	if _, _, _, err := keys.GenerateDataKey(ctx, id, nil); !errors.Is(err, ErrDisabled) {
		t.Fatalf("GenerateDataKey disabled: %v", err)
	}
	s.ScheduleKeyDeletion("us-east-1", &kp.ScheduleKeyDeletionInput{KeyId: &id})
	if err := keys.CheckUsable(ctx, id); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("pending deletion: %v", err)
	}
	clk.t = clk.t.Add(31 * 24 * time.Hour)
	if err := keys.CheckUsable(ctx, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if err := s.In("eu-west-1").CheckUsable(ctx, "alias/nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing alias: %v", err)
	}
}

func TestCanonicalContext(t *testing.T) {
	a := canonicalContext(map[string]string{"b": "2", "a": "1"})
	b := canonicalContext(map[string]string{"a": "1", "b": "2"})
	if !bytes.Equal(a, b) {
		t.Fatal("order changes the encoding")
	}
	// Lengths keep {"ab":""} and {"a":"b"} apart.
	if bytes.Equal(canonicalContext(map[string]string{"ab": ""}), canonicalContext(map[string]string{"a": "b"})) {
		t.Fatal("ambiguous encoding")
	}
	if !bytes.Equal(canonicalContext(nil), canonicalContext(map[string]string{})) {
		t.Fatal("nil and empty differ")
	}
}

// TestConcurrentUse: encryptions, data keys and rotations from many
// goroutines at once (run with -race); every ciphertext decrypts to its
// plaintext afterwards, whichever material sealed it.
func TestConcurrentUse(t *testing.T) {
	clk := &fixedClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := DefaultConfig()
	cfg.Root = mustRoot(t, bytes.Repeat([]byte{5}, 32))
	cfg.Clock = clk
	s, err := New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateKey("", &kp.CreateKeyInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := *k.KeyMetadata.KeyId
	type pair struct{ pt, blob []byte }
	results := make(chan pair, 200)
	errs := make(chan error, 200)
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func(g int) {
			defer func() { done <- struct{}{} }()
			for i := 0; i < 20; i++ {
				if g == 0 && i%5 == 0 {
					if _, err := s.RotateKeyOnDemand("", &kp.KeyIdInput{KeyId: &id}); err != nil {
						errs <- err
						return
					}
				}
				pt, blob, _, err := s.In("").GenerateDataKey(context.Background(), KinesisAlias, map[string]string{"g": string(rune('a' + g))})
				if err != nil {
					errs <- err
					return
				}
				results <- pair{pt, blob}
				e, err := s.Encrypt("", &kp.EncryptInput{KeyId: &id, Plaintext: []byte{byte(g), byte(i)}})
				if err != nil {
					errs <- err
					return
				}
				d, err := s.Decrypt("", &kp.DecryptInput{CiphertextBlob: e.CiphertextBlob})
				if err != nil || !bytes.Equal(d.Plaintext, []byte{byte(g), byte(i)}) {
					errs <- fmt.Errorf("decrypt %d/%d: %v", g, i, err)
					return
				}
			}
		}(g)
	}
	for g := 0; g < 8; g++ {
		select {
		case <-done:
		case err := <-errs:
			t.Fatal(err)
		case <-time.After(time.Minute):
			t.Fatal("goroutines did not finish within a minute")
		}
	}
	close(results)
	n := 0
	for p := range results {
		n++
		h, err := parseHeader(p.blob)
		if err != nil {
			t.Fatal(err)
		}
		var ok bool
		for g := 0; g < 8; g++ {
			got, _, err := s.In("").Decrypt(context.Background(), p.blob, map[string]string{"g": string(rune('a' + g))})
			if err == nil && bytes.Equal(got, p.pt) {
				ok = true
				break
			}
		}
		if !ok {
			t.Fatalf("data key under material %d does not decrypt", h.material)
		}
	}
	if n != 160 {
		t.Fatalf("%d data keys, want 160", n)
	}
	d, _ := s.DescribeKey("", &kp.DescribeKeyInput{KeyId: &id})
	if d.KeyMetadata.CurrentKeyMaterialId == k.KeyMetadata.CurrentKeyMaterialId {
		t.Fatal("no rotation happened")
	}
}

// TestDisabledKeyNotRotated: a disabled key keeps its material past its
// rotation date, and rotates at its first use once enabled.
func TestDisabledKeyNotRotated(t *testing.T) {
	clk := &fixedClock{t: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	cfg := DefaultConfig()
	cfg.Root = mustRoot(t, bytes.Repeat([]byte{6}, 32))
	cfg.Clock = clk
	s, err := New(cfg, mem.NewMeta())
	if err != nil {
		t.Fatal(err)
	}
	k, _ := s.CreateKey("", &kp.CreateKeyInput{})
	id := *k.KeyMetadata.KeyId
	first := *k.KeyMetadata.CurrentKeyMaterialId
	if _, err := s.EnableKeyRotation("", &kp.EnableKeyRotationInput{KeyId: &id, RotationPeriodInDays: kp.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	s.DisableKey("", &kp.KeyIdInput{KeyId: &id})
	clk.t = clk.t.Add(100 * 24 * time.Hour)
	d, _ := s.DescribeKey("", &kp.DescribeKeyInput{KeyId: &id})
	if *d.KeyMetadata.CurrentKeyMaterialId != first {
		t.Fatal("a disabled key was rotated")
	}
	s.EnableKey("", &kp.KeyIdInput{KeyId: &id})
	e, err := s.Encrypt("", &kp.EncryptInput{KeyId: &id, Plaintext: []byte("x")})
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := s.Decrypt("", &kp.DecryptInput{CiphertextBlob: e.CiphertextBlob})
	if *dec.KeyMaterialId == first {
		t.Fatal("not rotated at its first use once enabled")
	}
	st, _ := s.GetKeyRotationStatus("", &kp.KeyIdInput{KeyId: &id})
	if !st.NextRotationDate.Time().After(clk.t) {
		t.Fatalf("next rotation %v is not after now %v", st.NextRotationDate.Time(), clk.t)
	}
}
