package kds

// Tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream (by
// stream), TagResource, UntagResource, ListTagsForResource (by ARN). Which
// characters a tag may contain is the service's to check
// (InvalidArgumentException); the model only bounds lengths and counts.

// AddTagsToStreamInput is the request of AddTagsToStream.
type AddTagsToStreamInput struct {
	StreamName *string           `json:"StreamName,omitempty"`
	Tags       map[string]string `json:"Tags,omitzero"`
	StreamARN  *string           `json:"StreamARN,omitempty"`
	StreamId   *string           `json:"StreamId,omitempty"`
}

// AddTagsToStreamOutput is the response of AddTagsToStream: empty.
type AddTagsToStreamOutput struct{}

// Validate checks the model constraints and that a stream is named. Kinesis
// reports tags before streamName (observed); streamARN, newer than the
// observation, goes with streamName.
func (in *AddTagsToStreamInput) Validate() error {
	var v violations
	v.strMap("tags", in.Tags, true, lenTagMap, shapeTagKey, shapeTagValue)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// RemoveTagsFromStreamInput is the request of RemoveTagsFromStream.
type RemoveTagsFromStreamInput struct {
	StreamName *string  `json:"StreamName,omitempty"`
	TagKeys    []string `json:"TagKeys,omitzero"`
	StreamARN  *string  `json:"StreamARN,omitempty"`
	StreamId   *string  `json:"StreamId,omitempty"`
}

// RemoveTagsFromStreamOutput is the response of RemoveTagsFromStream:
// empty.
type RemoveTagsFromStreamOutput struct{}

// Validate checks the model constraints and that a stream is named. Kinesis
// reports tagKeys before streamName (observed).
func (in *RemoveTagsFromStreamInput) Validate() error {
	var v violations
	v.strList("tagKeys", in.TagKeys, true, lenTagKeyList, shapeTagKey)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// ListTagsForStreamInput is the request of ListTagsForStream.
type ListTagsForStreamInput struct {
	StreamName           *string `json:"StreamName,omitempty"`
	ExclusiveStartTagKey *string `json:"ExclusiveStartTagKey,omitempty"`
	Limit                *int32  `json:"Limit,omitempty"`
	StreamARN            *string `json:"StreamARN,omitempty"`
	StreamId             *string `json:"StreamId,omitempty"`
}

// ListTagsForStreamOutput is the response of ListTagsForStream. Tags must
// not be nil.
type ListTagsForStreamOutput struct {
	Tags        []Tag `json:"Tags"`
	HasMoreTags bool  `json:"HasMoreTags"`
}

// Validate checks the model constraints and that a stream is named. Kinesis
// reports limit first (observed).
func (in *ListTagsForStreamInput) Validate() error {
	var v violations
	num(&v, "limit", in.Limit, false, rangeListTagsLimit)
	v.str("exclusiveStartTagKey", in.ExclusiveStartTagKey, false, shapeTagKey)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// TagResourceInput is the request of TagResource, which tags a stream or a
// consumer by ARN.
type TagResourceInput struct {
	Tags        map[string]string `json:"Tags,omitzero"`
	ResourceARN *string           `json:"ResourceARN,omitempty"`
	StreamId    *string           `json:"StreamId,omitempty"`
}

// TagResourceOutput is the response of TagResource: empty.
type TagResourceOutput struct{}

// Validate checks the model constraints.
func (in *TagResourceInput) Validate() error {
	var v violations
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	v.strMap("tags", in.Tags, true, lenTagMap, shapeTagKey, shapeTagValue)
	return v.err()
}

// UntagResourceInput is the request of UntagResource.
type UntagResourceInput struct {
	TagKeys     []string `json:"TagKeys,omitzero"`
	ResourceARN *string  `json:"ResourceARN,omitempty"`
	StreamId    *string  `json:"StreamId,omitempty"`
}

// UntagResourceOutput is the response of UntagResource: empty.
type UntagResourceOutput struct{}

// Validate checks the model constraints.
func (in *UntagResourceInput) Validate() error {
	var v violations
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	v.strList("tagKeys", in.TagKeys, true, lenTagKeyList, shapeTagKey)
	return v.err()
}

// ListTagsForResourceInput is the request of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceARN *string `json:"ResourceARN,omitempty"`
	StreamId    *string `json:"StreamId,omitempty"`
}

// ListTagsForResourceOutput is the response of ListTagsForResource. Tags
// must not be nil.
type ListTagsForResourceOutput struct {
	Tags []Tag `json:"Tags"`
}

// Validate checks the model constraints.
func (in *ListTagsForResourceInput) Validate() error {
	var v violations
	v.str("resourceARN", in.ResourceARN, true, shapeResourceARN)
	return v.err()
}

// Tag is one tag of a stream or consumer. Kinesis sends Value even when it
// is empty.
type Tag struct {
	Key   string  `json:"Key"`
	Value *string `json:"Value,omitempty"`
}
