// Package ddb holds the Go shapes of the DynamoDB API (DynamoDB_20120810)
// that Eddy serves, how DynamoDB names its errors on the wire, and the
// validation of requests as DynamoDB words it.
//
// Every operation Xxx has an XxxInput and an XxxOutput struct whose JSON
// tags are the model's member names (aws-sdk-go-v2 service/dynamodb,
// botocore's dynamodb service-2.json). Attribute values and items are
// dynamo/attr's Value and Item. The transport decodes a request with
// httpapi's JSON 1.0 decoder (member names matched exactly, DynamoDB's
// SerializationException texts), then calls Validate.
//
// # Usage
//
//	srv, err := httpapi.New(cfg, httpapi.Service{
//		TargetPrefix:      ddb.TargetPrefix,
//		SigningName:       ddb.SigningName,
//		Protocol:          httpapi.ProtocolJSON10,
//		ErrorType:         ddb.ErrorType,
//		MessageKey:        ddb.MessageKey,
//		ModelClass:        ddb.ModelClass,
//		InternalErrorCode: eddy.CodeInternalServerError,
//		MaxBodyBytes:      ddb.MaxRequestBytes,
//		Operations: []httpapi.Operation{{
//			Name:     "PutItem",
//			NewInput: func() any { return &ddb.PutItemInput{Checker: exprChecker} },
//			Call:     ...,
//		}},
//	})
//
// # Presence
//
// Inputs tell absent from zero: every member of a request is a pointer, a
// slice or a map, nil when not sent; a present empty list or map decodes
// to a non-nil empty one. Outputs send required members always and
// optional ones when set.
//
// # Validation
//
// Validate makes the checks DynamoDB makes before it looks at any table,
// in its order, with its messages (validate.go says how; each Validate
// cites its source): the model's constraints, the rules between members
// (expression against legacy parameters, Segment and TotalSegments, key
// schema and attribute definitions, ...) and the attribute values
// (values.go). Two kinds of check are left to the operation, behind a
// seam: parsing the expressions (an ExpressionChecker on the input, called
// by Validate at its place in DynamoDB's order; see expressions.go), and
// everything that needs the table (key attributes and types, index
// names, duplicate keys in a batch, the table's existence), which comes
// after Validate. Tag operations need the account for their second check
// (TagResourceInput.CheckARN).
//
// The errors an operation returns are *eddy.Error with the exception's
// name as Code; ErrorType gives the namespaced "__type" DynamoDB sends,
// and ConditionalCheckFailed and TransactionCanceled build the two
// exceptions that carry more than a message.
package ddb
