package dynamo

import (
	"github.com/eddy-streams/eddy"
)

// DynamoDB's messages for the checks that need a table. Sources:
// dynalite 4.0.0 (db/index.js, actions/*.js), whose tests record the
// answers of DynamoDB.
const (
	msgNotFound            = "Requested resource not found"
	msgKeyMismatch         = "The provided key element does not match the schema"
	msgInvalidParams       = "One or more parameter values were invalid: "
	msgItemTooLarge        = "Item size has exceeded the maximum allowed size"
	msgUpdateTooLarge      = "Item size to update has exceeded the maximum allowed size"
	msgDuplicateKeys       = "Provided list of item keys contains duplicates"
	msgStartKeyInvalid     = "The provided starting key is invalid"
	msgNoSuchIndex         = "The table does not have the specified index: "
	msgConsistentOnGSI     = "Consistent reads are not supported on global secondary indexes"
	msgIndexKeyUnsupported = "The update expression attempted to update the secondary index key to unsupported type"
)

func validation(msg string) *eddy.Error {
	return &eddy.Error{Code: eddy.CodeValidation, Message: msg}
}

// errNotFound is the ResourceNotFoundException of an item operation on a
// missing table (dynalite db/index.js getTable with checkStatus).
func errNotFound() *eddy.Error {
	return &eddy.Error{Code: eddy.CodeResourceNotFound, Message: msgNotFound}
}

// errTableNotFound is the ResourceNotFoundException of a table operation
// (DescribeTable, DeleteTable, UpdateTable, ...): "Requested resource not
// found: Table: <name> not found" (dynalite db/index.js getTable,
// actions/deleteTable.js).
func errTableNotFound(name string) *eddy.Error {
	return &eddy.Error{Code: eddy.CodeResourceNotFound, Message: msgNotFound + ": Table: " + name + " not found"}
}

// messageOf returns the message of an *eddy.Error, or err's text.
func messageOf(err error) string {
	if e, ok := err.(*eddy.Error); ok {
		return e.Message
	}
	return err.Error()
}
