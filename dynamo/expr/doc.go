// Package expr is DynamoDB's expression language: condition, filter,
// key-condition, projection and update expressions, parsed, checked with
// DynamoDB's exact ValidationException messages, and evaluated over
// attr.Item values; and the legacy parameters (Expected, AttributeUpdates,
// KeyConditions, QueryFilter, ScanFilter, AttributesToGet) converted to the
// same forms.
package expr
