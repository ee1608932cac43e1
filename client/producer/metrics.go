package producer

// Metric names, as the KPL names them (awslabs/amazon-kinesis-producer,
// aws/metrics/metrics_constants.cc), with the units it gives them.
const (
	// Counters (Metrics.Add).
	UserRecordsReceived   = "UserRecordsReceived"   // user records accepted by Put
	UserRecordsPut        = "UserRecordsPut"        // user records put successfully
	UserRecordsDataPut    = "UserRecordsDataPut"    // bytes of data in them
	KinesisRecordsPut     = "KinesisRecordsPut"     // Kinesis records put successfully
	KinesisRecordsDataPut = "KinesisRecordsDataPut" // bytes of data in them
	ErrorsByCode          = "ErrorsByCode"          // errors, by Dimensions.ErrorCode
	AllErrors             = "AllErrors"             // errors of any code
	UserRecordExpired     = "UserRecordExpired"     // user records failed for RecordTtl

	// Distributions (Metrics.Observe).
	RetriesPerRecord                   = "RetriesPerRecord"                   // attempts - 1, per user record completed
	BufferingTime                      = "BufferingTime"                      // ms from Put to the first attempt, per user record
	RequestTime                        = "RequestTime"                        // ms per PutRecords call
	UserRecordsPerKinesisRecord        = "UserRecordsPerKinesisRecord"        // per Kinesis record sent
	KinesisRecordsPerPutRecordsRequest = "KinesisRecordsPerPutRecordsRequest" // per PutRecords call
	UserRecordsPerPutRecordsRequest    = "UserRecordsPerPutRecordsRequest"    // per PutRecords call

	// Gauges (Metrics.Set).
	UserRecordsPending = "UserRecordsPending" // user records put and not completed
)

// Dimensions qualify a metric as the KPL's do: the stream, the shard
// (predicted, or the one the record landed on; "" when not known or not
// per shard) and, for ErrorsByCode, the error code.
type Dimensions struct {
	StreamName string
	ShardID    string
	ErrorCode  string
}

// Metrics receives the producer's metrics. Its methods are called from the
// producer's goroutines, concurrently, and must not block; with no Metrics
// (the default) the producer computes none. Package producermetrics adapts
// Eddy's metrics registry (Prometheus text format) to it.
type Metrics interface {
	// Add adds value to the counter name.
	Add(name string, d Dimensions, value float64)
	// Observe records one sample of the distribution name.
	Observe(name string, d Dimensions, value float64)
	// Set sets the gauge name.
	Set(name string, d Dimensions, value float64)
}
