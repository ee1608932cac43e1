package kpl_test

import (
	"bytes"
	"crypto/md5"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/awslabs/kinesis-aggregation/go/v2/deaggregator"
	"github.com/eddy-streams/eddy/client/kpl"
)

// FuzzDeaggregate feeds Deaggregate arbitrary bytes (it reads what anyone
// may have put into a stream). It must not panic; what it decodes must
// aggregate and decode again to the same records, and must match what the
// awslabs deaggregator reads from the same bytes. Inputs are fuzzed as
// messages: the harness adds the magic number and the MD5, so the fuzzer
// explores the protobuf decoder instead of the checksum.
func FuzzDeaggregate(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "aggregated.golden"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden[4:len(golden)-16], false)
	f.Add(golden, true)
	f.Add([]byte{}, false)
	f.Add([]byte{0x1a, 0x02, 0x08, 0x00}, false)
	f.Fuzz(func(t *testing.T, in []byte, raw bool) {
		data := in
		if !raw {
			data = append([]byte{0xF3, 0x89, 0x9A, 0xC2}, in...)
			sum := md5.Sum(in)
			data = append(data, sum[:]...)
		}
		recs, err := kpl.Deaggregate(data)
		if err != nil {
			if !errors.Is(err, kpl.ErrNotAggregated) && !errors.Is(err, kpl.ErrMalformed) {
				t.Fatalf("error %v wraps neither ErrNotAggregated nor ErrMalformed", err)
			}
			if errors.Is(err, kpl.ErrNotAggregated) == kpl.IsAggregated(data) {
				t.Fatalf("IsAggregated = %v with error %v", kpl.IsAggregated(data), err)
			}
			return
		}
		if len(recs) > 0 { // an aggregate of nothing encodes as an empty message, not an aggregate
			again, err := kpl.Deaggregate(kpl.Aggregate(recs))
			if err != nil {
				t.Fatalf("re-aggregated records do not decode: %v", err)
			}
			checkRecords(t, again, recs)
		}

		ref, err := awslabsDeaggregate(data)
		if err != nil {
			t.Fatalf("awslabs deaggregator failed where Deaggregate read %d records: %v", len(recs), err)
		}
		if len(ref) != len(recs) {
			t.Fatalf("awslabs deaggregator read %d records, Deaggregate %d", len(ref), len(recs))
		}
		for i := range ref {
			if *ref[i].PartitionKey != recs[i].PartitionKey || !bytes.Equal(ref[i].Data, recs[i].Data) {
				t.Fatalf("record %d: awslabs %q %x, ours %q %x", i, *ref[i].PartitionKey, ref[i].Data, recs[i].PartitionKey, recs[i].Data)
			}
		}
	})
}

// awslabsDeaggregate runs the awslabs deaggregator, turning its panics (it
// indexes the key table without a bounds check) into errors.
func awslabsDeaggregate(data []byte) (recs []types.Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic")
		}
	}()
	return deaggregator.DeaggregateRecords([]types.Record{{Data: data, PartitionKey: aws.String("a"), SequenceNumber: aws.String("1")}})
}
