package eddy

// Limits that Kinesis Data Streams documents and that several packages
// enforce. Sizes are in bytes.
const (
	// MaxRecordDataSize is the largest data blob a stream can be configured
	// to accept (UpdateMaxRecordSize allows up to 10 MiB).
	MaxRecordDataSize = 10 << 20
	// DefaultMaxRecordDataSize is a stream's record size limit until
	// UpdateMaxRecordSize changes it (1 MiB).
	DefaultMaxRecordDataSize = 1 << 20
	// MaxPartitionKeyLen is the longest partition key, in UTF-16 code units
	// as the service counts string lengths (Java); it is at most 1024 bytes
	// of UTF-8.
	MaxPartitionKeyLen = 256
	// MaxExplicitHashKeyLen is the longest explicit hash key: a decimal
	// string of a 128-bit unsigned integer.
	MaxExplicitHashKeyLen = 39
	// MaxPutRecordsBytes is the most data and partition keys one
	// PutRecords call may carry.
	MaxPutRecordsBytes = 10 << 20
	// MaxGetRecordsBytes is the most data one GetRecords call returns.
	MaxGetRecordsBytes = 10 << 20
	// MaxGetRecordsLimit is the largest Limit a GetRecords call accepts.
	MaxGetRecordsLimit = 10000
)
