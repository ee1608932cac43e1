package kms

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/eddy-streams/eddy"
)

// Constraints of the model's members: the length, range and pattern
// traits of botocore's kms/2014-11-01/service-2.json (botocore 1.43.11; the
// Go module carries no such traits), and its required members (Decrypt's
// and ReEncrypt's CiphertextBlob are optional there: a request without one
// is the service's InvalidCiphertextException). The model gives every
// Limit 1-1000; the smaller maxima the documentation states (ListAliases
// 100, ListResourceTags 50) are the service's and applied there.
// ScheduleKeyDeletion's 7-30 is checked by the rule below.
const (
	maxKeyID       = 2048
	maxAliasName   = 256
	maxDescription = 8192
	maxPolicy      = 131072
	maxMarker      = 1024
	MaxPlaintext   = 4096
	MaxCiphertext  = 6144
	MaxDataKey     = 1024
	maxTagKey      = 128
	maxTagValue    = 256
	maxGrantTokens = 10
	maxPolicyName  = 128
	maxGrantToken  = 8192
)

// pattern is a model pattern: the regular expression Go matches the whole
// value against, and the model's text of it, which the message quotes.
type pattern struct {
	re   *regexp.Regexp
	text string
}

var (
	aliasPattern      = pattern{regexp.MustCompile(`^[a-zA-Z0-9:/_-]+$`), `^[a-zA-Z0-9:/_-]+$`}
	policyNamePattern = pattern{regexp.MustCompile(`^[\w]+$`), `[\w]+`}
	markerPattern     = pattern{regexp.MustCompile(`^[\x{20}-\x{FF}]*$`), `[\u0020-\u00FF]*`}
	policyPattern     = pattern{regexp.MustCompile(`^[\x{09}\x{0A}\x{0D}\x{20}-\x{FF}]+$`), `[\u0009\u000A\u000D\u0020-\u00FF]+`}
)

// maxViolations is how many violations the front end reports at most.
const maxViolations = 10

// check collects constraint failures in the front end's words. The value
// is not part of the message: AWS's Coral front end answers "Value at
// 'path' failed to satisfy constraint: ..." today (the form recorded for
// Firehose in 2026, see protocol/firehose); no KMS-specific recording of a
// length violation was found. Blobs and plaintexts would never be echoed.
type check struct{ msgs []string }

func (c *check) add(path, constraint string) {
	if len(c.msgs) < maxViolations {
		c.msgs = append(c.msgs, "Value at '"+path+"' failed to satisfy constraint: "+constraint)
	}
}

func (c *check) err() error {
	switch len(c.msgs) {
	case 0:
		return nil
	case 1:
		return validation("1 validation error detected: " + c.msgs[0])
	}
	return validation(strconv.Itoa(len(c.msgs)) + " validation errors detected: " + strings.Join(c.msgs, "; "))
}

func javaLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

func (c *check) required(path string, set bool) bool {
	if !set {
		c.add(path, "Member must not be null")
	}
	return set
}

func (c *check) length(path string, n, min, max int) {
	switch {
	case n < min:
		c.add(path, "Member must have length greater than or equal to "+strconv.Itoa(min))
	case n > max:
		c.add(path, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

func (c *check) str(path string, p *string, required bool, min, max int) {
	if p == nil {
		if required {
			c.required(path, false)
		}
		return
	}
	c.length(path, javaLen(*p), min, max)
}

func (c *check) blob(path string, b []byte, required bool, max int) {
	if b == nil {
		if required {
			c.required(path, false)
		}
		return
	}
	c.length(path, len(b), 1, max)
}

func (c *check) rng(path string, p *int32, min, max int32) {
	if p == nil {
		return
	}
	switch {
	case *p < min:
		c.add(path, "Member must have value greater than or equal to "+strconv.Itoa(int(min)))
	case *p > max:
		c.add(path, "Member must have value less than or equal to "+strconv.Itoa(int(max)))
	}
}

func (c *check) enum(path, v string, values []string) {
	if v == "" {
		return
	}
	for _, e := range values {
		if v == e {
			return
		}
	}
	c.add(path, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
}

func (c *check) pattern(path string, p *string, pat pattern) {
	if p != nil && *p != "" && !pat.re.MatchString(*p) {
		c.add(path, "Member must satisfy regular expression pattern: "+pat.text)
	}
}

func (c *check) keyID(path string, p *string, required bool) { c.str(path, p, required, 1, maxKeyID) }

func (c *check) grants(g []string) {
	if len(g) > maxGrantTokens {
		c.add("grantTokens", "Member must have length less than or equal to "+strconv.Itoa(maxGrantTokens))
	}
	for i, t := range g {
		c.length("grantTokens."+strconv.Itoa(i+1)+".member", javaLen(t), 1, maxGrantToken)
	}
}

func (c *check) tags(path string, tags []Tag) {
	for i, t := range tags {
		p := path + "." + strconv.Itoa(i+1) + ".member."
		c.str(p+"tagKey", t.TagKey, true, 1, maxTagKey)
		c.str(p+"tagValue", t.TagValue, true, 0, maxTagValue)
	}
}

func (c *check) marker(p *string) {
	c.str("marker", p, false, 1, maxMarker)
	c.pattern("marker", p, markerPattern)
}

// Validate implements the request's checks. Eddy makes symmetric
// encryption keys only: a valid KeySpec, KeyUsage or Origin Eddy has no
// implementation of is UnsupportedOperationException (Eddy's words: AWS
// would create such a key), as are custom key stores and multi-Region keys.
func (in *CreateKeyInput) Validate() error {
	var c check
	c.str("description", in.Description, false, 0, maxDescription)
	c.str("policy", in.Policy, false, 1, maxPolicy)
	c.pattern("policy", in.Policy, policyPattern)
	c.enum("keySpec", in.KeySpec, enumKeySpec)
	c.enum("customerMasterKeySpec", in.CustomerMasterKeySpec, enumCustomerMasterKeySpec)
	c.enum("keyUsage", in.KeyUsage, enumKeyUsage)
	c.enum("origin", in.Origin, enumOrigin)
	c.tags("tags", in.Tags)
	if err := c.err(); err != nil {
		return err
	}
	// "You can't specify both" (the model's documentation of
	// CustomerMasterKeySpec, deprecated for KeySpec). Eddy's words.
	if in.KeySpec != "" && in.CustomerMasterKeySpec != "" {
		return validation("You cannot specify both KeySpec and CustomerMasterKeySpec.")
	}
	spec := in.KeySpec
	if spec == "" {
		spec = in.CustomerMasterKeySpec
	}
	if spec != "" && spec != SymmetricDefault {
		return unsupported("Eddy supports only SYMMETRIC_DEFAULT keys; KeySpec " + spec + " is not supported.")
	}
	if in.KeyUsage != "" && in.KeyUsage != EncryptDecrypt {
		// The model's documentation of KeyUsage: "For symmetric
		// encryption KMS keys, omit the parameter or specify
		// ENCRYPT_DECRYPT." Eddy's words.
		return validation("KeyUsage " + in.KeyUsage + " is not compatible with KeySpec SYMMETRIC_DEFAULT.")
	}
	if in.Origin != "" && in.Origin != OriginAWSKMS {
		return unsupported("Eddy supports only keys of Origin AWS_KMS.")
	}
	if in.CustomKeyStoreId != nil || in.XksKeyId != nil {
		return unsupported("Eddy does not support custom key stores.")
	}
	if in.MultiRegion != nil && *in.MultiRegion {
		return unsupported("Eddy does not support multi-Region keys.")
	}
	return nil
}

// Validate implements the request's checks.
func (in *DescribeKeyInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.grants(in.GrantTokens)
	return c.err()
}

// Validate implements the request's checks.
func (in *ListKeysInput) Validate() error {
	var c check
	c.rng("limit", in.Limit, 1, 1000)
	c.marker(in.Marker)
	return c.err()
}

// AliasPrefix begins every alias name; ReservedAliasPrefix begins those of
// AWS managed keys.
const (
	AliasPrefix         = "alias/"
	ReservedAliasPrefix = "alias/aws/"
)

// checkAliasName checks an alias name as CreateAlias, UpdateAlias and
// DeleteAlias take it.
func checkAliasName(p *string) error {
	var c check
	c.str("aliasName", p, true, 1, maxAliasName)
	c.pattern("aliasName", p, aliasPattern)
	if err := c.err(); err != nil {
		return err
	}
	if !strings.HasPrefix(*p, AliasPrefix) || len(*p) == len(AliasPrefix) {
		// Recorded from the real service (aws-controllers-k8s/community
		// issue 1878, 2023): ValidationException with these words.
		return validation(`Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html`)
	}
	return nil
}

// Validate implements the request's checks.
func (in *CreateAliasInput) Validate() error {
	if err := checkAliasName(in.AliasName); err != nil {
		return err
	}
	var c check
	c.keyID("targetKeyId", in.TargetKeyId, true)
	if err := c.err(); err != nil {
		return err
	}
	return reserved(*in.AliasName)
}

// reserved refuses an alias name in alias/aws/: "The alias/aws/ prefix is
// reserved for Amazon Web Services managed keys" (the model's documentation
// of CreateAlias.AliasName). The exception is the model's
// InvalidAliasNameException; no recording of its message was found, the
// words are Eddy's.
func reserved(name string) error {
	if strings.HasPrefix(name, ReservedAliasPrefix) {
		return &eddy.Error{Code: eddy.CodeInvalidAliasName,
			Message: "Alias names that begin with alias/aws/ are reserved for AWS managed keys."}
	}
	return nil
}

// Validate implements the request's checks.
func (in *UpdateAliasInput) Validate() error {
	if err := checkAliasName(in.AliasName); err != nil {
		return err
	}
	var c check
	c.keyID("targetKeyId", in.TargetKeyId, true)
	if err := c.err(); err != nil {
		return err
	}
	return reserved(*in.AliasName)
}

// Validate implements the request's checks.
func (in *DeleteAliasInput) Validate() error {
	if err := checkAliasName(in.AliasName); err != nil {
		return err
	}
	return reserved(*in.AliasName)
}

// Validate implements the request's checks.
func (in *ListAliasesInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, false)
	c.rng("limit", in.Limit, 1, 1000)
	c.marker(in.Marker)
	return c.err()
}

// Validate implements the request's checks.
func (in *KeyIdInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	return c.err()
}

// Validate implements the request's checks: the model's range, 1-365,
// then the service's, 7-30 ("If you include a value, it must be between 7
// and 30, inclusive", the module's documentation). The answer to a value
// in 1-6 or 31-365 is ValidationException in Eddy's words: no recording of
// AWS's was found.
func (in *ScheduleKeyDeletionInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.rng("pendingWindowInDays", in.PendingWindowInDays, 1, 365)
	if err := c.err(); err != nil {
		return err
	}
	if p := in.PendingWindowInDays; p != nil && (*p < 7 || *p > 30) {
		return validation("PendingWindowInDays must be between 7 and 30, inclusive.")
	}
	return nil
}

// Validate implements the request's checks: RotationPeriodInDays is
// 90-2560 (the module's documentation: "between 90 and 2560 days").
func (in *EnableKeyRotationInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.rng("rotationPeriodInDays", in.RotationPeriodInDays, 90, 2560)
	return c.err()
}

// checkAlgorithm: a symmetric key's only algorithm is SYMMETRIC_DEFAULT;
// another valid one is InvalidKeyUsageException (the model's words for the
// exception: "the request was rejected ... the EncryptionAlgorithm is not
// compatible with the type of key"; the message is Eddy's).
func checkAlgorithm(alg string) error {
	if alg != "" && alg != SymmetricDefault {
		return &eddy.Error{Code: eddy.CodeInvalidKeyUsage,
			Message: "The encryption algorithm " + alg + " is not compatible with a SYMMETRIC_DEFAULT key."}
	}
	return nil
}

func refuseRecipient(r *RecipientInfo) error {
	if r != nil {
		return unsupported("Eddy does not support Recipient (Nitro Enclaves attestation).")
	}
	return nil
}

// Validate implements the request's checks.
func (in *EncryptInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.blob("plaintext", in.Plaintext, true, MaxPlaintext)
	c.enum("encryptionAlgorithm", in.EncryptionAlgorithm, enumAlgorithm)
	c.grants(in.GrantTokens)
	if err := c.err(); err != nil {
		return err
	}
	return checkAlgorithm(in.EncryptionAlgorithm)
}

// Validate implements the request's checks.
func (in *DecryptInput) Validate() error {
	var c check
	c.blob("ciphertextBlob", in.CiphertextBlob, false, MaxCiphertext)
	c.keyID("keyId", in.KeyId, false)
	c.enum("encryptionAlgorithm", in.EncryptionAlgorithm, enumAlgorithm)
	c.grants(in.GrantTokens)
	if err := c.err(); err != nil {
		return err
	}
	if err := refuseRecipient(in.Recipient); err != nil {
		return err
	}
	return checkAlgorithm(in.EncryptionAlgorithm)
}

// Validate implements the request's checks: KeySpec or NumberOfBytes, one
// and only one ("We recommend that you use the KeySpec parameter ... You
// must specify either the KeySpec or the NumberOfBytes parameter (but not
// both) in every GenerateDataKey request", the module's documentation).
// The answers' words are Eddy's: no recording was found.
func (in *GenerateDataKeyInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.enum("keySpec", in.KeySpec, enumDataKey)
	c.rng("numberOfBytes", in.NumberOfBytes, 1, MaxDataKey)
	c.grants(in.GrantTokens)
	if err := c.err(); err != nil {
		return err
	}
	if (in.KeySpec == "") == (in.NumberOfBytes == nil) {
		return validation("Specify either KeySpec or NumberOfBytes, but not both.")
	}
	return refuseRecipient(in.Recipient)
}

// DataKeyLen returns the length of the data key the request asks for.
func (in *GenerateDataKeyInput) DataKeyLen() int {
	switch in.KeySpec {
	case DataKeyAES256:
		return 32
	case DataKeyAES128:
		return 16
	}
	if in.NumberOfBytes != nil {
		return int(*in.NumberOfBytes)
	}
	return 0
}

// Validate implements the request's checks.
func (in *ReEncryptInput) Validate() error {
	var c check
	c.blob("ciphertextBlob", in.CiphertextBlob, false, MaxCiphertext)
	c.keyID("destinationKeyId", in.DestinationKeyId, true)
	c.keyID("sourceKeyId", in.SourceKeyId, false)
	c.enum("sourceEncryptionAlgorithm", in.SourceEncryptionAlgorithm, enumAlgorithm)
	c.enum("destinationEncryptionAlgorithm", in.DestinationEncryptionAlgorithm, enumAlgorithm)
	c.grants(in.GrantTokens)
	if err := c.err(); err != nil {
		return err
	}
	if err := checkAlgorithm(in.SourceEncryptionAlgorithm); err != nil {
		return err
	}
	return checkAlgorithm(in.DestinationEncryptionAlgorithm)
}

// Validate implements the request's checks.
func (in *TagResourceInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.required("tags", in.Tags != nil)
	c.tags("tags", in.Tags)
	return c.err()
}

// Validate implements the request's checks.
func (in *UntagResourceInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.required("tagKeys", in.TagKeys != nil)
	for i, k := range in.TagKeys {
		c.length("tagKeys."+strconv.Itoa(i+1)+".member", javaLen(k), 1, maxTagKey)
	}
	return c.err()
}

// Validate implements the request's checks.
func (in *ListResourceTagsInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.rng("limit", in.Limit, 1, 1000)
	c.marker(in.Marker)
	return c.err()
}

// Validate implements the request's checks.
func (in *GetKeyPolicyInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.str("policyName", in.PolicyName, false, 1, maxPolicyName)
	c.pattern("policyName", in.PolicyName, policyNamePattern)
	return c.err()
}

// Validate implements the request's checks.
func (in *PutKeyPolicyInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.str("policy", in.Policy, true, 1, maxPolicy)
	c.pattern("policy", in.Policy, policyPattern)
	c.str("policyName", in.PolicyName, false, 1, maxPolicyName)
	c.pattern("policyName", in.PolicyName, policyNamePattern)
	return c.err()
}

// Validate implements the request's checks.
func (in *UpdateKeyDescriptionInput) Validate() error {
	var c check
	c.keyID("keyId", in.KeyId, true)
	c.str("description", in.Description, true, 0, maxDescription)
	return c.err()
}
