package kms

import (
	"encoding/json"
	"strings"

	"github.com/eddy-streams/eddy"
	kp "github.com/eddy-streams/eddy/protocol/kms"
	"github.com/eddy-streams/eddy/storage"
)

// Aliases: names in "alias/" for keys of the same region, unique in the
// region, each pointing at one customer managed key (a key may have many).
// Names in "alias/aws/" are AWS managed keys' (protocol/kms refuses them).

// alreadyExists: "An alias with the name
// arn:aws:kms:us-east-1:324005994172:alias/eks/cbci-bp01-ci-v2-eks already
// exists" (cloudbees-oss/terraform-aws-cloudbees-ci-eks-addon issue 66,
// crossplane-contrib/provider-aws issue 1741).
func (s *Service) alreadyExists(region, name string) error {
	return eddy.Errorf(eddy.CodeAlreadyExists, "An alias with the name %s already exists", s.aliasARN(region, name))
}

// target resolves an alias's target key (a key id or key ARN) and checks
// that it can take one: customer managed, not pending deletion.
func (s *Service) target(tx storage.MetaTx, region, keyID, op string) (*keyRecord, error) {
	r, err := s.resolve(tx, region, keyID, false, true)
	if err != nil {
		return nil, err
	}
	if err := s.customer(r, op); err != nil {
		return nil, err
	}
	if r.State == kp.StatePending {
		return nil, s.pendingDeletion(r)
	}
	return r, nil
}

// liveAlias returns the alias name of region if it exists and its key is
// not deleted, nil otherwise.
func (s *Service) liveAlias(tx storage.MetaTx, region, name string) (*aliasRecord, error) {
	a, err := getAlias(tx, region, name)
	if err != nil || a == nil {
		return nil, err
	}
	r, err := getKey(tx, region, a.Target)
	if err != nil {
		return nil, err
	}
	if r == nil || gone(r, s.cfg.Clock.Now()) {
		return nil, nil
	}
	return a, nil
}

// CreateAlias creates an alias for a customer managed key.
func (s *Service) CreateAlias(region string, in *kp.CreateAliasInput) (*kp.Empty, error) {
	region = s.region(region)
	err := s.meta.Update(func(tx storage.MetaTx) error {
		a, err := s.liveAlias(tx, region, *in.AliasName)
		if err != nil {
			return err
		}
		if a != nil {
			return s.alreadyExists(region, *in.AliasName)
		}
		r, err := s.target(tx, region, *in.TargetKeyId, "CreateAlias")
		if err != nil {
			return err
		}
		now := s.cfg.Clock.Now()
		return putAlias(tx, region, &aliasRecord{Name: *in.AliasName, Target: r.ID, Created: now, Updated: now})
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// UpdateAlias points an existing alias at another customer managed key.
func (s *Service) UpdateAlias(region string, in *kp.UpdateAliasInput) (*kp.Empty, error) {
	region = s.region(region)
	err := s.meta.Update(func(tx storage.MetaTx) error {
		a, err := s.liveAlias(tx, region, *in.AliasName)
		if err != nil {
			return err
		}
		if a == nil {
			return s.notFoundAlias(region, *in.AliasName)
		}
		r, err := s.target(tx, region, *in.TargetKeyId, "UpdateAlias")
		if err != nil {
			return err
		}
		a.Target, a.Updated = r.ID, s.cfg.Clock.Now()
		return putAlias(tx, region, a)
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// DeleteAlias deletes an alias; its key is not affected.
func (s *Service) DeleteAlias(region string, in *kp.DeleteAliasInput) (*kp.Empty, error) {
	region = s.region(region)
	err := s.meta.Update(func(tx storage.MetaTx) error {
		a, err := s.liveAlias(tx, region, *in.AliasName)
		if err != nil {
			return err
		}
		if a == nil {
			return s.notFoundAlias(region, *in.AliasName)
		}
		return tx.Delete(tableAliases, rowKey(region, a.Name))
	})
	if err != nil {
		return nil, err
	}
	return &kp.Empty{}, nil
}

// ListAliases lists the region's aliases in name order, or those of one key
// (KeyId: a key id or key ARN). Limit defaults to 50 and is at most 100
// ("it must be between 1 and 100", the module's documentation; the model
// allows 1000 and AWS's answer to 101-1000 was not recorded: Eddy answers
// a page of 100); the marker is the last alias name of the previous page.
func (s *Service) ListAliases(region string, in *kp.ListAliasesInput) (*kp.ListAliasesOutput, error) {
	region = s.region(region)
	if err := s.sweep(region); err != nil {
		return nil, err
	}
	if err := s.ensureKinesisKey(region); err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = min(int(*in.Limit), 100)
	}
	after := ""
	if in.Marker != nil {
		if !strings.HasPrefix(*in.Marker, kp.AliasPrefix) {
			return nil, invalidMarker()
		}
		after = rowKey(region, *in.Marker)
	}
	out := &kp.ListAliasesOutput{Aliases: []kp.AliasListEntry{}}
	err := s.read(func(tx storage.MetaTx, w bool) error {
		out.Aliases, out.Truncated, out.NextMarker = out.Aliases[:0], false, nil
		filter := ""
		if in.KeyId != nil {
			r, err := s.resolve(tx, region, *in.KeyId, false, w)
			if err != nil {
				return err
			}
			filter = r.ID
		}
		return tx.Scan(tableAliases, region+"/", after, func(k string, v []byte) (bool, error) {
			var a aliasRecord
			if err := json.Unmarshal(v, &a); err != nil {
				return false, err
			}
			if filter != "" && a.Target != filter {
				return true, nil
			}
			if len(out.Aliases) == limit {
				out.Truncated = true
				out.NextMarker = out.Aliases[limit-1].AliasName
				return false, nil
			}
			out.Aliases = append(out.Aliases, kp.AliasListEntry{
				AliasName: kp.String(a.Name), AliasArn: kp.String(s.aliasARN(region, a.Name)),
				TargetKeyId: kp.String(a.Target), CreationDate: kp.NewTimestamp(a.Created),
				LastUpdatedDate: kp.NewTimestamp(a.Updated),
			})
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
