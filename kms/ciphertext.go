package kms

import (
	"encoding/binary"
	"sort"

	"github.com/eddy-streams/eddy"
)

// A ciphertext blob, as Encrypt, GenerateDataKey and ReEncrypt return it
// and Decrypt takes it (docs/KMS.md draws it too):
//
//	offset  size  field
//	0       1     format version, 1
//	1       16    key id: the key's UUID, as 16 bytes
//	17      4     material version: which of the key's materials sealed
//	              it, big-endian, 1 for the key's first material
//	21      12    nonce, random
//	33      n+16  AES-256-GCM sealing of the n plaintext bytes, tag last
//
// The additional authenticated data is bytes 0-32 (the header) followed
// by the canonical encoding of the encryption context, so a changed
// header, a changed context or a missing one fails to open, as does a
// blob sealed under another material:
//
//	count uint32, then per pair in ascending byte order of the keys:
//	len(key) uint32, key, len(value) uint32, value     (big-endian)
//
// An empty or absent context encodes as count 0.
const (
	blobVersion   = 1
	blobHeaderLen = 1 + 16 + 4 + 12
	gcmTagLen     = 16
)

// header is the parsed header of a blob.
type header struct {
	keyID    string
	material uint32
}

// canonicalContext encodes ctx as the blob's additional data expects.
func canonicalContext(ctx map[string]string) []byte {
	keys := make([]string, 0, len(ctx))
	n := 4
	for k, v := range ctx {
		keys = append(keys, k)
		n += 8 + len(k) + len(v)
	}
	sort.Strings(keys)
	b := make([]byte, 0, n)
	b = binary.BigEndian.AppendUint32(b, uint32(len(keys)))
	for _, k := range keys {
		b = binary.BigEndian.AppendUint32(b, uint32(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(ctx[k])))
		b = append(b, ctx[k]...)
	}
	return b
}

// invalidCiphertext is the answer to a blob that does not open: a wrong or
// missing encryption context, a changed or foreign blob. KMS sends it
// without a message ("InvalidCiphertextException with null message",
// aws/aws-sdk-java issue 1323; "InvalidCiphertextException: null",
// aws/aws-encryption-sdk-javascript issue 1107), and so does Eddy.
func invalidCiphertext() error {
	return &eddy.Error{Code: eddy.CodeInvalidCiphertext}
}

// parseHeader reads blob's header.
func parseHeader(blob []byte) (header, error) {
	if len(blob) < blobHeaderLen+gcmTagLen || blob[0] != blobVersion {
		return header{}, invalidCiphertext()
	}
	return header{keyID: formatUUID(blob[1:17]), material: binary.BigEndian.Uint32(blob[17:21])}, nil
}

// appendHeader writes a header with nonce into b.
func appendHeader(b []byte, keyID string, material uint32, nonce []byte) []byte {
	b = append(b, blobVersion)
	b = append(b, parseUUID(keyID)...)
	b = binary.BigEndian.AppendUint32(b, material)
	return append(b, nonce...)
}
