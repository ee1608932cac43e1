// Package kms holds the Go shapes of the AWS Key Management Service API
// (TrentService, AWS JSON 1.1, SigV4 signing name "kms") for the
// operations Eddy serves, and the validation of their requests.
//
// The shapes (shapes.go) carry the members aws-sdk-go-v2 service/kms
// v1.63.0 gives them. Validate checks a request the way KMS's front end
// does before the operation runs (required members, lengths, ranges,
// enums) and answers ValidationException with up to ten violations; the
// checks that need the service's state (does the key exist, is it enabled)
// are package kms's (the service, at the module root's kms/).
//
// Usage:
//
//	var in kms.EncryptInput
//	json.Unmarshal(body, &in)
//	if err := in.Validate(); err != nil {
//		// an *eddy.Error: ValidationException, UnsupportedOperationException, ...
//	}
package kms

import (
	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// The service's names on the wire.
const (
	// TargetPrefix is the part of X-Amz-Target before the dot.
	TargetPrefix = "TrentService"
	// SigningName is the SigV4 service name.
	SigningName = "kms"
)

// Timestamp is a point in time on the wire: epoch seconds, as in every
// JSON 1.1 service.
type Timestamp = kds.Timestamp

// NewTimestamp is kds.NewTimestamp.
var NewTimestamp = kds.NewTimestamp

// Values of the model's enums that Eddy's keys take.
const (
	SymmetricDefault = "SYMMETRIC_DEFAULT" // KeySpec, CustomerMasterKeySpec, EncryptionAlgorithmSpec
	EncryptDecrypt   = "ENCRYPT_DECRYPT"   // KeyUsageType
	OriginAWSKMS     = "AWS_KMS"           // OriginType
	ManagerCustomer  = "CUSTOMER"          // KeyManagerType
	ManagerAWS       = "AWS"               // KeyManagerType
	StateEnabled     = "Enabled"           // KeyState
	StateDisabled    = "Disabled"
	StatePending     = "PendingDeletion"
	DataKeyAES256    = "AES_256" // DataKeySpec
	DataKeyAES128    = "AES_128"
	DefaultPolicy    = "default" // the only key policy name
)

// The model's enums (aws-sdk-go-v2 service/kms v1.63.0 types/enums.go),
// in its order, for the enum violations' messages.
var (
	enumKeySpec = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521",
		"ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
		"ML_DSA_44", "ML_DSA_65", "ML_DSA_87", "ECC_NIST_EDWARDS25519", "ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"}
	enumCustomerMasterKeySpec = []string{"RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384",
		"ECC_NIST_P521", "ECC_SECG_P256K1", "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2"}
	enumKeyUsage  = []string{"SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT", "ENCAPSULATE_DECAPSULATE"}
	enumDataKey   = []string{"AES_256", "AES_128"}
	enumAlgorithm = []string{"SYMMETRIC_DEFAULT", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"}
	enumOrigin    = []string{"AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"}
)

// String returns a pointer to s, for optional members.
func String(s string) *string { return &s }

// Int32 returns a pointer to n, for optional members.
func Int32(n int32) *int32 { return &n }

// Bool returns a pointer to b, for optional members.
func Bool(b bool) *bool { return &b }

// Deref returns *p, or "" when p is nil.
func Deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func unsupported(msg string) error {
	return &eddy.Error{Code: eddy.CodeUnsupportedOperation, Message: msg}
}

func validation(msg string) error {
	return &eddy.Error{Code: eddy.CodeValidation, Message: msg}
}
