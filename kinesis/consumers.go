package kinesis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/eddy-streams/eddy"
)

// Enhanced fan-out consumers are kept in their stream's metadata. A
// consumer is CREATING until CreateDelay has passed, then ACTIVE; a
// deregistered one is DELETING for DeleteDelay, then gone. Statuses are
// computed from the clock when read, so no timer is needed.

const (
	consumerCreating = "CREATING"
	consumerActive   = "ACTIVE"
	consumerDeleting = "DELETING"

	// maxConsumers is the number of consumers a stream can have.
	maxConsumers = 20
)

type consumerMeta struct {
	Name    string            `json:"name"`
	Created int64             `json:"created"` // Unix ns; the ARN has its seconds
	Active  int64             `json:"active"`  // Unix ns when CREATING ends
	Deleted int64             `json:"deleted,omitempty"`
	Gone    int64             `json:"gone,omitempty"` // Unix ns when DELETING ends
	Tags    map[string]string `json:"tags,omitempty"`
	Policy  string            `json:"policy,omitempty"`
}

// status is the consumer's status at now, or "" once it is gone.
func (c *consumerMeta) status(now int64) string {
	switch {
	case c.Deleted != 0 && now >= c.Gone:
		return ""
	case c.Deleted != 0:
		return consumerDeleting
	case now < c.Active:
		return consumerCreating
	}
	return consumerActive
}

// consumerARN is <stream ARN>/consumer/<name>:<creation epoch seconds>.
func (e *Engine) consumerARN(stream string, c *consumerMeta) string {
	return e.arn(stream) + "/consumer/" + c.Name + ":" + strconv.FormatInt(time.Unix(0, c.Created).Unix(), 10)
}

// parsedConsumerARN is a consumer ARN's parts.
type parsedConsumerARN struct {
	stream, consumer string
	created          int64 // epoch seconds
}

// parseConsumerARN parses a consumer ARN of this region and account.
func (e *Engine) parseConsumerARN(arn string) (parsedConsumerARN, bool) {
	prefix := fmt.Sprintf("arn:aws:kinesis:%s:%s:stream/", e.cfg.Region, e.cfg.AccountID)
	rest, ok := strings.CutPrefix(arn, prefix)
	if !ok {
		return parsedConsumerARN{}, false
	}
	stream, rest, ok := strings.Cut(rest, "/consumer/")
	if !ok || stream == "" {
		return parsedConsumerARN{}, false
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 {
		return parsedConsumerARN{}, false
	}
	ts, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return parsedConsumerARN{}, false
	}
	return parsedConsumerARN{stream: stream, consumer: rest[:i], created: ts}, true
}

func (e *Engine) consumerNotFound(what string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound, "Consumer %s under account %s not found.", what, e.cfg.AccountID)
}

// findConsumer returns the index in m.Consumers of the named, not yet gone
// consumer, or -1.
func findConsumer(m *streamMeta, name string, now int64) int {
	for i := range m.Consumers {
		if m.Consumers[i].Name == name && m.Consumers[i].status(now) != "" {
			return i
		}
	}
	return -1
}

// lookupConsumer resolves a consumer by ARN, or by stream ARN and name, to
// its stream and metadata (a copy).
func (e *Engine) lookupConsumer(consumerARN, streamARN, name *string) (*stream, consumerMeta, error) {
	now := e.now().UnixNano()
	var streamName, consumer string
	var created int64 = -1
	switch {
	case consumerARN != nil && *consumerARN != "":
		p, ok := e.parseConsumerARN(*consumerARN)
		if !ok {
			return nil, consumerMeta{}, e.consumerNotFound(*consumerARN)
		}
		streamName, consumer, created = p.stream, p.consumer, p.created
	case streamARN != nil && name != nil:
		n, err := e.resolveStream(nil, streamARN)
		if err != nil {
			return nil, consumerMeta{}, err
		}
		streamName, consumer = n, *name
	default:
		return nil, consumerMeta{}, eddy.Errorf(eddy.CodeInvalidArgument,
			"Either ConsumerARN or both ConsumerName and StreamARN should be provided.")
	}
	s := e.lookupFresh(streamName)
	if s == nil {
		return nil, consumerMeta{}, e.notFound(streamName)
	}
	m := &s.view.Load().meta
	i := findConsumer(m, consumer, now)
	if i < 0 || (created >= 0 && time.Unix(0, m.Consumers[i].Created).Unix() != created) {
		what := consumer
		if consumerARN != nil {
			what = *consumerARN
		}
		return nil, consumerMeta{}, e.consumerNotFound(what)
	}
	return s, m.Consumers[i], nil
}

// registerConsumer adds a consumer to a stream.
func (e *Engine) registerConsumer(streamName, name string, tags map[string]string) (consumerMeta, error) {
	s, err := e.mutable(streamName)
	if err != nil {
		return consumerMeta{}, err
	}
	var c consumerMeta
	err = s.update(func(m *streamMeta) error {
		now := e.now().UnixNano()
		live := m.Consumers[:0]
		for _, x := range m.Consumers {
			if x.status(now) != "" {
				live = append(live, x)
			}
		}
		m.Consumers = live
		if findConsumer(m, name, now) >= 0 {
			return eddy.Errorf(eddy.CodeResourceInUse,
				"Consumer %s under stream %s already exists for account %s.", name, streamName, e.cfg.AccountID)
		}
		// No recording of Kinesis's answers to a 21st consumer or to a
		// consumer with too many tags was found: these wordings are Eddy's.
		if len(m.Consumers) >= maxConsumers {
			return eddy.Errorf(eddy.CodeLimitExceeded,
				"Consumer limit of %d has been reached for stream %s under account %s.", maxConsumers, streamName, e.cfg.AccountID)
		}
		if len(tags) > maxTags {
			return eddy.Errorf(eddy.CodeInvalidArgument,
				"A consumer cannot have more than %d tags.", maxTags)
		}
		c = consumerMeta{Name: name, Created: now, Active: now + int64(e.cfg.CreateDelay), Tags: tags}
		m.Consumers = append(m.Consumers, c)
		return nil
	})
	return c, err
}

// deregisterConsumer starts deleting a consumer; its subscriptions end.
func (e *Engine) deregisterConsumer(s *stream, name string) error {
	err := s.update(func(m *streamMeta) error {
		now := e.now().UnixNano()
		i := findConsumer(m, name, now)
		if i < 0 || m.Consumers[i].Deleted != 0 {
			return e.consumerNotFound(name)
		}
		m.Consumers[i].Deleted, m.Consumers[i].Gone = now, now+int64(e.cfg.DeleteDelay)
		return nil
	})
	if err == nil {
		e.endSubscriptions(s.view.Load().meta.Name, name)
		e.limits.dropSubs(s.view.Load().meta.Name + "/" + name + "/")
		e.forgetConsumerMetrics(s.view.Load().meta.Name, name)
	}
	return err
}

// updateConsumer applies fn to a live consumer's metadata.
func (e *Engine) updateConsumer(consumerARN string, fn func(c *consumerMeta)) error {
	s, c, err := e.lookupConsumer(&consumerARN, nil, nil)
	if err != nil {
		return err
	}
	return s.update(func(m *streamMeta) error {
		i := findConsumer(m, c.Name, e.now().UnixNano())
		if i < 0 {
			return e.consumerNotFound(consumerARN)
		}
		fn(&m.Consumers[i])
		return nil
	})
}

// liveConsumers counts a stream's consumers that are not gone.
func liveConsumers(m *streamMeta, now int64) int {
	n := 0
	for i := range m.Consumers {
		if m.Consumers[i].status(now) != "" {
			n++
		}
	}
	return n
}
