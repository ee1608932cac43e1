package kms

import (
	"errors"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 2049)
	cases := []struct {
		name string
		in   interface{ Validate() error }
		code string
		msg  string
	}{
		{"describe ok", &DescribeKeyInput{KeyId: String("k")}, "", ""},
		{"describe no key", &DescribeKeyInput{}, eddy.CodeValidation,
			"1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must not be null"},
		{"describe long key", &DescribeKeyInput{KeyId: &long}, eddy.CodeValidation,
			"1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"two violations", &EncryptInput{KeyId: String(""), Plaintext: []byte{}}, eddy.CodeValidation,
			"2 validation errors detected: Value at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
				"Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"create ok", &CreateKeyInput{KeySpec: SymmetricDefault, KeyUsage: EncryptDecrypt}, "", ""},
		{"create enum", &CreateKeyInput{KeyUsage: "X"}, eddy.CodeValidation, ""},
		{"create HMAC", &CreateKeyInput{KeySpec: "HMAC_256"}, eddy.CodeUnsupportedOperation, ""},
		{"create both specs", &CreateKeyInput{KeySpec: SymmetricDefault, CustomerMasterKeySpec: SymmetricDefault}, eddy.CodeValidation, ""},
		{"create multi-region", &CreateKeyInput{MultiRegion: Bool(true)}, eddy.CodeUnsupportedOperation, ""},
		{"create external", &CreateKeyInput{Origin: "EXTERNAL"}, eddy.CodeUnsupportedOperation, ""},
		{"alias ok", &CreateAliasInput{AliasName: String("alias/a_b-c/d"), TargetKeyId: String("k")}, "", ""},
		{"alias pattern", &CreateAliasInput{AliasName: String("alias/a b"), TargetKeyId: String("k")}, eddy.CodeValidation, ""},
		{"alias bare prefix", &DeleteAliasInput{AliasName: String("alias/")}, eddy.CodeValidation, ""},
		{"alias reserved", &UpdateAliasInput{AliasName: String("alias/aws/kinesis"), TargetKeyId: String("k")}, eddy.CodeInvalidAliasName, ""},
		{"window 30", &ScheduleKeyDeletionInput{KeyId: String("k"), PendingWindowInDays: Int32(30)}, "", ""},
		{"window 31", &ScheduleKeyDeletionInput{KeyId: String("k"), PendingWindowInDays: Int32(31)}, eddy.CodeValidation,
			"PendingWindowInDays must be between 7 and 30, inclusive."},
		{"window 366", &ScheduleKeyDeletionInput{KeyId: String("k"), PendingWindowInDays: Int32(366)}, eddy.CodeValidation,
			"1 validation error detected: Value at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{"data key spec", &GenerateDataKeyInput{KeyId: String("k"), KeySpec: DataKeyAES128}, "", ""},
		{"data key 0 bytes", &GenerateDataKeyInput{KeyId: String("k"), NumberOfBytes: Int32(0)}, eddy.CodeValidation, ""},
		{"decrypt recipient", &DecryptInput{CiphertextBlob: []byte{1}, Recipient: &RecipientInfo{}}, eddy.CodeUnsupportedOperation, ""},
		{"decrypt too long", &DecryptInput{CiphertextBlob: make([]byte, 6145)}, eddy.CodeValidation, ""},
		{"list aliases limit 101", &ListAliasesInput{Limit: Int32(101)}, "", ""},
		{"list aliases limit", &ListAliasesInput{Limit: Int32(1001)}, eddy.CodeValidation, ""},
		{"list tags limit", &ListResourceTagsInput{KeyId: String("k"), Limit: Int32(0)}, eddy.CodeValidation, ""},
		{"decrypt no blob", &DecryptInput{}, "", ""},
		{"grant token", &DescribeKeyInput{KeyId: String("k"), GrantTokens: []string{""}}, eddy.CodeValidation, ""},
		{"tag value", &TagResourceInput{KeyId: String("k"), Tags: []Tag{{TagKey: String("a")}}}, eddy.CodeValidation,
			"1 validation error detected: Value at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null"},
		{"marker", &ListKeysInput{Marker: String("\u0100")}, eddy.CodeValidation,
			"1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*"},
		{"policy", &PutKeyPolicyInput{KeyId: String("k"), Policy: String("{\u0001}")}, eddy.CodeValidation, ""},
		{"policy latin-1", &PutKeyPolicyInput{KeyId: String("k"), Policy: String("{\n\"é\"}")}, "", ""},
		{"policy name", &GetKeyPolicyInput{KeyId: String("k"), PolicyName: String("a-b")}, eddy.CodeValidation, ""},
		{"rotation 2561", &EnableKeyRotationInput{KeyId: String("k"), RotationPeriodInDays: Int32(2561)}, eddy.CodeValidation, ""},
		{"reencrypt algorithm", &ReEncryptInput{CiphertextBlob: []byte{1}, DestinationKeyId: String("k"), SourceEncryptionAlgorithm: "SM2PKE"},
			eddy.CodeInvalidKeyUsage, ""},
	}
	for _, c := range cases {
		err := c.in.Validate()
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var e *eddy.Error
		if !errors.As(err, &e) || e.Code != c.code || (c.msg != "" && e.Message != c.msg) {
			t.Errorf("%s: got %v, want %s %q", c.name, err, c.code, c.msg)
		}
	}
}
