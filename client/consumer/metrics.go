package consumer

// Metric names, as the Java KCL 2.x names them (ProcessTask,
// DynamoDBLeaseRenewer, DynamoDBLeaseTaker), with the unit each has there.
const (
	// Counters (Metrics.Add), per shard.
	RecordsProcessed   = "RecordsProcessed"   // user records handed to ProcessRecords
	DataBytesProcessed = "DataBytesProcessed" // bytes of their data

	// Counters (Metrics.Add), per worker.
	TakenLeases = "TakenLeases" // leases this worker took (new, expired or stolen)
	LostLeases  = "LostLeases"  // leases this worker held and lost

	// Gauges (Metrics.Set).
	MillisBehindLatest = "MillisBehindLatest" // per shard, from the last GetRecords or fan-out event
	CurrentLeases      = "CurrentLeases"      // per worker, the leases it holds
)

// Dimensions qualify a metric: the stream, the shard ("" for per-worker
// metrics) and the worker.
type Dimensions struct {
	StreamName string
	ShardID    string
	WorkerID   string
}

// Metrics receives the consumer's metrics. Its methods are called from the
// worker's goroutines, concurrently, and must not block. It has the shape
// of client/producer's Metrics.
type Metrics interface {
	// Add adds value to the counter name.
	Add(name string, d Dimensions, value float64)
	// Observe records one sample of the distribution name.
	Observe(name string, d Dimensions, value float64)
	// Set sets the gauge name.
	Set(name string, d Dimensions, value float64)
}

// noMetrics is the Metrics used when the Config has none.
type noMetrics struct{}

func (noMetrics) Add(string, Dimensions, float64)     {}
func (noMetrics) Observe(string, Dimensions, float64) {}
func (noMetrics) Set(string, Dimensions, float64)     {}
