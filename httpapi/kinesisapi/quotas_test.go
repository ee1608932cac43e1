package kinesisapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	eddykinesis "github.com/eddy-streams/eddy/kinesis"
)

// TestDailyQuotaSDK: with --limits aws the 11th UpdateShardCount of a
// stream in 24 hours reaches aws-sdk-go-v2 as a modelled
// LimitExceededException (HTTP 400), also after a restart, and the call
// goes through once the first one is 24 hours old.
func TestDailyQuotaSDK(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := eddykinesis.NewFakeClock(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	limits := func(c *eddykinesis.Config) { c.Limits = eddykinesis.LimitsAWS; c.Clock = clock }
	s := startServer(t, dir, limits)
	if _, err := s.client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("q"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	usc := func(c *kinesis.Client, target int32) error {
		_, err := c.UpdateShardCount(ctx, &kinesis.UpdateShardCountInput{StreamName: aws.String("q"),
			TargetShardCount: aws.Int32(target), ScalingType: types.ScalingTypeUniformScaling})
		return err
	}
	first := clock.Now()
	for i := range 10 {
		clock.Advance(time.Second) // within UpdateShardCount's call rate
		if err := usc(s.client, int32(1+(i+1)%2)); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	const msg = "UpdateShardCount cannot scale stream q under account 000000000000 more than 10 times per rolling 24-hour period."
	wantQuotaError := func(err error) {
		t.Helper()
		var le *types.LimitExceededException
		var re *smithyhttp.ResponseError
		if !errors.As(err, &le) || le.ErrorMessage() != msg || !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
			t.Fatalf("got %v, want LimitExceededException (400): %s", err, msg)
		}
	}
	clock.Advance(time.Second)
	wantQuotaError(usc(s.client, 2))

	s.stop()
	s = startServer(t, dir, limits)
	clock.Advance(time.Second)
	wantQuotaError(usc(s.client, 2))

	clock.Advance(first.Add(24*time.Hour + time.Second).Sub(clock.Now()))
	if err := usc(s.client, 2); err != nil {
		t.Fatalf("24 hours later: %v", err)
	}
}
