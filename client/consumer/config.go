package consumer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
)

// Position is where a shard that has no checkpoint yet starts.
type Position int

const (
	// Latest starts after the most recent record of each open shard, as
	// the KCL's default does (records put before the application first
	// ran are not read). Shards that a reshard creates later are always
	// read from their start, so nothing put after the start is missed.
	Latest Position = iota
	// TrimHorizon starts at the oldest record still kept.
	TrimHorizon
	// AtTimestamp starts at the first record that arrived at or after
	// Config.InitialTimestamp.
	AtTimestamp
)

func (p Position) String() string {
	switch p {
	case Latest:
		return "LATEST"
	case TrimHorizon:
		return "TRIM_HORIZON"
	case AtTimestamp:
		return "AT_TIMESTAMP"
	}
	return fmt.Sprintf("Position(%d)", int(p))
}

// Defaults, as the Java KCL 2.x has them where it has the setting
// (LeaseManagementConfig, PollingConfig, CoordinatorConfig).
const (
	DefaultLeaseDuration             = 10 * time.Second // failoverTimeMillis
	DefaultMaxRecords                = 10000            // PollingConfig.maxRecords
	DefaultIdleTimeBetweenReads      = time.Second      // idleTimeBetweenReadsInMillis
	DefaultShardSyncInterval         = time.Minute      // shardSyncIntervalMillis
	DefaultMaxLeasesToStealAtOneTime = 1                // maxLeasesToStealAtOneTime
	DefaultParentShardPollInterval   = time.Second      // the KCL waits 10 s; see Config
)

// KinesisAPI is the part of *kinesis.Client the consumer calls.
type KinesisAPI interface {
	ListShards(context.Context, *kinesis.ListShardsInput, ...func(*kinesis.Options)) (*kinesis.ListShardsOutput, error)
	GetShardIterator(context.Context, *kinesis.GetShardIteratorInput, ...func(*kinesis.Options)) (*kinesis.GetShardIteratorOutput, error)
	GetRecords(context.Context, *kinesis.GetRecordsInput, ...func(*kinesis.Options)) (*kinesis.GetRecordsOutput, error)
	DescribeStreamSummary(context.Context, *kinesis.DescribeStreamSummaryInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamSummaryOutput, error)
	RegisterStreamConsumer(context.Context, *kinesis.RegisterStreamConsumerInput, ...func(*kinesis.Options)) (*kinesis.RegisterStreamConsumerOutput, error)
	DescribeStreamConsumer(context.Context, *kinesis.DescribeStreamConsumerInput, ...func(*kinesis.Options)) (*kinesis.DescribeStreamConsumerOutput, error)
	SubscribeToShard(context.Context, *kinesis.SubscribeToShardInput, ...func(*kinesis.Options)) (*kinesis.SubscribeToShardOutput, error)
}

// DynamoDBAPI is the part of *dynamodb.Client the lease table needs.
type DynamoDBAPI interface {
	CreateTable(context.Context, *dynamodb.CreateTableInput, ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
}

// Config configures a Worker. AppName, a stream (StreamName or StreamARN),
// Kinesis and DynamoDB are required; every other field has a default.
type Config struct {
	// AppName names the application. Workers with the same AppName share
	// the stream; it is also the lease table's name, as the Java KCL's
	// applicationName is (LeaseTable overrides it).
	AppName string
	// StreamName or StreamARN names the stream (one of them).
	StreamName string
	StreamARN  string
	// WorkerID identifies this worker in the lease table's leaseOwner.
	// Default: the host name, a dash and 8 random hex digits.
	WorkerID string
	// Kinesis and DynamoDB are the caller's clients (*kinesis.Client and
	// *dynamodb.Client satisfy the interfaces).
	Kinesis  KinesisAPI
	DynamoDB DynamoDBAPI
	// LeaseTable names the lease table; default AppName.
	LeaseTable string

	// InitialPosition is where shards without a checkpoint start; the
	// zero value is Latest, the KCL's default. InitialTimestamp is the
	// time for AtTimestamp.
	InitialPosition  Position
	InitialTimestamp time.Time

	// FanOut reads with enhanced fan-out (SubscribeToShard) through the
	// stream consumer ConsumerName (default AppName), registered when
	// missing, instead of polling GetRecords.
	FanOut       bool
	ConsumerName string

	// MaxRecords is the GetRecords Limit (1 to 10,000; default 10,000).
	MaxRecords int32
	// IdleTimeBetweenReads is how long a shard's poller waits before the
	// next GetRecords when it has caught up (MillisBehindLatest 0 or an
	// empty answer); default 1 s. Each shard allows 5 GetRecords calls a
	// second, so values under 200 ms get throttled when idle.
	IdleTimeBetweenReads time.Duration
	// DisableCBOR makes GetRecords answers come as JSON. By default they
	// come as CBOR (package kinesiscbor), as the Java SDK reads them:
	// several times cheaper to decode.
	DisableCBOR bool

	// LeaseDuration is how long a lease stays valid without renewal (the
	// KCL's failoverTimeMillis; default 10 s). A worker renews its leases
	// every LeaseDuration/3, looks for leases to take every
	// LeaseDuration/2, and takes a lease whose counter it has seen
	// unchanged for LeaseDuration.
	LeaseDuration time.Duration
	// ShardSyncInterval is how often the worker lists the shards to
	// create leases for new ones and delete finished ones; default 1
	// minute. A shard's end also triggers leases for its children.
	ShardSyncInterval time.Duration
	// ParentShardPollInterval is how often a child shard's lease checks
	// whether its parents have finished; default 1 s (the KCL: 10 s).
	ParentShardPollInterval time.Duration
	// MaxLeasesForWorker caps the leases one worker holds (default no
	// cap). MaxLeasesToStealAtOneTime caps the leases it steals per
	// round from the most loaded worker (default 1, as the KCL).
	MaxLeasesForWorker        int
	MaxLeasesToStealAtOneTime int

	// Metrics receives the worker's metrics (nil: none are computed).
	Metrics Metrics
	// Logger receives the worker's log (nil: slog.Default()).
	Logger *slog.Logger
}

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.AppName == "":
		return c, errors.New("consumer: Config.AppName is required")
	case c.StreamName == "" && c.StreamARN == "":
		return c, errors.New("consumer: Config.StreamName or Config.StreamARN is required")
	case c.Kinesis == nil:
		return c, errors.New("consumer: Config.Kinesis is required")
	case c.DynamoDB == nil:
		return c, errors.New("consumer: Config.DynamoDB is required")
	case c.InitialPosition < Latest || c.InitialPosition > AtTimestamp:
		return c, fmt.Errorf("consumer: unknown Config.InitialPosition %d", int(c.InitialPosition))
	case c.InitialPosition == AtTimestamp && c.InitialTimestamp.IsZero():
		return c, errors.New("consumer: Config.InitialTimestamp is required with AtTimestamp")
	case c.MaxRecords < 0 || c.MaxRecords > 10000:
		return c, fmt.Errorf("consumer: Config.MaxRecords %d is not between 1 and 10000", c.MaxRecords)
	case c.LeaseDuration < 0 || c.IdleTimeBetweenReads < 0 || c.ShardSyncInterval < 0 || c.ParentShardPollInterval < 0:
		return c, errors.New("consumer: Config durations must not be negative")
	case c.MaxLeasesForWorker < 0 || c.MaxLeasesToStealAtOneTime < 0:
		return c, errors.New("consumer: Config lease counts must not be negative")
	}
	if c.WorkerID == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "worker"
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		c.WorkerID = host + "-" + hex.EncodeToString(b[:])
	}
	if c.LeaseTable == "" {
		c.LeaseTable = c.AppName
	}
	if c.ConsumerName == "" {
		c.ConsumerName = c.AppName
	}
	if c.MaxRecords == 0 {
		c.MaxRecords = DefaultMaxRecords
	}
	if c.IdleTimeBetweenReads == 0 {
		c.IdleTimeBetweenReads = DefaultIdleTimeBetweenReads
	}
	if c.LeaseDuration == 0 {
		c.LeaseDuration = DefaultLeaseDuration
	}
	if c.ShardSyncInterval == 0 {
		c.ShardSyncInterval = DefaultShardSyncInterval
	}
	if c.ParentShardPollInterval == 0 {
		c.ParentShardPollInterval = DefaultParentShardPollInterval
	}
	if c.MaxLeasesForWorker == 0 {
		c.MaxLeasesForWorker = int(^uint(0) >> 1)
	}
	if c.MaxLeasesToStealAtOneTime == 0 {
		c.MaxLeasesToStealAtOneTime = DefaultMaxLeasesToStealAtOneTime
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c, nil
}
