// Package s3 is Eddy's embedded S3-compatible endpoint (--s3-listen): a
// path-style subset of the S3 REST API, enough for the SDKs' PutObject /
// GetObject / CopyObject / ListObjects(V2) and "aws s3 ls/cp", over an
// ObjectStore: Store keeps objects as files under a directory (normally
// <data-dir>/s3); LogStore keeps them in a storage.MetaStore and
// storage.Logs, which with storage/jetstream every node of a cluster shares
// (logstore.go).
//
// With Server.Credentials set, requests must carry a SigV4 signature by one
// of its keys (auth.go, on httpapi's SigV4 code); errors are S3's codes,
// messages and statuses, from one table with its sources (errors.go).
//
// The file store's layout:
//
//	<root>/<bucket>/                  one directory per bucket (the name is
//	                                  validated, so it is a safe path element)
//	<root>/<bucket>/o/<sha256(key)>   one file per object:
//	    the body | N bytes of JSON metadata (key, ETag, size, Content-Type,
//	    Content-Encoding, x-amz-meta-*, last modified, checksums) |
//	    uint32 big-endian N
//	<root>/<bucket>/o/.tmp-*          objects being written
//
// Keys may hold any character ("/", "..", unicode, 1024 bytes), so a key is
// never a path: the file is named by the key's SHA-256, and the key itself is
// in the metadata. Metadata and body live in one file, written to a temp file,
// fsynced, renamed into place and the directory fsynced, so a crash leaves
// either the old object or the whole new one, never half of one.
package s3
