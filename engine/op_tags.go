package engine

import (
	"context"
	"sort"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// AddTagsToStream adds or overwrites tags; a stream has at most 50.
func (e *Engine) AddTagsToStream(ctx context.Context, in *kds.AddTagsToStreamInput) (*kds.AddTagsToStreamOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.addTags(name, in.Tags); err != nil {
		return nil, err
	}
	return &kds.AddTagsToStreamOutput{}, nil
}

// RemoveTagsFromStream removes tags; missing keys are ignored.
func (e *Engine) RemoveTagsFromStream(ctx context.Context, in *kds.RemoveTagsFromStreamInput) (*kds.RemoveTagsFromStreamOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.removeTags(name, in.TagKeys); err != nil {
		return nil, err
	}
	return &kds.RemoveTagsFromStreamOutput{}, nil
}

// ListTagsForStream pages through a stream's tags in key order, up to Limit
// (default 50) after ExclusiveStartTagKey.
func (e *Engine) ListTagsForStream(ctx context.Context, in *kds.ListTagsForStreamInput) (*kds.ListTagsForStreamOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	tags, more, err := e.tagPage(name, str(in.ExclusiveStartTagKey), limit)
	if err != nil {
		return nil, err
	}
	return &kds.ListTagsForStreamOutput{Tags: tagsOut(tags), HasMoreTags: more}, nil
}

// TagResource tags a stream or a consumer by ARN.
func (e *Engine) TagResource(ctx context.Context, in *kds.TagResourceInput) (*kds.TagResourceOutput, error) {
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		err := e.updateConsumer(arn, func(c *consumerMeta) {
			if c.Tags == nil {
				c.Tags = map[string]string{}
			}
			for k, v := range in.Tags {
				c.Tags[k] = v
			}
		})
		if err != nil {
			return nil, err
		}
		return &kds.TagResourceOutput{}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.addTags(name, in.Tags); err != nil {
		return nil, err
	}
	return &kds.TagResourceOutput{}, nil
}

// UntagResource removes tags from a stream or a consumer by ARN.
func (e *Engine) UntagResource(ctx context.Context, in *kds.UntagResourceInput) (*kds.UntagResourceOutput, error) {
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		err := e.updateConsumer(arn, func(c *consumerMeta) {
			for _, k := range in.TagKeys {
				delete(c.Tags, k)
			}
		})
		if err != nil {
			return nil, err
		}
		return &kds.UntagResourceOutput{}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.removeTags(name, in.TagKeys); err != nil {
		return nil, err
	}
	return &kds.UntagResourceOutput{}, nil
}

// ListTagsForResource lists all of a stream's or consumer's tags, by ARN.
func (e *Engine) ListTagsForResource(ctx context.Context, in *kds.ListTagsForResourceInput) (*kds.ListTagsForResourceOutput, error) {
	if arn, ok := e.isConsumerARN(in.ResourceARN); ok {
		_, c, err := e.lookupConsumer(&arn, nil, nil)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(c.Tags))
		for k := range c.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tags := make([][2]string, len(keys))
		for i, k := range keys {
			tags[i] = [2]string{k, c.Tags[k]}
		}
		return &kds.ListTagsForResourceOutput{Tags: tagsOut(tags)}, nil
	}
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	tags, _, err := e.tagPage(name, "", 0)
	if err != nil {
		return nil, err
	}
	return &kds.ListTagsForResourceOutput{Tags: tagsOut(tags)}, nil
}

// isConsumerARN reports whether arn names a consumer (of this region and
// account), returning it.
func (e *Engine) isConsumerARN(arn *string) (string, bool) {
	if arn == nil {
		return "", false
	}
	_, ok := e.parseConsumerARN(*arn)
	return *arn, ok
}

// resourceStream resolves a ResourceARN naming a stream.
func (e *Engine) resourceStream(arn *string) (string, error) {
	if arn == nil {
		return "", eddy.Errorf(eddy.CodeInvalidArgument, "ResourceARN must be provided.")
	}
	return e.resolveStream(nil, arn)
}

func tagsOut(tags [][2]string) []kds.Tag {
	out := make([]kds.Tag, len(tags))
	for i, t := range tags {
		out[i] = kds.Tag{Key: t[0], Value: ptr(t[1])}
	}
	return out
}
