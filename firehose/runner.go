package firehose

import (
	"time"

	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// DeliveryStream is what the delivery runner needs of one delivery stream.
// Its configurations are copies: changing them changes nothing stored.
type DeliveryStream struct {
	Region string
	Name   string
	ARN    string
	// Type is DirectPut or KinesisStreamAsSource.
	Type string
	// Status is CREATING, ACTIVE or DELETING.
	Status string
	// Version is VersionId; it changes with every UpdateDestination.
	Version int64
	Created time.Time
	// Source is the Kinesis stream of a KinesisStreamAsSource stream, nil
	// for DirectPut.
	Source *fp.KinesisStreamSourceConfiguration
	// Destination is the one destination, whole.
	Destination Destination
	// Encrypted reports that server-side encryption is on (recorded only:
	// Eddy does not encrypt stored records).
	Encrypted bool
	// LogID is the id of the record log of a DirectPut stream, "" for a
	// KinesisStreamAsSource one.
	LogID string
}

// DeliveryStreams returns every delivery stream of region ("" for every
// region), in order of region and name, DELETING ones included until they
// are gone. Each call reads the MetaStore afresh: the runner polls it to
// see streams come, change (Version) and go.
func (s *Service) DeliveryStreams(region string) ([]DeliveryStream, error) {
	var out []DeliveryStream
	now := s.cfg.Clock.Now()
	err := s.meta.View(func(tx storage.MetaTx) error {
		return scan(tx, region, func(r *record) error {
			if gone(r, now) {
				return nil
			}
			out = append(out, DeliveryStream{Region: r.Region, Name: r.Name, ARN: s.ARN(r.Region, r.Name), Type: r.Type,
				Status: s.status(r, now), Version: r.Version, Created: r.Created, Source: r.Source,
				Destination: r.Destination, Encrypted: r.encrypted(), LogID: r.LogID})
			return nil
		})
	})
	return out, err
}

// OpenLog returns the record log of a DirectPut delivery stream: records
// from position 1 in the order they were acknowledged, each one's Arrival
// the time PutRecord or PutRecordBatch accepted it, its RecordId
// RecordID(ds.Created, position). It returns storage.ErrNotFound for a
// KinesisStreamAsSource stream (which has no log) and for a stream already
// gone; reads of a log deleted meanwhile return storage.ErrDeleted.
func (s *Service) OpenLog(ds DeliveryStream) (storage.ShardLog, error) {
	if ds.LogID == "" {
		return nil, storage.ErrNotFound
	}
	return s.logs.Open(ds.LogID)
}
