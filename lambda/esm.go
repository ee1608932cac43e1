package lambda

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
	"github.com/eddy-streams/eddy/storage"
)

// Event source mappings: the CRUD of Lambda's EventSourceMapping API over
// Kinesis streams. A mapping is stored in the MetaStore table
// esmTable, keyed by UUID, as JSON: the configuration Lambda returns plus
// the region and whether it is enabled. Create answers State "Creating",
// Update "Updating" and Delete "Deleting" as Lambda does; the stored
// state is then "Enabled" or "Disabled" (the transition is immediate in
// Eddy). The poller (not built yet) reads these records.

// esmTable is the MetaStore table of event source mappings.
const esmTable = "lambda/event-source-mappings"

// ESMCheckpointTable is the MetaStore table where package lambda/esm keeps
// each mapping's per-shard progress, keyed "UUID/shardId"; deleting a
// mapping deletes its rows.
const ESMCheckpointTable = "lambda/esm-checkpoints"

// esmRecord is a mapping as stored.
type esmRecord struct {
	Region string                             `json:"region"`
	Config lp.EventSourceMappingConfiguration `json:"config"`
}

func (s *Service) loadESM(tx storage.MetaTx, uuid string) (*esmRecord, error) {
	b, err := tx.Get(esmTable, uuid)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, lp.ESMNotFound()
	}
	if err != nil {
		return nil, err
	}
	var r esmRecord
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode event source mapping %s: %w", uuid, err)
	}
	return &r, nil
}

func storeESM(tx storage.MetaTx, r *esmRecord) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(esmTable, r.Config.UUID, b)
}

func (s *Service) now() float64 {
	return float64(s.cfg.Clock.Now().UnixMilli()) / 1000
}

// applyParams sets the members of p that are present on c.
func applyParams(c *lp.EventSourceMappingConfiguration, p *lp.ESMParams) {
	if p.BatchSize != nil {
		c.BatchSize = *p.BatchSize
	}
	if p.MaximumBatchingWindowInSeconds != nil {
		c.MaximumBatchingWindowInSeconds = *p.MaximumBatchingWindowInSeconds
	}
	if p.ParallelizationFactor != nil {
		c.ParallelizationFactor = *p.ParallelizationFactor
	}
	if p.DestinationConfig != nil {
		c.DestinationConfig = p.DestinationConfig
	}
	if p.MaximumRecordAgeInSeconds != nil {
		c.MaximumRecordAgeInSeconds = *p.MaximumRecordAgeInSeconds
	}
	if p.BisectBatchOnFunctionError != nil {
		c.BisectBatchOnFunctionError = *p.BisectBatchOnFunctionError
	}
	if p.MaximumRetryAttempts != nil {
		c.MaximumRetryAttempts = *p.MaximumRetryAttempts
	}
	if p.TumblingWindowInSeconds != nil {
		c.TumblingWindowInSeconds = *p.TumblingWindowInSeconds
	}
	if p.FunctionResponseTypes != nil {
		c.FunctionResponseTypes = p.FunctionResponseTypes
	}
	if p.FilterCriteria != nil {
		if len(p.FilterCriteria.Filters) == 0 {
			c.FilterCriteria = nil
		} else {
			c.FilterCriteria = p.FilterCriteria
		}
	}
}

func enabledState(enabled bool) string {
	if enabled {
		return lp.ESMStateEnabled
	}
	return lp.ESMStateDisabled
}

// CreateEventSourceMapping maps a Kinesis stream to a function (in
// validated). It answers the mapping in State "Creating".
func (s *Service) CreateEventSourceMapping(region string, in *lp.CreateEventSourceMappingInput) (*lp.EventSourceMappingConfiguration, error) {
	name, err := s.resolve(region, in.FunctionName)
	if err != nil {
		return nil, err
	}
	fnARN := s.arn(region, name)
	uuid := newRevision()
	c := lp.EventSourceMappingConfiguration{
		UUID:                           uuid,
		EventSourceMappingArn:          lp.ESMARN(region, s.cfg.AccountID, uuid),
		StartingPosition:               in.StartingPosition,
		StartingPositionTimestamp:      in.StartingPositionTimestamp,
		BatchSize:                      lp.DefaultESMBatchSize,
		ParallelizationFactor:          1,
		EventSourceArn:                 in.EventSourceArn,
		FunctionArn:                    fnARN,
		LastModified:                   s.now(),
		LastProcessingResult:           lp.LastProcessingResultNone,
		StateTransitionReason:          lp.StateTransitionUserAction,
		DestinationConfig:              &lp.DestinationConfig{OnFailure: &lp.OnFailure{}},
		MaximumRecordAgeInSeconds:      -1,
		MaximumRetryAttempts:           -1,
		FunctionResponseTypes:          []string{},
		MaximumBatchingWindowInSeconds: 0,
	}
	applyParams(&c, &in.ESMParams)
	c.State = enabledState(in.Enabled == nil || *in.Enabled)
	err = s.meta.Update(func(tx storage.MetaTx) error {
		if _, err := s.load(tx, region, name); err != nil {
			return err
		}
		if err := s.checkDestination(tx, c.DestinationConfig); err != nil {
			return err
		}
		var dup *esmRecord
		err := tx.Scan(esmTable, "", "", func(k string, v []byte) (bool, error) {
			var r esmRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("decode event source mapping %s: %w", k, err)
			}
			if r.Config.EventSourceArn == c.EventSourceArn && r.Config.FunctionArn == fnARN {
				dup = &r
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			return err
		}
		if dup != nil {
			return lp.ESMConflict(c.EventSourceArn, name, dup.Config.UUID)
		}
		return storeESM(tx, &esmRecord{Region: region, Config: c})
	})
	if err != nil {
		return nil, err
	}
	c.State = lp.ESMStateCreating
	return &c, nil
}

// GetEventSourceMapping returns the mapping uuid.
func (s *Service) GetEventSourceMapping(uuid string) (*lp.EventSourceMappingConfiguration, error) {
	var r *esmRecord
	err := s.meta.View(func(tx storage.MetaTx) error {
		var err error
		r, err = s.loadESM(tx, uuid)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &r.Config, nil
}

// UpdateEventSourceMapping changes the members of in (validated) that are
// present. It answers the mapping in State "Updating".
func (s *Service) UpdateEventSourceMapping(region, uuid string, in *lp.UpdateEventSourceMappingInput) (*lp.EventSourceMappingConfiguration, error) {
	var c lp.EventSourceMappingConfiguration
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.loadESM(tx, uuid)
		if err != nil {
			return err
		}
		if in.FunctionName != "" {
			name, err := s.resolve(r.Region, in.FunctionName)
			if err != nil {
				return err
			}
			if _, err := s.load(tx, r.Region, name); err != nil {
				return err
			}
			r.Config.FunctionArn = s.arn(r.Region, name)
		}
		if err := s.checkDestination(tx, in.DestinationConfig); err != nil {
			return err
		}
		applyParams(&r.Config, &in.ESMParams)
		if in.Enabled != nil {
			r.Config.State = enabledState(*in.Enabled)
		}
		r.Config.LastModified = s.now()
		r.Config.StateTransitionReason = lp.StateTransitionUserAction
		c = r.Config
		return storeESM(tx, r)
	})
	if err != nil {
		return nil, err
	}
	c.State = lp.ESMStateUpdating
	return &c, nil
}

// DeleteEventSourceMapping removes the mapping uuid and answers it in
// State "Deleting".
func (s *Service) DeleteEventSourceMapping(uuid string) (*lp.EventSourceMappingConfiguration, error) {
	var c lp.EventSourceMappingConfiguration
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.loadESM(tx, uuid)
		if err != nil {
			return err
		}
		c = r.Config
		var shards []string
		err = tx.Scan(ESMCheckpointTable, uuid+"/", "", func(k string, _ []byte) (bool, error) {
			shards = append(shards, k)
			return true, nil
		})
		if err != nil {
			return err
		}
		for _, k := range shards {
			if err := tx.Delete(ESMCheckpointTable, k); err != nil {
				return err
			}
		}
		return tx.Delete(esmTable, uuid)
	})
	if err != nil {
		return nil, err
	}
	c.State = lp.ESMStateDeleting
	return &c, nil
}

// ListEventSourceMappings lists the region's mappings in UUID order,
// filtered by function and event source when given, at most maxItems
// (capped at 100, as Lambda does) after marker.
func (s *Service) ListEventSourceMappings(region, function, source, marker string, maxItems int) (*lp.ListEventSourceMappingsOutput, error) {
	if maxItems > lp.ESMListPage {
		maxItems = lp.ESMListPage
	}
	fnARN := ""
	if function != "" {
		name, err := s.resolve(region, function)
		if err != nil {
			return nil, err
		}
		fnARN = s.arn(region, name)
	}
	after := ""
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil || len(b) == 0 {
			// No recorded wording for a bad marker.
			return nil, lp.InvalidParameter("Invalid marker: %s", marker)
		}
		after = string(b)
	}
	out := &lp.ListEventSourceMappingsOutput{EventSourceMappings: []*lp.EventSourceMappingConfiguration{}}
	err := s.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(esmTable, "", after, func(k string, v []byte) (bool, error) {
			var r esmRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("decode event source mapping %s: %w", k, err)
			}
			if r.Region != region || (fnARN != "" && r.Config.FunctionArn != fnARN) || (source != "" && r.Config.EventSourceArn != source) {
				return true, nil
			}
			if len(out.EventSourceMappings) == maxItems {
				last := out.EventSourceMappings[len(out.EventSourceMappings)-1].UUID
				out.NextMarker = base64.RawURLEncoding.EncodeToString([]byte(last))
				return false, nil
			}
			c := r.Config
			out.EventSourceMappings = append(out.EventSourceMappings, &c)
			return true, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Mapping is a stored mapping as the poller needs it: its configuration,
// region, and the role of its function (the event's invokeIdentityArn).
type Mapping struct {
	Region string
	Role   string
	Config lp.EventSourceMappingConfiguration
}

// EventSourceMappings returns every stored mapping, in UUID order. Role is
// "" when the mapped function no longer exists.
func (s *Service) EventSourceMappings() ([]Mapping, error) {
	var out []Mapping
	err := s.meta.View(func(tx storage.MetaTx) error {
		return tx.Scan(esmTable, "", "", func(k string, v []byte) (bool, error) {
			var r esmRecord
			if err := json.Unmarshal(v, &r); err != nil {
				return false, fmt.Errorf("decode event source mapping %s: %w", k, err)
			}
			m := Mapping{Region: r.Region, Config: r.Config}
			if name, _, ok := lp.ParseFunctionName(r.Config.FunctionArn); ok {
				if fr, err := s.load(tx, r.Region, name); err == nil {
					m.Role = fr.Config.Role
				}
			}
			out = append(out, m)
			return true, nil
		})
	})
	return out, err
}

// SetLastProcessingResult records the outcome of a mapping's latest
// invocation ("OK", "PROBLEM: Function call failed"); a mapping deleted
// meanwhile is left alone.
func (s *Service) SetLastProcessingResult(uuid, result string) error {
	return s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.loadESM(tx, uuid)
		if err != nil {
			return nil
		}
		if r.Config.LastProcessingResult == result {
			return nil
		}
		r.Config.LastProcessingResult = result
		return storeESM(tx, r)
	})
}
