package kinesis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/eddy-streams/eddy"
	"github.com/eddy-streams/eddy/protocol/kds"
)

// Expected answers in this file reproduce the service's answers recorded
// by kinesalite (mhart/kinesalite test/getShardIterator.js, splitShard.js,
// mergeShards.js, getRecords.js, addTagsToStream.js,
// removeTagsFromStream.js), with this engine's account id.

const acct = "000000000000"

// wantErr fails unless err is an *eddy.Error with code and message msg
// ("" for success).
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("got %v, want success", err)
		}
		return
	}
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != code || e.Message != msg {
		t.Fatalf("got  %v\nwant %s: %s", err, code, msg)
	}
}

func TestParseShardID(t *testing.T) {
	for _, c := range []struct {
		id   string
		want int // -1: names no shard
	}{
		{"shardId-000000000000", 0},
		{"shardId-0", 0},
		{"0", 0},
		{"anything-0", 0},
		{"shard-2", 2},
		{"shardId-5", 5},
		{"shardId-000000001024", 1024},
		{"2147483647", 2147483647},
		{"a-00002147483647", 2147483647},
		{"-00002147483647", 2147483647},
		{"__kinesalite_test_1234.5-2147483647", 2147483647},
		{"a-b-7", 7},
		{"000000000000000000000000000000000003", 3},
		{"2147483648", -1},
		{"shardId-002147483648", -1},
		{"99999999999999999999999", -1},
		{"ABKLFD8", -1},
		{"2.14E4", -1},
		{"shardId-", -1},
		{"0-", -1},
		{"", -1},
		{"shardId-1a", -1},
		{"shardId-+1", -1},
	} {
		n, ok := parseShardID(c.id)
		if c.want < 0 {
			if ok {
				t.Errorf("parseShardID(%q) = %d, want no shard", c.id, n)
			}
			continue
		}
		if !ok || n != c.want {
			t.Errorf("parseShardID(%q) = %d, %v; want %d", c.id, n, ok, c.want)
		}
	}
}

// TestShardIDsAndCheckOrder runs every operation that takes a shard id with
// ids in each form, on a three-shard stream "s" and on a stream that does
// not exist: the id's form is checked first, then the stream, then the
// shard, then the arguments.
func TestShardIDsAndCheckOrder(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	if err := e.createStream("s", 3, ModeProvisioned, nil); err != nil {
		t.Fatal(err)
	}
	iter := func(stream, shard, typ string, seq *string) error {
		_, err := e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr(stream), ShardId: ptr(shard),
			ShardIteratorType: ptr(kds.ShardIteratorType(typ)), StartingSequenceNumber: seq})
		return err
	}
	split := func(stream, shard, key string) error {
		_, err := e.SplitShard(ctx, &kds.SplitShardInput{StreamName: ptr(stream), ShardToSplit: ptr(shard), NewStartingHashKey: ptr(key)})
		return err
	}
	merge := func(stream, a, b string) error {
		_, err := e.MergeShards(ctx, &kds.MergeShardsInput{StreamName: ptr(stream), ShardToMerge: ptr(a), AdjacentShardToMerge: ptr(b)})
		return err
	}
	const (
		nf = eddy.CodeResourceNotFound
		ia = eddy.CodeInvalidArgument
	)
	noStream := "Stream nope under account " + acct + " not found."
	cannotFind := func(id, stream string) string {
		return "Could not find shard " + id + " in stream " + stream + " under account " + acct + "."
	}
	doesNotExist := func(id, stream string) string {
		return "Shard " + id + " in stream " + stream + " under account " + acct + " does not exist"
	}
	notAdjacent := func(a, b string) string {
		return "Shards " + a + " and " + b + " in stream s under account " + acct + " are not an adjacent pair of shards eligible for merging"
	}
	badKey := func(key, shard, start, end string) string {
		return "NewStartingHashKey " + key + " used in SplitShard() on shard " + shard + " in stream s under account " + acct +
			" is not both greater than one plus the shard's StartingHashKey " + start + " and less than the shard's EndingHashKey " + end + "."
	}
	const (
		end0   = "113427455640312821154458202477256070484"
		start2 = "226854911280625642308916404954512140970"
		maxKey = "340282366920938463463374607431768211455"
	)
	seq5 := ptr("5")
	for _, c := range []struct {
		name      string
		err       error
		code, msg string
	}{
		// GetShardIterator: a well-formed id of an unknown stream names the
		// shard, canonically; a malformed one is named as given.
		{"iterator unknown stream, id just small enough", iter("nope", "2147483647", IterLatest, nil), nf, doesNotExist("shardId-002147483647", "nope")},
		{"iterator unknown stream, random prefix", iter("nope", "x_1.5-2147483647", IterLatest, nil), nf, doesNotExist("shardId-002147483647", "nope")},
		{"iterator unknown stream, short prefix", iter("nope", "a-00002147483647", IterLatest, nil), nf, doesNotExist("shardId-002147483647", "nope")},
		{"iterator unknown stream, no prefix", iter("nope", "-00002147483647", IterLatest, nil), nf, doesNotExist("shardId-002147483647", "nope")},
		{"iterator unknown stream, id too big", iter("nope", "2147483648", IterLatest, nil), nf, cannotFind("2147483648", "nope")},
		{"iterator unknown stream, raw id too big", iter("nope", "shardId-002147483648", IterLatest, nil), nf, cannotFind("shardId-002147483648", "nope")},
		{"iterator unknown stream, string id", iter("nope", "ABKLFD8", IterLatest, nil), nf, cannotFind("ABKLFD8", "nope")},
		{"iterator unknown stream, exponent id", iter("nope", "2.14E4", IterLatest, nil), nf, cannotFind("2.14E4", "nope")},
		{"iterator known stream, missing shard", iter("s", "shardId-5", IterAtSequence, seq5), nf, doesNotExist("shardId-000000000005", "s")},
		{"iterator known stream, malformed id", iter("s", "ABKLFD8", IterLatest, nil), nf, cannotFind("ABKLFD8", "s")},
		{"iterator shardId-0", iter("s", "shardId-0", IterLatest, nil), "", ""},
		{"iterator bare number", iter("s", "2", IterTrimHorizon, nil), "", ""},
		{"iterator any prefix", iter("s", "x_1.5-0", IterTrimHorizon, nil), "", ""},
		{"iterator canonical", iter("s", "shardId-000000000001", IterLatest, nil), "", ""},
		// SplitShard: the id's form before the stream, the stream before
		// the shard, the shard before the hash key.
		{"split unknown stream, id just small enough", split("nope", "2147483647", "0"), nf, noStream},
		{"split unknown stream, short prefix", split("nope", "a-00002147483647", "0"), nf, noStream},
		{"split unknown stream, id too big", split("nope", "2147483648", "0"), nf, cannotFind("2147483648", "nope")},
		{"split unknown stream, raw id too big", split("nope", "shardId-002147483648", "0"), nf, cannotFind("shardId-002147483648", "nope")},
		{"split unknown stream, exponent id", split("nope", "2.14E4", "0"), nf, cannotFind("2.14E4", "nope")},
		{"split known stream, missing shard", split("s", "shardId-5", "0"), nf, cannotFind("shardId-000000000005", "s")},
		{"split hash too small", split("s", "shard-0", "1"), ia, badKey("1", "shardId-000000000000", "0", end0)},
		{"split hash zero", split("s", "shardId-0", "0"), ia, badKey("0", "shardId-000000000000", "0", end0)},
		{"split hash at the end", split("s", "shard-0", end0), ia, badKey(end0, "shardId-000000000000", "0", end0)},
		{"split hash much too big", split("s", "shard-2", "999999999999999999999999999999999999999"), ia,
			badKey("999999999999999999999999999999999999999", "shardId-000000000002", start2, maxKey)},
		// MergeShards: both ids' forms first, in request order.
		{"merge unknown stream, id just small enough", merge("nope", "2147483647", "x-0"), nf, noStream},
		{"merge unknown stream, no prefix", merge("nope", "-00002147483647", "x-0"), nf, noStream},
		{"merge unknown stream, adjacent random prefix", merge("nope", "x-0", "x_1.5-2147483647"), nf, noStream},
		{"merge unknown stream, string id", merge("nope", "ABKLFD8", "x-0"), nf, cannotFind("ABKLFD8", "nope")},
		{"merge unknown stream, adjacent id too big", merge("nope", "x-0", "2147483648"), nf, cannotFind("2147483648", "nope")},
		{"merge unknown stream, both malformed", merge("nope", "2.14E4", "ABKLFD8"), nf, cannotFind("2.14E4", "nope")},
		{"merge known stream, missing shard", merge("s", "shardId-5", "x-0"), nf, cannotFind("shardId-000000000005", "s")},
		{"merge known stream, missing adjacent shard", merge("s", "x-0", "shardId-5"), nf, cannotFind("shardId-000000000005", "s")},
		{"merge not adjacent", merge("s", "x-0", "x-2"), ia, notAdjacent("shardId-000000000000", "shardId-000000000002")},
		{"merge adjacency inverted", merge("s", "x-1", "x-0"), ia, notAdjacent("shardId-000000000001", "shardId-000000000000")},
		{"merge a shard with itself", merge("s", "1", "shardId-1"), ia, notAdjacent("shardId-000000000001", "shardId-000000000001")},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, c.code, c.msg) })
	}
	if n := len(e.lookup("s").view.Load().open); n != 3 {
		t.Fatalf("%d open shards after refused reshards, want 3", n)
	}

	// Successful resharding with short ids, named canonically in the
	// lineage.
	if err := split("s", "shardId-0", "2"); err != nil {
		t.Fatal(err)
	}
	if err := merge("s", "shard-3", "4"); err != nil { // the children of shard 0
		t.Fatal(err)
	}
	out, err := e.ListShards(ctx, &kds.ListShardsInput{StreamName: ptr("s"), ShardFilter: &kds.ShardFilter{Type: ptr(kds.ShardFilterType("AT_LATEST"))}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sh := range out.Shards {
		got = append(got, fmt.Sprintf("%s<%s,%s>", sh.ShardId, str(sh.ParentShardId), str(sh.AdjacentParentShardId)))
	}
	if want := "[shardId-000000000001<,> shardId-000000000002<,> shardId-000000000005<shardId-000000000003,shardId-000000000004>]"; fmt.Sprint(got) != want {
		t.Fatalf("open shards %v, want %s", got, want)
	}

	// ListShards and DescribeStream resolve ExclusiveStartShardId and the
	// AFTER_SHARD_ID filter's ShardId the same way.
	ids := func(shards []kds.Shard) string {
		var s []string
		for _, sh := range shards {
			s = append(s, sh.ShardId[len(sh.ShardId)-2:])
		}
		return strings.Join(s, ",")
	}
	ls, err := e.ListShards(ctx, &kds.ListShardsInput{StreamName: ptr("s"), ExclusiveStartShardId: ptr("shardId-2")})
	if err != nil || ids(ls.Shards) != "03,04,05" {
		t.Fatalf("ListShards after shardId-2: %v %v", ids(ls.Shards), err)
	}
	ls, err = e.ListShards(ctx, &kds.ListShardsInput{StreamName: ptr("s"),
		ShardFilter: &kds.ShardFilter{Type: ptr(kds.ShardFilterType("AFTER_SHARD_ID")), ShardId: ptr("3")}})
	if err != nil || ids(ls.Shards) != "04,05" {
		t.Fatalf("ListShards AFTER_SHARD_ID 3: %v %v", ids(ls.Shards), err)
	}
	ds, err := e.DescribeStream(ctx, &kds.DescribeStreamInput{StreamName: ptr("s"), ExclusiveStartShardId: ptr("x-4")})
	if err != nil || ids(ds.StreamDescription.Shards) != "05" {
		t.Fatalf("DescribeStream after x-4: %v %v", ids(ds.StreamDescription.Shards), err)
	}
}

// TestIteratorArguments checks GetShardIterator's argument checks, which
// come after the shard's.
func TestIteratorArguments(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	e.createStream("s", 1, ModeProvisioned, nil)
	seq := put(t, e, "s", "a")[0].Seq.String()
	iter := func(typ string, seq *string) error {
		_, err := e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("s"), ShardId: ptr("shardId-000000000000"),
			ShardIteratorType: ptr(kds.ShardIteratorType(typ)), StartingSequenceNumber: seq})
		return err
	}
	both := "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or " +
		"(2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified "
	for _, c := range []struct {
		name      string
		err       error
		code, msg string
	}{
		{"AT_SEQUENCE_NUMBER without a sequence number", iter(IterAtSequence, nil), eddy.CodeInvalidArgument, both + "AT_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"AFTER_SEQUENCE_NUMBER without a sequence number", iter(IterAfterSequence, nil), eddy.CodeInvalidArgument, both + "AFTER_SEQUENCE_NUMBER and no StartingSequenceNumber."},
		{"LATEST with a sequence number", iter(IterLatest, &seq), eddy.CodeInvalidArgument, both + "LATEST and also a StartingSequenceNumber."},
		{"TRIM_HORIZON with a sequence number", iter(IterTrimHorizon, &seq), eddy.CodeInvalidArgument, both + "TRIM_HORIZON and also a StartingSequenceNumber."},
		{"AT_TIMESTAMP without a timestamp", iter(IterAtTimestamp, nil), eddy.CodeInvalidArgument,
			"Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter."},
		{"AT_SEQUENCE_NUMBER", iter(IterAtSequence, &seq), "", ""},
		{"LATEST", iter(IterLatest, nil), "", ""},
	} {
		t.Run(c.name, func(t *testing.T) { wantErr(t, c.err, c.code, c.msg) })
	}
}

// TestReadDeletedStream: an iterator of a deleted stream is answered as a
// missing shard, named canonically.
func TestReadDeletedStream(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	ctx := context.Background()
	e.createStream("d", 2, ModeProvisioned, nil)
	it, err := e.GetShardIterator(ctx, &kds.GetShardIteratorInput{StreamName: ptr("d"), ShardId: ptr("shardId-1"),
		ShardIteratorType: ptr(kds.ShardIteratorType(IterLatest))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DeleteStream(ctx, &kds.DeleteStreamInput{StreamName: ptr("d")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the stream to go", func() bool { return e.lookup("d") == nil })
	_, err = e.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it.ShardIterator})
	wantErr(t, err, eddy.CodeResourceNotFound, "Shard shardId-000000000001 in stream d under account "+acct+" does not exist")
	// Re-created under the same name: the old iterator still names a
	// shard of the old stream.
	env.clock.Advance(time.Second) // a new incarnation
	e.createStream("d", 2, ModeProvisioned, nil)
	_, err = e.GetRecords(ctx, &kds.GetRecordsInput{ShardIterator: &it.ShardIterator})
	wantErr(t, err, eddy.CodeResourceNotFound, "Shard shardId-000000000001 in stream d under account "+acct+" does not exist")
}

// TestSubscribeShardIDs: SubscribeToShard resolves its ShardId like the
// other operations.
func TestSubscribeShardIDs(t *testing.T) {
	env := newEnv(t, nil)
	e := env.e
	e.createStream("s", 2, ModeProvisioned, nil)
	arn := register(t, e, "s", "app")
	sub := func(shard string) error {
		s, err := e.SubscribeToShard(context.Background(), &kds.SubscribeToShardInput{ConsumerARN: &arn, ShardId: ptr(shard),
			StartingPosition: &kds.StartingPosition{Type: ptr(kds.ShardIteratorType(IterLatest))}})
		if err == nil {
			s.release()
		}
		return err
	}
	wantErr(t, sub("shardId-1"), "", "")
	wantErr(t, sub("ABKLFD8"), eddy.CodeResourceNotFound, "Could not find shard ABKLFD8 in stream s under account "+acct+".")
	wantErr(t, sub("x-7"), eddy.CodeResourceNotFound, "Shard shardId-000000000007 in stream s under account "+acct+" does not exist")
}
