package kinesis

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
	"github.com/eddy-streams/eddy/storage"
)

const keyAccount = "account-settings"

// accountSettings is the account-level state kept in the engine table.
type accountSettings struct {
	Commitment string `json:"commitment"` // ENABLED or DISABLED
	Started    int64  `json:"started,omitempty"`
	Ended      int64  `json:"ended,omitempty"`
}

// DescribeAccountSettings reports the minimum throughput billing
// commitment (DISABLED until enabled).
func (e *Engine) DescribeAccountSettings(ctx context.Context, in *kds.DescribeAccountSettingsInput) (*kds.DescribeAccountSettingsOutput, error) {
	a, err := e.accountSettings()
	if err != nil {
		return nil, err
	}
	return &kds.DescribeAccountSettingsOutput{MinimumThroughputBillingCommitment: a.out()}, nil
}

// UpdateAccountSettings enables or disables the commitment.
func (e *Engine) UpdateAccountSettings(ctx context.Context, in *kds.UpdateAccountSettingsInput) (*kds.UpdateAccountSettingsOutput, error) {
	var a accountSettings
	err := e.meta.Update(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableEngine, keyAccount)
		if err == nil {
			if err := json.Unmarshal(b, &a); err != nil {
				return err
			}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		want := "DISABLED"
		if c := in.MinimumThroughputBillingCommitment; c != nil && c.Status != nil {
			want = string(*c.Status)
		}
		now := e.now().UnixNano()
		switch {
		case want == "ENABLED" && a.Commitment != "ENABLED":
			a = accountSettings{Commitment: "ENABLED", Started: now}
		case want == "DISABLED" && a.Commitment == "ENABLED":
			a.Commitment, a.Ended = "DISABLED", now
		}
		b, _ = json.Marshal(a)
		return tx.Put(tableEngine, keyAccount, b)
	})
	if err != nil {
		return nil, internalf("account settings: %w", err)
	}
	return &kds.UpdateAccountSettingsOutput{MinimumThroughputBillingCommitment: a.out()}, nil
}

func (e *Engine) accountSettings() (accountSettings, error) {
	var a accountSettings
	err := e.meta.View(func(tx storage.MetaTx) error {
		b, err := tx.Get(tableEngine, keyAccount)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return json.Unmarshal(b, &a)
	})
	if err != nil {
		return a, internalf("account settings: %w", err)
	}
	return a, nil
}

func (a accountSettings) out() *kds.MinimumThroughputBillingCommitmentOutput {
	out := &kds.MinimumThroughputBillingCommitmentOutput{Status: kds.MinimumThroughputBillingCommitmentOutputStatusDisabled}
	if a.Commitment == "ENABLED" {
		out.Status = kds.MinimumThroughputBillingCommitmentOutputStatusEnabled
	}
	if a.Started != 0 {
		out.StartedAt = kds.NewTimestamp(time.Unix(0, a.Started))
	}
	if a.Ended != 0 {
		out.EndedAt = kds.NewTimestamp(time.Unix(0, a.Ended))
	}
	return out
}
