// Package kinesis implements Kinesis Data Streams semantics on top of the
// storage interfaces: streams and their lifecycle, shards and hash-key
// ranges, sequence numbers, shard iterators, resharding lineage, retention,
// tags and stream settings. It knows nothing of HTTP: the API layer decodes a
// request into a protocol/kds input, calls the engine method of the same
// name, and encodes the output or the *eddy.Error it returns.
package kinesis
