package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/client/producer"
)

// defaultPutEndpoint is where `eddy put` sends records when neither a flag
// nor the AWS configuration names an endpoint: a local `eddy serve`.
const defaultPutEndpoint = "http://127.0.0.1:4567"

// maxPutRecord is the largest record `eddy put` reads (Kinesis's default
// record size limit).
const maxPutRecord = 1 << 20

// runPut implements "eddy put": records from stdin or files into a stream
// through client/producer.
func runPut(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("put", "--stream NAME [flags] [file ...]", stderr)
	var (
		stream    = fs.String("stream", "", "the stream to put into (required)")
		endpoint  = fs.String("endpoint", "", "Kinesis endpoint URL (default: the AWS configuration's, else "+defaultPutEndpoint+")")
		region    = fs.String("region", "", "AWS region (default: the AWS configuration's, else us-east-1)")
		profile   = fs.String("profile", "", "AWS shared config profile")
		key       = fs.String("partition-key", "", "the partition key of every record")
		keyField  = fs.String("key-field", "", "take each record's partition key from this field of the JSON record (a.b for nested fields)")
		randomKey = fs.Bool("random-key", false, "a random partition key per record (the default)")
		format    = fs.String("format", "lines", "input format: lines (one record per line), length (each record after its length as 4 bytes big-endian), json (a stream of JSON documents)")
		aggregate = fs.Bool("aggregate", true, "aggregate records in the KPL format (consumers must deaggregate)")
		buffered  = fs.Duration("max-buffered-time", producer.DefaultRecordMaxBufferedTime, "the longest a record waits to be sent")
		rateLimit = fs.Int("rate-limit", producer.DefaultRateLimit, "per-shard cap, percent of Kinesis's 1 MiB/s and 1,000 records/s; 0 for none (for Eddy without --limits)")
	)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *stream == "" {
		fs.Usage()
		return &usageError{msg: "--stream is required"}
	}
	n := 0
	for _, set := range []bool{*key != "", *keyField != "", *randomKey} {
		if set {
			n++
		}
	}
	if n > 1 {
		return &usageError{msg: "give one of --partition-key, --key-field and --random-key"}
	}
	read, ok := readers[*format]
	if !ok {
		return &usageError{msg: fmt.Sprintf("unknown --format %q (want lines, length or json)", *format)}
	}
	keyOf := func([]byte) (string, error) { return randomPartitionKey(), nil }
	switch {
	case *key != "":
		k := *key
		keyOf = func([]byte) (string, error) { return k, nil }
	case *keyField != "":
		path := strings.Split(*keyField, ".")
		keyOf = func(rec []byte) (string, error) { return jsonField(rec, path) }
	}

	client, err := kinesisClient(ctx, *endpoint, *region, *profile)
	if err != nil {
		return err
	}
	p, err := producer.New(ctx, client, *stream, producer.AggregationEnabled(*aggregate),
		producer.RecordMaxBufferedTime(*buffered), producer.RateLimit(*rateLimit))
	if err != nil {
		return err
	}
	st := &putStats{start: time.Now()}
	stopProgress := st.progress(stderr)
	readErr := st.readAll(ctx, fs.Args(), read, keyOf, p, stderr)
	// Close sends what is buffered; after an interrupt give it a while.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	closeErr := p.Close(cctx)
	stopProgress()
	fmt.Fprintln(stdout, st.summary())
	switch {
	case readErr != nil:
		return readErr
	case closeErr != nil:
		return closeErr
	case st.failed.Load() > 0:
		return fmt.Errorf("%d of %d records failed", st.failed.Load(), st.records.Load())
	}
	return ctx.Err()
}

// kinesisClient resolves region, credentials and endpoint as the AWS CLI
// does (flags, then environment, then the shared config and credentials
// files), defaulting to a local Eddy: endpoint defaultPutEndpoint, region
// us-east-1 and, if no credentials are configured, placeholder ones (Eddy
// accepts any unless started with --access-key-id).
func kinesisClient(ctx context.Context, endpoint, region, profile string) (*kinesis.Client, error) {
	cfg, err := loadAWSConfig(ctx, region, profile)
	if err != nil {
		return nil, err
	}
	return kinesis.NewFromConfig(cfg, func(o *kinesis.Options) {
		switch {
		case endpoint != "":
			o.BaseEndpoint = aws.String(endpoint)
		case o.BaseEndpoint == nil: // no AWS_ENDPOINT_URL(_KINESIS) nor endpoint_url in the profile
			o.BaseEndpoint = aws.String(defaultPutEndpoint)
		}
	}), nil
}

// loadAWSConfig loads the AWS configuration as the SDK does, with region
// and profile when given, us-east-1 when no region is configured, and
// dummy credentials when none are (Eddy does not check them by default).
func loadAWSConfig(ctx context.Context, region, profile string) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		cfg.Credentials = credentials.NewStaticCredentialsProvider("eddy", "eddy", "")
	}
	return cfg, nil
}

// putStats counts what `eddy put` did.
type putStats struct {
	start                 time.Time
	records, bytes        atomic.Int64 // read and handed to the producer
	done, failed, retries atomic.Int64
	mu                    sync.Mutex
	errorsShown           int
}

func (s *putStats) summary() string {
	secs := time.Since(s.start).Seconds()
	return fmt.Sprintf("%d records, %d bytes, %.0f records/s, %d retries, %d failed",
		s.records.Load(), s.bytes.Load(), float64(s.done.Load())/max(secs, 1e-9), s.retries.Load(), s.failed.Load())
}

// progress prints a progress line every second while stderr is a
// terminal; the returned func stops it.
func (s *putStats) progress(stderr io.Writer) func() {
	f, ok := stderr.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprintf(f, "\r\033[K%s", s.summary())
			}
		}
	}()
	return func() { close(stop); <-stopped }
}

// readAll reads every input and puts its records.
func (s *putStats) readAll(ctx context.Context, files []string, read recordReader, keyOf func([]byte) (string, error), p *producer.Producer, stderr io.Writer) error {
	if len(files) == 0 {
		files = []string{"-"}
	}
	for _, name := range files {
		in := io.Reader(os.Stdin)
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		err := read(bufio.NewReaderSize(in, 1<<16), func(rec []byte) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.records.Add(1)
			s.bytes.Add(int64(len(rec)))
			k, err := keyOf(rec)
			if err == nil {
				err = p.PutFunc(ctx, producer.Record{PartitionKey: k, Data: rec}, func(r producer.Result) { s.result(r, stderr) })
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.result(producer.Result{Err: err}, stderr)
			}
			return nil
		})
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil // interrupted: send what was read
			}
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// result counts one record's outcome, showing the first few errors.
func (s *putStats) result(r producer.Result, stderr io.Writer) {
	s.done.Add(1)
	if r.Attempts > 1 {
		s.retries.Add(int64(r.Attempts - 1))
	}
	if r.Err == nil {
		return
	}
	s.failed.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.errorsShown++; s.errorsShown <= 5 {
		fmt.Fprintf(stderr, "eddy put: record failed: %v\n", r.Err)
	}
}

// A recordReader calls put with each record of r; the slice is the
// callback's to keep.
type recordReader func(r *bufio.Reader, put func([]byte) error) error

var readers = map[string]recordReader{"lines": readLines, "length": readLengthPrefixed, "json": readJSON}

// readLines reads one record per line (without its line ending: "\n" or
// "\r\n"); empty lines are skipped.
func readLines(r *bufio.Reader, put func([]byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxPutRecord+2)
	for sc.Scan() {
		line := bytes.TrimSuffix(sc.Bytes(), []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if err := put(bytes.Clone(line)); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("a line is longer than %d bytes", maxPutRecord)
	}
	return sc.Err()
}

// readLengthPrefixed reads records each preceded by its length, 4 bytes
// big-endian.
func readLengthPrefixed(r *bufio.Reader, put func([]byte) error) error {
	var hdr [4]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("record length: %w", err)
		}
		n := binary.BigEndian.Uint32(hdr[:])
		if n > maxPutRecord {
			return fmt.Errorf("record of %d bytes: more than %d", n, maxPutRecord)
		}
		rec := make([]byte, n)
		if _, err := io.ReadFull(r, rec); err != nil {
			return fmt.Errorf("record of %d bytes: %w", n, err)
		}
		if err := put(rec); err != nil {
			return err
		}
	}
}

// readJSON reads a stream of JSON documents (whitespace between them); each
// is one record, as it appears in the input.
func readJSON(r *bufio.Reader, put func([]byte) error) error {
	dec := json.NewDecoder(r)
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); err != nil {
			if err == io.EOF {
				return nil
			}
			return fmt.Errorf("JSON document: %w", err)
		}
		if err := put(bytes.Clone(doc)); err != nil {
			return err
		}
	}
}

// jsonField returns the field at path of the JSON object rec: a string as
// it is, any other value as its JSON text.
func jsonField(rec []byte, path []string) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(rec))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("--key-field: the record is not JSON: %w", err)
	}
	for _, name := range path {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("--key-field: no field %q in the record", strings.Join(path, "."))
		}
		if v, ok = obj[name]; !ok {
			return "", fmt.Errorf("--key-field: no field %q in the record", strings.Join(path, "."))
		}
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case nil, map[string]any, []any:
		return "", fmt.Errorf("--key-field: field %q is not a string, number or boolean", strings.Join(path, "."))
	default:
		b, _ := json.Marshal(x)
		return string(b), nil
	}
}

func randomPartitionKey() string {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], rand.Uint64())
	return hex.EncodeToString(b[:])
}
