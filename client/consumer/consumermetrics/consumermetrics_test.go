package consumermetrics_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/eddy-streams/eddy/client/consumer"
	"github.com/eddy-streams/eddy/client/consumer/consumermetrics"
	"github.com/eddy-streams/eddy/internal/eddytest"
	"github.com/eddy-streams/eddy/metrics"
)

type nop struct{}

func (nop) Initialize(context.Context, consumer.InitializationInput) {}
func (nop) ProcessRecords(ctx context.Context, in consumer.ProcessRecordsInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
}
func (nop) LeaseLost(context.Context, consumer.LeaseLostInput) {}
func (nop) ShardEnded(ctx context.Context, in consumer.ShardEndedInput) {
	_ = in.Checkpointer.Checkpoint(ctx)
}
func (nop) ShutdownRequested(context.Context, consumer.ShutdownRequestedInput) {}

// TestWorkerMetrics runs a worker with the adapter and reads the families
// it exported.
func TestWorkerMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	srv := eddytest.Start(t, eddytest.Options{})
	kc := srv.Kinesis()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := kc.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("abcd")}); err != nil {
			t.Fatal(err)
		}
	}
	reg := metrics.NewRegistry()
	w, err := consumer.New(consumer.Config{
		AppName: "app", StreamName: "s", WorkerID: "w1", Kinesis: kc, DynamoDB: srv.DynamoDB(),
		InitialPosition: consumer.TrimHorizon, LeaseDuration: 3 * time.Second, IdleTimeBetweenReads: 50 * time.Millisecond,
		Metrics: consumermetrics.New(reg),
	}, func(string) consumer.RecordProcessor { return nop{} })
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { done <- w.Run(runCtx) }()
	defer func() { stop(); <-done }()
	want := []string{
		`kcl_records_processed_total{stream="s",worker="w1",shard="shardId-000000000000"} 3`,
		`kcl_data_processed_bytes_total{stream="s",worker="w1",shard="shardId-000000000000"} 12`,
		`kcl_millis_behind_latest{stream="s",worker="w1",shard="shardId-000000000000"} 0`,
		`kcl_taken_leases_total{stream="s",worker="w1"} 1`,
		`kcl_current_leases{stream="s",worker="w1"} 1`,
	}
	var out string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var buf bytes.Buffer
		if err := reg.WriteText(&buf); err != nil {
			t.Fatal(err)
		}
		out = buf.String()
		missing := false
		for _, s := range want {
			missing = missing || !strings.Contains(out, s)
		}
		if !missing {
			return
		}
		if time.Now().After(deadline) {
			break
		}
	}
	for _, s := range want {
		if !strings.Contains(out, s) {
			t.Errorf("missing %s in\n%s", s, out)
		}
	}
}
