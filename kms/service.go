package kms

import (
	"crypto/cipher"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
)

// Tables of the service's state in the MetaStore.
const (
	tableKeys    = "kms/keys"    // "<region>/<key id>" -> keyRecord
	tableAliases = "kms/aliases" // "<region>/<alias name>" -> aliasRecord
)

// keyRecord is a key as stored.
type keyRecord struct {
	Region      string    `json:"region"`
	ID          string    `json:"id"`
	Created     time.Time `json:"created"`
	Description string    `json:"description,omitempty"`
	State       string    `json:"state"`
	// DeletionDate and PendingDays are set while State is
	// PendingDeletion.
	DeletionDate time.Time `json:"deletionDate,omitzero"`
	PendingDays  int32     `json:"pendingDays,omitempty"`
	Manager      string    `json:"manager"`
	Policy       string    `json:"policy,omitempty"`
	Tags         []tag     `json:"tags,omitempty"`
	// Rotation is automatic rotation: every RotationDays from
	// NextRotation on.
	Rotation     bool      `json:"rotation,omitempty"`
	RotationDays int32     `json:"rotationDays,omitempty"`
	NextRotation time.Time `json:"nextRotation,omitzero"`
	// OnDemandAt is the time of the last RotateKeyOnDemand.
	OnDemandAt time.Time `json:"onDemandAt,omitzero"`
	// Materials are the key's materials, oldest first; material version
	// n (in ciphertexts) is Materials[n-1]. The last is current.
	Materials []material `json:"materials"`
}

type tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// material is one key material, sealed under the root key with the
// additional data "<key id>/<version>".
type material struct {
	ID      string    `json:"id"` // KeyMaterialId: 64 hex digits
	Sealed  []byte    `json:"sealed"`
	Created time.Time `json:"created"`
}

// aliasRecord is an alias as stored.
type aliasRecord struct {
	Name    string    `json:"name"`
	Target  string    `json:"target"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Service is the key service over one MetaStore. It is safe for
// concurrent use.
type Service struct {
	cfg  Config
	meta storage.MetaStore
	root cipher.AEAD
}

// New returns the service over meta (owned by the caller). It checks the
// root key against the stored check value (ErrWrongRootKey), writing one
// if the store has none, and deletes the keys whose deletion date passed
// while it was stopped.
func New(cfg Config, meta storage.MetaStore) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	root, err := openRoot(meta, cfg.Root, cfg.Rand)
	if err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg, meta: meta, root: root}
	if err := s.sweep(""); err != nil {
		return nil, fmt.Errorf("kms: delete keys past their deletion date: %w", err)
	}
	return s, nil
}

func (s *Service) region(r string) string {
	if r == "" {
		return s.cfg.Region
	}
	return r
}

// KeyARN returns the ARN of key id in region.
func (s *Service) KeyARN(region, id string) string {
	return "arn:aws:kms:" + s.region(region) + ":" + s.cfg.AccountID + ":key/" + id
}

func (s *Service) aliasARN(region, name string) string {
	return "arn:aws:kms:" + s.region(region) + ":" + s.cfg.AccountID + ":" + name
}

func rowKey(region, id string) string { return region + "/" + id }

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func parseUUID(id string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(id, "-", ""))
	return b
}

func formatUUID(b []byte) string {
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newUUID returns a random (version 4) UUID.
func (s *Service) newUUID() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Rand, b); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b), nil
}

// Errors in KMS's words. Where the comment cites a recording, the words are
// AWS's; otherwise they are Eddy's.

// notFoundKey: "Key 'arn:aws:kms:us-east-1:...:key/e11f...' does not exist"
// (boto/botocore issue 2107, Soluto/kamus issue 508).
func (s *Service) notFoundKey(region, id string) error {
	return eddy.Errorf(eddy.CodeKMSNotFound, "Key '%s' does not exist", s.KeyARN(region, id))
}

// notFoundAlias: "Alias arn:aws:kms:us-west-2:...:alias/parameter_store_key
// is not found." (cloudposse/docs issue 152, sigstore/cosign issue 1474).
func (s *Service) notFoundAlias(region, name string) error {
	return eddy.Errorf(eddy.CodeKMSNotFound, "Alias %s is not found.", s.aliasARN(region, name))
}

// invalidKeyID: "Invalid keyId testkmskey" (crossplane-contrib/provider-aws
// issue 1056), for a KeyId that is no key id, ARN or alias.
func invalidKeyID(id string) error {
	return eddy.Errorf(eddy.CodeKMSNotFound, "Invalid keyId %s", id)
}

// disabled: "arn:aws:kms:us-east-1:123456789012:key/... is disabled."
// (fugue/credstash issue 86, hashicorp/terraform pull 14029).
func (s *Service) disabled(r *keyRecord) error {
	return eddy.Errorf(eddy.CodeKMSDisabled, "%s is disabled.", s.KeyARN(r.Region, r.ID))
}

// pendingDeletion: "arn:aws:kms:...:key/... is pending deletion."
// (hashicorp/terraform-provider-aws issue 17889).
func (s *Service) pendingDeletion(r *keyRecord) error {
	return eddy.Errorf(eddy.CodeKMSInvalidState, "%s is pending deletion.", s.KeyARN(r.Region, r.ID))
}

// awsManaged refuses to change an AWS managed key. AWS answers such calls
// (an AWS managed key's policy allows only its service's use); the
// exception and words are Eddy's, no recording was found.
func (s *Service) awsManaged(r *keyRecord, op string) error {
	return eddy.Errorf(eddy.CodeUnsupportedOperation, "%s is an AWS managed key; %s cannot be performed on it.", s.KeyARN(r.Region, r.ID), op)
}

// usable returns the error of using r for a cryptographic operation in
// its state: DisabledException or KMSInvalidStateException.
func (s *Service) usable(r *keyRecord) error {
	switch r.State {
	case kp.StateDisabled:
		return s.disabled(r)
	case kp.StatePending:
		return s.pendingDeletion(r)
	}
	return nil
}

// gone reports whether r's deletion date has passed.
func gone(r *keyRecord, now time.Time) bool {
	return r.State == kp.StatePending && !now.Before(r.DeletionDate)
}

func getKey(tx storage.MetaTx, region, id string) (*keyRecord, error) {
	b, err := tx.Get(tableKeys, rowKey(region, id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r keyRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("kms: decode key %s: %w", rowKey(region, id), err)
	}
	return &r, nil
}

func putKey(tx storage.MetaTx, r *keyRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(tableKeys, rowKey(r.Region, r.ID), b)
}

func getAlias(tx storage.MetaTx, region, name string) (*aliasRecord, error) {
	b, err := tx.Get(tableAliases, rowKey(region, name))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var a aliasRecord
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("kms: decode alias %s: %w", rowKey(region, name), err)
	}
	return &a, nil
}

func putAlias(tx storage.MetaTx, region string, a *aliasRecord) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return tx.Put(tableAliases, rowKey(region, a.Name), b)
}

// sweep deletes the keys of region ("" for all) whose deletion date has
// passed, and the aliases that pointed at them (AWS deletes a key's
// aliases with it).
func (s *Service) sweep(region string) error {
	now := s.cfg.Clock.Now()
	prefix := ""
	if region != "" {
		prefix = region + "/"
	}
	return s.meta.Update(func(tx storage.MetaTx) error {
		var dead []*keyRecord
		err := tx.Scan(tableKeys, prefix, "", func(k string, v []byte) (bool, error) {
			var r keyRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("kms: decode key %s: %w", k, err)
			}
			if gone(&r, now) {
				dead = append(dead, &r)
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, r := range dead {
			if err := tx.Delete(tableKeys, rowKey(r.Region, r.ID)); err != nil {
				return err
			}
			if err := deleteAliasesOf(tx, r.Region, r.ID); err != nil {
				return err
			}
			s.cfg.Logger.Info("kms: key deleted at the end of its waiting period", "region", r.Region, "key", r.ID)
		}
		return nil
	})
}

func deleteAliasesOf(tx storage.MetaTx, region, id string) error {
	var names []string
	err := tx.Scan(tableAliases, region+"/", "", func(k string, v []byte) (bool, error) {
		var a aliasRecord
		if err := json.Unmarshal(v, &a); err != nil {
			return false, err
		}
		if a.Target == id {
			names = append(names, k)
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, k := range names {
		if err := tx.Delete(tableAliases, k); err != nil {
			return err
		}
	}
	return nil
}
