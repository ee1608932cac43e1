package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy/protocol/kds"
)

// IncreaseStreamRetentionPeriod raises the retention period (24 to 8760
// hours); a value below the current one is InvalidArgumentException.
func (e *Engine) IncreaseStreamRetentionPeriod(ctx context.Context, in *kds.IncreaseStreamRetentionPeriodInput) (*kds.IncreaseStreamRetentionPeriodOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.setRetention(name, int(deref32(in.RetentionPeriodHours)), true); err != nil {
		return nil, err
	}
	return &kds.IncreaseStreamRetentionPeriodOutput{}, nil
}

// DecreaseStreamRetentionPeriod lowers the retention period; records older
// than the new period become unreadable at once and are deleted by the next
// retention pass.
func (e *Engine) DecreaseStreamRetentionPeriod(ctx context.Context, in *kds.DecreaseStreamRetentionPeriodInput) (*kds.DecreaseStreamRetentionPeriodOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if err := e.setRetention(name, int(deref32(in.RetentionPeriodHours)), false); err != nil {
		return nil, err
	}
	return &kds.DecreaseStreamRetentionPeriodOutput{}, nil
}

func deref32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
