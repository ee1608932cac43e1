package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// tailSynopsis is the first line of `eddy tail -h`; tailHelp follows the
// flags and defines what the command does precisely.
const tailSynopsis = "STREAM [--from trim-horizon|latest|at-timestamp T|at-sequence N] [--follow] [--format text|json|hex] [--deaggregate] [--group NAME] [flags]"

const tailHelp = `
eddy tail prints the records of every shard of STREAM, through the Kinesis API
(ListShards, GetShardIterator, GetRecords), so it works against AWS as well.

Shards: a shard is read to its end before its child shards (after a split or a
merge) are read; a child of a merge is read once both parents were read to
their end. So a parent's records are printed before its children's.

--from:
  trim-horizon    every retained record (the default)
  latest          records put after eddy tail started: the shards open at start
                  from LATEST, their children from their first record
  at-timestamp T  records that arrived at or after T, on every shard and child;
                  T is RFC 3339 (2024-05-01T12:00:00Z, fractions allowed) or
                  Unix seconds (1714564800, or 1714564800.250)
  at-sequence N   the shard that holds sequence number N, from the record N on,
                  then its children; other shards are not read. The shard is
                  found by asking each shard for an AT_SEQUENCE_NUMBER iterator:
                  Kinesis refuses a sequence number of another shard.

Without --follow, eddy tail exits (status 0) once every shard it reads is
caught up: a shard is caught up when a GetRecords call returns no records and
MillisBehindLatest 0; a closed shard is done when it has been read to its end,
and its children are then read too. With --follow it keeps polling (every
--poll-interval while a shard is caught up) until SIGINT or SIGTERM, and exits
with status 0.

--format (one record per line, except hex):
  text   SHARD<TAB>SEQ<TAB>KEY<TAB>DATA. KEY and DATA are written as they are
         when they are valid UTF-8 without control characters (tab, newline
         and the rest of Unicode's Cc) and do not start with "base64:";
         otherwise as "base64:" and their standard base64.
  json   an object with ShardId, SequenceNumber, SubSequenceNumber (records
         taken out of an aggregate only), PartitionKey, ExplicitHashKey (only
         when the aggregate gave one), ApproximateArrivalTimestamp (RFC 3339,
         UTC, milliseconds), EncryptionType (when the record has one), Data
         (base64) and Text (Data as a string, when it is valid UTF-8).
  hex    a line SHARD<TAB>SEQ<TAB>KEY<TAB>N bytes (KEY as in text), then the
         data as "hexdump -C" shows it.
With --deaggregate, records in the KPL aggregated format are printed as the
user records they hold; SEQ is then SEQUENCE/SUBSEQUENCE in text and hex. A
record that has the KPL magic number and checksum but does not decode is
printed as it is, with a warning on stderr.

--group NAME: the eddy tail processes started with the same NAME share the
stream, as the workers of one KCL application do (the client/consumer
library): each holds leases on a share of the shards, kept in a DynamoDB table
named NAME (created when missing, at --endpoint too), prints the records of its
shards and checkpoints each batch once printed. A process that starts later
takes shards over from the others; one that stops (SIGINT, SIGTERM) hands its
shards over; one that dies leaves them to the others after --lease-duration.
What a shard's last checkpoint covers is not printed again; records printed
after it may be printed again by the next holder (at least once). --group
implies --follow; shards without a checkpoint start at --from (trim-horizon,
latest or at-timestamp); aggregated records are always printed as their user
records, as the library hands them over (as --deaggregate prints them).

Errors: throttling (ProvisionedThroughputExceededException,
LimitExceededException, KMSThrottlingException) is retried with exponential
back-off; an expired iterator is replaced by one AFTER_SEQUENCE_NUMBER of the
last record printed (or at the starting position when none was). Other errors,
such as a stream that does not exist, end eddy tail with status 1. A closed
stdout ends it quietly with status 0.
`

// tailConfig is what `eddy tail` was asked to do.
type tailConfig struct {
	Stream      string
	From        tailFrom
	Follow      bool
	Format      string // text, json or hex
	Deaggregate bool
	// Group is the consumer group name of --group ("" without it).
	Group string
	// PollInterval is how long a caught-up shard waits before its next
	// GetRecords with --follow.
	PollInterval time.Duration
	// LeaseDuration is the group's lease duration (--lease-duration).
	LeaseDuration time.Duration

	// Where the AWS configuration comes from, as flags gave it.
	Endpoint, Region, Profile string
	// Kinesis is the client every call goes through.
	Kinesis *kinesis.Client
	// Stderr takes warnings.
	Stderr io.Writer
}

// tailFrom is where reading starts (--from).
type tailFrom struct {
	Type types.ShardIteratorType // TRIM_HORIZON, LATEST, AT_TIMESTAMP or AT_SEQUENCE_NUMBER
	At   time.Time               // for AT_TIMESTAMP
	Seq  string                  // for AT_SEQUENCE_NUMBER
}

// fromFlag is the --from flag: a kind, and for at-timestamp and
// at-sequence a value, given as the next argument ("--from at-timestamp
// T") or after "=" ("--from at-timestamp=T").
type fromFlag struct {
	kind, value string
	pending     bool // the kind needs a value and has none yet
}

func (f *fromFlag) String() string {
	if f.value != "" {
		return f.kind + " " + f.value
	}
	return f.kind
}

func (f *fromFlag) Set(s string) error {
	kind, value, hasValue := strings.Cut(s, "=")
	switch kind {
	case "trim-horizon", "latest":
		if hasValue {
			return fmt.Errorf("%s takes no value", kind)
		}
	case "at-timestamp", "at-sequence":
	default:
		return fmt.Errorf("want trim-horizon, latest, at-timestamp T or at-sequence N")
	}
	f.kind, f.value, f.pending = kind, value, !hasValue && (kind == "at-timestamp" || kind == "at-sequence")
	return nil
}

// seqPattern is the shape of StartingSequenceNumber in GetShardIterator
// (mhart/kinesalite validations/getShardIterator.js: regex
// 0|([1-9]\d{0,128})).
var seqPattern = regexp.MustCompile(`^(0|[1-9][0-9]{0,128})$`)

// groupPattern is a DynamoDB table name's shape, since a consumer group's
// name names its lease table: [a-zA-Z0-9_.-]+, 3 to 255 characters (the
// TableName shape of the DynamoDB model; protocol/ddb/validate.go).
var groupPattern = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)

// resolve turns the flag into a starting position.
func (f *fromFlag) resolve() (tailFrom, error) {
	switch f.kind {
	case "", "trim-horizon":
		return tailFrom{Type: types.ShardIteratorTypeTrimHorizon}, nil
	case "latest":
		return tailFrom{Type: types.ShardIteratorTypeLatest}, nil
	case "at-timestamp":
		if f.value == "" {
			return tailFrom{}, errors.New("--from at-timestamp needs a time: RFC 3339 or Unix seconds")
		}
		t, err := parseTailTime(f.value)
		if err != nil {
			return tailFrom{}, err
		}
		return tailFrom{Type: types.ShardIteratorTypeAtTimestamp, At: t}, nil
	default: // at-sequence
		if f.value == "" {
			return tailFrom{}, errors.New("--from at-sequence needs a sequence number")
		}
		if !seqPattern.MatchString(f.value) {
			return tailFrom{}, fmt.Errorf("--from at-sequence %q: a sequence number is decimal digits without leading zeros", f.value)
		}
		return tailFrom{Type: types.ShardIteratorTypeAtSequenceNumber, Seq: f.value}, nil
	}
}

var unixSeconds = regexp.MustCompile(`^[0-9]{1,12}(\.[0-9]{1,9})?$`)

// parseTailTime parses --from at-timestamp's value: RFC 3339 or Unix
// seconds with an optional fraction.
func parseTailTime(s string) (time.Time, error) {
	if unixSeconds.MatchString(s) {
		secs, frac, _ := strings.Cut(s, ".")
		n, _ := strconv.ParseInt(secs, 10, 64)
		var ns int64
		if frac != "" {
			ns, _ = strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		}
		return time.Unix(n, ns).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--from at-timestamp %q: want RFC 3339 (2024-05-01T12:00:00Z) or Unix seconds", s)
	}
	return t, nil
}

// runTail implements "eddy tail": the records of a stream's shards, as they
// come, on stdout.
func runTail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("tail", tailSynopsis, stderr)
	var from fromFlag
	fs.Var(&from, "from", "where to start (`POSITION`): trim-horizon, latest, at-timestamp T, at-sequence N (default trim-horizon)")
	var (
		follow      = fs.Bool("follow", false, "keep reading new records until SIGINT or SIGTERM")
		format      = fs.String("format", "text", "output format: text, json or hex")
		deaggregate = fs.Bool("deaggregate", false, "print the user records of KPL-aggregated records")
		group       = fs.String("group", "", "share the stream with the other eddy tail processes of group `NAME` through leases (implies --follow)")
		leaseDur    = fs.Duration("lease-duration", 10*time.Second, "with --group, how long a process's leases outlive it when it dies")
		poll        = fs.Duration("poll-interval", time.Second, "with --follow, the wait before polling a caught-up shard again")
		endpoint    = fs.String("endpoint", "", "Kinesis endpoint URL (default: the AWS configuration's, else "+defaultPutEndpoint+")")
		region      = fs.String("region", "", "AWS region (default: the AWS configuration's, else us-east-1)")
		profile     = fs.String("profile", "", "AWS shared config profile")
	)
	usage := fs.Usage
	fs.Usage = func() { usage(); fmt.Fprint(fs.Output(), tailHelp) }

	// The flag package stops at the first argument that is not a flag;
	// flags may follow STREAM and the value of --from, so parse on after
	// each of them.
	var positional []string
	afterDashes, err := parseInterspersed(fs, args, func(arg string) {
		if from.pending {
			from.value, from.pending = arg, false
		} else {
			positional = append(positional, arg)
		}
	})
	if err != nil {
		return err
	}
	positional = append(positional, afterDashes...)
	cfg := &tailConfig{Follow: *follow, Format: *format, Deaggregate: *deaggregate, Group: *group,
		PollInterval: *poll, LeaseDuration: *leaseDur, Endpoint: *endpoint, Region: *region, Profile: *profile, Stderr: stderr}
	switch len(positional) {
	case 0:
		fs.Usage()
		return &usageError{msg: "STREAM is required"}
	case 1:
		cfg.Stream = positional[0]
	default:
		fs.Usage()
		return &usageError{msg: fmt.Sprintf("unexpected argument %q", positional[1])}
	}
	if cfg.From, err = from.resolve(); err != nil {
		return &usageError{msg: err.Error()}
	}
	switch {
	case cfg.Format != "text" && cfg.Format != "json" && cfg.Format != "hex":
		return &usageError{msg: fmt.Sprintf("unknown --format %q (want text, json or hex)", cfg.Format)}
	case cfg.PollInterval <= 0:
		return &usageError{msg: "--poll-interval must be positive"}
	case cfg.LeaseDuration < 300*time.Millisecond:
		return &usageError{msg: "--lease-duration must be at least 300ms"}
	case cfg.Group != "" && !groupPattern.MatchString(cfg.Group):
		return &usageError{msg: fmt.Sprintf("--group %q: 3 to 255 letters, digits, '_', '-' and '.' (it names a DynamoDB lease table)", cfg.Group)}
	case cfg.Group != "" && cfg.From.Type == types.ShardIteratorTypeAtSequenceNumber:
		return &usageError{msg: "--group cannot start at a sequence number: leases start at trim-horizon, latest or at-timestamp"}
	}

	// A closed stdout: ask for SIGPIPE so that the runtime does not kill
	// the process on a write to a broken stdout, and the write returns
	// EPIPE, which ends eddy tail quietly.
	sigpipe := make(chan os.Signal, 1)
	signal.Notify(sigpipe, syscall.SIGPIPE)
	defer signal.Stop(sigpipe)

	if cfg.Kinesis, err = kinesisClient(ctx, cfg.Endpoint, cfg.Region, cfg.Profile); err != nil {
		return err
	}
	out := newTailPrinter(stdout, cfg.Format, stderr)
	if cfg.Group != "" {
		err = tailGroup(ctx, cfg, out)
	} else {
		err = newTailer(cfg, out).run(ctx)
	}
	if ferr := out.flush(); err == nil {
		err = ferr
	}
	switch {
	case errors.Is(err, syscall.EPIPE):
		return nil
	case err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled):
		return nil // interrupted
	}
	return err
}
