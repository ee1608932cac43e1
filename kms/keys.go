package kms

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
)

// The key management operations. Each takes the request's region ("" for
// Config.Region) and its validated input, and answers what KMS answers in
// the key's state (the "Key states of KMS keys" table of the KMS developer
// guide: a key pending deletion can be described, listed and its deletion
// cancelled; a disabled key can be managed but not used).

// maxTags is the most tags a key has ("50 tags per KMS key" is KMS's
// resource quota). The answer beyond it is TagException in Eddy's words.
const maxTags = 50

// defaultPolicy is the default key policy AWS gives a key created without
// one (KMS developer guide, "Default key policy"): the account's root
// principal may do everything with the key.
func (s *Service) defaultPolicy() string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + s.cfg.AccountID + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// checkPolicy: a key policy must be a JSON document. Eddy stores it and
// enforces nothing (docs/KMS.md). The message is Eddy's.
func checkPolicy(p string) error {
	if !json.Valid([]byte(p)) {
		return eddy.Errorf(eddy.CodeMalformedPolicy, "The new key policy is not a valid JSON document.")
	}
	return nil
}

// metadata returns r as KMS describes it.
func (s *Service) metadata(r *keyRecord) *kp.KeyMetadata {
	m := &kp.KeyMetadata{
		AWSAccountId:          kp.String(s.cfg.AccountID),
		KeyId:                 kp.String(r.ID),
		Arn:                   kp.String(s.KeyARN(r.Region, r.ID)),
		CreationDate:          kp.NewTimestamp(r.Created),
		CustomerMasterKeySpec: kp.SymmetricDefault,
		Description:           kp.String(r.Description),
		Enabled:               r.State == kp.StateEnabled,
		EncryptionAlgorithms:  []string{kp.SymmetricDefault},
		KeyManager:            r.Manager,
		KeySpec:               kp.SymmetricDefault,
		KeyState:              r.State,
		KeyUsage:              kp.EncryptDecrypt,
		MultiRegion:           kp.Bool(false),
		Origin:                kp.OriginAWSKMS,
	}
	if n := len(r.Materials); n > 0 {
		m.CurrentKeyMaterialId = kp.String(r.Materials[n-1].ID)
	}
	if r.State == kp.StatePending {
		m.DeletionDate = kp.NewTimestamp(r.DeletionDate)
		m.PendingDeletionWindowInDays = kp.Int32(r.PendingDays)
	}
	return m
}

// checkTags refuses tags KMS refuses: keys in the reserved "aws:" prefix
// ("The tag key cannot begin with aws:", the KMS developer guide's tagging
// rules) and more than maxTags on the key. Eddy's words.
func checkTags(tags []tag) error {
	for _, t := range tags {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return eddy.Errorf(eddy.CodeTag, "Tag keys beginning with aws: are reserved for AWS use: %s", t.Key)
		}
	}
	if len(tags) > maxTags {
		return eddy.Errorf(eddy.CodeTag, "A KMS key can have at most %d tags.", maxTags)
	}
	return nil
}

// mergeTags sets the tags of in on have: a tag key given again gets the
// new value, as TagResource does.
func mergeTags(have []tag, in []kp.Tag) []tag {
	out := append([]tag(nil), have...)
	for _, t := range in {
		k, v := kp.Deref(t.TagKey), kp.Deref(t.TagValue)
		found := false
		for i := range out {
			if out[i].Key == k {
				out[i].Value, found = v, true
			}
		}
		if !found {
			out = append(out, tag{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// CreateKey creates a customer managed symmetric encryption key.
func (s *Service) CreateKey(region string, in *kp.CreateKeyInput) (*kp.CreateKeyOutput, error) {
	region = s.region(region)
	tags := mergeTags(nil, in.Tags)
	if err := checkTags(tags); err != nil {
		return nil, err
	}
	policy := s.defaultPolicy()
	if in.Policy != nil {
		if err := checkPolicy(*in.Policy); err != nil {
			return nil, err
		}
		policy = *in.Policy
	}
	r, err := s.newKey(region, s.cfg.Clock.Now(), kp.ManagerCustomer, kp.Deref(in.Description))
	if err != nil {
		return nil, err
	}
	r.Tags, r.Policy = tags, policy
	if err := s.meta.Update(func(tx storage.MetaTx) error { return putKey(tx, r) }); err != nil {
		return nil, err
	}
	return &kp.CreateKeyOutput{KeyMetadata: s.metadata(r)}, nil
}

// DescribeKey describes a key in any state.
func (s *Service) DescribeKey(region string, in *kp.DescribeKeyInput) (*kp.DescribeKeyOutput, error) {
	var m *kp.KeyMetadata
	err := s.read(func(tx storage.MetaTx, w bool) error {
		r, err := s.resolve(tx, s.region(region), *in.KeyId, true, w)
		if err == nil {
			m = s.metadata(r)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kp.DescribeKeyOutput{KeyMetadata: m}, nil
}

// invalidMarker is the answer to a Marker Eddy did not hand out (the
// model's InvalidMarkerException; Eddy's words).
func invalidMarker() error {
	return eddy.Errorf(eddy.CodeInvalidMarker, "The marker is not one this operation returned.")
}

// ensureKinesisKey creates the AWS managed key of Kinesis in region if it
// does not exist yet (on listing, as on first use).
func (s *Service) ensureKinesisKey(region string) error {
	return s.read(func(tx storage.MetaTx, w bool) error {
		_, err := s.resolve(tx, region, KinesisAlias, true, w)
		return err
	})
}

// ListKeys lists the keys of the region in key id order, AWS managed and
// pending deletion ones included. Limit defaults to 100; the marker is the
// last key id of the previous page.
func (s *Service) ListKeys(region string, in *kp.ListKeysInput) (*kp.ListKeysOutput, error) {
	region = s.region(region)
	if err := s.sweep(region); err != nil {
		return nil, err
	}
	if err := s.ensureKinesisKey(region); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := ""
	if in.Marker != nil {
		if !uuidPattern.MatchString(*in.Marker) {
			return nil, invalidMarker()
		}
		after = rowKey(region, *in.Marker)
	}
	out := &kp.ListKeysOutput{Keys: []kp.KeyListEntry{}}
	err := s.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(tableKeys, region+"/", after, func(k string, v []byte) (bool, error) {
			id := strings.TrimPrefix(k, region+"/")
			if len(out.Keys) == limit {
				out.Truncated = true
				out.NextMarker = out.Keys[limit-1].KeyId
				return false, nil
			}
			out.Keys = append(out.Keys, kp.KeyListEntry{KeyId: kp.String(id), KeyArn: kp.String(s.KeyARN(region, id))})
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// update runs fn on the key keyID names (a key id or ARN, or also an alias
// when aliases) in a read-write transaction and stores what fn leaves in
// it.
func (s *Service) update(region, keyID string, aliases bool, fn func(tx storage.MetaTx, r *keyRecord, now time.Time) error) (*keyRecord, error) {
	var out *keyRecord
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.resolve(tx, s.region(region), keyID, aliases, true)
		if err != nil {
			return err
		}
		if err := fn(tx, r, s.cfg.Clock.Now()); err != nil {
			return err
		}
		out = r
		return putKey(tx, r)
	})
	return out, err
}

// customer refuses op on an AWS managed key.
func (s *Service) customer(r *keyRecord, op string) error {
	if r.Manager == kp.ManagerAWS {
		return s.awsManaged(r, op)
	}
	return nil
}

// EnableKey enables a disabled key; an enabled key stays enabled.
func (s *Service) EnableKey(region string, in *kp.KeyIdInput) (*kp.Empty, error) {
	return s.setState(region, *in.KeyId, "EnableKey", kp.StateEnabled)
}

// DisableKey disables a key: it can no longer be used until enabled.
func (s *Service) DisableKey(region string, in *kp.KeyIdInput) (*kp.Empty, error) {
	return s.setState(region, *in.KeyId, "DisableKey", kp.StateDisabled)
}

// setState moves a customer managed key that is not pending deletion to
// state (EnableKey, DisableKey).
func (s *Service) setState(region, keyID, op, state string) (*kp.Empty, error) {
	_, err := s.update(region, keyID, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, op); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		r.State = state
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// ScheduleKeyDeletion puts a key in PendingDeletion for 7-30 days (default
// 30); it is deleted, with its aliases, when the window ends.
func (s *Service) ScheduleKeyDeletion(region string, in *kp.ScheduleKeyDeletionInput) (*kp.ScheduleKeyDeletionOutput, error) {
	window := int32(30)
	if in.PendingWindowInDays != nil {
		window = *in.PendingWindowInDays
	}
	r, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, now time.Time) error {
		if err := s.customer(r, "ScheduleKeyDeletion"); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		r.State, r.PendingDays, r.DeletionDate = kp.StatePending, window, now.Add(days(window))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.ScheduleKeyDeletionOutput{KeyId: kp.String(s.KeyARN(r.Region, r.ID)), KeyState: r.State,
		DeletionDate: kp.NewTimestamp(r.DeletionDate), PendingWindowInDays: kp.Int32(window)}, nil
}

// CancelKeyDeletion takes a key out of PendingDeletion; it is Disabled
// afterwards, as KMS leaves it ("the KMS key is disabled. To enable it,
// use EnableKey", the module's documentation).
func (s *Service) CancelKeyDeletion(region string, in *kp.KeyIdInput) (*kp.KeyIdOutput, error) {
	r, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if r.State != kp.StatePending {
			// Eddy's words: no recording of AWS's was found.
			return eddy.Errorf(eddy.CodeKMSInvalidState, "%s is not pending deletion.", s.KeyARN(r.Region, r.ID))
		}
		r.State, r.PendingDays, r.DeletionDate = kp.StateDisabled, 0, time.Time{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.KeyIdOutput{KeyId: kp.String(s.KeyARN(r.Region, r.ID))}, nil
}

// UpdateKeyDescription sets a key's description.
func (s *Service) UpdateKeyDescription(region string, in *kp.UpdateKeyDescriptionInput) (*kp.Empty, error) {
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, "UpdateKeyDescription"); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		r.Description = *in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// usableForRotation is the state rule of rotation changes: a
// disabled key answers DisabledException to rotation changes (recorded in
// hashicorp/terraform pull 14029 for EnableKeyRotation), a key pending
// deletion KMSInvalidStateException.
func (s *Service) usableForRotation(r *keyRecord) error { return s.usable(r) }

// EnableKeyRotation turns on automatic rotation every RotationPeriodInDays
// (default 365, 90-2560); the first rotation is one period from now.
func (s *Service) EnableKeyRotation(region string, in *kp.EnableKeyRotationInput) (*kp.Empty, error) {
	period := int32(365)
	if in.RotationPeriodInDays != nil {
		period = *in.RotationPeriodInDays
	}
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, now time.Time) error {
		if err := s.customer(r, "EnableKeyRotation"); err != nil {
			return err
		}
		if err := s.usableForRotation(r); err != nil {
			return err
		}
		r.Rotation, r.RotationDays, r.NextRotation = true, period, now.Add(days(period))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// DisableKeyRotation turns automatic rotation off.
func (s *Service) DisableKeyRotation(region string, in *kp.KeyIdInput) (*kp.Empty, error) {
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, "DisableKeyRotation"); err != nil {
			return err
		}
		if err := s.usableForRotation(r); err != nil {
			return err
		}
		r.Rotation, r.RotationDays, r.NextRotation = false, 0, time.Time{}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// GetKeyRotationStatus reports a key's automatic rotation.
func (s *Service) GetKeyRotationStatus(region string, in *kp.KeyIdInput) (*kp.GetKeyRotationStatusOutput, error) {
	var out *kp.GetKeyRotationStatusOutput
	err := s.read(func(tx storage.MetaTx, w bool) error {
		r, err := s.resolve(tx, s.region(region), *in.KeyId, false, w)
		if err != nil {
			return err
		}
		out = &kp.GetKeyRotationStatusOutput{KeyId: kp.String(s.KeyARN(r.Region, r.ID)), KeyRotationEnabled: r.Rotation}
		if r.Rotation {
			out.RotationPeriodInDays = kp.Int32(r.RotationDays)
			out.NextRotationDate = kp.NewTimestamp(r.NextRotation)
		}
		if !r.OnDemandAt.IsZero() {
			out.OnDemandRotationStartDate = kp.NewTimestamp(r.OnDemandAt)
		}
		return nil
	})
	return out, err
}

// RotateKeyOnDemand adds a new material to the key now; the older ones
// stay, so that what they sealed still decrypts. KMS's quota of 25
// on-demand rotations per key is not enforced.
func (s *Service) RotateKeyOnDemand(region string, in *kp.KeyIdInput) (*kp.KeyIdOutput, error) {
	r, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, now time.Time) error {
		if err := s.customer(r, "RotateKeyOnDemand"); err != nil {
			return err
		}
		if err := s.usable(r); err != nil {
			return err
		}
		r.OnDemandAt = now
		return s.addMaterial(r, now)
	})
	if err != nil {
		return nil, err
	}
	return &kp.KeyIdOutput{KeyId: kp.String(s.KeyARN(r.Region, r.ID))}, nil
}

// TagResource adds or replaces tags of a customer managed key.
func (s *Service) TagResource(region string, in *kp.TagResourceInput) (*kp.Empty, error) {
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, "TagResource"); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		tags := mergeTags(r.Tags, in.Tags)
		if err := checkTags(tags); err != nil {
			return err
		}
		r.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// UntagResource removes tags by key; absent keys are ignored.
func (s *Service) UntagResource(region string, in *kp.UntagResourceInput) (*kp.Empty, error) {
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, "UntagResource"); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		kept := r.Tags[:0]
		for _, t := range r.Tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// ListResourceTags lists a key's tags in key order; Limit defaults to 50
// and is at most 50 (as for ListAliases: the documentation's maximum, the
// model allows 1000, a larger value gets a page of 50); the marker is the
// last tag key of the previous page.
func (s *Service) ListResourceTags(region string, in *kp.ListResourceTagsInput) (*kp.ListResourceTagsOutput, error) {
	var r *keyRecord
	err := s.read(func(tx storage.MetaTx, w bool) error {
		var err error
		r, err = s.resolve(tx, s.region(region), *in.KeyId, false, w)
		return err
	})
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = min(int(*in.Limit), 50)
	}
	out := &kp.ListResourceTagsOutput{Tags: []kp.Tag{}}
	for _, t := range r.Tags {
		if in.Marker != nil && t.Key <= *in.Marker {
			continue
		}
		if len(out.Tags) == limit {
			out.Truncated = true
			out.NextMarker = out.Tags[limit-1].TagKey
			break
		}
		out.Tags = append(out.Tags, kp.Tag{TagKey: kp.String(t.Key), TagValue: kp.String(t.Value)})
	}
	return out, nil
}

// policyName checks PolicyName: "default" is the only one (the module's
// documentation: "The only valid name is default"). NotFoundException
// for another, in Eddy's words.
func policyName(p *string) error {
	if p != nil && *p != kp.DefaultPolicy {
		return eddy.Errorf(eddy.CodeKMSNotFound, "No such policy exists: %s", *p)
	}
	return nil
}

// GetKeyPolicy returns the key's policy (the default one unless CreateKey
// or PutKeyPolicy set another). Eddy stores policies but enforces none.
func (s *Service) GetKeyPolicy(region string, in *kp.GetKeyPolicyInput) (*kp.GetKeyPolicyOutput, error) {
	if err := policyName(in.PolicyName); err != nil {
		return nil, err
	}
	var r *keyRecord
	err := s.read(func(tx storage.MetaTx, w bool) error {
		var err error
		r, err = s.resolve(tx, s.region(region), *in.KeyId, false, w)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kp.GetKeyPolicyOutput{Policy: kp.String(r.Policy), PolicyName: kp.String(kp.DefaultPolicy)}, nil
}

// PutKeyPolicy replaces a customer managed key's policy.
func (s *Service) PutKeyPolicy(region string, in *kp.PutKeyPolicyInput) (*kp.Empty, error) {
	if err := policyName(in.PolicyName); err != nil {
		return nil, err
	}
	if err := checkPolicy(*in.Policy); err != nil {
		return nil, err
	}
	_, err := s.update(region, *in.KeyId, false, func(_ storage.MetaTx, r *keyRecord, _ time.Time) error {
		if err := s.customer(r, "PutKeyPolicy"); err != nil {
			return err
		}
		if r.State == kp.StatePending {
			return s.pendingDeletion(r)
		}
		r.Policy = *in.Policy
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}
