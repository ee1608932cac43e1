package kinesis

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/storage"
)

// putEntry is one record to write.
type putEntry struct {
	Data            []byte
	PartitionKey    string
	ExplicitHashKey *string
}

// size is what the entry counts against size limits and throughput: its
// data and partition key, as storage.RecordSize counts a stored record.
func (en *putEntry) size() int { return len(en.Data) + len(en.PartitionKey) }

// putResult is where a record went, or why it did not.
type putResult struct {
	Shard     int
	Seq       seqNum
	ErrorCode string
	ErrorMsg  string
}

// writable returns the stream's view if it accepts records.
func (e *Engine) writable(name string) (*stream, *streamView, error) {
	s := e.lookup(name)
	if s == nil {
		return nil, nil, e.notFound(name)
	}
	v := s.view.Load()
	if v.meta.Status != StatusActive && v.meta.Status != StatusUpdating {
		return nil, nil, e.notFound(name)
	}
	return s, v, nil
}

// hashOf returns the hash key an entry routes by.
func hashOf(en *putEntry) (hashKey, error) {
	if en.ExplicitHashKey != nil {
		k, ok := parseHashKey(*en.ExplicitHashKey)
		if !ok {
			return hashKey{}, eddy.Errorf(eddy.CodeInvalidArgument,
				"Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", *en.ExplicitHashKey)
		}
		return k, nil
	}
	return partitionHash(en.PartitionKey), nil
}

// checkSize refuses a record larger than the stream's maximum record size:
// its data alone with the model's constraint message, its data and
// partition key together (which the limit also covers) with
// InvalidArgumentException. No recording of Kinesis's answers to a record
// over a stream's MaxRecordSizeInKiB (below the model's 10 MiB) was found:
// both wordings are Eddy's.
func checkSize(v *streamView, en *putEntry, path string) error {
	limit := v.meta.MaxRecordKiB * 1024
	switch {
	case len(en.Data) > limit:
		// The value as the model's checks render a blob (Java's
		// ByteBuffer.toString), at the member's path.
		return eddy.Errorf(eddy.CodeValidation,
			"1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=%d cap=%d]' at '%s' failed to satisfy constraint: Member must have length less than or equal to %d",
			len(en.Data), len(en.Data), path, limit)
	case en.size() > limit:
		return eddy.Errorf(eddy.CodeInvalidArgument,
			"The size of the record (data and partition key, %d bytes) exceeds the stream's maximum record size of %d bytes.", en.size(), limit)
	}
	return nil
}

// putRecords writes entries, grouped per shard, each group one batch of a
// single storage.AppendAll (with the segment store: one sync for all). A
// shard sealed by a concurrent reshard sends its entries back through
// routing. Per-entry I/O failures become InternalFailure results; the
// others are still written.
func (e *Engine) putRecords(ctx context.Context, op, name string, entries []putEntry) ([]putResult, error) {
	start := time.Now()
	s, v, keys, err := e.preparePut(op, name, entries)
	if err != nil {
		return nil, err
	}
	var faults []fault // per entry, when fault injection is on
	if e.faults.active() {
		faults = make([]fault, len(entries))
		for i := range faults {
			faults[i] = e.faults.draw(op, name)
		}
		if len(faults) > 0 {
			if err := e.delay(ctx, faults[0].latency); err != nil {
				return nil, err
			}
		}
	}
	// With KMS encryption, the data key records are sealed with (stored
	// before any record sealed with it is appended).
	var dk *dataKey
	var sealed *[]byte // the envelopes, until the store has copied them
	if v.meta.Encryption == EncryptionKMS && e.keys != nil {
		if dk, err = e.sealingKey(ctx, s, &v.meta, len(entries)); err != nil {
			return nil, err
		}
		sealed = sealBuffer(entries)
		defer putSealBuffer(sealed)
	}
	results := make([]putResult, len(entries))
	pending := make([]int, len(entries))
	for i := range pending {
		pending[i] = i
	}
	now := e.now()
	for attempt := 0; len(pending) > 0; attempt++ {
		if attempt > 0 {
			// A reshard seals parents while holding the stream's mutation
			// lock and publishes the children before releasing it.
			s.mu.Lock()
			if e.peers != nil {
				// Or another node resharded: take up its change.
				if err := e.refreshLocked(s); err != nil {
					s.mu.Unlock()
					return nil, err
				}
			}
			s.mu.Unlock()
			v = s.view.Load()
		}
		groups := map[*shardState][]int{}
		var order []*shardState
		for _, i := range pending {
			st := v.route(keys[i])
			if st == nil {
				return nil, internalf("stream %s: no open shard for hash key %s", name, keys[i])
			}
			if _, ok := groups[st]; !ok {
				order = append(order, st)
			}
			groups[st] = append(groups[st], i)
		}
		// Every shard's admitted entries, as one batch each, in one call to
		// the store: the segment store writes them all and waits for one
		// sync.
		var retry []int
		var sts []*shardState
		var idxs [][]int
		var batches []storage.AppendBatch
		for _, st := range order {
			idx := e.admitWrites(st, name, groups[st], entries, faults, results)
			if len(idx) == 0 {
				continue
			}
			recs := make([]storage.Record, len(idx))
			for j, i := range idx {
				en := &entries[i]
				if dk != nil {
					recs[j] = storage.Record{Arrival: now, Flags: flagEncrypted, Data: dk.seal(sealed, st.meta.Index, en)}
					continue
				}
				r := storage.Record{Arrival: now, PartitionKey: en.PartitionKey, Data: en.Data}
				if en.ExplicitHashKey != nil {
					r.ExplicitHashKey = *en.ExplicitHashKey
				}
				recs[j] = r
			}
			sts, idxs = append(sts, st), append(idxs, idx)
			batches = append(batches, storage.AppendBatch{Log: st.log, Recs: recs})
		}
		storage.AppendAll(e.logs, batches)
		for k, b := range batches {
			st, idx := sts[k], idxs[k]
			switch {
			case b.Err == nil:
				n := 0
				for j, i := range idx {
					results[i] = putResult{Shard: st.meta.Index, Seq: seqNum{st.meta.Index, b.First + uint64(j)}}
					n += entries[i].size()
				}
				st.usage.bytes.Add(int64(n))
				st.usage.records.Add(int64(len(idx)))
				st.appended.notify()
			case errors.Is(b.Err, storage.ErrSealed) && attempt < 10:
				retry = append(retry, idx...)
			default:
				e.log.Error("append failed", "stream", name, "shard", st.meta.Index, "err", b.Err)
				for _, i := range idx {
					results[i] = putResult{Shard: -1, ErrorCode: eddy.CodeInternalFailure, ErrorMsg: "Internal service failure."}
				}
			}
		}
		pending = retry
	}
	e.observePut(s, op, start, entries, results)
	return results, nil
}

// admitWrites returns the entries of idx (all routed to st) that may be
// written: those without an injected fault and, with limits on, within the
// shard's write rates. The others get their error in results. Entries are
// admitted in request order, so a throttled shard keeps a prefix of them.
func (e *Engine) admitWrites(st *shardState, name string, idx []int, entries []putEntry, faults []fault, results []putResult) []int {
	limited := e.cfg.Limits == LimitsAWS
	if faults == nil && !limited {
		return idx
	}
	now := e.now().UnixNano()
	kept := idx[:0:0]
	if limited {
		st.limits.mu.Lock()
		defer st.limits.mu.Unlock()
	}
	for _, i := range idx {
		switch {
		case faults != nil && faults[i].fail:
			results[i] = putResult{Shard: -1, ErrorCode: eddy.CodeInternalFailure, ErrorMsg: "Internal service failure."}
		case faults != nil && faults[i].throttle,
			limited && !st.limits.admitWriteLocked(now, entries[i].size()):
			results[i] = putResult{Shard: -1, ErrorCode: eddy.CodeProvisionedThroughput,
				ErrorMsg: shardRateMessage(shardID(st.meta.Index), name, e.cfg.AccountID)}
			st.usage.writeThrottled.Add(1)
		default:
			kept = append(kept, i)
		}
	}
	return kept
}

// preparePut checks a put without writing: the stream accepts records, and
// every entry has a valid hash key and fits the stream's record size. It
// returns the entries' hash keys.
func (e *Engine) preparePut(op, name string, entries []putEntry) (*stream, *streamView, []hashKey, error) {
	s, v, err := e.writable(name)
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]hashKey, len(entries))
	for i := range entries {
		if keys[i], err = hashOf(&entries[i]); err != nil {
			return nil, nil, nil, err
		}
		path := "data"
		if op == "PutRecords" {
			path = "records." + strconv.Itoa(i+1) + ".member.data"
		}
		if err := checkSize(v, &entries[i], path); err != nil {
			return nil, nil, nil, err
		}
		if v.meta.Encryption == EncryptionKMS && e.keys != nil && sealedSize(&entries[i]) > storage.MaxDataSize {
			// The envelope (sse.go) adds up to 40 bytes and the hash key
			// to the data and partition key; a record within that of the
			// 10 MiB maximum does not fit the store's record. No AWS
			// source: Eddy's limit and words (docs/DIFFERENCES.md).
			return nil, nil, nil, eddy.Errorf(eddy.CodeInvalidArgument,
				"The size of the encrypted record (%d bytes) exceeds the largest record an encrypted stream stores (%d bytes).", sealedSize(&entries[i]), storage.MaxDataSize)
		}
	}
	return s, v, keys, nil
}
