package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// memKeyLen is the length of the memory test's partition keys (%016x of the
// record id): a record's data is -mem-record minus this, so that data and
// key together are the record size Kinesis counts against its 1 MiB limit.
const memKeyLen = 16

// Memory is the result of the memory test.
type Memory struct {
	Clients       int     `json:"clients"`
	Batch         int     `json:"batch"`
	RecordBytes   int     `json:"record_bytes"` // data + partition key
	Acked         int64   `json:"acked"`
	Sent          int64   `json:"sent"`
	RequestErrors int64   `json:"request_errors"`
	FirstError    string  `json:"first_error,omitempty"`
	Seconds       float64 `json:"seconds"`
	// The server's resident memory: before the test, its peak during the
	// test and after. The peak is VmHWM (reset first when the kernel
	// allows; otherwise the peak since the process started), sampled every
	// 20 ms so that it is known even if the server dies. 0 when not
	// measured.
	RSSBeforeMB float64 `json:"rss_before_mb"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	RSSAfterMB  float64 `json:"rss_after_mb"`
	PeakReset   bool    `json:"peak_reset"`
	// Survived: the process is still running afterwards (always true
	// without -server-pid). Responsive: it answered ListStreams.
	Survived   bool    `json:"survived"`
	Responsive bool    `json:"responsive"`
	Verify     *Verify `json:"verify,omitempty"` // read back when responsive
	ServerCPU  float64 `json:"server_cpu_s"`
}

// memoryWorkload sends -mem-clients PutRecords at once, each of -mem-batch
// records of -mem-record bytes, then checks that the server survived and
// reads everything back.
func (g *gen) memoryWorkload(ctx context.Context) Memory {
	cfg := g.cfg
	res := Memory{Clients: cfg.MemClients, Batch: cfg.MemBatch, RecordBytes: cfg.MemRecord, ServerCPU: -1}
	cd, err := newCodec(g.run, cfg.MemRecord-memKeyLen)
	if err != nil {
		res.FirstError = err.Error()
		return res
	}
	stream := g.streamName("memory")
	if err := g.createStream(ctx, stream, cfg.MemShards); err != nil {
		res.FirstError = err.Error()
		return res
	}
	defer g.deleteStream(stream)
	led := newLedger(cfg.MemClients * cfg.MemBatch)

	// Build every request first, then release them together.
	reqs := make([][]types.PutRecordsRequestEntry, cfg.MemClients)
	for c := range reqs {
		for j := range cfg.MemBatch {
			id := uint64(c*cfg.MemBatch + j)
			b := make([]byte, cd.size)
			cd.fill(b, id, 0)
			reqs[c] = append(reqs[c], types.PutRecordsRequestEntry{Data: b, PartitionKey: aws.String(fmt.Sprintf("%016x", id))})
		}
	}
	res.RSSBeforeMB = mb(g.server.memory())
	res.PeakReset = g.server.pid != 0 && os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", g.server.pid), []byte("5"), 0) == nil
	g.logf("memory: %d concurrent PutRecords of %d x %d-byte records", cfg.MemClients, cfg.MemBatch, cfg.MemRecord)
	var (
		acked atomic.Int64
		errs  errorLog
		wg    sync.WaitGroup
		gate  = make(chan struct{})
	)
	meter := startCPU(g.server)
	stopSampling, peak := g.samplePeak()
	for c := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			rctx, cancel := context.WithTimeout(ctx, cfg.MemTimeout)
			defer cancel()
			out, err := g.kc.PutRecords(rctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: reqs[c]}, noRetry)
			if err != nil {
				errs.add(fmt.Errorf("PutRecords: %w", err))
				return
			}
			for j, r := range out.Records {
				if r.ErrorCode == nil && j < len(reqs[c]) {
					led.ack(uint64(c*cfg.MemBatch + j))
					acked.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	close(gate)
	wg.Wait()
	res.Seconds = time.Since(start).Seconds()
	res.ServerCPU, _ = meter.stop()
	reqs = nil
	res.Sent = int64(cfg.MemClients * cfg.MemBatch)
	res.Acked, res.RequestErrors, res.FirstError = acked.Load(), errs.n.Load(), errs.first
	stopSampling()
	rss, _, _ := g.server.memory()
	res.PeakRSSMB, res.RSSAfterMB = float64(*peak)/1e6, float64(rss)/1e6
	res.Survived = g.server.alive()
	if res.Survived {
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := g.kc.ListStreams(lctx, &kinesis.ListStreamsInput{})
		cancel()
		res.Responsive = err == nil
	}
	g.logf("memory: %d of %d records acknowledged in %.1fs, %d request errors; server peak RSS %.0f MB, alive %v, responsive %v",
		res.Acked, res.Sent, res.Seconds, res.RequestErrors, res.PeakRSSMB, res.Survived, res.Responsive)
	if res.Responsive {
		if _, err := g.readBack(ctx, stream, cd, led, 100, cfg.ReadTimeout); err != nil {
			g.logf("memory: read back: %v", err)
		}
		v := led.result()
		res.Verify = &v
	}
	return res
}

func mb(rss, _ int64, _ error) float64 { return float64(rss) / 1e6 }

// samplePeak reads the server's VmHWM every 20 ms until stop is called,
// keeping the highest value in *peak (bytes); stop takes a last reading.
func (g *gen) samplePeak() (stop func(), peak *int64) {
	peak = new(int64)
	read := func() {
		if _, hwm, err := g.server.memory(); err == nil && hwm > *peak {
			*peak = hwm
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			read()
			select {
			case <-done:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}
