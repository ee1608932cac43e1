package consumer

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// listShards lists every shard of the stream (ListShards, page by page).
func (w *Worker) listShards(ctx context.Context) ([]types.Shard, error) {
	var out []types.Shard
	var token *string
	for {
		in := &kinesis.ListShardsInput{NextToken: token}
		if token == nil {
			w.streamRef(&in.StreamName, &in.StreamARN)
		}
		page, err := w.cfg.Kinesis.ListShards(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("consumer: listing the shards of %s: %w", w.stream, err)
		}
		out = append(out, page.Shards...)
		if page.NextToken == nil {
			return out, nil
		}
		token = page.NextToken
	}
}

// syncShards creates the leases of shards that need one and deletes the
// leases that are no longer needed, as the KCL's shard syncer does:
//
//   - A shard whose parent has a lease gets one starting at TRIM_HORIZON
//     (the parent's records end where the child's begin).
//   - A shard with no leased parent and no leased descendant gets one at
//     the initial position; with Latest only open shards do (a closed
//     shard's records are all older than the application).
//   - A shard with a leased descendant is done already and gets none.
//   - The lease of a shard the stream no longer lists (its records
//     expired) is deleted, and so is a finished lease (SHARD_END) once
//     every child's lease has started (its checkpoint is past the start).
func (w *Worker) syncShards(ctx context.Context) error {
	// Leases first: a lease made after this listing (a child's, at its
	// parent's end) is not mistaken for the lease of a shard that is gone.
	leases, err := w.table.list(ctx)
	if err != nil {
		return err
	}
	shards, err := w.listShards(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]*types.Shard, len(shards))
	children := map[string][]string{}
	for i := range shards {
		sh := &shards[i]
		id := aws.ToString(sh.ShardId)
		byID[id] = sh
		for _, p := range shardParents(sh) {
			children[p] = append(children[p], id)
		}
	}
	existing := make(map[string]lease, len(leases))
	for _, l := range leases {
		existing[l.key] = l
	}

	descendantLeased := map[string]bool{}
	var hasLeasedDescendant func(id string) bool
	hasLeasedDescendant = func(id string) bool {
		if v, ok := descendantLeased[id]; ok {
			return v
		}
		descendantLeased[id] = false // breaks cycles a broken listing could have
		for _, c := range children[id] {
			if _, ok := existing[c]; ok || hasLeasedDescendant(c) {
				descendantLeased[id] = true
				return true
			}
		}
		return false
	}

	created := map[string]bool{}
	visited := map[string]bool{}
	var visit func(id string) error
	visit = func(id string) error {
		if visited[id] {
			return nil
		}
		visited[id] = true
		sh := byID[id]
		parents := shardParents(sh)
		for _, p := range parents {
			if byID[p] != nil {
				if err := visit(p); err != nil {
					return err
				}
			}
		}
		if _, ok := existing[id]; ok || hasLeasedDescendant(id) {
			return nil
		}
		var start string
		parentExisting, parentCreated := false, false
		for _, p := range parents {
			_, ok := existing[p]
			parentExisting = parentExisting || ok
			parentCreated = parentCreated || created[p]
		}
		switch {
		case parentExisting:
			start = checkpointTrimHorizon
		case parentCreated && w.cfg.InitialPosition == AtTimestamp:
			start = checkpointAtTimestamp
		case parentCreated:
			start = checkpointTrimHorizon
		case w.cfg.InitialPosition == TrimHorizon:
			start = checkpointTrimHorizon
		case w.cfg.InitialPosition == AtTimestamp:
			start = checkpointAtTimestamp
		case sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil:
			return nil // Latest, and closed
		default:
			start = checkpointLatest
		}
		l := lease{key: id, checkpoint: esn{seq: start}, parents: parents}
		if r := sh.HashKeyRange; r != nil {
			l.startingHash, l.endingHash = aws.ToString(r.StartingHashKey), aws.ToString(r.EndingHashKey)
		}
		if _, err := w.table.create(ctx, l); err != nil {
			return err
		}
		created[id] = true
		return nil
	}
	for i := range shards {
		if err := visit(aws.ToString(shards[i].ShardId)); err != nil {
			return err
		}
	}

	for _, l := range leases {
		if byID[l.key] == nil {
			w.log.Info("consumer: deleting the lease of a shard the stream no longer has", "shard", l.key, "checkpoint", l.checkpoint.String())
			w.deleteLease(ctx, l)
			continue
		}
		if !l.done() {
			continue
		}
		kids := children[l.key]
		if len(kids) == 0 {
			continue
		}
		started := true
		for _, c := range kids {
			cl, ok := existing[c]
			if !ok || cl.checkpoint.rank() == 0 {
				started = false
				break
			}
		}
		if started {
			w.deleteLease(ctx, l)
		}
	}
	return nil
}

func (w *Worker) deleteLease(ctx context.Context, l lease) {
	if err := w.table.delete(ctx, l); err != nil && !errors.Is(err, errLeaseChanged) && ctx.Err() == nil {
		w.log.Warn("consumer: deleting a lease", "shard", l.key, "err", err)
	}
}

// shardParents returns a shard's parent and adjacent parent, sorted.
func shardParents(sh *types.Shard) []string {
	var ps []string
	if p := aws.ToString(sh.ParentShardId); p != "" {
		ps = append(ps, p)
	}
	if p := aws.ToString(sh.AdjacentParentShardId); p != "" {
		ps = append(ps, p)
	}
	slices.Sort(ps)
	return ps
}
