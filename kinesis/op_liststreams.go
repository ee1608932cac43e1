package kinesis

import (
	"context"
	"sort"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// ListStreams lists stream names in order, up to Limit (default 100) after
// ExclusiveStartStreamName, or continuing from NextToken (which cannot be
// combined with ExclusiveStartStreamName). StreamSummaries accompanies the
// names.
func (e *Engine) ListStreams(ctx context.Context, in *kds.ListStreamsInput) (*kds.ListStreamsOutput, error) {
	limit := 100
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	after := str(in.ExclusiveStartStreamName)
	if in.NextToken != nil {
		if in.ExclusiveStartStreamName != nil {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		t, err := e.decodeToken(*in.NextToken, "ListStreams")
		if err != nil {
			return nil, err
		}
		after = t.After
	}
	e.syncPeers()
	e.mu.RLock()
	views := make([]*streamView, 0, len(e.mu.streams))
	for name, s := range e.mu.streams {
		if name > after {
			views = append(views, s.view.Load())
		}
	}
	e.mu.RUnlock()
	sort.Slice(views, func(i, j int) bool { return views[i].meta.Name < views[j].meta.Name })
	out := &kds.ListStreamsOutput{StreamNames: []string{}, StreamSummaries: []kds.StreamSummary{}}
	for _, v := range views {
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			break
		}
		m := &v.meta
		out.StreamNames = append(out.StreamNames, m.Name)
		out.StreamSummaries = append(out.StreamSummaries, kds.StreamSummary{
			StreamName:              m.Name,
			StreamARN:               e.arn(m.Name),
			StreamStatus:            kds.StreamStatus(m.Status),
			StreamModeDetails:       modeDetails(m.Mode),
			StreamCreationTimestamp: ptr(timestamp(m.Created)),
		})
	}
	if out.HasMoreStreams {
		out.NextToken = ptr(e.encodeToken(pageToken{Op: "ListStreams", After: out.StreamNames[len(out.StreamNames)-1]}))
	}
	return out, nil
}
