package producer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/client/kpl"
)

// acceptAll answers ListShards with 16 shards and PutRecords with success,
// without a network: BenchmarkPut measures the producer's own work.
type acceptAll struct{}

func (acceptAll) ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error) {
	var out kinesis.ListShardsOutput
	for i := range 16 {
		start := kpl.HashKey{Hi: uint64(i) << 60}.String()
		end := kpl.HashKey{Hi: uint64(i)<<60 | (1<<60 - 1), Lo: ^uint64(0)}.String()
		out.Shards = append(out.Shards, types.Shard{ShardId: aws.String("shardId-" + strconv.Itoa(i)),
			HashKeyRange:        &types.HashKeyRange{StartingHashKey: aws.String(start), EndingHashKey: aws.String(end)},
			SequenceNumberRange: &types.SequenceNumberRange{StartingSequenceNumber: aws.String("0")}})
	}
	return &out, nil
}

func (acceptAll) PutRecords(_ context.Context, in *kinesis.PutRecordsInput, _ ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	out := &kinesis.PutRecordsOutput{FailedRecordCount: aws.Int32(0), Records: make([]types.PutRecordsResultEntry, len(in.Records))}
	for i, e := range in.Records {
		k, _ := kpl.HashKeyOf(*e.PartitionKey, aws.ToString(e.ExplicitHashKey))
		out.Records[i] = types.PutRecordsResultEntry{SequenceNumber: aws.String("1"), ShardId: aws.String("shardId-" + strconv.Itoa(int(k.Hi>>60)))}
	}
	return out, nil
}

// BenchmarkPut is the producer's CPU per 100-byte user record, aggregated,
// 100,000 keys, with a client that answers at once.
func BenchmarkPut(b *testing.B) {
	p, err := New(context.Background(), acceptAll{}, "s", RecordMaxBufferedTime(10*time.Millisecond), RateLimit(0))
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]string, 100000)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	data := make([]byte, 100)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.PutFunc(ctx, Record{PartitionKey: keys[i%len(keys)], Data: data}, func(Result) {}); err != nil {
			b.Fatal(err)
		}
	}
	p.Flush(ctx)
	b.StopTimer()
	p.Close(ctx)
}

// answerAll is an HTTP client that answers every PutRecords with success
// for each entry, on the shard (of acceptAll's 16) its hash key falls in,
// after reading the body as a transport would send it: with it,
// BenchmarkPutSDK measures the producer and the SDK without a server.
type answerAll struct{}

// answerBufs hold request bodies read by answerAll.
var answerBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (answerAll) Do(r *http.Request) (*http.Response, error) {
	buf := answerBufs.Get().(*bytes.Buffer)
	defer answerBufs.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	body := buf.Bytes()
	if r.Header.Get("X-Amz-Target") == "Kinesis_20131202.ListShards" {
		out, _ := acceptAll{}.ListShards(context.Background(), nil)
		var b bytes.Buffer
		b.WriteString(`{"Shards":[`)
		for i, s := range out.Shards {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"ShardId":%q,"HashKeyRange":{"StartingHashKey":%q,"EndingHashKey":%q},"SequenceNumberRange":{"StartingSequenceNumber":"0"}}`,
				*s.ShardId, *s.HashKeyRange.StartingHashKey, *s.HashKeyRange.EndingHashKey)
		}
		b.WriteString(`]}`)
		return jsonResponse(r, b.Bytes()), nil
	}
	var b bytes.Buffer
	b.WriteString(`{"FailedRecordCount":0,"Records":[`)
	n := 0
	for rest := body; ; n++ {
		i := bytes.Index(rest, []byte(`{"Data":`))
		if i < 0 {
			break
		}
		rest = rest[i+1:]
		end := bytes.IndexByte(rest, '}')
		entry := rest[:end]
		pk, ehk := jsonField(entry, "PartitionKey"), jsonField(entry, "ExplicitHashKey")
		k, _ := kpl.HashKeyOf(pk, ehk)
		if n > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"SequenceNumber":"%d","ShardId":"shardId-%d"}`, n+1, k.Hi>>60)
	}
	b.WriteString(`]}`)
	return jsonResponse(r, b.Bytes()), nil
}

func jsonField(entry []byte, name string) string {
	key := []byte(`"` + name + `":"`)
	i := bytes.Index(entry, key)
	if i < 0 {
		return ""
	}
	v := entry[i+len(key):]
	return string(v[:bytes.IndexByte(v, '"')])
}

func jsonResponse(r *http.Request, body []byte) *http.Response {
	return &http.Response{StatusCode: 200, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"bench"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body))}
}

// BenchmarkPutSDK is the client's CPU per 100-byte user record, aggregated,
// 100,000 keys, 4 goroutines putting, through a real aws-sdk-go-v2 client
// (serialization, payload hash, signing) whose HTTP client answers at
// once: cpu-ns/op is the process's CPU time (user and system) per record.
func BenchmarkPutSDK(b *testing.B) {
	for _, fast := range []bool{true, false} {
		b.Run(fmt.Sprintf("FastSerialization=%v", fast), func(b *testing.B) {
			client := kinesis.New(kinesis.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
				Credentials: credentials.NewStaticCredentialsProvider("AKID", "secret", ""), HTTPClient: answerAll{}})
			p, err := New(context.Background(), client, "s", RateLimit(0), FastSerialization(fast))
			if err != nil {
				b.Fatal(err)
			}
			keys := make([]string, 100000)
			for i := range keys {
				keys[i] = "key-" + strconv.Itoa(i)
			}
			data := make([]byte, 100)
			ctx := context.Background()
			var failed atomic.Int64
			cb := func(r Result) {
				if r.Err != nil {
					failed.Add(1)
				}
			}
			cpu0 := processCPU()
			b.ResetTimer()
			var next atomic.Int64
			var wg sync.WaitGroup
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1) - 1)
						if i >= b.N {
							return
						}
						if err := p.PutFunc(ctx, Record{PartitionKey: keys[i%len(keys)], Data: data}, cb); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			if err := p.Close(ctx); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
			if failed.Load() > 0 {
				b.Fatalf("%d records failed", failed.Load())
			}
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
