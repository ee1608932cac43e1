package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/eddy-streams/eddy/client/kpl"
	"github.com/eddy-streams/eddy/internal/eddytest"
	kin "github.com/eddy-streams/eddy/kinesis"
)

// Hash keys that pin a record to a shard: the first half of the hash key
// range and the second.
const (
	lowHashKey  = "0"
	highHashKey = "170141183460469231731687303715884105728" // 2^127
)

// createTestStream creates a stream of n shards and waits until it is
// active.
func createTestStream(t *testing.T, kc *kinesis.Client, name string, n int32) {
	t.Helper()
	ctx := testContext(t)
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(name), ShardCount: aws.Int32(n)}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, kc, name)
}

func waitStreamActive(t *testing.T, kc *kinesis.Client, name string) {
	t.Helper()
	w := kinesis.NewStreamExistsWaiter(kc, func(o *kinesis.StreamExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(testContext(t), &kinesis.DescribeStreamInput{StreamName: aws.String(name)}, testTimeout); err != nil {
		t.Fatal(err)
	}
}

// putTo puts one record with the explicit hash key ehk and returns its
// sequence number.
func putTo(t *testing.T, kc *kinesis.Client, stream, ehk, key string, data []byte) string {
	t.Helper()
	out, err := kc.PutRecord(testContext(t), &kinesis.PutRecordInput{StreamName: aws.String(stream), PartitionKey: aws.String(key),
		ExplicitHashKey: aws.String(ehk), Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.SequenceNumber)
}

// tailArgs runs `eddy tail` against s to completion.
func tailArgs(t *testing.T, s *eddytest.Server, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCmd(t, append([]string{"tail", "--endpoint", s.Endpoint}, args...)...)
}

// followTail runs `eddy tail --follow` against s in the background.
type followTail struct {
	t      *testing.T
	out    *lockedBuffer
	errOut *lockedBuffer
	cancel context.CancelFunc
	done   chan error // receives runTail's result
	result error
	ended  bool
}

func startFollow(t *testing.T, s *eddytest.Server, args ...string) *followTail {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &followTail{t: t, out: &lockedBuffer{}, errOut: &lockedBuffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		f.done <- runTail(ctx, append([]string{"--endpoint", s.Endpoint, "--follow", "--poll-interval", "10ms"}, args...), f.out, f.errOut)
	}()
	t.Cleanup(func() { f.stop() })
	return f
}

// waitFor waits until cond holds, failing the test if eddy tail ends first.
func (f *followTail) waitFor(what string, cond func() bool) {
	f.t.Helper()
	waitFor(f.t, what, func() bool {
		if cond() {
			return true
		}
		select {
		case err := <-f.done:
			f.ended, f.result = true, err
			f.t.Fatalf("eddy tail ended (%v, stderr %q) while waiting for %s", err, f.errOut.String(), what)
		default:
		}
		return false
	})
}

// stop cancels eddy tail and returns its error.
func (f *followTail) stop() error {
	f.t.Helper()
	if !f.ended {
		f.ended = true
		f.cancel()
		f.result = recvWithin(f.t, f.done, "eddy tail to stop")
		if f.errOut.String() != "" {
			f.t.Errorf("stderr: %s", f.errOut.String())
		}
	}
	return f.result
}

// linesOf returns the lines of out.
func linesOf(out string) []string {
	out = strings.TrimSuffix(out, "\n")
	if out == "" {
		return nil
	}
	return strings.Split(out, "\n")
}

// dataOf returns the data field of each text line.
func dataOf(t *testing.T, lines []string) []string {
	t.Helper()
	var out []string
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			t.Fatalf("line %q: %d fields, want 4", l, len(f))
		}
		out = append(out, f[3])
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestTailFrom(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "from", 2)
	seqs := map[string]string{}
	for _, r := range []struct{ ehk, data string }{{lowHashKey, "a1"}, {highHashKey, "b1"}, {lowHashKey, "a2"}, {highHashKey, "b2"}} {
		seqs[r.data] = putTo(t, kc, "from", r.ehk, "k", []byte(r.data))
	}
	// The second batch arrives at or after `middle`, the first before it.
	// Kinesis timestamps have milliseconds (the SDK sends seconds with
	// three decimals), so middle is a whole millisecond.
	middle := time.Now().Truncate(time.Millisecond).Add(time.Millisecond)
	waitFor(t, "the clock to pass the middle", func() bool { return time.Now().After(middle) })
	for _, r := range []struct{ ehk, data string }{{lowHashKey, "a3"}, {highHashKey, "b3"}} {
		seqs[r.data] = putTo(t, kc, "from", r.ehk, "k", []byte(r.data))
	}
	all := []string{"a1", "a2", "a3", "b1", "b2", "b3"}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"default", nil, all},
		{"trim-horizon", []string{"--from", "trim-horizon"}, all},
		{"latest without follow", []string{"--from", "latest"}, nil},
		{"at-timestamp RFC 3339", []string{"--from", "at-timestamp", middle.UTC().Format(time.RFC3339Nano)}, []string{"a3", "b3"}},
		{"at-timestamp Unix seconds", []string{"--from", fmt.Sprintf("at-timestamp=%d.%09d", middle.Unix(), middle.Nanosecond())}, []string{"a3", "b3"}},
		{"at-timestamp in the past", []string{"--from", "at-timestamp", "1000000000"}, all},
		{"at-sequence", []string{"--from", "at-sequence", seqs["b2"]}, []string{"b2", "b3"}},
		{"STREAM before the flags", []string{"from", "--from", "at-sequence", seqs["a1"]}, []string{"a1", "a2", "a3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if !slices.Contains(args, "from") {
				args = append(slices.Clone(args), "from")
			}
			code, stdout, stderr := tailArgs(t, s, args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			lines := linesOf(stdout)
			if got := sorted(dataOf(t, lines)); !slices.Equal(got, tc.want) {
				t.Fatalf("printed %q, want %q", got, tc.want)
			}
			// Every line names the record's shard and sequence number, and
			// each shard's records come in order.
			for _, l := range lines {
				f := strings.Split(l, "\t")
				shard := "shardId-000000000000"
				if f[3][0] == 'b' {
					shard = "shardId-000000000001"
				}
				if f[0] != shard || f[1] != seqs[f[3]] || f[2] != "k" {
					t.Errorf("line %q: want %s\t%s\tk\t%s", l, shard, seqs[f[3]], f[3])
				}
			}
			for _, p := range []string{"a", "b"} {
				var order []string
				for _, d := range dataOf(t, lines) {
					if strings.HasPrefix(d, p) {
						order = append(order, d)
					}
				}
				if !slices.IsSorted(order) {
					t.Errorf("shard %s out of order: %q", p, order)
				}
			}
		})
	}

	t.Run("at-sequence nowhere", func(t *testing.T) {
		code, _, stderr := tailArgs(t, s, "from", "--from", "at-sequence", "1")
		if code != exitError || !strings.Contains(stderr, `no shard of stream "from" holds sequence number 1`) {
			t.Fatalf("exit %d, stderr %q", code, stderr)
		}
	})

	// latest with --follow: only records put after the start. Records are
	// put until one shows (the reader has its iterator then); every record
	// after it shows too, and the one put before the start never does.
	t.Run("latest with follow", func(t *testing.T) {
		f := startFollow(t, s, "from", "--from", "latest")
		out := f.out
		var put []string
		deadline := time.Now().Add(testTimeout)
		for i := 0; !strings.Contains(out.String(), "\tnew"); i++ {
			if time.Now().After(deadline) {
				t.Fatal("timed out waiting for a record put after the start")
			}
			d := fmt.Sprintf("new%03d", i)
			putTo(t, kc, "from", lowHashKey, "k", []byte(d))
			put = append(put, d)
			for j := 0; j < 20 && !strings.Contains(out.String(), "\tnew"); j++ {
				time.Sleep(5 * time.Millisecond)
			}
		}
		putTo(t, kc, "from", highHashKey, "k", []byte("last"))
		put = append(put, "last")
		f.waitFor("the last record", func() bool { return strings.Contains(out.String(), "\tlast\n") })
		if err := f.stop(); err != nil {
			t.Fatal(err)
		}
		got := dataOf(t, linesOf(out.String()))
		if len(got) < 2 || !slices.Equal(got, put[len(put)-len(got):]) {
			t.Fatalf("printed %q: want a tail of what was put after the start, %q", got, put)
		}
	})
}

func TestTailFormats(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "fmt", 1)
	recs := []struct{ key, data string }{
		{"k1", "hello, wörld <&>"},
		{"k2", "\x00\x01\xfe\xff"},
		{"tab\tkey", "line\nbreak"},
		{"k4", "base64:not really"},
		{"k5", ""},
	}
	var seqs []string
	for _, r := range recs {
		seqs = append(seqs, putTo(t, kc, "fmt", lowHashKey, r.key, []byte(r.data)))
	}
	const shard = "shardId-000000000000"
	// expect replaces S0, S1... with the sequence numbers.
	expect := func(s string) string {
		for i := len(seqs) - 1; i >= 0; i-- {
			s = strings.ReplaceAll(s, "S"+strconv.Itoa(i), seqs[i])
		}
		return s
	}
	stamp := regexp.MustCompile(`"ApproximateArrivalTimestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`)
	for _, tc := range []struct{ format, want string }{
		{"text", expect(shard + "\tS0\tk1\thello, wörld <&>\n" +
			shard + "\tS1\tk2\tbase64:AAH+/w==\n" +
			shard + "\tS2\tbase64:dGFiCWtleQ==\tbase64:bGluZQpicmVhaw==\n" +
			shard + "\tS3\tk4\tbase64:YmFzZTY0Om5vdCByZWFsbHk=\n" +
			shard + "\tS4\tk5\t\n")},
		{"json", expect(`{"ShardId":"` + shard + `","SequenceNumber":"S0","PartitionKey":"k1","ApproximateArrivalTimestamp":T,"Data":"aGVsbG8sIHfDtnJsZCA8Jj4=","Text":"hello, wörld <&>"}
{"ShardId":"` + shard + `","SequenceNumber":"S1","PartitionKey":"k2","ApproximateArrivalTimestamp":T,"Data":"AAH+/w=="}
{"ShardId":"` + shard + `","SequenceNumber":"S2","PartitionKey":"tab\tkey","ApproximateArrivalTimestamp":T,"Data":"bGluZQpicmVhaw==","Text":"line\nbreak"}
{"ShardId":"` + shard + `","SequenceNumber":"S3","PartitionKey":"k4","ApproximateArrivalTimestamp":T,"Data":"YmFzZTY0Om5vdCByZWFsbHk=","Text":"base64:not really"}
{"ShardId":"` + shard + `","SequenceNumber":"S4","PartitionKey":"k5","ApproximateArrivalTimestamp":T,"Data":"","Text":""}
`)},
		{"hex", expect(shard + "\tS0\tk1\t17 bytes\n" +
			"00000000  68 65 6c 6c 6f 2c 20 77  c3 b6 72 6c 64 20 3c 26  |hello, w..rld <&|\n" +
			"00000010  3e                                                |>|\n" +
			shard + "\tS1\tk2\t4 bytes\n" +
			"00000000  00 01 fe ff                                       |....|\n" +
			shard + "\tS2\tbase64:dGFiCWtleQ==\t10 bytes\n" +
			"00000000  6c 69 6e 65 0a 62 72 65  61 6b                    |line.break|\n" +
			shard + "\tS3\tk4\t17 bytes\n" +
			"00000000  62 61 73 65 36 34 3a 6e  6f 74 20 72 65 61 6c 6c  |base64:not reall|\n" +
			"00000010  79                                                |y|\n" +
			shard + "\tS4\tk5\t0 bytes\n")},
	} {
		t.Run(tc.format, func(t *testing.T) {
			code, stdout, stderr := tailArgs(t, s, "fmt", "--format", tc.format)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			got := stdout
			if tc.format == "json" {
				if n := len(stamp.FindAllString(got, -1)); n != len(recs) {
					t.Errorf("%d timestamps in RFC 3339 with milliseconds, want %d:\n%s", n, len(recs), got)
				}
				got = stamp.ReplaceAllString(got, `"ApproximateArrivalTimestamp":T`)
			}
			if got != tc.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestTailDeaggregate(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "agg", 1)
	agg := kpl.Aggregate([]kpl.UserRecord{
		{PartitionKey: "u1", Data: []byte("one")},
		{PartitionKey: "u2", ExplicitHashKey: "123", Data: []byte("two")},
		{PartitionKey: "u1", Data: []byte("three")},
	})
	s0 := putTo(t, kc, "agg", lowHashKey, "agg-key", agg)
	s1 := putTo(t, kc, "agg", lowHashKey, "plain", []byte("plain"))
	// The magic number and a matching MD5, around a message that does not
	// decode (a record field whose length runs past the end).
	msg := []byte{0x1a, 0x7f}
	sum := md5.Sum(msg)
	bad := append(append(kpl.Magic[:], msg...), sum[:]...)
	s2 := putTo(t, kc, "agg", lowHashKey, "bad", bad)
	const shard = "shardId-000000000000"
	b64 := base64.StdEncoding.EncodeToString

	t.Run("off", func(t *testing.T) {
		code, stdout, stderr := tailArgs(t, s, "agg")
		want := shard + "\t" + s0 + "\tagg-key\tbase64:" + b64(agg) + "\n" +
			shard + "\t" + s1 + "\tplain\tplain\n" +
			shard + "\t" + s2 + "\tbad\tbase64:" + b64(bad) + "\n"
		if code != exitOK || stdout != want || stderr != "" {
			t.Fatalf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, stderr, stdout, want)
		}
	})
	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := tailArgs(t, s, "agg", "--deaggregate")
		want := shard + "\t" + s0 + "/0\tu1\tone\n" +
			shard + "\t" + s0 + "/1\tu2\ttwo\n" +
			shard + "\t" + s0 + "/2\tu1\tthree\n" +
			shard + "\t" + s1 + "\tplain\tplain\n" +
			shard + "\t" + s2 + "\tbad\tbase64:" + b64(bad) + "\n"
		if code != exitOK || stdout != want {
			t.Fatalf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, stderr, stdout, want)
		}
		if !strings.Contains(stderr, "record "+s2+" of "+shard) || !strings.Contains(stderr, "malformed") {
			t.Errorf("stderr %q: want a warning about record %s", stderr, s2)
		}
	})
	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := tailArgs(t, s, "agg", "--deaggregate", "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		lines := linesOf(regexp.MustCompile(`"ApproximateArrivalTimestamp":"[^"]*"`).ReplaceAllString(stdout, `"ApproximateArrivalTimestamp":T`))
		want := []string{
			`{"ShardId":"` + shard + `","SequenceNumber":"` + s0 + `","SubSequenceNumber":0,"PartitionKey":"u1","ApproximateArrivalTimestamp":T,"Data":"b25l","Text":"one"}`,
			`{"ShardId":"` + shard + `","SequenceNumber":"` + s0 + `","SubSequenceNumber":1,"PartitionKey":"u2","ExplicitHashKey":"123","ApproximateArrivalTimestamp":T,"Data":"dHdv","Text":"two"}`,
			`{"ShardId":"` + shard + `","SequenceNumber":"` + s0 + `","SubSequenceNumber":2,"PartitionKey":"u1","ApproximateArrivalTimestamp":T,"Data":"dGhyZWU=","Text":"three"}`,
			`{"ShardId":"` + shard + `","SequenceNumber":"` + s1 + `","PartitionKey":"plain","ApproximateArrivalTimestamp":T,"Data":"cGxhaW4=","Text":"plain"}`,
		}
		if len(lines) != 5 || !slices.Equal(lines[:4], want) {
			t.Fatalf("got\n%s\nwant\n%s\n(and the bad record)", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
	})
}

// TestTailFollowReshard tails a stream with --follow while its shard is
// split and the children merged: every record once, a parent's before its
// children's. Then the same without --follow.
func TestTailFollowReshard(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	ctx := testContext(t)
	createTestStream(t, kc, "rs", 1)
	putTo(t, kc, "rs", lowHashKey, "k", []byte("p0"))
	f := startFollow(t, s, "rs")
	out := f.out
	f.waitFor("the first record", func() bool { return strings.Contains(out.String(), "\tp0\n") })
	var want []string
	put := func(ehk, data string) {
		putTo(t, kc, "rs", ehk, "k", []byte(data))
		want = append(want, data)
	}
	want = append(want, "p0")
	// Records put after the start.
	for i := 1; i <= 3; i++ {
		put(lowHashKey, fmt.Sprintf("p%d", i))
		put(highHashKey, fmt.Sprintf("p%d", i+3))
	}
	if _, err := kc.SplitShard(ctx, &kinesis.SplitShardInput{StreamName: aws.String("rs"), ShardToSplit: aws.String("shardId-000000000000"),
		NewStartingHashKey: aws.String(highHashKey)}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, kc, "rs")
	// Everything put from here on arrives at or after afterSplit (a whole
	// millisecond: Kinesis timestamps have milliseconds).
	afterSplit := time.Now().Truncate(time.Millisecond).Add(time.Millisecond)
	waitFor(t, "the clock to pass afterSplit", func() bool { return time.Now().After(afterSplit) })
	for i := 0; i < 3; i++ {
		put(lowHashKey, fmt.Sprintf("l%d", i))
		put(highHashKey, fmt.Sprintf("h%d", i))
	}
	if _, err := kc.MergeShards(ctx, &kinesis.MergeShardsInput{StreamName: aws.String("rs"), ShardToMerge: aws.String("shardId-000000000001"),
		AdjacentShardToMerge: aws.String("shardId-000000000002")}); err != nil {
		t.Fatal(err)
	}
	waitStreamActive(t, kc, "rs")
	for i := 0; i < 3; i++ {
		put(lowHashKey, fmt.Sprintf("m%d", i))
		put(highHashKey, fmt.Sprintf("m%d", i+3))
	}
	f.waitFor("every record", func() bool { return len(linesOf(out.String())) >= len(want) })
	if err := f.stop(); err != nil {
		t.Fatalf("eddy tail: %v", err)
	}

	// The shard of each generation: p* in shard 0, l* in 1, h* in 2, m* in 3.
	shardOf := map[byte]string{'p': "shardId-000000000000", 'l': "shardId-000000000001", 'h': "shardId-000000000002", 'm': "shardId-000000000003"}
	generation := map[byte]int{'p': 0, 'l': 1, 'h': 1, 'm': 2}
	check := func(t *testing.T, stdout string) {
		t.Helper()
		lines := linesOf(stdout)
		got := dataOf(t, lines)
		if !slices.Equal(sorted(got), sorted(want)) {
			t.Fatalf("printed %q, want each of %q once", got, want)
		}
		last := 0
		for i, l := range lines {
			d := got[i]
			if shard := strings.Split(l, "\t")[0]; shard != shardOf[d[0]] {
				t.Errorf("record %s from %s, want %s", d, shard, shardOf[d[0]])
			}
			if g := generation[d[0]]; g < last {
				t.Fatalf("record %s (generation %d) after one of generation %d: %q", d, g, last, got)
			} else {
				last = g
			}
		}
		// Each shard's records in the order they were put.
		for _, sh := range shardOf {
			var order, put []string
			for i, d := range got {
				if strings.HasPrefix(lines[i], sh+"\t") {
					order = append(order, d)
				}
			}
			for _, d := range want {
				if shardOf[d[0]] == sh {
					put = append(put, d)
				}
			}
			if !slices.Equal(order, put) {
				t.Errorf("%s: printed %q, put %q", sh, order, put)
			}
		}
	}
	t.Run("follow", func(t *testing.T) { check(t, out.String()) })
	t.Run("without follow", func(t *testing.T) {
		code, stdout, stderr := tailArgs(t, s, "rs")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		check(t, stdout)
	})
	t.Run("at-timestamp after the split", func(t *testing.T) {
		// Shard 0 holds nothing that late; its children and theirs are
		// read from afterSplit.
		code, stdout, stderr := tailArgs(t, s, "rs", "--from", "at-timestamp", afterSplit.Format(time.RFC3339Nano))
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := dataOf(t, linesOf(stdout))
		rest := want[slices.Index(want, "l0"):]
		if !slices.Equal(sorted(got), sorted(rest)) || got[len(got)-1][0] != 'm' || got[0][0] == 'm' {
			t.Fatalf("printed %q, want %q in lineage order", got, rest)
		}
	})
	t.Run("latest after the reshard", func(t *testing.T) {
		// The closed shards are not read; the open one is, from LATEST.
		code, stdout, stderr := tailArgs(t, s, "rs", "--from", "latest")
		if code != exitOK || stdout != "" {
			t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
		}
	})
	t.Run("at-sequence in a parent", func(t *testing.T) {
		// From p2 in shard 1's parent: the rest of shard 0, then shards 1
		// and 2, then 3.
		var seq string
		for _, l := range linesOf(out.String()) {
			if f := strings.Split(l, "\t"); f[3] == "p2" {
				seq = f[1]
			}
		}
		code, stdout, stderr := tailArgs(t, s, "rs", "--from", "at-sequence", seq)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		got := dataOf(t, linesOf(stdout))
		rest := want[slices.Index(want, "p2"):] // what was put from p2 on
		if !slices.Equal(sorted(got), sorted(rest)) || got[0] != "p2" || got[len(got)-1][0] != 'm' {
			t.Fatalf("printed %q, want %q in lineage order", got, rest)
		}
	})
}

// TestTailRetries throttles reads (the SDK retries nothing here:
// AWS_MAX_ATTEMPTS=1) and expires iterators; eddy tail retries and reads
// every record.
func TestTailRetries(t *testing.T) {
	putEnv(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	clock := kin.NewFakeClock(time.Now())
	s := eddytest.Start(t, eddytest.Options{Kinesis: func(c *kin.Config) { c.Clock = clock }})
	kc := s.Kinesis()
	createTestStream(t, kc, "rt", 2)

	t.Run("throttled", func(t *testing.T) {
		for i := range 10 {
			putTo(t, kc, "rt", []string{lowHashKey, highHashKey}[i%2], "k", []byte(fmt.Sprintf("r%d", i)))
		}
		err := s.Engine().SetFaults([]kin.FaultRule{
			{Stream: "rt", Operation: "GetRecords", ThrottleRate: 0.6, Seed: 1},
			{Stream: "rt", Operation: "GetShardIterator", ThrottleRate: 0.6, Seed: 2},
			{Stream: "rt", Operation: "ListShards", ThrottleRate: 0.6, Seed: 3},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Engine().SetFaults(nil)
		code, stdout, stderr := tailArgs(t, s, "rt")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if got := sorted(dataOf(t, linesOf(stdout))); len(got) != 10 || got[0] != "r0" || got[9] != "r9" {
			t.Fatalf("printed %q", got)
		}
	})

	t.Run("expired iterator", func(t *testing.T) {
		createTestStream(t, kc, "ex", 2)
		putTo(t, kc, "ex", lowHashKey, "k", []byte("before"))
		f := startFollow(t, s, "ex")
		f.waitFor("the first record", func() bool { return len(linesOf(f.out.String())) == 1 })
		// Every iterator eddy tail holds now expires.
		clock.Advance(6 * time.Minute)
		putTo(t, kc, "ex", lowHashKey, "k", []byte("after"))
		putTo(t, kc, "ex", highHashKey, "k", []byte("after2"))
		f.waitFor("records after the expiry", func() bool { return len(linesOf(f.out.String())) == 3 })
		if err := f.stop(); err != nil {
			t.Fatal(err)
		}
		if got := sorted(dataOf(t, linesOf(f.out.String()))); !slices.Equal(got, []string{"after", "after2", "before"}) {
			t.Fatalf("printed %q", got)
		}
	})
}

// failingWriter fails every write with EPIPE after its first n bytes, as a
// closed stdout does.
type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= w.n {
		w.n -= len(p)
		return len(p), nil
	}
	return 0, &pathError{}
}

// pathError is what a write to a pipe without a reader returns.
type pathError struct{}

func (*pathError) Error() string { return "write /dev/stdout: broken pipe" }
func (*pathError) Unwrap() error { return errEPIPE }

func TestTailErrors(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "e", 1)
	putTo(t, kc, "e", lowHashKey, "k", []byte("x"))

	t.Run("missing stream", func(t *testing.T) {
		code, stdout, stderr := tailArgs(t, s, "nope")
		if code != exitError || stdout != "" || !strings.HasPrefix(stderr, `eddy tail: stream "nope": ResourceNotFoundException: `) {
			t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
		}
	})
	t.Run("closed stdout", func(t *testing.T) {
		var stderr bytes.Buffer
		err := runTail(context.Background(), []string{"--endpoint", s.Endpoint, "e"}, &failingWriter{}, &stderr)
		if err != nil || stderr.Len() > 0 {
			t.Fatalf("err %v, stderr %q; want a quiet end", err, stderr.String())
		}
	})
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{nil, "STREAM is required"},
		{[]string{"a", "b"}, `unexpected argument "b"`},
		{[]string{"a", "--from", "oldest"}, "want trim-horizon, latest, at-timestamp T or at-sequence N"},
		{[]string{"a", "--from", "latest=1"}, "latest takes no value"},
		{[]string{"a", "--from", "at-timestamp"}, "--from at-timestamp needs a time"},
		{[]string{"a", "--from", "at-timestamp", "yesterday"}, `--from at-timestamp "yesterday": want RFC 3339`},
		{[]string{"a", "--from", "at-sequence"}, "--from at-sequence needs a sequence number"},
		{[]string{"a", "--from", "at-sequence", "012"}, `--from at-sequence "012": a sequence number is decimal digits`},
		{[]string{"a", "--format", "xml"}, `unknown --format "xml" (want text, json or hex)`},
		{[]string{"a", "--poll-interval", "0s"}, "--poll-interval must be positive"},
		{[]string{"a", "--group", "ab"}, `--group "ab": 3 to 255 letters`},
		{[]string{"a", "--group", "app", "--from", "at-sequence", "1"}, "--group cannot start at a sequence number"},
		{[]string{"a", "--nosuch"}, "flag provided but not defined: -nosuch"},
	} {
		t.Run(fmt.Sprintf("usage %q", tc.args), func(t *testing.T) {
			code, stdout, stderr := tailArgs(t, s, tc.args...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.msg) {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q; want %q", code, exitUsage, stdout, stderr, tc.msg)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		code, stdout, _ := runCmd(t, "help", "tail")
		if code != exitOK || !strings.HasPrefix(stdout, "usage: eddy tail STREAM") || !strings.Contains(stdout, "caught up when a GetRecords call returns no records") {
			t.Fatalf("exit %d, stdout %q", code, stdout)
		}
	})
}

var errEPIPE error = syscall.EPIPE

// startTailChild runs `eddy tail args` in a child process (the test binary
// as TestServeChild) with its stdout on a pipe; lines receives each line.
func startTailChild(t *testing.T, args string) (cmd *exec.Cmd, stdout io.ReadCloser, stderr *lockedBuffer, lines <-chan string) {
	t.Helper()
	argv := []string{"-test.run=^TestServeChild$"}
	if d, ok := t.Deadline(); ok {
		argv = append(argv, fmt.Sprintf("-test.timeout=%s", max(time.Until(d), time.Second)))
	}
	cmd = exec.Command(os.Args[0], argv...)
	cmd.Env = append(os.Environ(), "EDDY_SERVE_ARGS=tail "+args)
	stderr = &lockedBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ch := make(chan string, 100)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			ch <- sc.Text()
		}
	}()
	return cmd, stdout, stderr, ch
}

// waitExit waits for the child to end and returns its exit status (-1 for
// a signal).
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	err := recvWithin(t, done, "eddy tail to exit")
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("child: %v", ee)
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// TestTailProcess runs eddy tail as a process: SIGINT and SIGTERM end it
// with status 0, and so does a closed stdout, quietly.
func TestTailProcess(t *testing.T) {
	putEnv(t)
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "p", 1)
	putTo(t, kc, "p", lowHashKey, "k", []byte("first"))
	args := "--endpoint " + s.Endpoint + " --follow --poll-interval 10ms p"
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, _, stderr, lines := startTailChild(t, args)
			if l := recvWithin(t, lines, "the first record"); !strings.HasSuffix(l, "\tfirst") {
				t.Fatalf("line %q", l)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, cmd); code != 0 || stderr.String() != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr.String())
			}
		})
	}
	t.Run("closed stdout", func(t *testing.T) {
		cmd, stdout, stderr, lines := startTailChild(t, args)
		recvWithin(t, lines, "the first record")
		stdout.Close()
		putTo(t, kc, "p", lowHashKey, "k", []byte("second"))
		if code := waitExit(t, cmd); code != 0 || stderr.String() != "" {
			t.Fatalf("exit %d, stderr %q", code, stderr.String())
		}
	})
}

// TestTailLineage checks the coordinator's bookkeeping on a history that
// an API test cannot stage at will: shards A and B are read; B was split
// into X and Y and X merged with A into Z while eddy tail was still
// reading B. When A ends and names Z (parents A and X), X is unknown: it
// must be looked up and waited for, not taken as expired.
func TestTailLineage(t *testing.T) {
	shard := func(id string, parents ...string) types.Shard {
		s := types.Shard{ShardId: aws.String(id)}
		if len(parents) > 0 {
			s.ParentShardId = aws.String(parents[0])
		}
		if len(parents) > 1 {
			s.AdjacentParentShardId = aws.String(parents[1])
		}
		return s
	}
	listing := map[string]types.Shard{"A": shard("A"), "B": shard("B"), "X": shard("X", "B"), "Y": shard("Y", "B"), "Z": shard("Z", "A", "X")}
	lists := 0
	tl := newTailer(&tailConfig{From: tailFrom{Type: types.ShardIteratorTypeTrimHorizon}}, nil)
	tl.list = func(context.Context) (map[string]types.Shard, error) { lists++; return listing, nil }
	tl.shards["A"] = &tailShard{id: "A", state: shardDone}
	tl.shards["B"] = &tailShard{id: "B", state: shardReading}
	ctx := context.Background()
	child := func(id string, parents ...string) types.ChildShard {
		return types.ChildShard{ShardId: aws.String(id), ParentShards: parents}
	}
	if err := tl.discover(ctx, tl.shards["A"], []types.ChildShard{child("Z", "A", "X")}); err != nil {
		t.Fatal(err)
	}
	state := func(id string) shardState {
		sh, ok := tl.shards[id]
		if !ok {
			t.Fatalf("shard %s unknown", id)
		}
		return sh.state
	}
	if lists != 1 || state("Z") != shardWaiting || state("X") != shardWaiting || tl.ready(tl.shards["Z"]) || tl.ready(tl.shards["X"]) {
		t.Fatalf("after A: %d listings, Z %v (ready %v), X %v; want Z and X waiting, not ready",
			lists, state("Z"), tl.ready(tl.shards["Z"]), state("X"))
	}
	// B ends: X and Y are ready, Z still waits for X.
	tl.shards["B"].state = shardDone
	if err := tl.discover(ctx, tl.shards["B"], []types.ChildShard{child("X", "B"), child("Y", "B")}); err != nil {
		t.Fatal(err)
	}
	if !tl.ready(tl.shards["X"]) || state("Y") != shardWaiting || !tl.ready(tl.shards["Y"]) || tl.ready(tl.shards["Z"]) {
		t.Fatal("after B: want X and Y ready, Z not")
	}
	tl.shards["X"].state = shardDone
	if !tl.ready(tl.shards["Z"]) {
		t.Fatal("after X: Z not ready")
	}
	// A shard whose parent is in no listing (expired) is ready at once.
	if err := tl.discover(ctx, tl.shards["Y"], []types.ChildShard{child("W", "Y", "gone")}); err != nil {
		t.Fatal(err)
	}
	if state("gone") != shardSkipped || state("W") != shardWaiting {
		t.Fatalf("W %v, gone %v", state("W"), state("gone"))
	}
	tl.shards["Y"].state = shardDone
	if !tl.ready(tl.shards["W"]) {
		t.Fatal("W not ready")
	}
}

// TestTailGroup runs two `eddy tail --group` processes on one stream: they
// share its shards through leases, together print every record, and the
// second, started after the first printed the backlog, prints only new
// records. After both stop, a third prints nothing again: the checkpoints
// cover everything printed.
func TestTailGroup(t *testing.T) {
	s := eddytest.Start(t, eddytest.Options{})
	kc := s.Kinesis()
	createTestStream(t, kc, "g", 4)
	const ehk0, ehk1 = "0", "170141183460469231731687303715884105728"
	last := map[string]string{} // shard: the sequence number of its last record
	for i := 0; i < 20; i++ {
		seq := putTo(t, kc, "g", []string{ehk0, ehk1}[i%2], fmt.Sprint("k", i), []byte(fmt.Sprint("old-", i)))
		last[[]string{"shardId-000000000000", "shardId-000000000002"}[i%2]] = seq
	}
	args := []string{"g", "--group", "grp", "--lease-duration", "1s"}
	a := startFollow(t, s, args...)
	a.waitFor("the backlog", func() bool { return len(linesOf(a.out.String())) == 20 })
	// ... and checkpointed it (in the two shards the keys went to).
	dc := s.DynamoDB()
	a.waitFor("the backlog's checkpoints", func() bool {
		for shard, seq := range last {
			out, err := dc.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("grp"),
				Key: map[string]ddbtypes.AttributeValue{"leaseKey": &ddbtypes.AttributeValueMemberS{Value: shard}}})
			if err != nil || out.Item == nil {
				return false
			}
			if cp, ok := out.Item["checkpoint"].(*ddbtypes.AttributeValueMemberS); !ok || cp.Value != seq {
				return false
			}
		}
		return true
	})
	b := startFollow(t, s, args...)
	// b takes shards over from a (stealing, as a KCL worker does).
	var fresh []string
	for i := 0; ; i++ {
		d := fmt.Sprint("new-", i)
		putTo(t, kc, "g", []string{ehk0, ehk1}[i%2], fmt.Sprint("key-", i), []byte(d))
		fresh = append(fresh, d)
		if strings.Contains(b.out.String(), "new-") || i > 2000 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	all := func() []string {
		return append(dataOf(t, linesOf(a.out.String())), dataOf(t, linesOf(b.out.String()))...)
	}
	b.waitFor("every new record", func() bool {
		got := map[string]bool{}
		for _, d := range all() {
			got[d] = true
		}
		for _, d := range fresh {
			if !got[d] {
				return false
			}
		}
		return true
	})
	for _, d := range dataOf(t, linesOf(b.out.String())) {
		if strings.HasPrefix(d, "old-") {
			t.Errorf("the second process printed %s, which the first had printed and checkpointed", d)
		}
	}
	if err := a.stop(); err != nil {
		t.Fatal(err)
	}
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	// Everything printed was checkpointed: a new process prints nothing
	// of it.
	c := startFollow(t, s, args...)
	putTo(t, kc, "g", ehk0, "last", []byte("last"))
	c.waitFor("the last record", func() bool { return strings.Contains(c.out.String(), "last") })
	if got := dataOf(t, linesOf(c.out.String())); len(got) != 1 {
		t.Errorf("a third process printed %v; want only the record put after the others stopped", got)
	}
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
}
