package firehose

import (
	"sort"
	"time"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
)

// maxTags is the most tags one delivery stream carries: "Each delivery
// stream can have up to 50 tags." (TagDeliveryStream's documentation).
const maxTags = 50

// mergeTags returns tags with add applied (a key already there gets the
// new value), sorted by key; more than maxTags is LimitExceededException
// (Eddy's words).
func mergeTags(tags []fp.Tag, add []fp.Tag) ([]fp.Tag, error) {
	m := map[string]*string{}
	for _, t := range tags {
		m[fp.Deref(t.Key)] = t.Value
	}
	for _, t := range add {
		m[fp.Deref(t.Key)] = t.Value
	}
	if len(m) > maxTags {
		return nil, eddy.Errorf(eddy.CodeLimitExceeded, "A delivery stream can have at most %d tags.", maxTags)
	}
	out := make([]fp.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, fp.Tag{Key: fp.String(k), Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Key < *out[j].Key })
	return out, nil
}

// TagDeliveryStream adds or updates tags.
func (s *Service) TagDeliveryStream(region string, in *fp.TagDeliveryStreamInput) (*fp.TagDeliveryStreamOutput, error) {
	_, err := s.update(s.region(region), fp.Deref(in.DeliveryStreamName), func(r *record, _ time.Time) error {
		tags, err := mergeTags(r.Tags, in.Tags)
		r.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &fp.TagDeliveryStreamOutput{}, nil
}

// UntagDeliveryStream removes tags; "If you specify a tag that doesn't
// exist, the operation ignores it." (its documentation).
func (s *Service) UntagDeliveryStream(region string, in *fp.UntagDeliveryStreamInput) (*fp.UntagDeliveryStreamOutput, error) {
	_, err := s.update(s.region(region), fp.Deref(in.DeliveryStreamName), func(r *record, _ time.Time) error {
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		kept := r.Tags[:0]
		for _, t := range r.Tags {
			if !drop[fp.Deref(t.Key)] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &fp.UntagDeliveryStreamOutput{}, nil
}

// ListTagsForDeliveryStream lists tags in key order, at most Limit
// (default 50, the model's maximum), after ExclusiveStartTagKey.
func (s *Service) ListTagsForDeliveryStream(region string, in *fp.ListTagsForDeliveryStreamInput) (*fp.ListTagsForDeliveryStreamOutput, error) {
	r, err := s.load(s.region(region), fp.Deref(in.DeliveryStreamName))
	if err != nil {
		return nil, err
	}
	limit := maxTags
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	tags := r.Tags
	if start := fp.Deref(in.ExclusiveStartTagKey); start != "" {
		i := sort.Search(len(tags), func(i int) bool { return *tags[i].Key > start })
		tags = tags[i:]
	}
	more := len(tags) > limit
	if more {
		tags = tags[:limit]
	}
	if tags == nil {
		tags = []fp.Tag{}
	}
	return &fp.ListTagsForDeliveryStreamOutput{Tags: tags, HasMoreTags: fp.Bool(more)}, nil
}

// StartDeliveryStreamEncryption turns server-side encryption on (or
// changes its key). Eddy records the setting and reports it (status
// ENABLED at once, Encrypted in Put answers) but does not encrypt stored
// records. Only DirectPut streams: "You can enable SSE for a delivery
// stream only if it's a delivery stream that uses DirectPut as its source"
// (its documentation; the answer's words are Eddy's).
func (s *Service) StartDeliveryStreamEncryption(region string, in *fp.StartDeliveryStreamEncryptionInput) (*fp.StartDeliveryStreamEncryptionOutput, error) {
	name := fp.Deref(in.DeliveryStreamName)
	_, err := s.update(s.region(region), name, func(r *record, now time.Time) error {
		if r.Type != fp.TypeDirectPut {
			return eddy.Errorf(eddy.CodeInvalidArgument, "Server-side encryption is only supported for a delivery stream of type DirectPut.")
		}
		if st := s.status(r, now); st != StatusActive {
			return inUse(name, st, "StartDeliveryStreamEncryption")
		}
		e := &encryption{Enabled: true, KeyType: "AWS_OWNED_CMK"}
		if k := in.DeliveryStreamEncryptionConfigurationInput; k != nil {
			e.KeyType, e.KeyARN = k.KeyType, fp.Deref(k.KeyARN)
		}
		r.Encryption = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &fp.StartDeliveryStreamEncryptionOutput{}, nil
}

// StopDeliveryStreamEncryption turns server-side encryption off.
func (s *Service) StopDeliveryStreamEncryption(region string, in *fp.StopDeliveryStreamEncryptionInput) (*fp.StopDeliveryStreamEncryptionOutput, error) {
	name := fp.Deref(in.DeliveryStreamName)
	_, err := s.update(s.region(region), name, func(r *record, now time.Time) error {
		if st := s.status(r, now); st != StatusActive {
			return inUse(name, st, "StopDeliveryStreamEncryption")
		}
		r.Encryption = nil
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &fp.StopDeliveryStreamEncryptionOutput{}, nil
}
