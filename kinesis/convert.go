package kinesis

import (
	"sort"
	"time"

	"github.com/eddy-streams/eddy/protocol/kds"
)

func ptr[T any](v T) *T { return &v }

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// shardOut describes a shard as DescribeStream and ListShards show it.
func shardOut(st *shardState) kds.Shard {
	m := st.meta
	out := kds.Shard{
		ShardId:      shardID(m.Index),
		HashKeyRange: kds.HashKeyRange{StartingHashKey: m.HashStart, EndingHashKey: m.HashEnd},
		SequenceNumberRange: kds.SequenceNumberRange{
			StartingSequenceNumber: seqNum{m.Index, 0}.String(),
		},
	}
	if m.Parent >= 0 {
		out.ParentShardId = ptr(shardID(m.Parent))
	}
	if m.AdjacentParent >= 0 {
		out.AdjacentParentShardId = ptr(shardID(m.AdjacentParent))
	}
	if m.Closed {
		end := m.End
		if end > 0 {
			end--
		}
		out.SequenceNumberRange.EndingSequenceNumber = ptr(seqNum{m.Index, end}.String())
	}
	return out
}

// sortedShards returns the view's shards in index order.
func (v *streamView) sortedShards() []*shardState {
	out := make([]*shardState, 0, len(v.shards))
	for _, st := range v.shards {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].meta.Index < out[j].meta.Index })
	return out
}

func modeDetails(mode string) *kds.StreamModeDetails {
	m := kds.StreamMode(mode)
	return &kds.StreamModeDetails{StreamMode: &m}
}

func metricsOut(names []string) []kds.MetricsName {
	out := make([]kds.MetricsName, len(names))
	for i, n := range names {
		out[i] = kds.MetricsName(n)
	}
	return out
}

func timestamp(ns int64) kds.Timestamp { return kds.Timestamp(time.Unix(0, ns)) }
