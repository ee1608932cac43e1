package analytics

import (
	"context"
	"sort"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kda"
)

// maxTags is the most user-defined tags one application carries: "The
// maximum number of user-defined application tags is 50" (the model's
// documentation of Tags and TooManyTagsException).
const maxTags = 50

// mergeTags returns tags with add applied (a key already there gets the
// new value: "If you specify a tag that already exists, the tag value is
// replaced", the model's Tag), sorted by key.
func mergeTags(tags, add []kda.Tag) ([]kda.Tag, error) {
	m := map[string]*string{}
	for _, t := range tags {
		m[kda.Deref(t.Key)] = t.Value
	}
	for _, t := range add {
		m[kda.Deref(t.Key)] = t.Value
	}
	if len(m) > maxTags {
		// Eddy's words.
		return nil, eddy.Errorf(eddy.CodeTooManyTags, "An application can have at most %d tags.", maxTags)
	}
	out := make([]kda.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, kda.Tag{Key: kda.String(k), Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return *out[i].Key < *out[j].Key })
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// checkTags reports whether tags and add merge within the limit.
func checkTags(tags, add []kda.Tag) error {
	_, err := mergeTags(tags, add)
	return err
}

// appOfARN returns the region and name of the application arn names, or
// ResourceNotFoundException if it is another account's.
func (s *Service) appOfARN(arn string) (region, name string, err error) {
	// The model's pattern for KinesisAnalyticsARN was checked by Validate:
	// arn:aws:kinesisanalytics:<region>:<account>:application/<name>.
	f := strings.SplitN(arn, ":", 6)
	name = strings.TrimPrefix(f[5], "application/")
	if f[4] != s.cfg.AccountID {
		return "", "", notFound(name)
	}
	return f[3], name, nil
}

// TagResource adds or replaces tags; the version does not change.
func (s *Service) TagResource(_ context.Context, _ string, in *kda.TagResourceInput) (*kda.TagResourceOutput, error) {
	region, name, err := s.appOfARN(kda.Deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	_, err = s.update(region, name, func(r *record) error {
		tags, err := mergeTags(r.Tags, in.Tags)
		r.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &kda.TagResourceOutput{}, nil
}

// UntagResource removes tags; keys that are not there are ignored.
func (s *Service) UntagResource(_ context.Context, _ string, in *kda.UntagResourceInput) (*kda.UntagResourceOutput, error) {
	region, name, err := s.appOfARN(kda.Deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	_, err = s.update(region, name, func(r *record) error {
		drop := map[string]bool{}
		for _, k := range in.TagKeys {
			drop[k] = true
		}
		var kept []kda.Tag
		for _, t := range r.Tags {
			if !drop[kda.Deref(t.Key)] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kda.UntagResourceOutput{}, nil
}

// ListTagsForResource lists an application's tags in key order.
func (s *Service) ListTagsForResource(_ context.Context, _ string, in *kda.ListTagsForResourceInput) (*kda.ListTagsForResourceOutput, error) {
	region, name, err := s.appOfARN(kda.Deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	r, err := s.load(region, name)
	if err != nil {
		return nil, err
	}
	tags := r.Tags
	if tags == nil {
		tags = []kda.Tag{}
	}
	return &kda.ListTagsForResourceOutput{Tags: tags}, nil
}
