// Package opensearch is Firehose's Amazon OpenSearch Service and
// Elasticsearch destinations: each buffer becomes one request to the
// cluster's _bulk API, an index action per record (NDJSON):
//
//	POST <endpoint>/_bulk            Content-Type: application/x-ndjson
//	{"index":{"_index":"<IndexName>[-<rotation>]","_type":"<TypeName>","_id":"<id>"}}
//	<the record: one line of JSON>
//	{"index":{...}}
//	...
//
// _type only with a TypeName (Elasticsearch before 7), _id only with
// DocumentIdOptions FIREHOSE_DEFAULT (the default). The index name is
// IndexName followed by the UTC arrival time of the record in the form
// IndexRotationPeriod names (see IndexFor).
//
// Documents the cluster refuses (an item of the _bulk answer with an error)
// and whole requests that fail are retried every RetryEvery for
// RetryOptions.DurationInSeconds (default 300; 0 for no retry); after that
// the documents still failing go to the S3 error output, one JSON document
// per line in the shape the Firehose developer guide gives (attemptsMade,
// arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
// esDocumentId, esIndexName, esTypeName, rawData), under the error output
// type "AmazonOpenSearchService-failed". With S3BackupMode AllDocuments
// every buffer also goes to the backup first.
//
// The endpoint is ClusterEndpoint, or the endpoint Domains maps DomainARN
// to (Eddy runs no OpenSearch domains: a DomainARN it has no endpoint for
// is refused). The package is an HTTP client (net/http), like
// firehose/httpendpoint.
package opensearch
