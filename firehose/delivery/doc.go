// Package delivery runs delivery streams: each reads its source (the
// delivery stream's own log of directly put records, or a Kinesis stream's
// shard) from a durable checkpoint, transforms what it read, buffers the
// results by partition until a buffering hint is reached (size or
// interval, whichever comes first, as Firehose documents), hands each full
// buffer to its destination, and moves the checkpoint only past records
// whose every output the destination acknowledged. So a record is
// delivered at least once across restarts and kill -9, and nothing
// acknowledged is lost while a destination is down: the source keeps it
// until then.
//
// The package knows no wire format and no destination: a Pipeline is
// given a Source, a Transform and a Destination. Firehose's own parts
// (processors, object keys, compression, format conversion, S3 and HTTP
// endpoint destinations) plug into those.
package delivery
