package main

import (
	"context"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/client/consumer"
)

func init() { runners["eddy"] = eddyRunner{} }

// eddyRunner runs client/consumer: e.workers Workers of one application in
// this process, sharing the stream through the library's lease table.
type eddyRunner struct{}

func (eddyRunner) start(ctx context.Context, e env, deliver deliverFunc) (func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	var ws []*consumer.Worker
	done := make(chan error, e.workers)
	stop := func() {
		sctx, scancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer scancel()
		for _, w := range ws {
			_ = w.Shutdown(sctx)
		}
		cancel()
		for range ws {
			<-done
		}
	}
	for i := 0; i < e.workers; i++ {
		w, err := consumer.New(consumer.Config{
			AppName:         e.app,
			StreamName:      e.stream,
			WorkerID:        fmt.Sprintf("worker-%d", i),
			Kinesis:         e.kinesis,
			DynamoDB:        e.dynamodb,
			InitialPosition: consumer.TrimHorizon,
			FanOut:          e.fanOut,
			MaxRecords:      10000,
			LeaseDuration:   10 * time.Second,
			// As vmware's runner: each worker takes its share at once
			// rather than all of them first and the rest by stealing.
			MaxLeasesForWorker: (e.shards + e.workers - 1) / e.workers,
		}, func(string) consumer.RecordProcessor { return &eddyProcessor{deliver: deliver} })
		if err != nil {
			stop()
			return nil, err
		}
		ws = append(ws, w)
		go func() { done <- w.Run(ctx) }()
	}
	return stop, nil
}

// eddyProcessor hands every record to deliver and checkpoints each batch.
type eddyProcessor struct{ deliver deliverFunc }

func (p *eddyProcessor) Initialize(context.Context, consumer.InitializationInput) {}

func (p *eddyProcessor) ProcessRecords(ctx context.Context, in consumer.ProcessRecordsInput) {
	for _, r := range in.Records {
		p.deliver(r.Data)
	}
	if len(in.Records) > 0 {
		_ = in.Checkpointer.Checkpoint(ctx)
	}
}

func (p *eddyProcessor) LeaseLost(context.Context, consumer.LeaseLostInput) {}

func (p *eddyProcessor) ShardEnded(ctx context.Context, in consumer.ShardEndedInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
}

func (p *eddyProcessor) ShutdownRequested(ctx context.Context, in consumer.ShutdownRequestedInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
}
