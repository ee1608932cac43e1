package kms

import (
	"context"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
)

// Keys is the key service of one region as the other services of the
// process use it for envelope encryption: a data key per object, sealed
// under a KMS key, the sealed copy kept beside the data.
//
// Errors: the *eddy.Error codes of the API. A caller tells the states
// apart with errors.Is against ErrNotFound (no such key or alias, or the
// key was deleted), ErrDisabled and ErrInvalidState (pending deletion);
// Kinesis answers them as KMSNotFoundException, KMSDisabledException and
// KMSInvalidStateException. A ciphertext that does not open is
// ErrInvalidCiphertext.
type Keys struct {
	s      *Service
	region string
}

// Sentinels for errors.Is (eddy.Error matches on Code).
var (
	ErrNotFound          = &eddy.Error{Code: eddy.CodeKMSNotFound}
	ErrDisabled          = &eddy.Error{Code: eddy.CodeKMSDisabled}
	ErrInvalidState      = &eddy.Error{Code: eddy.CodeKMSInvalidState}
	ErrInvalidCiphertext = &eddy.Error{Code: eddy.CodeInvalidCiphertext}
)

// In returns the keys of region ("" for Config.Region).
func (s *Service) In(region string) *Keys { return &Keys{s: s, region: s.region(region)} }

// GenerateDataKey returns a new random 256-bit data key, in the clear and
// sealed under the key keyID names (key id, key ARN, alias name or alias
// ARN; "alias/aws/kinesis" is created on first use) with encCtx bound to
// it, and the key's ARN. The caller owns both slices.
func (k *Keys) GenerateDataKey(ctx context.Context, keyID string, encCtx map[string]string) (plaintext, blob []byte, keyARN string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, "", err
	}
	pt, out, err := k.s.generate(k.region, &kp.GenerateDataKeyInput{KeyId: &keyID, KeySpec: kp.DataKeyAES256, EncryptionContext: encCtx})
	if err != nil {
		return nil, nil, "", err
	}
	return pt, out.blob, out.arn, nil
}

// Decrypt opens a blob of GenerateDataKey (or of the API's Encrypt) with
// the same encCtx, and returns the plaintext and the ARN of the key that
// sealed it.
func (k *Keys) Decrypt(ctx context.Context, blob []byte, encCtx map[string]string) (plaintext []byte, keyARN string, err error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	out, err := k.s.Decrypt(k.region, &kp.DecryptInput{CiphertextBlob: blob, EncryptionContext: encCtx})
	if err != nil {
		return nil, "", err
	}
	return out.Plaintext, *out.KeyId, nil
}

// CheckUsable returns nil if keyID names an enabled key, and otherwise the
// error using it would give (ErrNotFound, ErrDisabled, ErrInvalidState).
func (k *Keys) CheckUsable(ctx context.Context, keyID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	out, err := k.s.DescribeKey(k.region, &kp.DescribeKeyInput{KeyId: &keyID})
	if err != nil {
		return err
	}
	switch out.KeyMetadata.KeyState {
	case kp.StateDisabled:
		return eddy.Errorf(eddy.CodeKMSDisabled, "%s is disabled.", *out.KeyMetadata.Arn)
	case kp.StatePending:
		return eddy.Errorf(eddy.CodeKMSInvalidState, "%s is pending deletion.", *out.KeyMetadata.Arn)
	}
	return nil
}
