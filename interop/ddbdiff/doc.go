// Package ddbdiff holds Eddy's DynamoDB differential tests: the same
// request sequences go to Eddy (the real `eddy serve` binary, durable in a
// temporary data directory) and to dynalite (npm dynalite 4.0.0, from
// interop/dynalite, in memory), and their responses are compared field by
// field: status, error __type and message, items, their order,
// LastEvaluatedKey, counts.
//
// Requests go through aws-sdk-go-v2's service/dynamodb client where a
// client would send them (the KCL lease table, checkpoints, batches,
// paging), and as raw signed HTTP requests for the request matrices and for
// malformed input the SDK would refuse to send. Both ways, what is compared
// is the wire: the JSON body each server answered with, after removing the
// members listed in ignored (compare_test.go), each with the reason it
// legitimately differs.
//
// Where dynalite is known to differ from DynamoDB (it has no transactions,
// no UpdateTimeToLive; see differences_test.go), Eddy's answer is checked
// against the AWS documentation instead, the source named beside each case.
//
// The package has no non-test code; the tests need node (20 or later) and
// interop/dynalite/node_modules (scripts/install-test-deps.sh installs
// both). EDDY_BIN names a prebuilt eddy binary (absolute, or relative to
// the module root); without it the tests build ./cmd/eddy with the race
// detector into a temporary directory.
// DDBDIFF_SELFTEST=1 puts a second dynalite in Eddy's place: the harness's
// own check, which must pass (everything the tests compare is deterministic
// or listed as ignored).
package ddbdiff
