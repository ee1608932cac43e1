package kinesis

import (
	"context"
	"sort"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// RegisterStreamConsumer registers an enhanced fan-out consumer: at most 20
// per stream, CREATING for CreateDelay (default 0), then ACTIVE. Its ARN is
// <stream ARN>/consumer/<name>:<creation epoch seconds>.
func (e *Engine) RegisterStreamConsumer(ctx context.Context, in *kds.RegisterStreamConsumerInput) (*kds.RegisterStreamConsumerOutput, error) {
	name, err := e.resolveStream(nil, in.StreamARN)
	if err != nil {
		return nil, err
	}
	c, err := e.registerConsumer(name, str(in.ConsumerName), in.Tags)
	if err != nil {
		return nil, err
	}
	return &kds.RegisterStreamConsumerOutput{Consumer: e.consumerOut(name, &c)}, nil
}

// DescribeStreamConsumer describes a consumer named by ConsumerARN, or by
// StreamARN and ConsumerName.
func (e *Engine) DescribeStreamConsumer(ctx context.Context, in *kds.DescribeStreamConsumerInput) (*kds.DescribeStreamConsumerOutput, error) {
	s, c, err := e.lookupConsumer(in.ConsumerARN, in.StreamARN, in.ConsumerName)
	if err != nil {
		return nil, err
	}
	name := s.view.Load().meta.Name
	out := e.consumerOut(name, &c)
	return &kds.DescribeStreamConsumerOutput{ConsumerDescription: kds.ConsumerDescription{
		ConsumerName:              out.ConsumerName,
		ConsumerARN:               out.ConsumerARN,
		ConsumerStatus:            out.ConsumerStatus,
		ConsumerCreationTimestamp: out.ConsumerCreationTimestamp,
		StreamARN:                 e.arn(name),
	}}, nil
}

// ListStreamConsumers pages through a stream's consumers in name order, up
// to MaxResults (default 100) per page.
func (e *Engine) ListStreamConsumers(ctx context.Context, in *kds.ListStreamConsumersInput) (*kds.ListStreamConsumersOutput, error) {
	limit := 100
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	after := ""
	var name string
	var err error
	if in.NextToken != nil {
		t, err := e.decodeToken(*in.NextToken, "ListStreamConsumers")
		if err != nil {
			return nil, err
		}
		name, after = t.Stream, t.After
	} else if name, err = e.resolveStream(nil, in.StreamARN); err != nil {
		return nil, err
	}
	s := e.lookupFresh(name)
	if s == nil {
		return nil, e.notFound(name)
	}
	m := &s.view.Load().meta
	if in.StreamCreationTimestamp != nil && !time.Time(*in.StreamCreationTimestamp).Equal(time.Unix(0, m.Created)) &&
		time.Time(*in.StreamCreationTimestamp).Unix() != time.Unix(0, m.Created).Unix() {
		return nil, e.notFound(name)
	}
	now := e.now().UnixNano()
	var cs []consumerMeta
	for _, c := range m.Consumers {
		if c.status(now) != "" && c.Name > after {
			cs = append(cs, c)
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].Name < cs[j].Name })
	out := &kds.ListStreamConsumersOutput{Consumers: []kds.Consumer{}}
	for i := range cs {
		if len(out.Consumers) == limit {
			out.NextToken = ptr(e.encodeToken(pageToken{Op: "ListStreamConsumers", Stream: name, After: cs[i-1].Name}))
			break
		}
		out.Consumers = append(out.Consumers, e.consumerOut(name, &cs[i]))
	}
	return out, nil
}

// DeregisterStreamConsumer starts deleting a consumer (DELETING for
// DeleteDelay); its active subscriptions end.
func (e *Engine) DeregisterStreamConsumer(ctx context.Context, in *kds.DeregisterStreamConsumerInput) (*kds.DeregisterStreamConsumerOutput, error) {
	s, c, err := e.lookupConsumer(in.ConsumerARN, in.StreamARN, in.ConsumerName)
	if err != nil {
		return nil, err
	}
	if err := e.deregisterConsumer(s, c.Name); err != nil {
		return nil, err
	}
	return &kds.DeregisterStreamConsumerOutput{}, nil
}

func (e *Engine) consumerOut(stream string, c *consumerMeta) kds.Consumer {
	return kds.Consumer{
		ConsumerName:              c.Name,
		ConsumerARN:               e.consumerARN(stream, c),
		ConsumerStatus:            kds.ConsumerStatus(c.status(e.now().UnixNano())),
		ConsumerCreationTimestamp: timestamp(c.Created),
	}
}

// SubscribeToShard starts pushing a shard's records to a consumer; the
// returned *Subscription streams them (see Subscription.StreamEvents). The
// consumer must be ACTIVE and have no other active subscription to the
// shard (ResourceInUseException).
func (e *Engine) SubscribeToShard(ctx context.Context, in *kds.SubscribeToShardInput) (*Subscription, error) {
	return e.subscribe(ctx, in)
}
