package kms

// The shapes of the operations Eddy serves, with the members aws-sdk-go-v2
// service/kms v1.63.0 gives them (api_op_<Operation>.go and
// types/types.go). JSON 1.1 puts the model's member names on the wire
// unchanged. Optional scalars are pointers, enums plain strings ("" when
// absent), blobs []byte (base64 in JSON), timestamps Timestamp (epoch
// seconds). Members of the model Eddy reads but does not act on (GrantTokens,
// DryRun, Recipient) are decoded so that a request carrying them is not
// refused; see docs/KMS.md.

// Tag is a key tag (types.Tag).
type Tag struct {
	TagKey   *string `json:"TagKey,omitempty"`
	TagValue *string `json:"TagValue,omitempty"`
}

// KeyMetadata describes a key (types.KeyMetadata); Eddy fills the members
// a symmetric key of its own has.
type KeyMetadata struct {
	AWSAccountId                *string    `json:"AWSAccountId,omitempty"`
	KeyId                       *string    `json:"KeyId,omitempty"`
	Arn                         *string    `json:"Arn,omitempty"`
	CreationDate                *Timestamp `json:"CreationDate,omitempty"`
	CurrentKeyMaterialId        *string    `json:"CurrentKeyMaterialId,omitempty"`
	CustomerMasterKeySpec       string     `json:"CustomerMasterKeySpec,omitempty"`
	DeletionDate                *Timestamp `json:"DeletionDate,omitempty"`
	Description                 *string    `json:"Description,omitempty"`
	Enabled                     bool       `json:"Enabled"`
	EncryptionAlgorithms        []string   `json:"EncryptionAlgorithms,omitempty"`
	KeyManager                  string     `json:"KeyManager,omitempty"`
	KeySpec                     string     `json:"KeySpec,omitempty"`
	KeyState                    string     `json:"KeyState,omitempty"`
	KeyUsage                    string     `json:"KeyUsage,omitempty"`
	MultiRegion                 *bool      `json:"MultiRegion,omitempty"`
	Origin                      string     `json:"Origin,omitempty"`
	PendingDeletionWindowInDays *int32     `json:"PendingDeletionWindowInDays,omitempty"`
}

// KeyListEntry is one key of ListKeys (types.KeyListEntry).
type KeyListEntry struct {
	KeyArn *string `json:"KeyArn,omitempty"`
	KeyId  *string `json:"KeyId,omitempty"`
}

// AliasListEntry is one alias of ListAliases (types.AliasListEntry).
type AliasListEntry struct {
	AliasArn        *string    `json:"AliasArn,omitempty"`
	AliasName       *string    `json:"AliasName,omitempty"`
	CreationDate    *Timestamp `json:"CreationDate,omitempty"`
	LastUpdatedDate *Timestamp `json:"LastUpdatedDate,omitempty"`
	TargetKeyId     *string    `json:"TargetKeyId,omitempty"`
}

// CreateKeyInput is CreateKey's request.
type CreateKeyInput struct {
	BypassPolicyLockoutSafetyCheck bool    `json:"BypassPolicyLockoutSafetyCheck,omitempty"`
	CustomKeyStoreId               *string `json:"CustomKeyStoreId,omitempty"`
	CustomerMasterKeySpec          string  `json:"CustomerMasterKeySpec,omitempty"`
	Description                    *string `json:"Description,omitempty"`
	KeySpec                        string  `json:"KeySpec,omitempty"`
	KeyUsage                       string  `json:"KeyUsage,omitempty"`
	MultiRegion                    *bool   `json:"MultiRegion,omitempty"`
	Origin                         string  `json:"Origin,omitempty"`
	Policy                         *string `json:"Policy,omitempty"`
	Tags                           []Tag   `json:"Tags,omitempty"`
	XksKeyId                       *string `json:"XksKeyId,omitempty"`
}

// CreateKeyOutput is CreateKey's answer.
type CreateKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata,omitempty"`
}

// DescribeKeyInput is DescribeKey's request.
type DescribeKeyInput struct {
	KeyId       *string  `json:"KeyId,omitempty"`
	GrantTokens []string `json:"GrantTokens,omitempty"`
}

// DescribeKeyOutput is DescribeKey's answer.
type DescribeKeyOutput struct {
	KeyMetadata *KeyMetadata `json:"KeyMetadata,omitempty"`
}

// ListKeysInput is ListKeys's request.
type ListKeysInput struct {
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// ListKeysOutput is ListKeys's answer.
type ListKeysOutput struct {
	Keys       []KeyListEntry `json:"Keys"`
	NextMarker *string        `json:"NextMarker,omitempty"`
	Truncated  bool           `json:"Truncated"`
}

// CreateAliasInput is CreateAlias's request.
type CreateAliasInput struct {
	AliasName   *string `json:"AliasName,omitempty"`
	TargetKeyId *string `json:"TargetKeyId,omitempty"`
}

// UpdateAliasInput is UpdateAlias's request.
type UpdateAliasInput struct {
	AliasName   *string `json:"AliasName,omitempty"`
	TargetKeyId *string `json:"TargetKeyId,omitempty"`
}

// DeleteAliasInput is DeleteAlias's request.
type DeleteAliasInput struct {
	AliasName *string `json:"AliasName,omitempty"`
}

// ListAliasesInput is ListAliases's request.
type ListAliasesInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// ListAliasesOutput is ListAliases's answer.
type ListAliasesOutput struct {
	Aliases    []AliasListEntry `json:"Aliases"`
	NextMarker *string          `json:"NextMarker,omitempty"`
	Truncated  bool             `json:"Truncated"`
}

// KeyIdInput is the request of the operations that take only a KeyId:
// EnableKey, DisableKey, CancelKeyDeletion, DisableKeyRotation,
// GetKeyRotationStatus, RotateKeyOnDemand.
type KeyIdInput struct {
	KeyId *string `json:"KeyId,omitempty"`
}

// Empty is the answer of the operations that answer nothing.
type Empty struct{}

// ScheduleKeyDeletionInput is ScheduleKeyDeletion's request.
type ScheduleKeyDeletionInput struct {
	KeyId               *string `json:"KeyId,omitempty"`
	PendingWindowInDays *int32  `json:"PendingWindowInDays,omitempty"`
}

// ScheduleKeyDeletionOutput is ScheduleKeyDeletion's answer.
type ScheduleKeyDeletionOutput struct {
	DeletionDate        *Timestamp `json:"DeletionDate,omitempty"`
	KeyId               *string    `json:"KeyId,omitempty"`
	KeyState            string     `json:"KeyState,omitempty"`
	PendingWindowInDays *int32     `json:"PendingWindowInDays,omitempty"`
}

// KeyIdOutput is the answer of CancelKeyDeletion and RotateKeyOnDemand.
type KeyIdOutput struct {
	KeyId *string `json:"KeyId,omitempty"`
}

// EnableKeyRotationInput is EnableKeyRotation's request.
type EnableKeyRotationInput struct {
	KeyId                *string `json:"KeyId,omitempty"`
	RotationPeriodInDays *int32  `json:"RotationPeriodInDays,omitempty"`
}

// GetKeyRotationStatusOutput is GetKeyRotationStatus's answer.
type GetKeyRotationStatusOutput struct {
	KeyId                     *string    `json:"KeyId,omitempty"`
	KeyRotationEnabled        bool       `json:"KeyRotationEnabled"`
	NextRotationDate          *Timestamp `json:"NextRotationDate,omitempty"`
	OnDemandRotationStartDate *Timestamp `json:"OnDemandRotationStartDate,omitempty"`
	RotationPeriodInDays      *int32     `json:"RotationPeriodInDays,omitempty"`
}

// EncryptInput is Encrypt's request.
type EncryptInput struct {
	KeyId               *string           `json:"KeyId,omitempty"`
	Plaintext           []byte            `json:"Plaintext,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm,omitempty"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
}

// EncryptOutput is Encrypt's answer.
type EncryptOutput struct {
	CiphertextBlob      []byte  `json:"CiphertextBlob,omitempty"`
	EncryptionAlgorithm string  `json:"EncryptionAlgorithm,omitempty"`
	KeyId               *string `json:"KeyId,omitempty"`
}

// RecipientInfo is the Nitro Enclaves attestation member (types.RecipientInfo),
// decoded only to refuse it.
type RecipientInfo struct {
	AttestationDocument    []byte `json:"AttestationDocument,omitempty"`
	KeyEncryptionAlgorithm string `json:"KeyEncryptionAlgorithm,omitempty"`
}

// DecryptInput is Decrypt's request.
type DecryptInput struct {
	CiphertextBlob      []byte            `json:"CiphertextBlob,omitempty"`
	DryRun              *bool             `json:"DryRun,omitempty"`
	DryRunModifiers     []string          `json:"DryRunModifiers,omitempty"`
	EncryptionAlgorithm string            `json:"EncryptionAlgorithm,omitempty"`
	EncryptionContext   map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens         []string          `json:"GrantTokens,omitempty"`
	KeyId               *string           `json:"KeyId,omitempty"`
	Recipient           *RecipientInfo    `json:"Recipient,omitempty"`
}

// DecryptOutput is Decrypt's answer.
type DecryptOutput struct {
	EncryptionAlgorithm string  `json:"EncryptionAlgorithm,omitempty"`
	KeyId               *string `json:"KeyId,omitempty"`
	KeyMaterialId       *string `json:"KeyMaterialId,omitempty"`
	Plaintext           []byte  `json:"Plaintext,omitempty"`
}

// GenerateDataKeyInput is the request of GenerateDataKey and
// GenerateDataKeyWithoutPlaintext (the latter has no Recipient).
type GenerateDataKeyInput struct {
	KeyId             *string           `json:"KeyId,omitempty"`
	DryRun            *bool             `json:"DryRun,omitempty"`
	EncryptionContext map[string]string `json:"EncryptionContext,omitempty"`
	GrantTokens       []string          `json:"GrantTokens,omitempty"`
	KeySpec           string            `json:"KeySpec,omitempty"`
	NumberOfBytes     *int32            `json:"NumberOfBytes,omitempty"`
	Recipient         *RecipientInfo    `json:"Recipient,omitempty"`
}

// GenerateDataKeyOutput is the answer of GenerateDataKey and (without
// Plaintext) GenerateDataKeyWithoutPlaintext.
type GenerateDataKeyOutput struct {
	CiphertextBlob []byte  `json:"CiphertextBlob,omitempty"`
	KeyId          *string `json:"KeyId,omitempty"`
	KeyMaterialId  *string `json:"KeyMaterialId,omitempty"`
	Plaintext      []byte  `json:"Plaintext,omitempty"`
}

// ReEncryptInput is ReEncrypt's request.
type ReEncryptInput struct {
	DestinationKeyId               *string           `json:"DestinationKeyId,omitempty"`
	CiphertextBlob                 []byte            `json:"CiphertextBlob,omitempty"`
	DestinationEncryptionAlgorithm string            `json:"DestinationEncryptionAlgorithm,omitempty"`
	DestinationEncryptionContext   map[string]string `json:"DestinationEncryptionContext,omitempty"`
	DryRun                         *bool             `json:"DryRun,omitempty"`
	DryRunModifiers                []string          `json:"DryRunModifiers,omitempty"`
	GrantTokens                    []string          `json:"GrantTokens,omitempty"`
	SourceEncryptionAlgorithm      string            `json:"SourceEncryptionAlgorithm,omitempty"`
	SourceEncryptionContext        map[string]string `json:"SourceEncryptionContext,omitempty"`
	SourceKeyId                    *string           `json:"SourceKeyId,omitempty"`
}

// ReEncryptOutput is ReEncrypt's answer.
type ReEncryptOutput struct {
	CiphertextBlob                 []byte  `json:"CiphertextBlob,omitempty"`
	DestinationEncryptionAlgorithm string  `json:"DestinationEncryptionAlgorithm,omitempty"`
	DestinationKeyMaterialId       *string `json:"DestinationKeyMaterialId,omitempty"`
	KeyId                          *string `json:"KeyId,omitempty"`
	SourceEncryptionAlgorithm      string  `json:"SourceEncryptionAlgorithm,omitempty"`
	SourceKeyId                    *string `json:"SourceKeyId,omitempty"`
	SourceKeyMaterialId            *string `json:"SourceKeyMaterialId,omitempty"`
}

// TagResourceInput is TagResource's request.
type TagResourceInput struct {
	KeyId *string `json:"KeyId,omitempty"`
	Tags  []Tag   `json:"Tags,omitempty"`
}

// UntagResourceInput is UntagResource's request.
type UntagResourceInput struct {
	KeyId   *string  `json:"KeyId,omitempty"`
	TagKeys []string `json:"TagKeys,omitempty"`
}

// ListResourceTagsInput is ListResourceTags's request.
type ListResourceTagsInput struct {
	KeyId  *string `json:"KeyId,omitempty"`
	Limit  *int32  `json:"Limit,omitempty"`
	Marker *string `json:"Marker,omitempty"`
}

// ListResourceTagsOutput is ListResourceTags's answer.
type ListResourceTagsOutput struct {
	NextMarker *string `json:"NextMarker,omitempty"`
	Tags       []Tag   `json:"Tags"`
	Truncated  bool    `json:"Truncated"`
}

// GetKeyPolicyInput is GetKeyPolicy's request.
type GetKeyPolicyInput struct {
	KeyId      *string `json:"KeyId,omitempty"`
	PolicyName *string `json:"PolicyName,omitempty"`
}

// GetKeyPolicyOutput is GetKeyPolicy's answer.
type GetKeyPolicyOutput struct {
	Policy     *string `json:"Policy,omitempty"`
	PolicyName *string `json:"PolicyName,omitempty"`
}

// PutKeyPolicyInput is PutKeyPolicy's request.
type PutKeyPolicyInput struct {
	KeyId                          *string `json:"KeyId,omitempty"`
	Policy                         *string `json:"Policy,omitempty"`
	BypassPolicyLockoutSafetyCheck bool    `json:"BypassPolicyLockoutSafetyCheck,omitempty"`
	PolicyName                     *string `json:"PolicyName,omitempty"`
}

// UpdateKeyDescriptionInput is UpdateKeyDescription's request.
type UpdateKeyDescriptionInput struct {
	Description *string `json:"Description,omitempty"`
	KeyId       *string `json:"KeyId,omitempty"`
}
