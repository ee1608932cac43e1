package firehose

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// tableStreams holds one record per delivery stream, keyed
// "<region>/<name>".
const tableStreams = "firehose/delivery-streams"

// Delivery stream states (the model's DeliveryStreamStatus).
const (
	StatusCreating = "CREATING"
	StatusActive   = "ACTIVE"
	StatusDeleting = "DELETING"
)

// record is a delivery stream as stored.
type record struct {
	Region  string    `json:"region"`
	Name    string    `json:"name"`
	Type    string    `json:"type"`
	Created time.Time `json:"created"`
	// Updated is the time of the last UpdateDestination, zero before.
	Updated time.Time `json:"updated,omitzero"`
	// Version is VersionId, 1 at creation, incremented by each
	// UpdateDestination.
	Version int64 `json:"version"`
	// DeleteAt, when set, is when a DELETING stream is gone.
	DeleteAt    time.Time                            `json:"deleteAt,omitzero"`
	Source      *fp.KinesisStreamSourceConfiguration `json:"source,omitempty"`
	Destination Destination                          `json:"destination"`
	Encryption  *encryption                          `json:"encryption,omitempty"`
	Tags        []fp.Tag                             `json:"tags,omitempty"`
	LogID       string                               `json:"log"`
}

// encryption is a stream's server-side encryption setting.
type encryption struct {
	Enabled bool   `json:"enabled"`
	KeyType string `json:"keyType,omitempty"`
	KeyARN  string `json:"keyARN,omitempty"`
}

// Service is the Firehose service over one MetaStore and one Logs store.
// It is safe for concurrent use.
type Service struct {
	cfg    Config
	meta   storage.MetaStore
	logs   storage.Logs
	quotas sync.Map // log id -> *streamQuota
}

// New returns the service over meta and logs (both owned by the caller,
// closed after the service is no longer used) and removes the delivery
// streams whose DELETING period ended while it was stopped.
func New(cfg Config, meta storage.MetaStore, logs storage.Logs) (*Service, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Service{cfg: cfg.withDefaults(), meta: meta, logs: logs}
	if err := s.sweep(""); err != nil {
		return nil, fmt.Errorf("firehose: remove deleted delivery streams: %w", err)
	}
	return s, nil
}

func key(region, name string) string { return region + "/" + name }

// ARN returns the ARN of the delivery stream name in region.
func (s *Service) ARN(region, name string) string {
	return "arn:aws:firehose:" + region + ":" + s.cfg.AccountID + ":deliverystream/" + name
}

func (s *Service) region(r string) string {
	if r == "" {
		return s.cfg.Region
	}
	return r
}

// status returns r's state at now.
func (s *Service) status(r *record, now time.Time) string {
	switch {
	case !r.DeleteAt.IsZero():
		return StatusDeleting
	case now.Before(r.Created.Add(s.cfg.CreateDelay)):
		return StatusCreating
	}
	return StatusActive
}

// gone reports whether r's DELETING period is over.
func gone(r *record, now time.Time) bool { return !r.DeleteAt.IsZero() && !now.Before(r.DeleteAt) }

// notFound is Firehose's answer for a delivery stream that does not exist:
// "Firehose turbottest64101 under account 632902152528 not found." (recorded
// from the real service in turbot/steampipe-plugin-aws issue 759).
func (s *Service) notFound(name string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Firehose %s under account %s not found.", name, s.cfg.AccountID)
}

// get reads the delivery stream name of region in tx; a stream whose
// DELETING period is over is not found.
func (s *Service) get(tx storage.MetaTx, region, name string) (*record, error) {
	r, err := s.raw(tx, region, name)
	if err != nil {
		return nil, err
	}
	if r == nil || gone(r, s.cfg.Clock.Now()) {
		return nil, s.notFound(name)
	}
	return r, nil
}

// raw reads the stored record of name in region, gone or not; nil if there
// is none.
func (s *Service) raw(tx storage.MetaTx, region, name string) (*record, error) {
	b, err := tx.Get(tableStreams, key(region, name))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("firehose: decode %s: %w", key(region, name), err)
	}
	return &r, nil
}

func put(tx storage.MetaTx, r *record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return tx.Put(tableStreams, key(r.Region, r.Name), b)
}

// load reads one delivery stream.
func (s *Service) load(region, name string) (*record, error) {
	var r *record
	err := s.meta.View(func(tx storage.MetaTx) error {
		var err error
		r, err = s.get(tx, region, name)
		return err
	})
	return r, err
}

// update runs fn on the delivery stream name of region in a read-write
// transaction and stores what fn leaves in it.
func (s *Service) update(region, name string, fn func(r *record, now time.Time) error) (*record, error) {
	var out *record
	err := s.meta.Update(func(tx storage.MetaTx) error {
		r, err := s.get(tx, region, name)
		if err != nil {
			return err
		}
		if err := fn(r, s.cfg.Clock.Now()); err != nil {
			return err
		}
		out = r
		return put(tx, r)
	})
	return out, err
}

// scan calls fn for every stored delivery stream of region ("" for all),
// in key order, gone ones included.
func scan(tx storage.MetaTx, region string, fn func(r *record) error) error {
	prefix := ""
	if region != "" {
		prefix = region + "/"
	}
	return tx.Scan(tableStreams, prefix, "", func(k string, v []byte) (bool, error) {
		var r record
		if err := json.Unmarshal(v, &r); err != nil {
			return false, fmt.Errorf("firehose: decode %s: %w", k, err)
		}
		return true, fn(&r)
	})
}

// sweep removes the delivery streams of region ("" for all) whose DELETING
// period is over, with their logs.
func (s *Service) sweep(region string) error {
	var dead []*record
	now := s.cfg.Clock.Now()
	err := s.meta.Update(func(tx storage.MetaTx) error {
		dead = dead[:0]
		return scan(tx, region, func(r *record) error {
			if gone(r, now) {
				dead = append(dead, r)
				return tx.Delete(tableStreams, key(r.Region, r.Name))
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	for _, r := range dead {
		s.deleteLog(r)
	}
	return nil
}

// deleteLog removes r's record log, logging a failure (the stream's
// metadata is gone by then; a leftover log is only space).
func (s *Service) deleteLog(r *record) {
	if r.LogID == "" {
		return
	}
	s.quotas.Delete(r.LogID)
	l, err := s.logs.Open(r.LogID)
	if err == nil {
		err = l.Delete()
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.cfg.Logger.Warn("firehose: delete record log", "log", r.LogID, "err", err)
	}
}

// logID is the id of the record log of a stream created at created.
func logID(region, name string, created time.Time) string {
	return "firehose/" + region + "/" + name + ":" + strconv.FormatInt(created.UnixNano(), 36)
}

// inUse is ResourceInUseException for a stream in the wrong state. Eddy's
// words: no recording of AWS's message was found.
func inUse(name, status, op string) error {
	return eddy.Errorf(eddy.CodeResourceInUse, "Firehose %s is in %s state and cannot be used for %s.", name, status, op)
}
