package kinesis

import (
	"context"
	"encoding/json"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// ListShards pages through a stream's shards in shard-id order, up to
// MaxResults (default 1000) after ExclusiveStartShardId. NextToken carries
// the stream, the position and the filter, expires after 300 s
// (ExpiredNextTokenException) and cannot be combined with StreamName.
// ShardFilter selects:
//
//	AFTER_SHARD_ID     shards after ShardId
//	AT_TRIM_HORIZON    the oldest retained generation: shards whose parents are gone
//	FROM_TRIM_HORIZON  every retained shard
//	AT_LATEST          open shards
//	AT_TIMESTAMP       shards open at Timestamp
//	FROM_TIMESTAMP     shards open at or after Timestamp
func (e *Engine) ListShards(ctx context.Context, in *kds.ListShardsInput) (*kds.ListShardsOutput, error) {
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	var name string
	after := -1
	filter := in.ShardFilter
	var created int64
	if in.NextToken != nil {
		if in.StreamName != nil || in.StreamARN != nil {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "NextToken and StreamName cannot be provided together.")
		}
		t, err := e.decodeToken(*in.NextToken, "ListShards")
		if err != nil {
			return nil, err
		}
		name, created = t.Stream, t.Created
		after, _ = parseShardID(t.After)
		if t.Filter != "" {
			filter = new(kds.ShardFilter)
			json.Unmarshal([]byte(t.Filter), filter)
		}
	} else {
		var err error
		if name, err = e.resolveStream(in.StreamName, in.StreamARN); err != nil {
			return nil, err
		}
		if in.ExclusiveStartShardId != nil {
			// Resolved like every shard id (shardid.go); the shard need not
			// exist. No recording of Kinesis's answer to an id that names
			// no shard was found: this wording is Eddy's.
			idx, ok := parseShardID(*in.ExclusiveStartShardId)
			if !ok {
				return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ExclusiveStartShardId: %s", *in.ExclusiveStartShardId)
			}
			after = idx
		}
	}
	s := e.lookupFresh(name)
	if s == nil {
		return nil, e.notFound(name)
	}
	v := s.view.Load()
	if created != 0 && v.meta.Created != created {
		return nil, e.notFound(name)
	}
	keep, err := e.shardFilter(v, filter)
	if err != nil {
		return nil, err
	}
	out := &kds.ListShardsOutput{Shards: []kds.Shard{}}
	more := false
	for _, st := range v.sortedShards() {
		if st.meta.Index <= after || !keep(st) {
			continue
		}
		if len(out.Shards) == limit {
			more = true
			break
		}
		out.Shards = append(out.Shards, shardOut(st))
	}
	if more {
		t := pageToken{Op: "ListShards", Stream: name, Created: v.meta.Created, After: out.Shards[len(out.Shards)-1].ShardId}
		if filter != nil {
			b, _ := json.Marshal(filter)
			t.Filter = string(b)
		}
		out.NextToken = ptr(e.encodeToken(t))
	}
	return out, nil
}

func (e *Engine) shardFilter(v *streamView, f *kds.ShardFilter) (func(*shardState) bool, error) {
	all := func(*shardState) bool { return true }
	if f == nil || f.Type == nil {
		return all, nil
	}
	needTime := func() (int64, error) {
		if f.Timestamp == nil {
			return 0, eddy.Errorf(eddy.CodeInvalidArgument, "Timestamp must be provided for ShardFilter type %s.", *f.Type)
		}
		return time.Time(*f.Timestamp).UnixNano(), nil
	}
	switch *f.Type {
	case "AFTER_SHARD_ID":
		if f.ShardId == nil {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "ShardId must be provided for ShardFilter type AFTER_SHARD_ID.")
		}
		// As ExclusiveStartShardId: resolved by parseShardID, the wording
		// for an id naming no shard is Eddy's.
		idx, ok := parseShardID(*f.ShardId)
		if !ok {
			return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ShardId in ShardFilter: %s", *f.ShardId)
		}
		return func(st *shardState) bool { return st.meta.Index > idx }, nil
	case "AT_TRIM_HORIZON":
		return func(st *shardState) bool {
			_, p := v.shards[st.meta.Parent]
			_, a := v.shards[st.meta.AdjacentParent]
			return !p && !a
		}, nil
	case "FROM_TRIM_HORIZON":
		return all, nil
	case "AT_LATEST":
		return func(st *shardState) bool { return !st.meta.Closed }, nil
	case "AT_TIMESTAMP":
		t, err := needTime()
		if err != nil {
			return nil, err
		}
		return func(st *shardState) bool {
			return st.meta.Created <= t && (!st.meta.Closed || st.meta.ClosedAt >= t)
		}, nil
	case "FROM_TIMESTAMP":
		t, err := needTime()
		if err != nil {
			return nil, err
		}
		return func(st *shardState) bool { return !st.meta.Closed || st.meta.ClosedAt >= t }, nil
	}
	return nil, eddy.Errorf(eddy.CodeInvalidArgument, "Invalid ShardFilter type: %s", *f.Type)
}
