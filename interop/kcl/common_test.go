package kcl

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/internal/eddytest"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createStream creates an ACTIVE stream of n shards.
func createStream(t *testing.T, s *eddytest.Server, name string, n int32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	kc := s.Kinesis()
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
		t.Fatal(err)
	}
	if err := kinesis.NewStreamExistsWaiter(kc).Wait(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, 10*time.Second,
		func(o *kinesis.StreamExistsWaiterOptions) {
			o.MinDelay = 20 * time.Millisecond
			o.MaxDelay = 100 * time.Millisecond
		}); err != nil {
		t.Fatal(err)
	}
}

// putBatch puts n records whose data is prefix-i, spread over the shards by
// partition key, and returns the payloads.
func putBatch(t *testing.T, s *eddytest.Server, stream, prefix string, n int) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var payloads []string
	for start := 0; start < n; start += 500 {
		var entries []ktypes.PutRecordsRequestEntry
		for i := start; i < n && i < start+500; i++ {
			p := fmt.Sprintf("%s-%d", prefix, i)
			payloads = append(payloads, p)
			entries = append(entries, ktypes.PutRecordsRequestEntry{Data: []byte(p), PartitionKey: aws.String(fmt.Sprintf("pk-%d", i))})
		}
		out, err := s.Kinesis().PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(stream), Records: entries})
		if err != nil {
			t.Fatal(err)
		}
		if c := aws.ToInt32(out.FailedRecordCount); c != 0 {
			t.Fatalf("PutRecords: %d records failed", c)
		}
	}
	return payloads
}

// seen records what a consumer delivered: payload -> times delivered, and
// the last sequence number delivered per shard.
type seen struct {
	mu    sync.Mutex
	count map[string]int
	last  map[string]string
}

func newSeen() *seen { return &seen{count: map[string]int{}, last: map[string]string{}} }

func (s *seen) add(shard, payload, seq string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count[payload]++
	s.last[shard] = seq
}

// hasAll reports whether every payload was delivered at least once.
func (s *seen) hasAll(payloads []string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range payloads {
		if s.count[p] == 0 {
			return false
		}
	}
	return true
}

// delivered returns which of payloads were delivered.
func (s *seen) delivered(payloads []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range payloads {
		if s.count[p] > 0 {
			out = append(out, p)
		}
	}
	return out
}

func (s *seen) lastSeqs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string]string, len(s.last))
	for k, v := range s.last {
		m[k] = v
	}
	return m
}
