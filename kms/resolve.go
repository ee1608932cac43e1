package kms

import (
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
)

// KinesisAlias is the alias of the AWS managed key of Kinesis. It exists in
// every region from its first use or listing on, as AWS creates an AWS
// managed key the first time a service or a caller uses it.
const KinesisAlias = "alias/aws/kinesis"

// kinesisDescription follows AWS's descriptions of its managed keys ("Default
// master key that protects my S3 objects when no other key is defined"); no
// recording of aws/kinesis's own was found.
const kinesisDescription = "Default master key that protects my Kinesis data when no other key is defined"

// errNeedWrite is returned by resolve in a read-only transaction when the
// key must be created (the AWS managed key) or rotated first; read retries
// in a read-write one.
var errNeedWrite = errors.New("kms: needs a read-write transaction")

// read runs fn in a read-only transaction, and again in a read-write one
// if fn returns errNeedWrite.
func (s *Service) read(fn func(tx storage.MetaTx, writable bool) error) error {
	err := s.meta.View(func(tx storage.MetaTx) error { return fn(tx, false) })
	if errors.Is(err, errNeedWrite) {
		err = s.meta.Update(func(tx storage.MetaTx) error { return fn(tx, true) })
	}
	return err
}

// ref is a parsed KeyId.
type ref struct {
	alias string // alias name, or "" for a key id
	id    string // key id, or ""
}

// parseKeyID reads a KeyId: a key id, a key ARN, an alias name or an alias
// ARN. A key or alias ARN of another region or account names nothing here.
func (s *Service) parseKeyID(region, keyID string) (ref, error) {
	switch {
	case strings.HasPrefix(keyID, "arn:"):
		parts := strings.SplitN(keyID, ":", 6)
		if len(parts) != 6 || parts[2] != "kms" {
			return ref{}, invalidKeyID(keyID)
		}
		res := parts[5]
		other := parts[3] != region || parts[4] != s.cfg.AccountID
		switch {
		case strings.HasPrefix(res, "key/") && uuidPattern.MatchString(res[4:]):
			if other {
				return ref{}, notFoundARN(keyID)
			}
			return ref{id: res[4:]}, nil
		case strings.HasPrefix(res, kp.AliasPrefix) && len(res) > len(kp.AliasPrefix):
			if other {
				return ref{}, notFoundAliasARN(keyID)
			}
			return ref{alias: res}, nil
		}
		return ref{}, invalidKeyID(keyID)
	case strings.HasPrefix(keyID, kp.AliasPrefix) && len(keyID) > len(kp.AliasPrefix):
		return ref{alias: keyID}, nil
	case uuidPattern.MatchString(keyID):
		return ref{id: keyID}, nil
	}
	return ref{}, invalidKeyID(keyID)
}

// resolve returns the key keyID names in region. aliases says whether the
// operation takes alias names and ARNs (the key management operations take
// only a key id or key ARN). In a read-only transaction (writable false)
// it returns errNeedWrite when the AWS managed key must be created or the
// key is due for rotation.
func (s *Service) resolve(tx storage.MetaTx, region, keyID string, aliases, writable bool) (*keyRecord, error) {
	rf, err := s.parseKeyID(region, keyID)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	if rf.alias != "" {
		if !aliases {
			return nil, invalidKeyID(keyID)
		}
		a, err := getAlias(tx, region, rf.alias)
		if err != nil {
			return nil, err
		}
		if a == nil && rf.alias == KinesisAlias {
			if !writable {
				return nil, errNeedWrite
			}
			if a, err = s.createKinesisKey(tx, region, now); err != nil {
				return nil, err
			}
		}
		if a == nil {
			return nil, s.notFoundAlias(region, rf.alias)
		}
		rf.id = a.Target
	}
	r, err := getKey(tx, region, rf.id)
	if err != nil {
		return nil, err
	}
	if r == nil || gone(r, now) {
		if rf.alias != "" {
			return nil, s.notFoundAlias(region, rf.alias)
		}
		return nil, s.notFoundKey(region, rf.id)
	}
	// A disabled key is not rotated; once enabled again, it is at its
	// next use if its date has passed (the KMS developer guide, "Rotating
	// keys": "If a KMS key is disabled ... KMS does not rotate it").
	if r.Rotation && r.State == kp.StateEnabled && !now.Before(r.NextRotation) {
		if !writable {
			return nil, errNeedWrite
		}
		if err := s.addMaterial(r, now); err != nil {
			return nil, err
		}
		for !now.Before(r.NextRotation) {
			r.NextRotation = r.NextRotation.Add(days(r.RotationDays))
		}
		if err := putKey(tx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func notFoundARN(arn string) error {
	return eddy.Errorf(eddy.CodeKMSNotFound, "Key '%s' does not exist", arn)
}

func notFoundAliasARN(arn string) error {
	return eddy.Errorf(eddy.CodeKMSNotFound, "Alias %s is not found.", arn)
}

func days(n int32) time.Duration { return time.Duration(n) * 24 * time.Hour }

// createKinesisKey creates the AWS managed key of Kinesis in region and its
// alias. AWS rotates AWS managed keys every year.
func (s *Service) createKinesisKey(tx storage.MetaTx, region string, now time.Time) (*aliasRecord, error) {
	r, err := s.newKey(region, now, kp.ManagerAWS, kinesisDescription)
	if err != nil {
		return nil, err
	}
	r.Rotation, r.RotationDays, r.NextRotation = true, 365, now.Add(days(365))
	r.Policy = s.defaultPolicy()
	if err := putKey(tx, r); err != nil {
		return nil, err
	}
	a := &aliasRecord{Name: KinesisAlias, Target: r.ID, Created: now, Updated: now}
	if err := putAlias(tx, region, a); err != nil {
		return nil, err
	}
	s.cfg.Logger.Info("kms: created the AWS managed key of Kinesis", "region", region, "key", r.ID)
	return a, nil
}

// newKey returns a new enabled key with one material.
func (s *Service) newKey(region string, now time.Time, manager, description string) (*keyRecord, error) {
	id, err := s.newUUID()
	if err != nil {
		return nil, err
	}
	r := &keyRecord{Region: region, ID: id, Created: now, Description: description,
		State: kp.StateEnabled, Manager: manager}
	if err := s.addMaterial(r, now); err != nil {
		return nil, err
	}
	return r, nil
}

// addMaterial appends a new random material to r, sealed under the root
// key.
func (s *Service) addMaterial(r *keyRecord, now time.Time) error {
	key := make([]byte, 32)
	idb := make([]byte, 32)
	if _, err := io.ReadFull(s.cfg.Rand, key); err != nil {
		return err
	}
	if _, err := io.ReadFull(s.cfg.Rand, idb); err != nil {
		return err
	}
	version := len(r.Materials) + 1
	sealed, err := seal(s.root, s.cfg.Rand, key, materialAAD(r.ID, version))
	clear(key)
	if err != nil {
		return err
	}
	r.Materials = append(r.Materials, material{ID: hex.EncodeToString(idb), Sealed: sealed, Created: now})
	return nil
}

func materialAAD(id string, version int) []byte {
	return []byte("kms/material/" + id + "/" + strconv.Itoa(version))
}

// materialKey returns the clear key of r's material version (1-based).
func (s *Service) materialKey(r *keyRecord, version int) ([]byte, error) {
	if version < 1 || version > len(r.Materials) {
		return nil, invalidCiphertext()
	}
	return open(s.root, r.Materials[version-1].Sealed, materialAAD(r.ID, version))
}
