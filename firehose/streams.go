package firehose

import (
	"errors"
	"sort"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// CreateDeliveryStream creates a delivery stream in region: CREATING for
// Config.CreateDelay, then ACTIVE. in must have passed in.Validate(). A
// DirectPut stream gets its record log now.
//
// Errors: ResourceInUseException if the name is taken (Eddy's words: no
// recording of AWS's was found), LimitExceededException beyond
// Config.MaxDeliveryStreams.
func (s *Service) CreateDeliveryStream(region string, in *fp.CreateDeliveryStreamInput) (*fp.CreateDeliveryStreamOutput, error) {
	region = s.region(region)
	name := fp.Deref(in.DeliveryStreamName)
	if err := s.sweep(region); err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	typ := in.DeliveryStreamType
	if typ == "" {
		typ = fp.TypeDirectPut
	}
	r := &record{Region: region, Name: name, Type: typ, Created: now, Version: 1,
		Source: in.KinesisStreamSourceConfiguration, Destination: destinationOf(in)}
	if k := in.DeliveryStreamEncryptionConfigurationInput; k != nil {
		r.Encryption = &encryption{Enabled: true, KeyType: k.KeyType, KeyARN: fp.Deref(k.KeyARN)}
	}
	if in.Tags != nil {
		tags, err := mergeTags(nil, in.Tags)
		if err != nil {
			return nil, err
		}
		r.Tags = tags
	}
	var log storage.ShardLog
	if typ == fp.TypeDirectPut {
		r.LogID = logID(region, name, now)
		var err error
		if log, err = s.logs.Create(r.LogID, 1); errors.Is(err, storage.ErrExists) {
			// Another CreateDeliveryStream of the same name in the same
			// nanosecond made it.
			return nil, eddy.Errorf(eddy.CodeResourceInUse, "Firehose %s under account %s already exists.", name, s.cfg.AccountID)
		} else if err != nil {
			return nil, err
		}
	}
	var replaced *record // a gone stream of the same name, overwritten
	err := s.meta.Update(func(tx storage.MetaTx) error {
		replaced = nil
		if old, err := s.raw(tx, region, name); err != nil {
			return err
		} else if old != nil && !gone(old, s.cfg.Clock.Now()) {
			return eddy.Errorf(eddy.CodeResourceInUse, "Firehose %s under account %s already exists.", name, s.cfg.AccountID)
		} else {
			replaced = old
		}
		n, now := 0, s.cfg.Clock.Now()
		if err := scan(tx, region, func(o *record) error {
			if !gone(o, now) {
				n++
			}
			return nil
		}); err != nil {
			return err
		}
		if n >= s.cfg.MaxDeliveryStreams {
			// Eddy's words.
			return eddy.Errorf(eddy.CodeLimitExceeded, "You have already reached the limit of %d delivery streams in %s.", s.cfg.MaxDeliveryStreams, region)
		}
		return put(tx, r)
	})
	if err != nil {
		if log != nil {
			log.Delete()
		}
		return nil, err
	}
	if replaced != nil {
		s.deleteLog(replaced)
	}
	s.changed()
	return &fp.CreateDeliveryStreamOutput{DeliveryStreamARN: fp.String(s.ARN(region, name))}, nil
}

// DeleteDeliveryStream deletes a delivery stream: DELETING for
// Config.DeleteDelay, then gone with its records. A stream still CREATING
// cannot be deleted ("You can't delete a delivery stream that is in the
// CREATING state", DeleteDeliveryStream's documentation):
// ResourceInUseException. AllowForceDelete has nothing to force in Eddy
// (there are no KMS grants to retire) and is accepted.
func (s *Service) DeleteDeliveryStream(region string, in *fp.DeleteDeliveryStreamInput) (*fp.DeleteDeliveryStreamOutput, error) {
	region = s.region(region)
	name := fp.Deref(in.DeliveryStreamName)
	r, err := s.update(region, name, func(r *record, now time.Time) error {
		if st := s.status(r, now); st == StatusCreating {
			return inUse(name, st, "DeleteDeliveryStream")
		}
		if r.DeleteAt.IsZero() {
			r.DeleteAt = now.Add(s.cfg.DeleteDelay)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if gone(r, s.cfg.Clock.Now()) {
		if err := s.sweep(region); err != nil {
			return nil, err
		}
	}
	s.changed()
	return &fp.DeleteDeliveryStreamOutput{}, nil
}

// DescribeDeliveryStream describes a delivery stream. A stream has one
// destination: Limit (at least 1) always fits it, and
// ExclusiveStartDestinationId naming it leaves none.
func (s *Service) DescribeDeliveryStream(region string, in *fp.DescribeDeliveryStreamInput) (*fp.DescribeDeliveryStreamOutput, error) {
	region = s.region(region)
	r, err := s.load(region, fp.Deref(in.DeliveryStreamName))
	if err != nil {
		return nil, err
	}
	d, err := s.describe(r, s.cfg.Clock.Now())
	if err != nil {
		return nil, err
	}
	if in.ExclusiveStartDestinationId != nil && *in.ExclusiveStartDestinationId >= r.Destination.ID {
		d.Destinations = []fp.DestinationDescription{}
	}
	return &fp.DescribeDeliveryStreamOutput{DeliveryStreamDescription: d}, nil
}

func (s *Service) describe(r *record, now time.Time) (*fp.DeliveryStreamDescription, error) {
	dest, err := r.Destination.description()
	if err != nil {
		return nil, err
	}
	d := &fp.DeliveryStreamDescription{
		DeliveryStreamName:                    fp.String(r.Name),
		DeliveryStreamARN:                     fp.String(s.ARN(r.Region, r.Name)),
		DeliveryStreamStatus:                  s.status(r, now),
		DeliveryStreamType:                    r.Type,
		VersionId:                             fp.String(strconv.FormatInt(r.Version, 10)),
		CreateTimestamp:                       fp.NewTimestamp(r.Created),
		Destinations:                          []fp.DestinationDescription{dest},
		HasMoreDestinations:                   fp.Bool(false),
		DeliveryStreamEncryptionConfiguration: &fp.DeliveryStreamEncryptionConfiguration{Status: "DISABLED"},
	}
	if !r.Updated.IsZero() {
		d.LastUpdateTimestamp = fp.NewTimestamp(r.Updated)
	}
	if e := r.Encryption; e != nil && e.Enabled {
		d.DeliveryStreamEncryptionConfiguration = &fp.DeliveryStreamEncryptionConfiguration{Status: "ENABLED", KeyType: e.KeyType}
		if e.KeyARN != "" {
			d.DeliveryStreamEncryptionConfiguration.KeyARN = fp.String(e.KeyARN)
		}
	}
	if src := r.Source; src != nil {
		d.Source = &fp.SourceDescription{KinesisStreamSourceDescription: &fp.KinesisStreamSourceDescription{
			KinesisStreamARN: src.KinesisStreamARN, RoleARN: src.RoleARN,
			DeliveryStartTimestamp: fp.NewTimestamp(r.Created.Add(s.cfg.CreateDelay)),
		}}
	}
	return d, nil
}

// ListDeliveryStreams lists the delivery streams of region in order of
// their names: at most Limit (default 10, ListDeliveryStreamsInput's
// documentation), after ExclusiveStartDeliveryStreamName, of
// DeliveryStreamType if given.
func (s *Service) ListDeliveryStreams(region string, in *fp.ListDeliveryStreamsInput) (*fp.ListDeliveryStreamsOutput, error) {
	region = s.region(region)
	if err := s.sweep(region); err != nil {
		return nil, err
	}
	limit := 10
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var names []string
	err := s.meta.View(func(tx storage.MetaTx) error {
		return scan(tx, region, func(r *record) error {
			if in.DeliveryStreamType == "" || in.DeliveryStreamType == r.Type {
				names = append(names, r.Name)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	if start := fp.Deref(in.ExclusiveStartDeliveryStreamName); start != "" {
		i := sort.Search(len(names), func(i int) bool { return names[i] > start })
		names = names[i:]
	}
	more := len(names) > limit
	if more {
		names = names[:limit]
	}
	if names == nil {
		names = []string{}
	}
	return &fp.ListDeliveryStreamsOutput{DeliveryStreamNames: names, HasMoreDeliveryStreams: fp.Bool(more)}, nil
}

// UpdateDestination changes a delivery stream's destination (see
// applyUpdate) if CurrentDeliveryStreamVersionId is the stream's VersionId,
// and increments VersionId. A stale version id is
// ConcurrentModificationException; another destination id or a stream not
// ACTIVE is InvalidArgumentException or ResourceInUseException (Eddy's
// words for all three: no recording of AWS's was found).
func (s *Service) UpdateDestination(region string, in *fp.UpdateDestinationInput) (*fp.UpdateDestinationOutput, error) {
	region = s.region(region)
	name := fp.Deref(in.DeliveryStreamName)
	_, err := s.update(region, name, func(r *record, now time.Time) error {
		if st := s.status(r, now); st != StatusActive {
			return inUse(name, st, "UpdateDestination")
		}
		if v := fp.Deref(in.CurrentDeliveryStreamVersionId); v != strconv.FormatInt(r.Version, 10) {
			return eddy.Errorf(eddy.CodeConcurrentModification,
				"Firehose %s has VersionId %d, not %s: fetch the VersionId again with DescribeDeliveryStream.", name, r.Version, v)
		}
		if id := fp.Deref(in.DestinationId); id != r.Destination.ID {
			return eddy.Errorf(eddy.CodeInvalidArgument, "Destination %s not found in Firehose %s.", id, name)
		}
		if old := r.Destination.ExtendedS3; old != nil && old.S3BackupMode == "Enabled" {
			if u := in.ExtendedS3DestinationUpdate; u != nil && u.S3BackupMode == "Disabled" {
				// "If backup is enabled, you can't update the delivery
				// stream to disable it." (ExtendedS3DestinationUpdate).
				return eddy.Errorf(eddy.CodeInvalidArgument, "S3BackupMode cannot be changed from Enabled to Disabled.")
			}
		}
		d, err := applyUpdate(r.Destination, in)
		if err != nil {
			return err
		}
		r.Destination = d
		r.Version++
		r.Updated = now
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.changed()
	return &fp.UpdateDestinationOutput{}, nil
}
