package dynamo

import (
	"context"
	"strings"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/ddb"
)

// Tags: TagResource, UntagResource, ListTagsOfResource, addressed by the
// table's ARN. A table has at most 50 tags (developer guide, "Tagging
// restrictions"); more is refused with "Number of Tags exceed the current
// limit for the provided ResourceArn" (ack-api-quirks dynamodb message
// catalogue, DDB-TABLE-442: a ValidationException). Tag keys and values
// are otherwise as protocol/ddb checks them.

const (
	maxTags        = 50
	msgTooManyTags = "Number of Tags exceed the current limit for the provided ResourceArn"
	// callerName names the caller in AccessDeniedException messages; Eddy
	// knows no IAM users (dynalite says "user/..." too; no recording
	// names a real caller form).
	callerName = "user/eddy"
)

func checkTagLimit(n int) error {
	if n > maxTags {
		return validation(msgTooManyTags)
	}
	return nil
}

// setTag sets key to value, keeping the tags' order.
func setTag(tags []tag, key, value string) []tag {
	for i := range tags {
		if tags[i].Key == key {
			tags[i].Value = value
			return tags
		}
	}
	return append(tags, tag{key, value})
}

// tableOfARN returns the name of the table an ARN of this region and
// account names, or "".
func (e *Engine) tableOfARN(arn string) string {
	prefix := "arn:aws:dynamodb:" + e.cfg.Region + ":" + e.cfg.AccountID + ":table/"
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || strings.Contains(name, "/") {
		return ""
	}
	return name
}

// errResourceNotFound is tags' ResourceNotFoundException: "Requested
// resource not found: ResourcArn: <arn> not found" (sic; dynalite
// actions/tagResource.js and listTagsOfResource.js, recorded).
func errResourceNotFound(arn string) error {
	return &eddy.Error{Code: eddy.CodeResourceNotFound, Message: msgNotFound + ": ResourcArn: " + arn + " not found"}
}

// TagResource adds tags to a table, replacing the values of keys it has.
func (e *Engine) TagResource(ctx context.Context, in *ddb.TagResourceInput) (*ddb.TagResourceOutput, error) {
	if err := in.CheckARN(e.cfg.AccountID, callerName); err != nil {
		return nil, err
	}
	name := e.tableOfARN(*in.ResourceArn)
	if name == "" || e.lookup(name) == nil {
		return nil, errResourceNotFound(*in.ResourceArn)
	}
	err := e.changeTable(name, func(doc *tableDoc) error {
		for _, t := range in.Tags {
			doc.Tags = setTag(doc.Tags, *t.Key, *t.Value)
		}
		return checkTagLimit(len(doc.Tags))
	})
	if err != nil {
		if eddy.CodeOf(err) == eddy.CodeResourceNotFound {
			return nil, errResourceNotFound(*in.ResourceArn)
		}
		return nil, err
	}
	return &ddb.TagResourceOutput{}, nil
}

// UntagResource removes tags from a table; absent keys are ignored.
func (e *Engine) UntagResource(ctx context.Context, in *ddb.UntagResourceInput) (*ddb.UntagResourceOutput, error) {
	if err := in.CheckARN(e.cfg.AccountID, callerName); err != nil {
		return nil, err
	}
	name := e.tableOfARN(*in.ResourceArn)
	// UntagResource's not-found message is the bare one (dynalite
	// actions/untagResource.js, recorded).
	if name == "" || e.lookup(name) == nil {
		return nil, errNotFound()
	}
	err := e.changeTable(name, func(doc *tableDoc) error {
		var kept []tag
		for _, t := range doc.Tags {
			drop := false
			for _, k := range in.TagKeys {
				drop = drop || k == t.Key
			}
			if !drop {
				kept = append(kept, t)
			}
		}
		doc.Tags = kept
		return nil
	})
	if err != nil {
		if eddy.CodeOf(err) == eddy.CodeResourceNotFound {
			return nil, errNotFound()
		}
		return nil, err
	}
	return &ddb.UntagResourceOutput{}, nil
}

// ListTagsOfResource lists a table's tags, all in one page.
func (e *Engine) ListTagsOfResource(ctx context.Context, in *ddb.ListTagsOfResourceInput) (*ddb.ListTagsOfResourceOutput, error) {
	if err := in.CheckARN(e.cfg.AccountID, callerName); err != nil {
		return nil, err
	}
	name := e.tableOfARN(*in.ResourceArn)
	t, err := e.fresh(name)
	if err != nil {
		return nil, err
	}
	if name == "" || t == nil {
		return nil, errResourceNotFound(*in.ResourceArn)
	}
	out := &ddb.ListTagsOfResourceOutput{Tags: []ddb.Tag{}}
	for _, tg := range t.doc.Tags {
		out.Tags = append(out.Tags, ddb.Tag{Key: ptr(tg.Key), Value: ptr(tg.Value)})
	}
	return out, nil
}
