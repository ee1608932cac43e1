package kinesis

import (
	"math"
	"strings"

	"github.com/eddy-streams/eddy"
)

// Shard ids in requests.
//
// Kinesis names its shards "shardId-" and twelve digits, but it resolves a
// shard id given in a request by its number alone: the digits after the
// last '-', or the whole id when it has no '-'. So "shardId-0",
// "shardId-000000000000", "0" and "anything-0" all name shard 0, and an id
// is answered in its canonical form ("shardId-000000000005" for
// "shardId-5"). The number must be all digits and at most 2147483647 (a
// Java int); any other id ("ABKLFD8", "2.14E4", "2147483648",
// "shardId-002147483648") names no shard, and Kinesis says so before it
// looks for the stream:
//
//	Could not find shard <id as given> in stream S under account A.
//
// even when S does not exist. Source: the service's answers recorded by
// kinesalite (mhart/kinesalite test/getShardIterator.js, splitShard.js,
// mergeShards.js: "shard ID just small enough", "random shard name",
// "short prefix", "no prefix", "shard ID too big", "raw shard ID too
// big", "string shard ID", "exponent shard ID", "raw shard ID does not
// exist", and the functionality tests that use randomName()+"-0" and
// "shard-0"). No recording has more than one '-' before the number; the
// last '-' is taken, so "a-b-0" names shard 0.
//
// Every operation that takes a shard id resolves it with parseShardID; the
// answers for a malformed id, a missing stream and a missing shard are
// worded per operation (the functions below), and checked in this order:
// the id's form, the stream, the shard.

// maxShardIndex is the largest shard number an id may carry.
const maxShardIndex = math.MaxInt32

// parseShardID returns the shard index a shard id from a request names, as
// Kinesis resolves it, and false when the id names no shard.
func parseShardID(id string) (int, bool) {
	num := id
	if i := strings.LastIndexByte(id, '-'); i >= 0 {
		num = id[i+1:]
	}
	if num == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(num); i++ {
		c := num[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > maxShardIndex {
			return 0, false
		}
	}
	return n, true
}

// shardIDUnknown answers a shard id that names no shard, or a shard that
// SplitShard or MergeShards cannot find: the id as given when it is
// malformed, the canonical id otherwise (mhart/kinesalite
// test/splitShard.js and mergeShards.js, "raw shard ID does not exist":
// "shardId-5" is answered as shardId-000000000005).
func (e *Engine) shardIDUnknown(id, stream string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound,
		"Could not find shard %s in stream %s under account %s.", id, stream, e.cfg.AccountID)
}

// shardMissing answers GetShardIterator (and reads through an iterator)
// for a well-formed shard id whose shard, or whose stream, does not exist:
// Kinesis names the shard in both cases (mhart/kinesalite
// test/getShardIterator.js "unknown stream and shard ID just small enough",
// test/getRecords.js "shard or stream does not exist").
func (e *Engine) shardMissing(index int, stream string) error {
	return eddy.Errorf(eddy.CodeResourceNotFound,
		"Shard %s in stream %s under account %s does not exist", shardID(index), stream, e.cfg.AccountID)
}
