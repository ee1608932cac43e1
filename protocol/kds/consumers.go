package kds

// Enhanced fan-out consumers: RegisterStreamConsumer,
// DeregisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
// SubscribeToShard.

// RegisterStreamConsumerInput is the request of RegisterStreamConsumer.
type RegisterStreamConsumerInput struct {
	StreamARN    *string           `json:"StreamARN,omitempty"`
	ConsumerName *string           `json:"ConsumerName,omitempty"`
	StreamId     *string           `json:"StreamId,omitempty"`
	Tags         map[string]string `json:"Tags,omitzero"`
}

// RegisterStreamConsumerOutput is the response of RegisterStreamConsumer.
type RegisterStreamConsumerOutput struct {
	Consumer Consumer `json:"Consumer"`
}

// Validate checks the model constraints.
func (in *RegisterStreamConsumerInput) Validate() error {
	var v violations
	v.str("consumerName", in.ConsumerName, true, shapeConsumerName)
	v.str("streamARN", in.StreamARN, true, shapeStreamARN)
	v.strMap("tags", in.Tags, false, lenTagMap, shapeTagKey, shapeTagValue)
	return v.err()
}

// DeregisterStreamConsumerInput is the request of DeregisterStreamConsumer.
// The consumer is named by ConsumerARN, or by StreamARN and ConsumerName.
type DeregisterStreamConsumerInput struct {
	StreamARN    *string `json:"StreamARN,omitempty"`
	ConsumerName *string `json:"ConsumerName,omitempty"`
	ConsumerARN  *string `json:"ConsumerARN,omitempty"`
	StreamId     *string `json:"StreamId,omitempty"`
}

// DeregisterStreamConsumerOutput is the response of
// DeregisterStreamConsumer: empty.
type DeregisterStreamConsumerOutput struct{}

// Validate checks the model constraints and that a consumer is named.
func (in *DeregisterStreamConsumerInput) Validate() error {
	return validateConsumerRef(in.ConsumerARN, in.ConsumerName, in.StreamARN)
}

// DescribeStreamConsumerInput is the request of DescribeStreamConsumer.
// The consumer is named by ConsumerARN, or by StreamARN and ConsumerName.
type DescribeStreamConsumerInput struct {
	StreamARN    *string `json:"StreamARN,omitempty"`
	ConsumerName *string `json:"ConsumerName,omitempty"`
	ConsumerARN  *string `json:"ConsumerARN,omitempty"`
	StreamId     *string `json:"StreamId,omitempty"`
}

// DescribeStreamConsumerOutput is the response of DescribeStreamConsumer.
type DescribeStreamConsumerOutput struct {
	ConsumerDescription ConsumerDescription `json:"ConsumerDescription"`
}

// Validate checks the model constraints and that a consumer is named.
func (in *DescribeStreamConsumerInput) Validate() error {
	return validateConsumerRef(in.ConsumerARN, in.ConsumerName, in.StreamARN)
}

func validateConsumerRef(consumerARN, consumerName, streamARN *string) error {
	var v violations
	v.str("consumerARN", consumerARN, false, shapeConsumerARN)
	v.str("consumerName", consumerName, false, shapeConsumerName)
	v.str("streamARN", streamARN, false, shapeStreamARN)
	if err := v.err(); err != nil {
		return err
	}
	if consumerARN == nil && (consumerName == nil || streamARN == nil) {
		// No source for this wording was found (see validate.go, msgNoStream).
		return invalidArgument(msgNoConsumer)
	}
	return nil
}

// ListStreamConsumersInput is the request of ListStreamConsumers.
type ListStreamConsumersInput struct {
	StreamARN               *string    `json:"StreamARN,omitempty"`
	NextToken               *string    `json:"NextToken,omitempty"`
	MaxResults              *int32     `json:"MaxResults,omitempty"`
	StreamCreationTimestamp *Timestamp `json:"StreamCreationTimestamp,omitempty"`
	StreamId                *string    `json:"StreamId,omitempty"`
}

// ListStreamConsumersOutput is the response of ListStreamConsumers.
// Consumers is always sent and must not be nil.
type ListStreamConsumersOutput struct {
	Consumers []Consumer `json:"Consumers"`
	NextToken *string    `json:"NextToken,omitempty"`
}

// Validate checks the model constraints.
func (in *ListStreamConsumersInput) Validate() error {
	var v violations
	num(&v, "maxResults", in.MaxResults, false, rangeListConsumersLim)
	v.str("nextToken", in.NextToken, false, shapeNextToken)
	v.str("streamARN", in.StreamARN, true, shapeStreamARN)
	return v.err()
}

// Consumer is a registered consumer as RegisterStreamConsumer and
// ListStreamConsumers return it.
type Consumer struct {
	ConsumerName              string         `json:"ConsumerName"`
	ConsumerARN               string         `json:"ConsumerARN"`
	ConsumerStatus            ConsumerStatus `json:"ConsumerStatus"`
	ConsumerCreationTimestamp Timestamp      `json:"ConsumerCreationTimestamp"`
}

// ConsumerDescription is a registered consumer as DescribeStreamConsumer
// returns it.
type ConsumerDescription struct {
	ConsumerName              string         `json:"ConsumerName"`
	ConsumerARN               string         `json:"ConsumerARN"`
	ConsumerStatus            ConsumerStatus `json:"ConsumerStatus"`
	ConsumerCreationTimestamp Timestamp      `json:"ConsumerCreationTimestamp"`
	StreamARN                 string         `json:"StreamARN"`
}

// SubscribeToShardInput is the request of SubscribeToShard.
type SubscribeToShardInput struct {
	ConsumerARN      *string           `json:"ConsumerARN,omitempty"`
	StreamId         *string           `json:"StreamId,omitempty"`
	ShardId          *string           `json:"ShardId,omitempty"`
	StartingPosition *StartingPosition `json:"StartingPosition,omitempty"`
	DryRun           *bool             `json:"DryRun,omitempty"`
}

// SubscribeToShardOutput is the initial-response event of SubscribeToShard:
// an empty structure. The model's EventStream member is the event stream
// itself (application/vnd.amazon.eventstream), whose events are
// SubscribeToShardEvent or an exception; it has no JSON field here.
type SubscribeToShardOutput struct{}

// Validate checks the model constraints.
func (in *SubscribeToShardInput) Validate() error {
	var v violations
	v.str("consumerARN", in.ConsumerARN, true, shapeConsumerARN)
	v.str("shardId", in.ShardId, true, shapeShardID)
	const path = "startingPosition"
	if p := in.StartingPosition; v.required(path, p != nil, true) {
		v.str(path+".sequenceNumber", p.SequenceNumber, false, shapeSequenceNumber)
		enum(&v, path+".type", p.Type, true, enumIterator)
	}
	return v.err()
}

// StartingPosition is where a SubscribeToShard subscription starts.
type StartingPosition struct {
	Type           *ShardIteratorType `json:"Type"`
	SequenceNumber *string            `json:"SequenceNumber,omitempty"`
	Timestamp      *Timestamp         `json:"Timestamp,omitempty"`
}

// SubscribeToShardEvent is one event of a SubscribeToShard stream. Records
// must not be nil. ContinuationSequenceNumber is required by the model but
// absent in the last event of a closed shard, which carries ChildShards
// instead.
type SubscribeToShardEvent struct {
	Records                    []Record     `json:"Records"`
	ContinuationSequenceNumber *string      `json:"ContinuationSequenceNumber,omitempty"`
	MillisBehindLatest         int64        `json:"MillisBehindLatest"`
	ChildShards                []ChildShard `json:"ChildShards,omitzero"`
}
