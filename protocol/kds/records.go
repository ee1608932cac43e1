package kds

// Writing and reading records: PutRecord, PutRecords, GetShardIterator,
// GetRecords.

// PutRecordInput is the request of PutRecord. PartitionKey is optional in
// the model since streams can distribute records themselves
// (RecordDistributionStrategy AUTO); a stream that hashes partition keys
// rejects a record without one. The per-stream record size limit is the
// service's to check; the model's bound is the largest possible
// (eddy.MaxRecordDataSize).
type PutRecordInput struct {
	StreamName                *string `json:"StreamName,omitempty"`
	Data                      []byte  `json:"Data,omitzero"`
	PartitionKey              *string `json:"PartitionKey,omitempty"`
	ExplicitHashKey           *string `json:"ExplicitHashKey,omitempty"`
	SequenceNumberForOrdering *string `json:"SequenceNumberForOrdering,omitempty"`
	StreamARN                 *string `json:"StreamARN,omitempty"`
	StreamId                  *string `json:"StreamId,omitempty"`
	DryRun                    *bool   `json:"DryRun,omitempty"`
}

// PutRecordOutput is the response of PutRecord. Kinesis also always sends
// EncryptionType.
type PutRecordOutput struct {
	ShardId        string         `json:"ShardId"`
	SequenceNumber string         `json:"SequenceNumber"`
	EncryptionType EncryptionType `json:"EncryptionType,omitempty"`
}

// Validate checks the model constraints and that a stream is named. The
// member order is the one Kinesis was observed to report.
func (in *PutRecordInput) Validate() error {
	var v violations
	v.str("sequenceNumberForOrdering", in.SequenceNumberForOrdering, false, shapeSequenceNumber)
	v.str("partitionKey", in.PartitionKey, false, shapePartitionKey)
	v.str("explicitHashKey", in.ExplicitHashKey, false, shapeHashKey)
	v.blob("data", in.Data, true, lenData)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// PutRecordsInput is the request of PutRecords.
type PutRecordsInput struct {
	Records    []PutRecordsRequestEntry `json:"Records,omitzero"`
	StreamName *string                  `json:"StreamName,omitempty"`
	StreamARN  *string                  `json:"StreamARN,omitempty"`
	StreamId   *string                  `json:"StreamId,omitempty"`
	DryRun     *bool                    `json:"DryRun,omitempty"`

	arenas []*[]byte // pooled buffers holding Records' data; see DecodeFastJSON
}

// PutRecordsOutput is the response of PutRecords. FailedRecordCount and
// Records are always sent; Records has one entry per request entry, in
// order. Kinesis also always sends EncryptionType.
type PutRecordsOutput struct {
	FailedRecordCount int32                   `json:"FailedRecordCount"`
	Records           []PutRecordsResultEntry `json:"Records"`
	EncryptionType    EncryptionType          `json:"EncryptionType,omitempty"`
}

// Validate checks the model constraints and that a stream is named.
func (in *PutRecordsInput) Validate() error {
	var v violations
	if v.listLength("records", in.Records != nil, len(in.Records), true, lenPutRecordsReq, in.renderRecords) {
		for i := range in.Records {
			if v.full() {
				break
			}
			if e := &in.Records[i]; !e.valid() {
				e.validate(&v, member("records", i))
			}
		}
	}
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

func (in *PutRecordsInput) renderRecords() string {
	s := make([]string, len(in.Records))
	for i, e := range in.Records {
		s[i] = renderObject("PutRecordsRequestEntry", string(e.Data), deref(e.ExplicitHashKey), deref(e.PartitionKey))
	}
	return renderList(s)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// PutRecordsRequestEntry is one record of a PutRecords request.
type PutRecordsRequestEntry struct {
	Data            []byte  `json:"Data,omitzero"`
	ExplicitHashKey *string `json:"ExplicitHashKey,omitempty"`
	PartitionKey    *string `json:"PartitionKey,omitempty"`
}

// valid reports whether the entry satisfies the model, without building
// the paths a report needs: most entries are valid.
func (e *PutRecordsRequestEntry) valid() bool {
	return e.Data != nil && lenData.within(int64(len(e.Data))) &&
		(e.PartitionKey == nil || shapePartitionKey.ok(*e.PartitionKey)) &&
		(e.ExplicitHashKey == nil || shapeHashKey.ok(*e.ExplicitHashKey))
}

// validate checks one entry at path ("records.N.member") in the order
// Kinesis was observed to report.
func (e *PutRecordsRequestEntry) validate(v *violations, path string) {
	v.str(path+".partitionKey", e.PartitionKey, false, shapePartitionKey)
	v.str(path+".explicitHashKey", e.ExplicitHashKey, false, shapeHashKey)
	v.blob(path+".data", e.Data, true, lenData)
}

// PutRecordsResultEntry is the result of one record of PutRecords: either
// SequenceNumber and ShardId, or ErrorCode and ErrorMessage. The members
// are optional; they are strings rather than pointers because a result is
// made for every record written and none of them can be empty when sent.
type PutRecordsResultEntry struct {
	SequenceNumber string `json:"SequenceNumber,omitempty"`
	ShardId        string `json:"ShardId,omitempty"`
	ErrorCode      string `json:"ErrorCode,omitempty"`
	ErrorMessage   string `json:"ErrorMessage,omitempty"`
}

// GetShardIteratorInput is the request of GetShardIterator. Which of
// StartingSequenceNumber and Timestamp the iterator type needs is the
// service's to check (InvalidArgumentException).
type GetShardIteratorInput struct {
	StreamName             *string            `json:"StreamName,omitempty"`
	ShardId                *string            `json:"ShardId,omitempty"`
	ShardIteratorType      *ShardIteratorType `json:"ShardIteratorType,omitempty"`
	StartingSequenceNumber *string            `json:"StartingSequenceNumber,omitempty"`
	Timestamp              *Timestamp         `json:"Timestamp,omitempty"`
	StreamARN              *string            `json:"StreamARN,omitempty"`
	StreamId               *string            `json:"StreamId,omitempty"`
	DryRun                 *bool              `json:"DryRun,omitempty"`
}

// GetShardIteratorOutput is the response of GetShardIterator. Kinesis
// always sends ShardIterator.
type GetShardIteratorOutput struct {
	ShardIterator string `json:"ShardIterator"`
}

// Validate checks the model constraints and that a stream is named.
func (in *GetShardIteratorInput) Validate() error {
	var v violations
	v.str("shardId", in.ShardId, true, shapeShardID)
	enum(&v, "shardIteratorType", in.ShardIteratorType, true, enumIterator)
	v.str("startingSequenceNumber", in.StartingSequenceNumber, false, shapeSequenceNumber)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	v.str("streamName", in.StreamName, false, shapeStreamName)
	if err := v.err(); err != nil {
		return err
	}
	return needStream(in.StreamName, in.StreamARN)
}

// GetRecordsInput is the request of GetRecords. The model bounds Limit to
// 1..10000; a larger value is a ValidationException, not the
// InvalidArgumentException the API reference mentions.
type GetRecordsInput struct {
	ShardIterator *string `json:"ShardIterator,omitempty"`
	Limit         *int32  `json:"Limit,omitempty"`
	StreamARN     *string `json:"StreamARN,omitempty"`
	StreamId      *string `json:"StreamId,omitempty"`
	DryRun        *bool   `json:"DryRun,omitempty"`
}

// GetRecordsOutput is the response of GetRecords. Records is always sent,
// as [] when empty, and must not be nil; Kinesis also always sends
// MillisBehindLatest. NextShardIterator is absent once a closed shard has
// been read to its end, and ChildShards is present then.
type GetRecordsOutput struct {
	Records            []Record     `json:"Records"`
	NextShardIterator  *string      `json:"NextShardIterator,omitempty"`
	MillisBehindLatest int64        `json:"MillisBehindLatest"`
	ChildShards        []ChildShard `json:"ChildShards,omitzero"`

	// release, if set, is called by Release.
	release func()
}

// SetRelease sets a function Release calls: the service uses it to get back
// the buffer the records' Data alias once the response is encoded.
func (out *GetRecordsOutput) SetRelease(f func()) { out.release = f }

// Release calls the function given to SetRelease, once. The transport calls
// it once the response is encoded; the output must not be used after.
func (out *GetRecordsOutput) Release() {
	if f := out.release; f != nil {
		out.release = nil
		f()
	}
}

// Validate checks the model constraints.
func (in *GetRecordsInput) Validate() error {
	var v violations
	num(&v, "limit", in.Limit, false, rangeGetRecordsLimit)
	v.str("shardIterator", in.ShardIterator, true, shapeShardIterator)
	v.str("streamARN", in.StreamARN, false, shapeStreamARN)
	return v.err()
}

// Record is a data record as GetRecords and SubscribeToShard return it.
// Data must not be nil (nil encodes as null; use an empty slice).
// PartitionKey and ApproximateArrivalTimestamp are optional in the model
// but always sent by Kinesis for records written with a partition key; they
// are values with omitempty/omitzero rather than pointers to keep records
// cheap to build.
type Record struct {
	SequenceNumber              string         `json:"SequenceNumber"`
	ApproximateArrivalTimestamp Timestamp      `json:"ApproximateArrivalTimestamp,omitzero"`
	Data                        []byte         `json:"Data"`
	PartitionKey                string         `json:"PartitionKey,omitempty"`
	EncryptionType              EncryptionType `json:"EncryptionType,omitempty"`
}

// ChildShard is a shard created from the shard being read, reported at the
// end of a closed shard.
type ChildShard struct {
	ShardId      string       `json:"ShardId"`
	ParentShards []string     `json:"ParentShards"`
	HashKeyRange HashKeyRange `json:"HashKeyRange"`
}
