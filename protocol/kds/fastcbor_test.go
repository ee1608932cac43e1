package kds

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/eddy-streams/eddy/protocol/awscbor"
)

// TestGetRecordsFastCBORMatchesAwscbor checks AppendFastCBOR byte for byte
// against the reflective encoder on random answers: every optional member
// present or not, data and keys of every head size (1, 2 and 3-byte
// lengths), negative and large numbers, and empty versus nil slices.
func TestGetRecordsFastCBORMatchesAwscbor(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := []int{0, 1, 23, 24, 255, 256, 65535, 65536}
	for n := 0; n < 300; n++ {
		out := GetRecordsOutput{MillisBehindLatest: rng.Int64N(1e12) - 1e6}
		if n%7 != 0 {
			out.Records = []Record{}
		}
		for i := rng.IntN(5); i > 0; i-- {
			data := make([]byte, sizes[rng.IntN(len(sizes))])
			for j := range data {
				data[j] = byte(rng.IntN(256))
			}
			r := Record{SequenceNumber: "4959033827149025660855969253836157109592157598913658889" + string(rune('0'+i)), Data: data,
				PartitionKey: oddKeys[rng.IntN(len(oddKeys))]}
			if rng.IntN(3) > 0 {
				r.ApproximateArrivalTimestamp = Timestamp(time.UnixMilli(rng.Int64N(4e12) - 1e12))
			}
			if rng.IntN(4) == 0 {
				r.EncryptionType = "KMS"
			}
			if rng.IntN(9) == 0 {
				r.Data = nil
			}
			out.Records = append(out.Records, r)
		}
		if rng.IntN(2) == 0 {
			s := "AAAAiterator+/="
			out.NextShardIterator = &s
		}
		switch rng.IntN(4) {
		case 0:
			out.ChildShards = []ChildShard{{ShardId: "shardId-000000000001", ParentShards: []string{"shardId-000000000000"}, HashKeyRange: HashKeyRange{"0", "1"}}}
		case 1:
			out.ChildShards = []ChildShard{}
		}
		prefix := []byte("kept")
		got, err := out.AppendFastCBOR(prefix)
		if err != nil {
			t.Fatal(err)
		}
		want, err := awscbor.Marshal(&out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got[:4], prefix) || !bytes.Equal(got[4:], want) {
			t.Fatalf("answer %d:\nfast     %x\nawscbor  %x", n, got, want)
		}
	}
}

// TestGetRecordsFastCBORTimeRange checks that a timestamp awscbor cannot
// encode gives its error, not bytes.
func TestGetRecordsFastCBORTimeRange(t *testing.T) {
	out := GetRecordsOutput{Records: []Record{{SequenceNumber: "1", Data: []byte("x"),
		ApproximateArrivalTimestamp: Timestamp(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}}}
	if _, err := out.AppendFastCBOR(nil); err == nil {
		t.Fatal("year 10000 encoded without an error")
	}
}

func BenchmarkGetRecordsCBOR(b *testing.B) {
	out := GetRecordsOutput{MillisBehindLatest: 0}
	for i := range 10000 {
		out.Records = append(out.Records, Record{SequenceNumber: "49590338271490256608559692538361571095921575989136588891" + string(rune('0'+i%10)),
			Data: bytes.Repeat([]byte{'x'}, 1024), PartitionKey: "partition-key", ApproximateArrivalTimestamp: Timestamp(time.UnixMilli(1.7e12))})
	}
	b.Run("fast", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = out.AppendFastCBOR(buf[:0])
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("awscbor", func(b *testing.B) {
		var n int
		for b.Loop() {
			buf, _ := awscbor.Marshal(&out)
			n = len(buf)
		}
		b.SetBytes(int64(n))
	})
}
