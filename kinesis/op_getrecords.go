package kinesis

import (
	"context"
	"sync"

	"github.com/eddy-streams/eddy/internal/bufpool"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// GetRecords reads up to Limit records (default and maximum 10,000) and at
// most 10 MiB from an iterator's position. Records past the retention period
// are skipped even before their segment is deleted. NextShardIterator
// continues after the last record; at the end of a closed shard it is absent
// and ChildShards lists the shards that replaced it. MillisBehindLatest is
// 0 when the read reached the shard's tip.
func (e *Engine) GetRecords(ctx context.Context, in *kds.GetRecordsInput) (*kds.GetRecordsOutput, error) {
	limit := 10000
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	if dryRun(in.DryRun) {
		if _, _, _, _, err := e.resolveIterator(str(in.ShardIterator), e.now()); err != nil {
			return nil, err
		}
		return nil, errDryRun()
	}
	bp := readBufPool.Get().(*[]byte)
	start := *bp
	if big, ok := bigReadBufs.Get(); ok {
		start = big
	}
	res, err := e.getRecords(ctx, str(in.ShardIterator), limit, start)
	if err != nil {
		putReadBuf(bp, start)
		return nil, err
	}
	out := &kds.GetRecordsOutput{Records: make([]kds.Record, len(res.Records)), MillisBehindLatest: res.MillisBehind}
	// The records' data alias the buffer until the transport has encoded
	// them; then it goes back to the pool (see readBufPool for which one).
	out.SetRelease(func() { putReadBuf(bp, res.buf) })
	for i, r := range res.Records {
		out.Records[i] = kds.Record{
			SequenceNumber:              seqNum{res.Shard, r.Seq}.String(),
			ApproximateArrivalTimestamp: kds.Timestamp(r.Arrival),
			Data:                        r.Data,
			PartitionKey:                r.PartitionKey,
			EncryptionType:              recordEncryption(&r),
		}
	}
	if res.Next != "" {
		out.NextShardIterator = ptr(res.Next)
	}
	for _, c := range res.Children {
		out.ChildShards = append(out.ChildShards, childOut(c))
	}
	return out, nil
}

// readBufPool holds GetRecords read buffers: a fresh buffer per call costs
// more in page faults than the read itself. A read that outgrows its buffer
// doubles it (to 16 MiB for a 10 MiB read). A grown buffer goes back to the
// pool only if it is at most 2 MiB; a larger one is left to the garbage
// collector (or kept in bigReadBufs) and the smaller buffer the read started
// with goes back instead, so a burst of large reads does not leave the pool
// holding 16 MiB per reader (16 concurrent 10 MB reads had left ~845 MB
// pooled).
var readBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

// bigReadBufs keeps a few of the large buffers (bufpool.Kept): a read
// starts with one when there is one, so that the steady reads of full
// batches (a consumer catching up) neither grow a buffer nor fault in
// fresh pages; zeroing 16 MiB per 10 MB read had been half of a busy
// server's CPU.
var bigReadBufs = bufpool.New[[]byte](bufpool.Kept)

// putReadBuf returns the buffer a read ended with: a large one to
// bigReadBufs, a small one to readBufPool in bp.
func putReadBuf(bp *[]byte, buf []byte) {
	if cap(buf) > bufpool.Large {
		if cap(buf) <= bufpool.Largest {
			bigReadBufs.Put(buf[:0])
		}
		readBufPool.Put(bp)
		return
	}
	*bp = buf[:0]
	readBufPool.Put(bp)
}
