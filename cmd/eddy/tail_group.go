package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/client/consumer"
)

// tailGroup runs `eddy tail --group NAME`: the eddy tail processes with the
// same group name share the stream's shards through the consumer library's
// leases (client/consumer; the lease table is named after the group), each
// printing the records of the shards it holds and checkpointing each batch
// once it is written. Shards without a checkpoint start where cfg.From
// says. It runs until ctx ends, then hands its leases over (a graceful
// Shutdown), so that the others take them at once.
func tailGroup(ctx context.Context, cfg *tailConfig, out *tailPrinter) error {
	ddb, err := dynamodbClient(ctx, cfg.Endpoint, cfg.Region, cfg.Profile)
	if err != nil {
		return err
	}
	ccfg := consumer.Config{
		AppName:              cfg.Group,
		StreamName:           cfg.Stream,
		Kinesis:              cfg.Kinesis,
		DynamoDB:             ddb,
		IdleTimeBetweenReads: cfg.PollInterval,
		LeaseDuration:        cfg.LeaseDuration,
		Logger:               slog.New(slog.NewTextHandler(cfg.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	switch cfg.From.Type {
	case types.ShardIteratorTypeTrimHorizon:
		ccfg.InitialPosition = consumer.TrimHorizon
	case types.ShardIteratorTypeLatest:
		ccfg.InitialPosition = consumer.Latest
	case types.ShardIteratorTypeAtTimestamp:
		ccfg.InitialPosition, ccfg.InitialTimestamp = consumer.AtTimestamp, cfg.From.At
	}
	// A write error (a closed stdout) ends the whole process.
	failed := make(chan error, 1)
	w, err := consumer.New(ccfg, func(string) consumer.RecordProcessor {
		return &tailProcessor{out: out, failed: failed}
	})
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(runCtx) }()
	var werr error
	select {
	case err := <-done:
		return apiError("consume", err)
	case <-ctx.Done():
		werr = ctx.Err()
	case werr = <-failed:
	}
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := w.Shutdown(sctx); err != nil {
		fmt.Fprintf(cfg.Stderr, "eddy tail: leases not handed over in 10 s (%v); they expire instead\n", err)
	}
	cancel()
	<-done
	return werr
}

// tailProcessor prints a shard's records and checkpoints them once
// printed.
type tailProcessor struct {
	out    *tailPrinter
	failed chan<- error
}

func (p *tailProcessor) Initialize(context.Context, consumer.InitializationInput) {}

func (p *tailProcessor) ProcessRecords(ctx context.Context, in consumer.ProcessRecordsInput) {
	if err := p.out.printUser(in.ShardID, in.Records); err != nil {
		select {
		case p.failed <- err:
		default:
		}
		return
	}
	p.checkpoint(ctx, in.Checkpointer)
}

func (p *tailProcessor) LeaseLost(context.Context, consumer.LeaseLostInput) {}

func (p *tailProcessor) ShardEnded(ctx context.Context, in consumer.ShardEndedInput) {
	p.checkpoint(ctx, in.Checkpointer)
}

func (p *tailProcessor) ShutdownRequested(ctx context.Context, in consumer.ShutdownRequestedInput) {
	p.checkpoint(ctx, in.Checkpointer)
}

// checkpoint writes a checkpoint. A lost lease is no error (the process
// that took the shard prints the rest); another failure is reported and
// the next batch's checkpoint covers this one's records.
func (p *tailProcessor) checkpoint(ctx context.Context, c *consumer.Checkpointer) {
	if err := c.Checkpoint(ctx); err != nil && !errors.Is(err, consumer.ErrLeaseLost) && ctx.Err() == nil {
		fmt.Fprintf(p.out.stderr, "eddy tail: checkpoint: %v\n", err)
	}
}

// dynamodbClient builds the DynamoDB client for the lease table: the same
// endpoint as Kinesis when --endpoint is given (Eddy serves both on one
// port), else the AWS configuration's DynamoDB endpoint, else Eddy's default.
func dynamodbClient(ctx context.Context, endpoint, region, profile string) (*dynamodb.Client, error) {
	cfg, err := loadAWSConfig(ctx, region, profile)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		switch {
		case endpoint != "":
			o.BaseEndpoint = aws.String(endpoint)
		case o.BaseEndpoint == nil:
			o.BaseEndpoint = aws.String(defaultPutEndpoint)
		}
	}), nil
}
