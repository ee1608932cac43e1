package kinesis

import (
	"context"
	"sort"
	"strings"
	"unicode"

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

// Tag characters. Kinesis refuses tag keys and values (AddTagsToStream) and
// tag keys (RemoveTagsFromStream) with characters outside Unicode letters,
// digits, white space and _ . / = + - % @, with InvalidArgumentException:
//
//	Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @.
//
// ";", ",", a tab and a newline are refused so (a tab and a newline are
// not "white space": that is Unicode's space separators, \p{Z}). "%",
// although listed, is refused by a second check with another message:
//
//	Failed to add tags to stream S under account A because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.
//
// ("Failed to remove tags from stream" for RemoveTagsFromStream). Both
// checks come after the stream is found. Source: mhart/kinesalite
// test/addTagsToStream.js and test/removeTagsFromStream.js ("; in tag
// key", "tab", "newline", "comma", "% in tag key", "% in tag value",
// "stream does not exist" with ";" keys, and "ü0 _." and "/=+-@" taken).
// ":" is in neither list, but AWS's tagging pattern elsewhere
// ([\p{L}\p{Z}\p{N}_.:/=+\-@]*) allows it and no recording refuses it,
// so Eddy takes it. TagResource and UntagResource on a stream answer the
// same; no recording of theirs was found.

// tagStrings returns a tag map's keys and values.
func tagStrings(tags map[string]string) []string {
	out := make([]string, 0, 2*len(tags))
	for k, v := range tags {
		out = append(out, k, v)
	}
	return out
}

// checkTagChars checks tag keys and values for Kinesis's characters; verb
// is "add tags to" or "remove tags from", for the message about "%".
func (e *Engine) checkTagChars(verb, stream string, strs []string) error {
	percent := false
	for _, s := range strs {
		for _, r := range s {
			switch {
			case r == '%':
				percent = true
			case unicode.IsLetter(r), unicode.IsNumber(r), unicode.Is(unicode.Z, r), strings.ContainsRune("_./=+-@:", r):
			default:
				return eddy.Errorf(eddy.CodeInvalidArgument,
					"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - %% @.")
			}
		}
	}
	if percent {
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"Failed to %s stream %s under account %s because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'.",
			verb, stream, e.cfg.AccountID)
	}
	return nil
}
