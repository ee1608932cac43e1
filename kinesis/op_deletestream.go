package kinesis

import (
	"context"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// DeleteStream deletes a stream and all its records: DELETING for
// DeleteDelay (default 0), then gone. Deleting a stream that is already
// being deleted is ResourceNotFoundException, as on AWS.
// EnforceConsumerDeletion matters once a stream has registered consumers.
func (e *Engine) DeleteStream(ctx context.Context, in *kds.DeleteStreamInput) (*kds.DeleteStreamOutput, error) {
	name, err := e.resolveStream(in.StreamName, in.StreamARN)
	if err != nil {
		return nil, err
	}
	if s := e.lookup(name); s != nil && (in.EnforceConsumerDeletion == nil || !*in.EnforceConsumerDeletion) {
		if liveConsumers(&s.view.Load().meta, e.now().UnixNano()) > 0 {
			return nil, eddy.Errorf(eddy.CodeResourceInUse,
				"Stream %s under account %s has registered consumers. Deregister them or set EnforceConsumerDeletion.", name, e.cfg.AccountID)
		}
	}
	if err := e.deleteStream(name); err != nil {
		return nil, err
	}
	return &kds.DeleteStreamOutput{}, nil
}
