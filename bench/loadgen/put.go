package main

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Throughput is the result of the PutRecords or the GetRecords workload.
type Throughput struct {
	Records       int64   `json:"records"` // acknowledged (put) or read (get)
	Bytes         int64   `json:"bytes"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"records_per_s"`
	MBPerSec      float64 `json:"mb_per_s"`
	Requests      int64   `json:"requests"`
	Latency       Latency `json:"request_latency"`
	// Put only: entries the server refused in a 200 answer (retried up to
	// -put-retries times), and requests that failed as a whole.
	FailedEntries int64  `json:"failed_entries,omitempty"`
	RequestErrors int64  `json:"request_errors,omitempty"`
	FirstError    string `json:"first_error,omitempty"`
	// CPU seconds of the server process (-1: not measured) and of the load
	// generator during the workload, and the server's per record.
	ServerCPU          float64 `json:"server_cpu_s"`
	ClientCPU          float64 `json:"client_cpu_s"`
	ServerCPUPerRecord float64 `json:"server_cpu_us_per_record"`
}

func (t *Throughput) finish(el time.Duration, server, self float64) {
	t.Seconds = el.Seconds()
	if t.Seconds > 0 {
		t.RecordsPerSec = float64(t.Records) / t.Seconds
		t.MBPerSec = float64(t.Bytes) / t.Seconds / 1e6
	}
	t.ServerCPU, t.ClientCPU = server, self
	t.ServerCPUPerRecord = -1
	if server >= 0 && t.Records > 0 {
		t.ServerCPUPerRecord = server / float64(t.Records) * 1e6
	}
}

// errorLog keeps a count of errors and the first one's text.
type errorLog struct {
	n     atomic.Int64
	once  sync.Once
	first string
}

func (e *errorLog) add(err error) {
	e.n.Add(1)
	e.once.Do(func() { e.first = err.Error() })
}

// putWorkload runs -clients producers, each sending PutRecords of -batch
// records of -size bytes, until -records records have been sent or
// -duration has passed. Records ids are dense: batch k holds ids
// [k*batch, (k+1)*batch). Entries the server refuses are retried with the
// same ids; a request that fails as a whole is not retried (its records
// are unacknowledged, and a reader that finds them counts them as such).
func (g *gen) putWorkload(ctx context.Context, stream string, cd *codec, led *ledger) Throughput {
	cfg := g.cfg
	batches := int64(cfg.Records / cfg.Batch)
	var (
		next           atomic.Int64
		acked, failed  atomic.Int64
		requests       atomic.Int64
		errs           errorLog
		lat            samples
		wg             sync.WaitGroup
		stopProgress   = make(chan struct{})
		progressClosed = make(chan struct{})
	)
	start := time.Now()
	deadline := start.Add(cfg.Duration)
	go func() {
		defer close(progressClosed)
		g.progress(stopProgress, func(el time.Duration) string {
			a := acked.Load()
			return fmt.Sprintf("put: %d records acknowledged, %.0f records/s, %d failed entries, %d request errors",
				a, float64(a)/el.Seconds(), failed.Load(), errs.n.Load())
		})
	}()
	meter := startCPU(g.server)
	for c := 0; c < cfg.Clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bufs := make([][]byte, cfg.Batch)
			for i := range bufs {
				bufs[i] = make([]byte, cfg.Size)
			}
			data := make([][]byte, 0, cfg.Batch)
			keys := make([]string, 0, cfg.Batch)
			ids := make([]uint64, 0, cfg.Batch)
			ok := make([]bool, cfg.Batch)
			for errs.n.Load() < int64(cfg.MaxErrors) {
				k := next.Add(1) - 1
				if k >= batches || time.Now().After(deadline) || ctx.Err() != nil {
					return
				}
				data, keys, ids = data[:0], keys[:0], ids[:0]
				now := g.now()
				for j := range cfg.Batch {
					id := uint64(k)*uint64(cfg.Batch) + uint64(j)
					cd.fill(bufs[j], id, now)
					ids = append(ids, id)
					data = append(data, bufs[j])
					keys = append(keys, strconv.FormatUint(id, 10))
				}
				for attempt := 0; len(data) > 0; attempt++ {
					rctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
					t := time.Now()
					err := g.put.putRecords(rctx, stream, data, keys, ok[:len(data)])
					cancel()
					requests.Add(1)
					if err != nil {
						errs.add(err)
						break
					}
					lat.add(time.Since(t))
					n := 0 // refused entries move to the front, for the retry
					for j := range data {
						if ok[j] {
							led.ack(ids[j])
							acked.Add(1)
							continue
						}
						failed.Add(1)
						data[n], keys[n], ids[n] = data[j], keys[j], ids[j]
						n++
					}
					if n == 0 || attempt == cfg.PutRetries {
						break
					}
					data, keys, ids = data[:n], keys[:n], ids[:n]
					time.Sleep(time.Duration(attempt+1) * 10 * time.Millisecond) // back off as SDK producers do on throttling
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	server, self := meter.stop()
	close(stopProgress)
	<-progressClosed
	t := Throughput{Records: acked.Load(), Bytes: acked.Load() * int64(cfg.Size), Requests: requests.Load(),
		Latency: lat.summary(), FailedEntries: failed.Load(), RequestErrors: errs.n.Load(), FirstError: errs.first}
	t.finish(el, server, self)
	return t
}

// noRetry turns the SDK's retries off for one call: a retried put whose
// first attempt was stored would show as a duplicate the server did not
// cause, and a failing server should show its errors.
func noRetry(o *kinesis.Options) { o.RetryMaxAttempts = 1 }
