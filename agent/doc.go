// Package agent is Eddy's reimplementation of the Amazon Kinesis Agent: it
// tails log files and sends their records to Kinesis data streams (through
// client/producer) or Firehose delivery streams (PutRecordBatch), with a
// checkpoint file so that a restart, even after kill -9, resumes where the
// last acknowledged record ended (at least once: only what was in flight is
// sent again).
//
// A flow (FlowOptions) is one file pattern and one destination. Its tailer
// follows the files by identity (device and inode, checked with a
// fingerprint of the file's first bytes), so rotations by rename, by
// copytruncate and by replacement are followed without reading a byte
// twice. Records are lines, or groups of lines started by a line matching
// MultiLineStartPattern.
package agent
