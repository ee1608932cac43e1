package kinesis

import "github.com/eddy-streams/eddy"

// DryRun. PutRecord, PutRecords, GetRecords, GetShardIterator and
// SubscribeToShard take DryRun: true to check a request without running it.
// Kinesis then validates the parameters and that the stream, shard or
// consumer exists, reads and writes nothing, and answers with HTTP 400
// DryRunOperationException if the call would have succeeded, or with the
// error the call would have got. Eddy makes the same checks as the call up
// to the point where it would read or write, and charges no throughput
// limit for it. (The exception's message is not documented; Eddy uses
// EC2's wording for the same exception.)

func dryRun(flag *bool) bool { return flag != nil && *flag }

// errDryRun is the answer to a dry run that would have succeeded.
func errDryRun() error {
	return eddy.Errorf(eddy.CodeDryRunOperation, "Request would have succeeded, but DryRun flag is set.")
}
