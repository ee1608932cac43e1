// Package kclient holds what the benchmark programs share to talk to a
// Kinesis endpoint with aws-sdk-go-v2: a client with static dummy
// credentials, creating a stream and waiting until it is ACTIVE, and
// preloading it.
//
//	c := kclient.New("http://127.0.0.1:4567", nil)
//	if err := kclient.CreateStream(ctx, c, "bench", 4, time.Minute); err != nil { ... }
package kclient

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Region and Credentials are what New's clients use.
const Region = "us-east-1"

var Credentials = aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "secret", Source: "kclient"}

// New returns a Kinesis client for endpoint in us-east-1 with the dummy
// credentials AKID/secret. A nil httpClient means the SDK's default.
func New(endpoint string, httpClient *http.Client) *kinesis.Client {
	o := kinesis.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(Credentials.AccessKeyID, Credentials.SecretAccessKey, ""),
	}
	if httpClient != nil {
		o.HTTPClient = httpClient
	}
	return kinesis.New(o)
}

// CreateStream creates a provisioned stream of shards shards and waits until
// it is ACTIVE, polling every 20 ms for at most timeout.
func CreateStream(ctx context.Context, c *kinesis.Client, name string, shards int, timeout time.Duration) error {
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(int32(shards))}); err != nil {
		return fmt.Errorf("create stream %s: %w", name, err)
	}
	return WaitActive(ctx, c, name, timeout)
}

// WaitActive polls DescribeStreamSummary every 20 ms until the stream is
// ACTIVE, for at most timeout.
func WaitActive(ctx context.Context, c *kinesis.Client, name string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		out, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String(name)})
		if err == nil && out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			return nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("status %s", out.StreamDescriptionSummary.StreamStatus)
			}
			return fmt.Errorf("stream %s not ACTIVE after %v: %w", name, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Preload puts n records into stream with PutRecords of 500, 4 requests at
// a time, retrying the entries a request refused. data(i) is record i's
// data, its partition key is i in decimal.
func Preload(ctx context.Context, c *kinesis.Client, stream string, n int, data func(i int) []byte) error {
	batches := make(chan int)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for start := range batches {
				var entries []types.PutRecordsRequestEntry
				for i := start; i < n && i < start+500; i++ {
					entries = append(entries, types.PutRecordsRequestEntry{Data: data(i), PartitionKey: aws.String(strconv.Itoa(i))})
				}
				for len(entries) > 0 {
					out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
					if err != nil {
						errs <- err
						return
					}
					var retry []types.PutRecordsRequestEntry
					for i, r := range out.Records {
						if r.ErrorCode != nil {
							retry = append(retry, entries[i])
						}
					}
					entries = retry
				}
			}
		}()
	}
	for start := 0; start < n; start += 500 {
		select {
		case batches <- start:
		case err := <-errs:
			close(batches)
			wg.Wait()
			return err
		}
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
