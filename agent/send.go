package agent

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	fhtypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/eddy-streams/eddy/client/producer"
)

// sender delivers records; done is called once a record is acknowledged.
// Records are retried until they are (at least once); send must not block
// for long: the flow's queue bounds what is outstanding.
type sender interface {
	send(data []byte, done func())
	close(ctx context.Context) error
}

// backoff is the wait before the attempt-th retry (from 0) of a record the
// destination refused: RetryInitialBackoff doubled attempt times, at most
// RetryMaxBackoff.
func (f *FlowOptions) backoff(attempt int) time.Duration {
	d := f.RetryInitialBackoff << min(attempt, 20)
	if d <= 0 || d > f.RetryMaxBackoff {
		return f.RetryMaxBackoff
	}
	return d
}

// kinesisSender puts records through client/producer.
type kinesisSender struct {
	f      *FlowOptions
	p      *producer.Producer
	keyOpt string
	m      *flowMetrics
	log    *slog.Logger
	ctx    context.Context
	wg     sync.WaitGroup
}

func newKinesisSender(ctx context.Context, c producer.Client, f *FlowOptions, threads, rateLimit int, m *flowMetrics, log *slog.Logger) (*kinesisSender, error) {
	opts := []producer.Option{
		producer.RecordMaxBufferedTime(f.BufferAge),
		producer.MaxConnections(threads),
		producer.AggregationEnabled(f.AggregatedRecordSizeBytes > 0),
		producer.RetryBackoff(f.RetryInitialBackoff, f.RetryMaxBackoff),
	}
	switch {
	case rateLimit < 0:
		opts = append(opts, producer.RateLimit(0))
	case rateLimit > 0:
		opts = append(opts, producer.RateLimit(rateLimit))
	}
	if f.BufferRecords > 0 {
		opts = append(opts, producer.CollectionMaxCount(f.BufferRecords))
	}
	if f.BufferSizeBytes > 0 {
		// 52,224 bytes is the least CollectionMaxSize the producer
		// takes; a smaller maxBufferSizeBytes is raised to it (Firehose
		// batches keep the exact bound).
		opts = append(opts, producer.CollectionMaxSize(max(f.BufferSizeBytes, 52224)))
	}
	if f.AggregatedRecordSizeBytes > 0 {
		opts = append(opts, producer.AggregationMaxSize(f.AggregatedRecordSizeBytes))
	}
	p, err := producer.New(ctx, c, f.Destination, opts...)
	if err != nil {
		return nil, err
	}
	return &kinesisSender{f: f, p: p, keyOpt: f.PartitionKeyOption, m: m, log: log, ctx: ctx}, nil
}

// partitionKey derives a record's key as the agent's KinesisRecord does.
func partitionKey(opt string, data []byte) string {
	if opt == PartitionKeyDeterministic {
		sum := md5.Sum(data)
		return hex.EncodeToString(sum[:])
	}
	return strconv.FormatFloat(rand.Float64()*1000000, 'f', -1, 64)
}

func (s *kinesisSender) send(data []byte, done func()) {
	s.put(producer.Record{PartitionKey: partitionKey(s.keyOpt, data), Data: data}, done, 0)
}

func (s *kinesisSender) put(r producer.Record, done func(), attempt int) {
	err := s.p.PutFunc(s.ctx, r, func(res producer.Result) {
		s.m.sendAttempts.Add(float64(res.Attempts))
		if res.Err == nil {
			if res.Attempts > 1 {
				s.m.sendErrors.Add(float64(res.Attempts - 1))
			}
			s.m.recordsSent.Inc()
			s.m.bytesSent.Add(float64(len(r.Data)))
			done()
			return
		}
		s.m.sendErrors.Add(float64(max(res.Attempts, 1)))
		var pe *producer.PutError
		if !errors.As(res.Err, &pe) {
			s.m.serviceErrors.Inc()
		}
		if errors.Is(res.Err, producer.ErrClosed) {
			return // shutting down: not acknowledged, sent again after a restart
		}
		s.wg.Add(1)
		time.AfterFunc(s.f.backoff(attempt), func() {
			defer s.wg.Done()
			s.put(r, done, attempt+1)
		})
	})
	if err != nil && !errors.Is(err, producer.ErrClosed) && s.ctx.Err() == nil {
		s.log.Error("agent: record refused by the producer", "err", err)
	}
}

func (s *kinesisSender) close(ctx context.Context) error {
	err := s.p.Close(ctx)
	return err
}

// firehoseAPI is what the Firehose sender needs of *firehose.Client.
type firehoseAPI interface {
	PutRecordBatch(ctx context.Context, in *firehose.PutRecordBatchInput, optFns ...func(*firehose.Options)) (*firehose.PutRecordBatchOutput, error)
}

// firehoseSender batches records into PutRecordBatch calls of at most
// BufferRecords records and BufferSizeBytes bytes, sent when full or
// BufferAge old; failed records are retried with backoff.
type firehoseSender struct {
	c      firehoseAPI
	stream string
	f      *FlowOptions
	m      *flowMetrics
	log    *slog.Logger
	in     chan fhRec
	slots  chan struct{} // concurrent calls
	wg     sync.WaitGroup
	ctx    context.Context
	stop   chan struct{}
	closed chan struct{}
}

type fhRec struct {
	data []byte
	done func()
}

func newFirehoseSender(ctx context.Context, c firehoseAPI, f *FlowOptions, threads int, m *flowMetrics, log *slog.Logger) *firehoseSender {
	s := &firehoseSender{c: c, stream: f.Destination, f: f, m: m, log: log, in: make(chan fhRec, f.BufferRecords),
		slots: make(chan struct{}, threads), ctx: ctx, stop: make(chan struct{}), closed: make(chan struct{})}
	go s.run()
	return s
}

func (s *firehoseSender) send(data []byte, done func()) {
	select {
	case s.in <- fhRec{data, done}:
	case <-s.stop:
	}
}

func (s *firehoseSender) run() {
	defer close(s.closed)
	var batch []fhRec
	size := 0
	timer := time.NewTimer(s.f.BufferAge)
	timer.Stop()
	flush := func() {
		if len(batch) > 0 {
			s.slots <- struct{}{}
			s.wg.Add(1)
			go s.put(batch, 0)
			batch, size = nil, 0
		}
		timer.Stop()
	}
	for {
		select {
		case r := <-s.in:
			if len(batch) > 0 && (len(batch) >= s.f.BufferRecords || size+len(r.data) > s.f.BufferSizeBytes) {
				flush()
			}
			if len(batch) == 0 {
				timer.Reset(s.f.BufferAge)
			}
			batch = append(batch, r)
			size += len(r.data)
		case <-timer.C:
			flush()
		case <-s.stop:
			// Drain what was handed over, then send it.
			for {
				select {
				case r := <-s.in:
					if len(batch) >= s.f.BufferRecords || size+len(r.data) > s.f.BufferSizeBytes {
						flush()
					}
					batch = append(batch, r)
					size += len(r.data)
					continue
				default:
				}
				break
			}
			flush()
			return
		}
	}
}

// put sends one batch, retrying its failed records until they are all
// acknowledged or the sender's context ends.
func (s *firehoseSender) put(batch []fhRec, attempt int) {
	defer s.wg.Done()
	defer func() { <-s.slots }()
	for len(batch) > 0 {
		if attempt > 0 {
			select {
			case <-time.After(s.f.backoff(attempt - 1)):
			case <-s.ctx.Done():
				return
			}
		}
		attempt++
		in := &firehose.PutRecordBatchInput{DeliveryStreamName: aws.String(s.stream), Records: make([]fhtypes.Record, len(batch))}
		for i, r := range batch {
			in.Records[i].Data = r.data
		}
		s.m.sendAttempts.Add(float64(len(batch)))
		out, err := s.c.PutRecordBatch(s.ctx, in)
		if err != nil {
			if s.ctx.Err() != nil {
				return
			}
			s.m.serviceErrors.Inc()
			s.m.sendErrors.Add(float64(len(batch)))
			s.log.Warn("agent: PutRecordBatch failed", "deliveryStream", s.stream, "records", len(batch), "err", err)
			continue
		}
		var failed []fhRec
		for i, r := range batch {
			if i < len(out.RequestResponses) && out.RequestResponses[i].ErrorCode != nil {
				failed = append(failed, r)
				continue
			}
			s.m.recordsSent.Inc()
			s.m.bytesSent.Add(float64(len(r.data)))
			r.done()
		}
		if len(failed) > 0 {
			s.m.sendErrors.Add(float64(len(failed)))
		} else {
			attempt = 0
		}
		batch = failed
	}
}

func (s *firehoseSender) close(ctx context.Context) error {
	close(s.stop)
	<-s.closed
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
