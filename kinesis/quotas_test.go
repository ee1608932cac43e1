package kinesis

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// wantError fails unless err is an *eddy.Error with code and exactly msg.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ee *eddy.Error
	if !errors.As(err, &ee) || ee.Code != code || ee.Message != msg {
		t.Fatalf("got error %v,\nwant %s: %s", err, code, msg)
	}
}

// quotaCase is one operation with a daily quota: call makes its i-th
// successful call on stream "s" (i from 0), each one valid on its own.
type quotaCase struct {
	name  string
	limit int
	setup func(t *testing.T, e *Engine)
	call  func(e *Engine, i int) error
	msg   string
}

func quotaCases() []quotaCase {
	ctx := context.Background()
	create := func(shards int) func(t *testing.T, e *Engine) {
		return func(t *testing.T, e *Engine) {
			t.Helper()
			if err := e.createStream("s", shards, ModeProvisioned, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	return []quotaCase{
		{
			name: "UpdateShardCount", limit: 10, setup: create(2),
			call: func(e *Engine, i int) error {
				target := int32(4) // 2 -> 4 -> 2 -> 4 ...
				if i%2 == 1 {
					target = 2
				}
				_, err := e.UpdateShardCount(ctx, &kds.UpdateShardCountInput{StreamName: ptr("s"),
					TargetShardCount: ptr(target), ScalingType: ptr(kds.ScalingTypeUniformScaling)})
				return err
			},
			msg: "UpdateShardCount cannot scale stream s under account 000000000000 more than 10 times per rolling 24-hour period.",
		},
		{
			name: "UpdateStreamMode", limit: 2, setup: create(1),
			call: func(e *Engine, i int) error {
				mode := kds.StreamMode(ModeOnDemand)
				if i%2 == 1 {
					mode = ModeProvisioned
				}
				_, err := e.UpdateStreamMode(ctx, &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("s")),
					StreamModeDetails: &kds.StreamModeDetails{StreamMode: &mode}})
				return err
			},
			msg: "Stream s under account 000000000000 cannot switch between the on-demand and provisioned capacity modes more than 2 times within 24 hours.",
		},
		{
			name: "StartStreamEncryption", limit: 25, setup: create(1),
			call: func(e *Engine, i int) error {
				_, err := e.StartStreamEncryption(ctx, &kds.StartStreamEncryptionInput{StreamName: ptr("s"),
					EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr(fmt.Sprint("alias/key-", i))})
				return err
			},
			msg: "A new AWS KMS key can be applied for server-side encryption of stream s under account 000000000000 only 25 times in a rolling 24-hour period.",
		},
		{
			name: "StopStreamEncryption", limit: 25, setup: create(1),
			call: func(e *Engine, i int) error {
				_, err := e.StopStreamEncryption(ctx, &kds.StopStreamEncryptionInput{StreamName: ptr("s"),
					EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr("alias/key")})
				return err
			},
			msg: "Server-side encryption of stream s under account 000000000000 can be disabled only 25 times in a rolling 24-hour period.",
		},
	}
}

// TestDailyQuotas: with limits on, each operation succeeds its quota's
// number of times in 24 hours on the engine's clock, the next one is
// refused with LimitExceededException, a restart keeps the count, and the
// call is accepted once the first counted one is 24 hours old.
func TestDailyQuotas(t *testing.T) {
	for _, tc := range quotaCases() {
		t.Run(tc.name, func(t *testing.T) {
			mut := func(c *Config) { c.Limits = LimitsAWS }
			env := newEnv(t, mut)
			tc.setup(t, env.e)
			first := env.clock.Now()
			for i := range tc.limit {
				if err := tc.call(env.e, i); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
				env.clock.Advance(time.Minute)
			}
			before := env.e.lookup("s").view.Load().meta
			wantError(t, tc.call(env.e, tc.limit), eddy.CodeLimitExceeded, tc.msg)
			after := env.e.lookup("s").view.Load().meta
			if len(after.Shards) != len(before.Shards) || after.Mode != before.Mode || after.Encryption != before.Encryption || after.KeyID != before.KeyID {
				t.Fatalf("the refused call changed the stream: %+v -> %+v", before, after)
			}

			// A restart does not reset the count.
			env.e.Close()
			env.e = env.open(t, mut)
			wantError(t, tc.call(env.e, tc.limit), eddy.CodeLimitExceeded, tc.msg)

			// One second before the first call is 24 hours old it still
			// counts; then it does not.
			env.clock.Advance(first.Add(quotaWindow - time.Second).Sub(env.clock.Now()))
			wantError(t, tc.call(env.e, tc.limit), eddy.CodeLimitExceeded, tc.msg)
			env.clock.Advance(time.Second)
			if err := tc.call(env.e, tc.limit); err != nil {
				t.Fatalf("24 hours after the first call: %v", err)
			}
			wantError(t, tc.call(env.e, tc.limit+1), eddy.CodeLimitExceeded, tc.msg)
		})
	}
}

// TestDailyQuotasOff: without limits nothing is counted.
func TestDailyQuotasOff(t *testing.T) {
	for _, tc := range quotaCases() {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, nil)
			tc.setup(t, env.e)
			for i := range tc.limit + 3 {
				if err := tc.call(env.e, i); err != nil {
					t.Fatalf("call %d: %v", i+1, err)
				}
			}
			if q := env.e.lookup("s").view.Load().meta.Quotas; len(q) != 0 {
				t.Fatalf("counted with limits off: %v", q)
			}
		})
	}
}

// TestDailyQuotaCountsOnlySuccess: refused calls use nothing up, and the
// two encryption quotas are counted apart.
func TestDailyQuotaCountsOnlySuccess(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Limits = LimitsAWS })
	e := env.e
	ctx := context.Background()
	e.createStream("s", 2, ModeProvisioned, nil)
	usc := func(target int32) error {
		_, err := e.UpdateShardCount(ctx, &kds.UpdateShardCountInput{StreamName: ptr("s"),
			TargetShardCount: ptr(target), ScalingType: ptr(kds.ScalingTypeUniformScaling)})
		return err
	}
	// Over double and over the shard limit: refused, and not counted.
	for range 20 {
		wantCode(t, usc(5), eddy.CodeLimitExceeded)
		wantCode(t, usc(20000), eddy.CodeLimitExceeded)
	}
	if n := len(e.lookup("s").view.Load().meta.Quotas["UpdateShardCount"]); n != 0 {
		t.Fatalf("%d refused UpdateShardCount calls counted", n)
	}
	for i := range 10 {
		if err := usc(int32(2 + 2*(i%2))); err != nil { // 2 -> 2 is allowed, and counts
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	wantCode(t, usc(4), eddy.CodeLimitExceeded)

	for i := range 25 {
		if _, err := e.StartStreamEncryption(ctx, &kds.StartStreamEncryptionInput{StreamName: ptr("s"),
			EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr(fmt.Sprint("k", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.StopStreamEncryption(ctx, &kds.StopStreamEncryptionInput{StreamName: ptr("s"),
		EncryptionType: ptr(kds.EncryptionType(EncryptionKMS)), KeyId: ptr("k")}); err != nil {
		t.Fatalf("StopStreamEncryption after 25 starts: %v", err)
	}
	// A mode switch to the mode the stream is in is refused and not counted.
	for range 3 {
		_, err := e.UpdateStreamMode(ctx, &kds.UpdateStreamModeInput{StreamARN: ptr(e.arn("s")),
			StreamModeDetails: &kds.StreamModeDetails{StreamMode: ptr(kds.StreamMode(ModeProvisioned))}})
		wantCode(t, err, eddy.CodeInvalidArgument)
	}
	if n := len(e.lookup("s").view.Load().meta.Quotas["UpdateStreamMode"]); n != 0 {
		t.Fatalf("%d refused mode switches counted", n)
	}
}

// TestUpdateShardCountLimits: the double-or-half rule and the shard limit
// answer with AWS's words (as kinesalite's tests recorded them).
func TestUpdateShardCountLimits(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name          string
		limits        string
		shards        int
		target        int32
		code, message string
	}{
		{"over double", LimitsOff, 2, 6, eddy.CodeLimitExceeded,
			"UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2, Target shard count: 6"},
		{"below half", LimitsOff, 6, 2, eddy.CodeLimitExceeded,
			"UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 6, Target shard count: 2"},
		{"over double with limits", LimitsAWS, 2, 6, eddy.CodeLimitExceeded,
			"UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 2, Target shard count: 6"},
		// The shard limit comes before the double rule.
		{"over the shard limit", LimitsAWS, 10, 52, eddy.CodeLimitExceeded,
			"Target shard count or number of open shards cannot be greater than 50. Current open shard count: 10, Target shard count: 52"},
		{"half is allowed", LimitsAWS, 6, 3, "", ""},
		{"double is allowed", LimitsAWS, 3, 6, "", ""},
		{"up to the shard limit", LimitsAWS, 25, 50, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.Limits = tc.limits; c.ShardLimit = 50 })
			env.e.createStream("s", tc.shards, ModeProvisioned, nil)
			_, err := env.e.UpdateShardCount(ctx, &kds.UpdateShardCountInput{StreamName: ptr("s"),
				TargetShardCount: ptr(tc.target), ScalingType: ptr(kds.ScalingTypeUniformScaling)})
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := openShards(env.e, "s"); n != int(tc.target) {
					t.Fatalf("%d open shards, want %d", n, tc.target)
				}
				return
			}
			wantError(t, err, tc.code, tc.message)
			if n := openShards(env.e, "s"); n != tc.shards {
				t.Fatalf("%d open shards after a refused call, want %d", n, tc.shards)
			}
		})
	}
}
