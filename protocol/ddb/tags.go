package ddb

import (
	"regexp"

	"github.com/eddy-streams/eddy"
)

// Tags: TagResource, UntagResource, ListTagsOfResource (dynalite
// validations/tagResource.js, untagResource.js, listTagsOfResource.js).
//
// DynamoDB checks these in an order that needs the account: a missing
// ResourceArn is a ValidationException, but one that is not an ARN at all
// is an AccessDeniedException naming the caller ("User:
// arn:aws:iam::<account>:<user> is not authorized to perform:
// dynamodb:TagResource on resource: <arn>"), before the other checks.
// Validate makes the first check; the operation calls CheckARN with its
// account for the rest, before it looks at the table.

const msgInvalidTableArn = "Invalid TableArn"

var (
	// arnLike is dynalite's test for "an ARN at all".
	arnLike = regexp.MustCompile(`^.+:.+:.+:.+:.+:.+/.+$`)
	// tableArn is its test for a table's ARN.
	tableArn = regexp.MustCompile(`^arn:aws:dynamodb:.+:\d+:table/[^/]{2}[^/]+$`)
)

// checkResourceARN makes the checks that follow Validate's: the ARN's
// form (AccessDeniedException), then tagsNull (if not ""), then the
// table ARN's form.
func checkResourceARN(arn, action, account, caller, tagsNull string) error {
	if !arnLike.MatchString(arn) {
		return &eddy.Error{Code: eddy.CodeAccessDenied, Message: "User: arn:aws:iam::" + account + ":" + caller +
			" is not authorized to perform: dynamodb:" + action + " on resource: " + arn}
	}
	if tagsNull != "" {
		return validationError("1 validation error detected: Value null at '" + tagsNull + "' failed to satisfy constraint: " + msgNotNull)
	}
	if !tableArn.MatchString(arn) {
		return validationError(msgInvalidTableArn + ": Invalid ResourceArn provided as input " + arn)
	}
	return nil
}

// checkTags is the rule on the tags of CreateTable and TagResource: each
// has a key and a value (recorded answers of DynamoDB: "The Tag Key
// provided is invalid, Key: null", "The Tag Value provided is invalid,
// Value: null").
func checkTags(tags []Tag) error {
	for _, t := range tags {
		if t.Key == nil {
			return validationError("The Tag Key provided is invalid, Key: null")
		}
		if t.Value == nil {
			return validationError("The Tag Value provided is invalid, Value: null")
		}
	}
	return nil
}

// TagResourceInput is the request of TagResource.
type TagResourceInput struct {
	ResourceArn *string `json:"ResourceArn,omitempty"`
	Tags        []Tag   `json:"Tags,omitzero"`
}

// TagResourceOutput is the response of TagResource: empty.
type TagResourceOutput struct{}

// Validate checks that a resource is named.
func (in *TagResourceInput) Validate() error {
	if in.ResourceArn == nil {
		return validationError(msgInvalidTableArn)
	}
	return nil
}

// CheckARN makes the checks DynamoDB makes after Validate's and before it
// looks at the table, in its order: the ARN's form (an
// AccessDeniedException naming account and caller), Tags present, the
// table ARN's form, then at least one tag, each with a key and a value.
func (in *TagResourceInput) CheckARN(account, caller string) error {
	tagsNull := ""
	if in.Tags == nil {
		tagsNull = "tags"
	}
	if err := checkResourceARN(*in.ResourceArn, "TagResource", account, caller, tagsNull); err != nil {
		return err
	}
	if len(in.Tags) == 0 {
		return validationError("Atleast one Tag needs to be provided as Input.")
	}
	return checkTags(in.Tags)
}

// UntagResourceInput is the request of UntagResource.
type UntagResourceInput struct {
	ResourceArn *string  `json:"ResourceArn,omitempty"`
	TagKeys     []string `json:"TagKeys,omitzero"`
}

// UntagResourceOutput is the response of UntagResource: empty.
type UntagResourceOutput struct{}

// Validate checks that a resource is named.
func (in *UntagResourceInput) Validate() error {
	if in.ResourceArn == nil {
		return validationError(msgInvalidTableArn)
	}
	return nil
}

// CheckARN makes the checks DynamoDB makes after Validate's, as
// TagResourceInput.CheckARN, with TagKeys for Tags; an empty key is
// refused ("The Tag Key provided is invalid, Key: ", recorded).
func (in *UntagResourceInput) CheckARN(account, caller string) error {
	tagsNull := ""
	if in.TagKeys == nil {
		tagsNull = "tagKeys"
	}
	if err := checkResourceARN(*in.ResourceArn, "UntagResource", account, caller, tagsNull); err != nil {
		return err
	}
	if len(in.TagKeys) == 0 {
		return validationError("Atleast one Tag Key needs to be provided as Input.")
	}
	for _, k := range in.TagKeys {
		if k == "" {
			return validationError("The Tag Key provided is invalid, Key: ")
		}
	}
	return nil
}

// ListTagsOfResourceInput is the request of ListTagsOfResource.
type ListTagsOfResourceInput struct {
	ResourceArn *string `json:"ResourceArn,omitempty"`
	NextToken   *string `json:"NextToken,omitempty"`
}

// ListTagsOfResourceOutput is the response of ListTagsOfResource. Tags is
// always sent ([] when there are none).
type ListTagsOfResourceOutput struct {
	Tags      []Tag   `json:"Tags"`
	NextToken *string `json:"NextToken,omitempty"`
}

// Validate checks that a resource is named.
func (in *ListTagsOfResourceInput) Validate() error {
	if in.ResourceArn == nil {
		return validationError(msgInvalidTableArn)
	}
	return nil
}

// CheckARN makes the checks DynamoDB makes after Validate's, as
// TagResourceInput.CheckARN.
func (in *ListTagsOfResourceInput) CheckARN(account, caller string) error {
	return checkResourceARN(*in.ResourceArn, "ListTagsOfResource", account, caller, "")
}
