// Package eddy holds Eddy's domain vocabulary: the names, limits and errors
// shared by the engine, the storage backends, the HTTP API and the client
// libraries. It imports only the standard library, so every other package can
// depend on it without pulling in a server.
//
// Eddy is a Kinesis-compatible streaming data platform in one binary. The
// layering is:
//
//	httpapi  -> engine -> storage (ShardLog + MetaStore)
//	                        segment (default), mem (tests)
//
// Errors that cross a package boundary and mean something to a Kinesis client
// are *Error values whose Code is the AWS exception name.
package eddy
