package kms

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/eddy-streams/eddy/storage"
)

// The root key seals every key material (AES-256-GCM). It is given to the
// service, never stored in the MetaStore: as 32 bytes (RootKeyFromBytes:
// raw, hex or base64 text, from a file or an environment variable) or as a
// passphrase (RootKeyFromPassphrase) stretched with PBKDF2-HMAC-SHA256
// (crypto/pbkdf2; golang.org/x/crypto is not in go.mod) and a random salt
// kept in the store.
//
// Table "kms/root", key "root", holds a rootRecord: how the root key is
// given (kind), the salt and iteration count of a passphrase, and a check
// value, the AES-GCM sealing of a constant under the root key. New opens
// the check value: a wrong root key fails there, before any key is used.

const (
	tableRoot = "kms/root"
	rowRoot   = "root"
	// RootKeyLen is the length of a root key in bytes.
	RootKeyLen = 32
	// PassphraseIterations is PBKDF2's iteration count for a new
	// passphrase (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
	PassphraseIterations = 600_000
	saltLen              = 16
	checkPlaintext       = "eddy kms root key check v1"
)

// Kinds of root key, as the root record names them.
const (
	kindKey        = "key"
	kindPassphrase = "passphrase"
)

// RootKey is the root key as given: 32 bytes, or a passphrase to derive
// them from.
type RootKey struct {
	key        []byte
	passphrase string
	iterations int // for a new passphrase record; default PassphraseIterations
}

// RootKeyFromBytes returns the root key in b: exactly 32 raw bytes, or
// their hex (64 digits) or standard base64 (44 characters) text, with
// surrounding white space ignored.
func RootKeyFromBytes(b []byte) (*RootKey, error) {
	if len(b) == RootKeyLen {
		return &RootKey{key: bytes.Clone(b)}, nil
	}
	t := string(bytes.TrimSpace(b))
	if k, err := hex.DecodeString(t); err == nil && len(k) == RootKeyLen {
		return &RootKey{key: k}, nil
	}
	if k, err := base64.StdEncoding.DecodeString(t); err == nil && len(k) == RootKeyLen {
		return &RootKey{key: k}, nil
	}
	return nil, fmt.Errorf("kms: a root key is %d bytes, or their hex or base64 text; got %d bytes that are neither", RootKeyLen, len(b))
}

// RootKeyFromPassphrase returns a root key derived from passphrase (its
// trailing line ending ignored, as a file written by an editor has one).
func RootKeyFromPassphrase(passphrase []byte) (*RootKey, error) {
	p := string(bytes.TrimRight(passphrase, "\r\n"))
	if p == "" {
		return nil, errors.New("kms: empty root passphrase")
	}
	return &RootKey{passphrase: p}, nil
}

// NewRootKey returns a random root key read from r.
func NewRootKey(r io.Reader) (*RootKey, error) {
	k := make([]byte, RootKeyLen)
	if _, err := io.ReadFull(r, k); err != nil {
		return nil, err
	}
	return &RootKey{key: k}, nil
}

// Bytes returns the raw key of a root key given as bytes, nil for a
// passphrase.
func (k *RootKey) Bytes() []byte { return bytes.Clone(k.key) }

func (k *RootKey) kind() string {
	if k.key != nil {
		return kindKey
	}
	return kindPassphrase
}

// rootRecord is table kms/root's one row.
type rootRecord struct {
	Kind       string `json:"kind"`
	Salt       []byte `json:"salt,omitempty"`
	Iterations int    `json:"iterations,omitempty"`
	Check      []byte `json:"check"`
}

// Initialized reports whether meta holds a root record, that is whether
// keys may be stored under a root key (cmd/eddy refuses to make up a new
// root key then).
func Initialized(meta storage.MetaStore) (bool, error) {
	found := false
	err := meta.View(func(tx storage.MetaTx) error {
		_, err := tx.Get(tableRoot, rowRoot)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		found = err == nil
		return err
	})
	return found, err
}

func newGCM(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// seal returns nonce || AES-GCM(plaintext, aad).
func seal(aead cipher.AEAD, r io.Reader, plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := io.ReadFull(r, nonce); err != nil {
		return nil, err
	}
	return aead.Seal(nonce, nonce, plaintext, aad), nil
}

// open reverses seal.
func open(aead cipher.AEAD, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	n := aead.NonceSize()
	return aead.Open(nil, sealed[:n], sealed[n:], aad)
}

// ErrWrongRootKey is returned by New when the root key given is not the
// one the stored keys were sealed under.
var ErrWrongRootKey = errors.New("kms: the root key given is not the one the stored KMS keys were sealed with")

// openRoot returns the AEAD of the root key, writing the root record on
// first use and checking the key against it afterwards.
func openRoot(meta storage.MetaStore, root *RootKey, r io.Reader) (cipher.AEAD, error) {
	var aead cipher.AEAD
	err := meta.Update(func(tx storage.MetaTx) error {
		aead = nil
		b, err := tx.Get(tableRoot, rowRoot)
		if errors.Is(err, storage.ErrNotFound) {
			rec := rootRecord{Kind: root.kind()}
			if root.key == nil {
				rec.Salt = make([]byte, saltLen)
				if _, err := io.ReadFull(r, rec.Salt); err != nil {
					return err
				}
				rec.Iterations = root.iterations
				if rec.Iterations == 0 {
					rec.Iterations = PassphraseIterations
				}
			}
			if aead, err = deriveRoot(root, &rec); err != nil {
				return err
			}
			if rec.Check, err = seal(aead, r, []byte(checkPlaintext), []byte(tableRoot)); err != nil {
				return err
			}
			v, err := json.Marshal(rec)
			if err != nil {
				return err
			}
			return tx.Put(tableRoot, rowRoot, v)
		}
		if err != nil {
			return err
		}
		var rec rootRecord
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("kms: decode root record: %w", err)
		}
		if rec.Kind != root.kind() {
			return fmt.Errorf("%w: the stored keys were sealed with a root %s, and a root %s was given", ErrWrongRootKey, rec.Kind, root.kind())
		}
		if aead, err = deriveRoot(root, &rec); err != nil {
			return err
		}
		if pt, err := open(aead, rec.Check, []byte(tableRoot)); err != nil || string(pt) != checkPlaintext {
			return ErrWrongRootKey
		}
		return nil
	})
	return aead, err
}

// deriveRoot returns the AEAD of root as rec describes it.
func deriveRoot(root *RootKey, rec *rootRecord) (cipher.AEAD, error) {
	key := root.key
	if key == nil {
		if rec.Iterations <= 0 || len(rec.Salt) == 0 {
			return nil, errors.New("kms: root record without salt or iteration count")
		}
		var err error
		key, err = pbkdf2.Key(sha256.New, root.passphrase, rec.Salt, rec.Iterations, RootKeyLen)
		if err != nil {
			return nil, fmt.Errorf("kms: derive root key: %w", err)
		}
	}
	return newGCM(key)
}
