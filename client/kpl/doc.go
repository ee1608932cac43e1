// Package kpl reads and writes the Kinesis Producer Library's aggregated
// record format, in which one Kinesis record carries many user records, and
// computes the 128-bit hash keys Kinesis routes records by.
//
// The format (awslabs/amazon-kinesis-producer, aggregation-format.md):
//
//	0               4                  N          N+16
//	+---+---+---+---+==================+---+...+---+
//	|  MAGIC NUMBER | PROTOBUF MESSAGE |    MD5    |
//	+---+---+---+---+==================+---+...+---+
//
// The magic number is F3 89 9A C2; the MD5 is computed over the protobuf
// message alone. The message is, in proto2:
//
//	message AggregatedRecord {
//	  repeated string partition_key_table     = 1;
//	  repeated string explicit_hash_key_table = 2;
//	  repeated Record records                 = 3;
//	}
//	message Record {
//	  required uint64 partition_key_index     = 1;
//	  optional uint64 explicit_hash_key_index = 2;
//	  required bytes  data                    = 3;
//	  repeated Tag    tags                    = 4;
//	}
//	message Tag { required string key = 1; optional string value = 2; }
//
// An Aggregator writes exactly the bytes the KPL writes for the same user
// records: fields in field-number order (the whole partition-key table,
// then the explicit-hash-key table, then the records), each key stored once
// in its table at the index of its first use, no tags. Encoding uses
// google.golang.org/protobuf's protowire.
//
//	var a kpl.Aggregator
//	a.Add(kpl.UserRecord{PartitionKey: "user-1", Data: []byte("hello")})
//	a.Add(kpl.UserRecord{PartitionKey: "user-2", Data: []byte("world")})
//	data := a.AppendTo(nil) // the Kinesis record's data
//
// Deaggregate reads one back. The user record at index i of an aggregate has
// subsequence number i: together with the Kinesis record's sequence number
// it identifies the user record, as the Kinesis Client Library numbers them.
// Deaggregate reads untrusted bytes: a record without the magic number or
// whose MD5 does not match is not an aggregate (ErrNotAggregated: consumers
// then treat it as one plain user record, as the KCL does); a record that
// has both but does not decode returns an error wrapping ErrMalformed.
//
// After a shard is split, a producer may put an aggregate whose user records
// belong to different child shards; the KCL drops user records whose hash
// key lies outside the shard's range. InRange and HashKeyOf make that check.
package kpl
