package engine

import (
	"context"

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

// TagResource tags a stream by ARN.
func (e *Engine) TagResource(ctx context.Context, in *kds.TagResourceInput) (*kds.TagResourceOutput, error) {
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.addTags(name, in.Tags); err != nil {
		return nil, err
	}
	return &kds.TagResourceOutput{}, nil
}

// UntagResource removes tags from a stream by ARN.
func (e *Engine) UntagResource(ctx context.Context, in *kds.UntagResourceInput) (*kds.UntagResourceOutput, error) {
	name, err := e.resourceStream(in.ResourceARN)
	if err != nil {
		return nil, err
	}
	if err := e.removeTags(name, in.TagKeys); err != nil {
		return nil, err
	}
	return &kds.UntagResourceOutput{}, nil
}

// ListTagsForResource lists all of a stream's tags, by ARN.
func (e *Engine) ListTagsForResource(ctx context.Context, in *kds.ListTagsForResourceInput) (*kds.ListTagsForResourceOutput, error) {
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

// resourceStream resolves a ResourceARN naming a stream. (Consumer ARNs
// arrive with enhanced fan-out.)
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
