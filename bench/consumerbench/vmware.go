package main

import (
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/sirupsen/logrus"
	"github.com/vmware/vmware-go-kcl-v2/clientlibrary/config"
	kcli "github.com/vmware/vmware-go-kcl-v2/clientlibrary/interfaces"
	"github.com/vmware/vmware-go-kcl-v2/clientlibrary/worker"
	kcllog "github.com/vmware/vmware-go-kcl-v2/logger"
)

// vmwareRunner runs vmware-go-kcl-v2: e.workers Workers of one application
// in this process, each allowed an even share of the shards, sharing the
// library's DynamoDB lease table on the same endpoint.
type vmwareRunner struct{}

func (vmwareRunner) start(ctx context.Context, e env, deliver deliverFunc) (func(), error) {
	creds := credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")
	lg := logrus.New()
	lg.SetOutput(io.Discard)
	var ws []*worker.Worker
	stop := func() {
		for _, w := range ws {
			w.Shutdown()
		}
	}
	for i := 0; i < e.workers; i++ {
		cfg := config.NewKinesisClientLibConfigWithCredential(e.app, e.stream, "us-east-1", fmt.Sprintf("worker-%d", i), creds).
			WithKinesisEndpoint(e.endpoint).
			WithDynamoDBEndpoint(e.endpoint).
			WithInitialPositionInStream(config.TRIM_HORIZON).
			WithMaxRecords(10000).
			WithMaxLeasesForWorker((e.shards + e.workers - 1) / e.workers).
			WithIdleTimeBetweenReadsInMillis(200).
			WithShardSyncIntervalMillis(1000).
			WithLogger(kcllog.NewLogrusLogger(lg))
		if e.fanOut {
			cfg = cfg.WithEnhancedFanOutConsumer(true)
		}
		w := worker.NewWorker(vmwareFactory{deliver}, cfg)
		// A Kinesis client per worker: aws-sdk-go-v2 shares one event-stream
		// codec between the SubscribeToShard streams of a client, a data
		// race (aws/smithy-go issue 714); fewer streams share one here.
		w.WithKinesis(kinesis.New(kinesis.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String(e.endpoint)}))
		if err := w.Start(); err != nil {
			stop()
			return nil, err
		}
		ws = append(ws, w)
	}
	return stop, nil
}

type vmwareFactory struct{ deliver deliverFunc }

func (f vmwareFactory) CreateProcessor() kcli.IRecordProcessor { return &vmwareProcessor{f.deliver} }

// vmwareProcessor hands every record to deliver and checkpoints each batch,
// as a real application would.
type vmwareProcessor struct{ deliver deliverFunc }

func (p *vmwareProcessor) Initialize(*kcli.InitializationInput) {}

func (p *vmwareProcessor) ProcessRecords(in *kcli.ProcessRecordsInput) {
	if len(in.Records) == 0 {
		return
	}
	for _, r := range in.Records {
		p.deliver(r.Data)
	}
	_ = in.Checkpointer.Checkpoint(in.Records[len(in.Records)-1].SequenceNumber)
}

func (p *vmwareProcessor) Shutdown(in *kcli.ShutdownInput) {
	if in.ShutdownReason == kcli.TERMINATE {
		_ = in.Checkpointer.Checkpoint(nil)
	}
}
