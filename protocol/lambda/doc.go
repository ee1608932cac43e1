// Package lambda holds the wire shapes of Eddy's Lambda API subset (AWS
// Lambda's REST-JSON API, version 2015-03-31) and their validation, worded
// as Lambda words it. Member names and JSON spellings follow the service
// model (aws-sdk-go-v2 service/lambda v1.117.0, api_op_*.go and
// types/types.go); error codes and their HTTP statuses follow the model's
// error shapes (schemas/schemas.go, the HTTPError traits), see Status.
//
// The package knows no HTTP: httpapi/lambdaapi maps paths, query strings
// and headers onto these shapes, and the lambda package implements them.
package lambda
