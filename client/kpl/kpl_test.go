package kpl_test

import (
	"bytes"
	"crypto/md5"
	"errors"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	a8m "github.com/a8m/kinesis-producer"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/awslabs/kinesis-aggregation/go/v2/deaggregator"
	awsrecords "github.com/awslabs/kinesis-aggregation/go/v2/records"
	"github.com/eddy-streams/eddy/client/kpl"
	"google.golang.org/protobuf/encoding/protowire"
	protov2 "google.golang.org/protobuf/proto"

	protov1 "github.com/golang/protobuf/proto"
)

var update = flag.Bool("update", false, "rewrite testdata/aggregated.golden")

// goldenRecords are the user records of testdata/aggregated.golden: a shared
// partition key, an explicit hash key used twice, empty data, a
// multi-byte-length data blob and a non-ASCII key.
func goldenRecords() []kpl.UserRecord {
	return []kpl.UserRecord{
		{PartitionKey: "user-1", Data: []byte("hello")},
		{PartitionKey: "user-2", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte("world")},
		{PartitionKey: "user-1", Data: []byte{}},
		{PartitionKey: "clé", Data: bytes.Repeat([]byte{0xAB}, 300)},
		{PartitionKey: "user-3", ExplicitHashKey: "170141183460469231731687303715884105728", Data: []byte("again")},
		{PartitionKey: "user-2", Data: []byte("two")},
	}
}

// TestGolden guards the wire format: Aggregate writes testdata's bytes, the
// awslabs deaggregator and a8m/kinesis-producer's message type read them
// back as the same user records, and both libraries' generated protobuf
// types marshal the same message to the same bytes.
func TestGolden(t *testing.T) {
	recs := goldenRecords()
	got := kpl.Aggregate(recs)
	path := filepath.Join("testdata", "aggregated.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Aggregate = %x\nwant       %x", got, want)
	}
	if !bytes.Equal(want[:4], []byte{0xF3, 0x89, 0x9A, 0xC2}) {
		t.Fatalf("magic = %x", want[:4])
	}
	msg := want[4 : len(want)-16]
	if sum := md5.Sum(msg); !bytes.Equal(sum[:], want[len(want)-16:]) {
		t.Fatal("MD5 trailer does not match the message")
	}

	// The same message built with the awslabs generated type.
	ref := &awsrecords.AggregatedRecord{
		PartitionKeyTable:    []string{"user-1", "user-2", "clé", "user-3"},
		ExplicitHashKeyTable: []string{"170141183460469231731687303715884105728"},
	}
	idx := func(i uint64) *uint64 { return &i }
	for _, r := range []struct {
		pk  uint64
		ehk *uint64
		d   []byte
	}{{0, nil, recs[0].Data}, {1, idx(0), recs[1].Data}, {0, nil, recs[2].Data}, {2, nil, recs[3].Data}, {3, idx(0), recs[4].Data}, {1, nil, recs[5].Data}} {
		ref.Records = append(ref.Records, &awsrecords.Record{PartitionKeyIndex: idx(r.pk), ExplicitHashKeyIndex: r.ehk, Data: r.d})
	}
	refMsg, err := protov1.Marshal(ref)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(refMsg, msg) {
		t.Errorf("awslabs records.AggregatedRecord marshals to %x\nwant %x", refMsg, msg)
	}

	// The awslabs deaggregator.
	out, err := deaggregator.DeaggregateRecords([]types.Record{{Data: want, PartitionKey: aws.String("a"), SequenceNumber: aws.String("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(recs) {
		t.Fatalf("awslabs deaggregator: %d records, want %d", len(out), len(recs))
	}
	for i, r := range out {
		if *r.PartitionKey != recs[i].PartitionKey || !bytes.Equal(r.Data, recs[i].Data) {
			t.Errorf("awslabs record %d = %q %x, want %q %x", i, *r.PartitionKey, r.Data, recs[i].PartitionKey, recs[i].Data)
		}
	}

	// a8m/kinesis-producer's generated type (google.golang.org/protobuf).
	var m a8m.AggregatedRecord
	if err := protov2.Unmarshal(msg, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Records) != len(recs) {
		t.Fatalf("a8m: %d records, want %d", len(m.Records), len(recs))
	}
	for i, r := range m.Records {
		pk := m.PartitionKeyTable[r.GetPartitionKeyIndex()]
		ehk := ""
		if r.ExplicitHashKeyIndex != nil {
			ehk = m.ExplicitHashKeyTable[*r.ExplicitHashKeyIndex]
		}
		if pk != recs[i].PartitionKey || ehk != recs[i].ExplicitHashKey || !bytes.Equal(r.Data, recs[i].Data) {
			t.Errorf("a8m record %d = %q %q %x, want %+v", i, pk, ehk, r.Data, recs[i])
		}
	}
	a8mMsg, err := protov2.MarshalOptions{Deterministic: true}.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a8mMsg, msg) {
		t.Errorf("a8m AggregatedRecord marshals to %x\nwant %x", a8mMsg, msg)
	}

	// And ours.
	back, err := kpl.Deaggregate(want)
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, back, recs)
}

func checkRecords(t *testing.T, got, want []kpl.UserRecord) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i].PartitionKey != want[i].PartitionKey || got[i].ExplicitHashKey != want[i].ExplicitHashKey || !bytes.Equal(got[i].Data, want[i].Data) {
			t.Errorf("record %d = %q %q %x, want %q %q %x", i, got[i].PartitionKey, got[i].ExplicitHashKey, got[i].Data,
				want[i].PartitionKey, want[i].ExplicitHashKey, want[i].Data)
		}
	}
}

func TestSizeIsExact(t *testing.T) {
	var a kpl.Aggregator
	recs := goldenRecords()
	for i, r := range recs {
		before := a.Size()
		if i == 0 && kpl.SizeOf(r) != before+0 && a.Count() != 0 {
			t.Fatal("not empty")
		}
		a.Add(r)
		if got := len(a.AppendTo(nil)); got != a.Size() {
			t.Fatalf("after %d records Size = %d, encoded %d", i+1, a.Size(), got)
		}
		if a.Size() <= before {
			t.Fatalf("Size did not grow: %d -> %d", before, a.Size())
		}
	}
	for _, r := range recs {
		var one kpl.Aggregator
		one.Add(r)
		if kpl.SizeOf(r) != one.Size() {
			t.Errorf("SizeOf(%q) = %d, Size %d", r.PartitionKey, kpl.SizeOf(r), one.Size())
		}
	}
	if pk, ehk := a.First(); pk != "user-1" || ehk != "" {
		t.Errorf("First = %q %q", pk, ehk)
	}
	if a.Count() != len(recs) {
		t.Errorf("Count = %d", a.Count())
	}
	// TryAdd refuses what would pass the limit and leaves the aggregate as
	// it was.
	full := a.AppendTo(nil)
	if a.TryAdd(kpl.UserRecord{PartitionKey: "new", Data: []byte("x")}, a.Size()+5) {
		t.Fatal("TryAdd accepted a record past the limit")
	}
	if !bytes.Equal(a.AppendTo(nil), full) {
		t.Fatal("refused TryAdd changed the aggregate")
	}
	r := kpl.UserRecord{PartitionKey: "user-1", Data: []byte("x")}
	exact := a.Size() + 7 // field tag and length (2) + record: pk index (2), data (3)
	if !a.TryAdd(r, exact) || a.Size() != exact {
		t.Fatalf("TryAdd at the exact limit: size %d, want %d", a.Size(), exact)
	}
	a.Reset()
	if a.Count() != 0 || a.Size() != kpl.Overhead {
		t.Fatalf("after Reset: count %d size %d", a.Count(), a.Size())
	}
	a.Add(recs[1])
	got, err := kpl.Deaggregate(a.AppendTo(nil))
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, recs[1:2])
}

func TestDeaggregateErrors(t *testing.T) {
	good := kpl.Aggregate(goldenRecords())
	withMD5 := func(msg []byte) []byte {
		b := append([]byte{0xF3, 0x89, 0x9A, 0xC2}, msg...)
		sum := md5.Sum(msg)
		return append(b, sum[:]...)
	}
	rec := func(fields ...[]byte) []byte {
		var inner []byte
		for _, f := range fields {
			inner = append(inner, f...)
		}
		b := protowire.AppendTag(nil, 3, protowire.BytesType)
		return protowire.AppendBytes(b, inner)
	}
	pkTable := protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "k")
	pkIdx := func(i uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), i)
	}
	ehkIdx := func(i uint64) []byte {
		return protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), i)
	}
	data := protowire.AppendBytes(protowire.AppendTag(nil, 3, protowire.BytesType), []byte("d"))
	flipped := bytes.Clone(good)
	flipped[len(flipped)-1] ^= 1

	for _, tc := range []struct {
		name string
		in   []byte
		want error
		msg  string
	}{
		{"empty", nil, kpl.ErrNotAggregated, ""},
		{"short", good[:19], kpl.ErrNotAggregated, ""},
		{"no magic", append([]byte{0xF3, 0x89, 0x9A, 0xC3}, good[4:]...), kpl.ErrNotAggregated, ""},
		{"bad md5", flipped, kpl.ErrNotAggregated, ""},
		{"truncated message", withMD5(good[4 : len(good)-20]), kpl.ErrMalformed, ""},
		{"no partition key index", withMD5(append(pkTable, rec(data)...)), kpl.ErrMalformed, "no partition_key_index"},
		{"no data", withMD5(append(pkTable, rec(pkIdx(0))...)), kpl.ErrMalformed, "no data"},
		{"pk index outside table", withMD5(append(pkTable, rec(pkIdx(1), data)...)), kpl.ErrMalformed, "partition_key_index 1 outside a table of 1"},
		{"ehk index outside table", withMD5(append(pkTable, rec(pkIdx(0), ehkIdx(0), data)...)), kpl.ErrMalformed, "explicit_hash_key_index 0"},
		{"end group", withMD5([]byte{0x0c}), kpl.ErrMalformed, ""},
		{"bad varint", withMD5(append(pkTable, rec([]byte{0x08, 0xff}, data)...)), kpl.ErrMalformed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := kpl.Deaggregate(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Deaggregate = %v, %v; want %v", got, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
			if kpl.IsAggregated(tc.in) != (tc.want == kpl.ErrMalformed) {
				t.Errorf("IsAggregated = %v", kpl.IsAggregated(tc.in))
			}
		})
	}

	// Unknown fields, tags and fields in another order are accepted.
	tag := protowire.AppendBytes(protowire.AppendTag(nil, 4, protowire.BytesType),
		protowire.AppendString(protowire.AppendTag(nil, 1, protowire.BytesType), "tagkey"))
	unknown := protowire.AppendVarint(protowire.AppendTag(nil, 9, protowire.VarintType), 7)
	fixed := protowire.AppendFixed32(protowire.AppendTag(nil, 10, protowire.Fixed32Type), 7)
	msg := append(rec(data, tag, pkIdx(0), unknown), fixed...)
	msg = append(msg, pkTable...)
	got, err := kpl.Deaggregate(withMD5(msg))
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, got, []kpl.UserRecord{{PartitionKey: "k", Data: []byte("d")}})

	// An empty message is not an aggregate (as for the awslabs
	// deaggregator); an aggregate of no records, with some other field, is
	// valid and empty.
	if got, err = kpl.Deaggregate(withMD5(nil)); err != kpl.ErrNotAggregated {
		t.Fatalf("empty message = %v, %v", got, err)
	}
	if got, err = kpl.Deaggregate(withMD5(unknown)); err != nil || len(got) != 0 {
		t.Fatalf("aggregate of no records = %v, %v", got, err)
	}
}

func TestAppendDeaggregatedKeepsDst(t *testing.T) {
	dst := []kpl.UserRecord{{PartitionKey: "before"}}
	out, err := kpl.AppendDeaggregated(dst, kpl.Aggregate(goldenRecords()))
	if err != nil {
		t.Fatal(err)
	}
	checkRecords(t, out, append([]kpl.UserRecord{{PartitionKey: "before"}}, goldenRecords()...))
	out, err = kpl.AppendDeaggregated(dst, []byte("plain"))
	if err != kpl.ErrNotAggregated || len(out) != 1 {
		t.Fatalf("AppendDeaggregated(plain) = %v, %v", out, err)
	}
	// Data aliases the input but cannot grow into it.
	in := kpl.Aggregate(goldenRecords())
	recs, _ := kpl.Deaggregate(in)
	if cap(recs[0].Data) != len(recs[0].Data) {
		t.Errorf("Data cap %d, len %d", cap(recs[0].Data), len(recs[0].Data))
	}
}

func TestHashKey(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
	for _, s := range []string{"0", "1", "9", "10", "18446744073709551615", "18446744073709551616",
		"99999999999999999999", "10000000000000000000", "170141183460469231731687303715884105728", max.String()} {
		k, err := kpl.ParseHashKey(s)
		if err != nil {
			t.Fatalf("ParseHashKey(%s): %v", s, err)
		}
		b, _ := new(big.Int).SetString(s, 10)
		want := kpl.HashKey{Hi: new(big.Int).Rsh(b, 64).Uint64(), Lo: new(big.Int).And(b, new(big.Int).SetUint64(^uint64(0))).Uint64()}
		if k != want {
			t.Errorf("ParseHashKey(%s) = %+v, want %+v", s, k, want)
		}
		if k.String() != s {
			t.Errorf("String(%s) = %s", s, k.String())
		}
	}
	if k, _ := kpl.ParseHashKey(max.String()); k != kpl.MaxHashKey {
		t.Errorf("max = %+v", k)
	}
	for _, s := range []string{"", "-1", "+1", "01", "00", "1a", " 1", "1.0",
		new(big.Int).Add(max, big.NewInt(1)).String(), "999999999999999999999999999999999999999", "1000000000000000000000000000000000000000"} {
		if k, err := kpl.ParseHashKey(s); err != kpl.ErrBadHashKey {
			t.Errorf("ParseHashKey(%q) = %v, %v; want ErrBadHashKey", s, k, err)
		}
	}
	// MD5("a") = 0cc175b9c0f1b6a831c399e269772661.
	if k := kpl.PartitionHashKey("a"); k != (kpl.HashKey{Hi: 0x0cc175b9c0f1b6a8, Lo: 0x31c399e269772661}) {
		t.Errorf("PartitionHashKey(a) = %x %x", k.Hi, k.Lo)
	}
	if k, err := kpl.HashKeyOf("a", "5"); err != nil || k != (kpl.HashKey{Lo: 5}) {
		t.Errorf("HashKeyOf with explicit key = %v, %v", k, err)
	}
	if k, _ := kpl.HashKeyOf("a", ""); k != kpl.PartitionHashKey("a") {
		t.Errorf("HashKeyOf without explicit key = %v", k)
	}
	lo, hi := kpl.HashKey{Lo: 10}, kpl.HashKey{Hi: 1}
	for _, tc := range []struct {
		k    kpl.HashKey
		want bool
	}{{kpl.HashKey{Lo: 9}, false}, {lo, true}, {kpl.HashKey{Lo: ^uint64(0)}, true}, {hi, true}, {kpl.HashKey{Hi: 1, Lo: 1}, false}} {
		if got := tc.k.InRange(lo, hi); got != tc.want {
			t.Errorf("%v.InRange = %v", tc.k, got)
		}
	}
}

// TestTake builds aggregates in place and by copy (too little headroom,
// records outgrowing the buffer) and checks each is what AppendTo writes.
func TestTake(t *testing.T) {
	var a kpl.Aggregator
	recs := goldenRecords()
	for round, next := range [][]byte{nil, make([]byte, 0, 8), make([]byte, 0, 1<<16), make([]byte, 0, 300), nil} {
		for _, r := range recs {
			a.Add(r)
		}
		want := a.AppendTo(nil)
		got, buf := a.Take(next)
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: Take = %x\nwant %x", round, got, want)
		}
		if a.Count() != 0 || a.Size() != kpl.Overhead {
			t.Fatalf("round %d: not empty after Take", round)
		}
		if full := buf[:cap(buf)]; len(full) < len(got) || &full[len(full)-1] != &got[:cap(got)][cap(got)-1] {
			t.Fatalf("round %d: the record does not end its buffer's capacity", round)
		}
		// The record taken is the caller's: building the next one must
		// not change it.
		keep := bytes.Clone(got)
		for _, r := range recs {
			a.Add(r)
		}
		if !bytes.Equal(got, keep) {
			t.Fatalf("round %d: the next aggregate overwrote the one taken", round)
		}
		a.Reset()
	}
}

// BenchmarkAggregate is the cost per 100-byte user record of building
// aggregates of up to 1 MiB with distinct partition keys.
func BenchmarkAggregate(b *testing.B) {
	keys := make([]string, 100000)
	for i := range keys {
		keys[i] = "key-" + strconv.Itoa(i)
	}
	data := make([]byte, 100)
	var a kpl.Aggregator
	next := make([]byte, 0, 1<<20+64<<10)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		if !a.TryAdd(kpl.UserRecord{PartitionKey: keys[i%len(keys)], Data: data}, 1<<20) {
			_, next = a.Take(next) // the record is dropped: its buffer builds the one after next
			a.Add(kpl.UserRecord{PartitionKey: keys[i%len(keys)], Data: data})
		}
	}
}
