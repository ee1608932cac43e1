// Package firehose is Eddy's Firehose-compatible service: delivery streams
// (their configurations, states, versions, tags and encryption settings)
// and the durable intake of their records. Its exported methods are the
// operations of the Firehose API (Firehose_20150804), taking and returning
// the shapes of protocol/firehose; httpapi/firehoseapi serves them.
//
// The delivery pipeline (buffering, processors, format conversion,
// destinations) is not here: the runner in firehose/delivery lists the
// delivery streams with DeliveryStreams and reads each DirectPut stream's
// records from its log (OpenLog).
//
// # State
//
// Each delivery stream is one JSON document in the MetaStore table
// "firehose/delivery-streams", keyed "<region>/<name>" (see record in
// service.go): its type, source, its one destination's configuration
// (kept whole, as the request gave it, with Firehose's defaults filled
// in), VersionId, timestamps, tags, encryption settings, and the id of its
// record log. CREATING and ACTIVE are computed from the creation time and
// Config.CreateDelay when read, so they need no timers; a deleted stream is
// DELETING until Config.DeleteDelay has passed and then gone (its document
// and log are removed by the next call that lists or creates, or at start).
//
// # Records
//
// A DirectPut delivery stream's records are appended to one storage
// ShardLog, "firehose/<region>/<name>:<creation time in base36>" (a stream
// created again under the same name gets a new log), positions from 1. A
// PutRecord or PutRecordBatch is acknowledged only once Append returned, so
// with the segment store's default sync mode an acknowledged record is on
// disk. Each record's RecordId encodes its log position (RecordID).
package firehose
