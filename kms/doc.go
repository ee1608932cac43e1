// Package kms is Eddy's key service: symmetric KMS keys compatible with the
// AWS Key Management Service API (see protocol/kms for the wire shapes and
// httpapi/kmsapi for the transport), and a small Go API for the services in
// the same process that encrypt their data at rest (Keys).
//
// Every key is a SYMMETRIC_DEFAULT key: one or more 256-bit AES key
// materials (one more per rotation; the older ones are kept so that old
// ciphertexts still decrypt). Keys and aliases are rows of the shared
// storage.MetaStore (tables "kms/keys" and "kms/aliases", keyed
// "<region>/<id or alias name>"), so they survive restarts and follow the
// store to any backend. Key material is never stored in the clear: each
// material is sealed with AES-256-GCM under the root key (see rootkey.go),
// which is not stored in the MetaStore; a check value in table "kms/root"
// tells a wrong root key from the right one.
//
// Ciphertexts are Eddy's own format (ciphertext.go): they name the key and
// the material version, so Decrypt needs no KeyId, and they bind the
// encryption context as additional authenticated data.
//
// Usage:
//
//	svc, err := kms.New(cfg, meta) // cfg.RootKey from kms.LoadRootKey...
//	out, err := svc.Encrypt("us-east-1", &kp.EncryptInput{KeyId: kp.String("alias/app"), Plaintext: data})
//	pt, blob, arn, err := svc.In("us-east-1").GenerateDataKey(ctx, "alias/aws/kinesis", encCtx)
package kms
