// Package kcl runs third-party Kinesis consumer libraries, unchanged,
// against one Eddy endpoint that serves both Kinesis and DynamoDB:
// vmware-go-kcl-v2 (polling and enhanced fan-out) and
// harlow/kinesis-consumer (its DynamoDB checkpoint store and its DynamoDB
// consumer group). Each test checks that every record produced is
// processed, that the library's checkpoints are in its DynamoDB table, and
// that a restart of the consumer and of the server resumes from the
// checkpoint without delivering an earlier record again.
//
// The package has only tests; it exists so that `go test ./...` (and so
// `make test`) runs them.
package kcl
