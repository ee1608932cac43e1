package kinesis

import (
	"github.com/eddy-streams/eddy/iam"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// AuthResources returns what a Kinesis call acts on, for authorization
// (httpapi Service.Resources): the stream or consumer ARN with its
// resource policy (PutResourcePolicy) and tags, as the Service
// Authorization Reference for Kinesis lists each action's resource type.
// Consumer actions (DescribeStreamConsumer, DeregisterStreamConsumer,
// SubscribeToShard) act on the consumer; RegisterStreamConsumer and
// ListStreamConsumers on the stream; GetRecords on the stream its
// iterator belongs to; the resource-policy and tagging actions on their
// ResourceARN. Actions without a resource type (ListStreams,
// DescribeLimits, the account settings) return none: they are authorized
// on "*".
//
// Every resource is this engine's account's: Eddy keeps one account's
// streams (docs/SECURITY.md), so a caller of another account reaches them
// only through their resource policies, by name or by ARN. An input that
// names nothing resolvable returns none, and the call fails its own way.
func (e *Engine) AuthResources(op string, in any) []iam.Resource {
	switch v := in.(type) {
	case *kds.DescribeStreamConsumerInput:
		return e.consumerResource(v.ConsumerARN, v.StreamARN, v.ConsumerName)
	case *kds.DeregisterStreamConsumerInput:
		return e.consumerResource(v.ConsumerARN, v.StreamARN, v.ConsumerName)
	case *kds.SubscribeToShardInput:
		return e.consumerResource(v.ConsumerARN, nil, nil)
	case *kds.GetRecordsInput:
		if n := kds.StreamOf(v); n != "" {
			return e.streamResource(n)
		}
		if v.ShardIterator == nil {
			return nil
		}
		it, err := decodeIterator(*v.ShardIterator, e.secret)
		if err != nil {
			return nil
		}
		return e.streamResource(it.streamName)
	case *kds.PutResourcePolicyInput:
		return e.arnResource(v.ResourceARN)
	case *kds.GetResourcePolicyInput:
		return e.arnResource(v.ResourceARN)
	case *kds.DeleteResourcePolicyInput:
		return e.arnResource(v.ResourceARN)
	case *kds.TagResourceInput:
		return e.arnResource(v.ResourceARN)
	case *kds.UntagResourceInput:
		return e.arnResource(v.ResourceARN)
	case *kds.ListTagsForResourceInput:
		return e.arnResource(v.ResourceARN)
	}
	// Every other action names its stream by StreamName or StreamARN.
	if n := kds.StreamOf(in); n != "" {
		return e.streamResource(n)
	}
	return nil
}

// streamResource is the stream n of this engine's account, with its
// policy and tags if it exists.
func (e *Engine) streamResource(n string) []iam.Resource {
	r := iam.Resource{ARN: e.arn(n)}
	if s := e.lookup(n); s != nil {
		m := &s.view.Load().meta
		r.Policy, r.Tags = m.Policy, m.Tags
	}
	return []iam.Resource{r}
}

// consumerResource is the consumer named by its ARN, or by its stream's
// ARN and its name.
func (e *Engine) consumerResource(consumerARN, streamARN, name *string) []iam.Resource {
	s, c, err := e.lookupConsumer(consumerARN, streamARN, name)
	if err != nil {
		if consumerARN != nil && *consumerARN != "" {
			// A consumer that does not exist: still authorize on the
			// ARN given, so a denied caller learns nothing.
			return []iam.Resource{{ARN: *consumerARN}}
		}
		return nil
	}
	return []iam.Resource{{ARN: e.consumerARN(s.view.Load().meta.Name, &c), Policy: c.Policy, Tags: c.Tags}}
}

// arnResource is the stream or consumer a ResourceARN names.
func (e *Engine) arnResource(arn *string) []iam.Resource {
	if arn == nil || *arn == "" {
		return nil
	}
	if _, ok := e.parseConsumerARN(*arn); ok {
		return e.consumerResource(arn, nil, nil)
	}
	if n := kds.StreamOf(&kds.ListTagsForResourceInput{ResourceARN: arn}); n != "" {
		return e.streamResource(n)
	}
	return []iam.Resource{{ARN: *arn}}
}
