package kms

import (
	"io"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
)

// The cryptographic operations. A key must be Enabled to be used:
// DisabledException for a disabled key, KMSInvalidStateException for one
// pending deletion (see service.go for the words). Encryption uses the
// key's current material; decryption the material the ciphertext names.

// incorrectKey is the answer to a Decrypt KeyId (or ReEncrypt SourceKeyId)
// that is not the key of the ciphertext. The words are the model's
// documentation of IncorrectKeyException; no recording of the service's
// message was found.
func incorrectKey() error {
	return eddy.Errorf(eddy.CodeIncorrectKey, "The request was rejected because the specified KMS key cannot decrypt the data. "+
		"The KeyId in a Decrypt request and the SourceKeyId in a ReEncrypt request must identify the same KMS key that was used to encrypt the ciphertext.")
}

// sealed is the result of sealing with a key.
type sealed struct {
	blob     []byte
	arn      string
	material string // KeyMaterialId
}

// encrypt seals plaintext with the current material of r, binding ctx.
func (s *Service) encrypt(r *keyRecord, plaintext []byte, ctx map[string]string) (*sealed, error) {
	version := len(r.Materials)
	key, err := s.materialKey(r, version)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(key)
	clear(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(s.cfg.Rand, nonce); err != nil {
		return nil, err
	}
	head := appendHeader(make([]byte, 0, blobHeaderLen+len(plaintext)+gcmTagLen), r.ID, uint32(version), nonce)
	aad := append(append([]byte(nil), head...), canonicalContext(ctx)...)
	blob := aead.Seal(head, nonce, plaintext, aad)
	return &sealed{blob: blob, arn: s.KeyARN(r.Region, r.ID), material: r.Materials[version-1].ID}, nil
}

// opened is the result of opening a ciphertext.
type opened struct {
	plaintext []byte
	key       *keyRecord
	material  string
}

// decrypt opens blob in region with ctx. keyID, if not "", must name the
// key the blob names (IncorrectKeyException otherwise).
func (s *Service) decrypt(tx storage.MetaTx, w bool, region string, blob []byte, ctx map[string]string, keyID string) (*opened, error) {
	h, err := parseHeader(blob)
	if err != nil {
		return nil, err
	}
	r, err := s.resolve(tx, region, h.keyID, false, w)
	if err != nil {
		return nil, err
	}
	if keyID != "" {
		want, err := s.resolve(tx, region, keyID, true, w)
		if err != nil {
			return nil, err
		}
		if want.ID != r.ID {
			return nil, incorrectKey()
		}
	}
	if err := s.usable(r); err != nil {
		return nil, err
	}
	key, err := s.materialKey(r, int(h.material))
	if err != nil {
		return nil, invalidCiphertext()
	}
	aead, err := newGCM(key)
	clear(key)
	if err != nil {
		return nil, err
	}
	aad := append(append([]byte(nil), blob[:blobHeaderLen]...), canonicalContext(ctx)...)
	pt, err := aead.Open(nil, blob[21:blobHeaderLen], blob[blobHeaderLen:], aad)
	if err != nil {
		return nil, invalidCiphertext()
	}
	return &opened{plaintext: pt, key: r, material: r.Materials[h.material-1].ID}, nil
}

// encryptWith resolves keyID (aliases allowed), checks its state and seals
// plaintext with it.
func (s *Service) encryptWith(region, keyID string, plaintext []byte, ctx map[string]string) (*sealed, error) {
	var out *sealed
	err := s.read(func(tx storage.MetaTx, w bool) error {
		r, err := s.resolve(tx, s.region(region), keyID, true, w)
		if err != nil {
			return err
		}
		if err := s.usable(r); err != nil {
			return err
		}
		out, err = s.encrypt(r, plaintext, ctx)
		return err
	})
	return out, err
}

// Encrypt seals up to 4096 bytes with a key.
func (s *Service) Encrypt(region string, in *kp.EncryptInput) (*kp.EncryptOutput, error) {
	out, err := s.encryptWith(region, *in.KeyId, in.Plaintext, in.EncryptionContext)
	if err != nil {
		return nil, err
	}
	return &kp.EncryptOutput{CiphertextBlob: out.blob, KeyId: kp.String(out.arn), EncryptionAlgorithm: kp.SymmetricDefault}, nil
}

// Decrypt opens a ciphertext of Encrypt, GenerateDataKey or ReEncrypt; the
// key is the one the ciphertext names.
func (s *Service) Decrypt(region string, in *kp.DecryptInput) (*kp.DecryptOutput, error) {
	var o *opened
	err := s.read(func(tx storage.MetaTx, w bool) error {
		var err error
		o, err = s.decrypt(tx, w, s.region(region), in.CiphertextBlob, in.EncryptionContext, kp.Deref(in.KeyId))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kp.DecryptOutput{Plaintext: o.plaintext, KeyId: kp.String(s.KeyARN(o.key.Region, o.key.ID)),
		KeyMaterialId: kp.String(o.material), EncryptionAlgorithm: kp.SymmetricDefault}, nil
}

// generate returns a random data key of the length in asks for and its
// sealing.
func (s *Service) generate(region string, in *kp.GenerateDataKeyInput) ([]byte, *sealed, error) {
	pt := make([]byte, in.DataKeyLen())
	if _, err := io.ReadFull(s.cfg.Rand, pt); err != nil {
		return nil, nil, err
	}
	out, err := s.encryptWith(region, *in.KeyId, pt, in.EncryptionContext)
	if err != nil {
		return nil, nil, err
	}
	return pt, out, nil
}

// GenerateDataKey returns a random data key in the clear and sealed.
func (s *Service) GenerateDataKey(region string, in *kp.GenerateDataKeyInput) (*kp.GenerateDataKeyOutput, error) {
	pt, out, err := s.generate(region, in)
	if err != nil {
		return nil, err
	}
	return &kp.GenerateDataKeyOutput{Plaintext: pt, CiphertextBlob: out.blob, KeyId: kp.String(out.arn), KeyMaterialId: kp.String(out.material)}, nil
}

// GenerateDataKeyWithoutPlaintext returns a random data key, sealed only.
func (s *Service) GenerateDataKeyWithoutPlaintext(region string, in *kp.GenerateDataKeyInput) (*kp.GenerateDataKeyOutput, error) {
	pt, out, err := s.generate(region, in)
	if err != nil {
		return nil, err
	}
	clear(pt)
	return &kp.GenerateDataKeyOutput{CiphertextBlob: out.blob, KeyId: kp.String(out.arn), KeyMaterialId: kp.String(out.material)}, nil
}

// ReEncrypt opens a ciphertext and seals its plaintext with another key
// (or the same one's current material), without returning the plaintext.
func (s *Service) ReEncrypt(region string, in *kp.ReEncryptInput) (*kp.ReEncryptOutput, error) {
	region = s.region(region)
	var o *opened
	var out *sealed
	err := s.read(func(tx storage.MetaTx, w bool) error {
		var err error
		if o, err = s.decrypt(tx, w, region, in.CiphertextBlob, in.SourceEncryptionContext, kp.Deref(in.SourceKeyId)); err != nil {
			return err
		}
		dst, err := s.resolve(tx, region, *in.DestinationKeyId, true, w)
		if err != nil {
			return err
		}
		if err := s.usable(dst); err != nil {
			return err
		}
		out, err = s.encrypt(dst, o.plaintext, in.DestinationEncryptionContext)
		return err
	})
	if o != nil {
		clear(o.plaintext)
	}
	if err != nil {
		return nil, err
	}
	return &kp.ReEncryptOutput{CiphertextBlob: out.blob, KeyId: kp.String(out.arn),
		SourceKeyId: kp.String(s.KeyARN(o.key.Region, o.key.ID)), SourceKeyMaterialId: kp.String(o.material),
		DestinationKeyMaterialId:  kp.String(out.material),
		SourceEncryptionAlgorithm: kp.SymmetricDefault, DestinationEncryptionAlgorithm: kp.SymmetricDefault}, nil
}
