// Command firehosebench measures a delivery stream end to end on a durable
// Eddy: PutRecordBatch of fixed-size records (500 a call, from several
// workers) into a DirectPut delivery stream that writes GZIP objects to
// Eddy's embedded S3 endpoint, then waits until every record is in a
// delivered object. It reports records per second and the server's CPU
// time per record, for the puts alone and for puts plus delivery, and
// checks the objects: decompressed with compress/gzip, they hold every
// record's bytes.
//
//	go build -o bin/eddy ./cmd/eddy
//	go run ./bench/firehosebench -eddy bin/eddy
//
// -client lean (the default) puts with hand-built, signed requests
// (lean.go); -client sdk puts through aws-sdk-go-v2.
//
// With -parquet, a second delivery stream converts the same number of JSON
// records to Parquet (schema inline, Eddy's stand-in for a Glue table)
// before writing them.
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	ftypes "github.com/aws/aws-sdk-go-v2/service/firehose/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/eddy-streams/eddy/bench/internal/eddyproc"
)

type config struct {
	eddyBin  string
	records  int
	size     int
	workers  int
	syncMode string
	interval int
	sizeMB   int
	parquet  bool
	timeout  time.Duration
	profile  string
	client   string
}

func main() {
	var c config
	flag.StringVar(&c.eddyBin, "eddy", "bin/eddy", "path of the eddy binary to start (durable, temporary data directory)")
	flag.IntVar(&c.records, "records", 1000000, "records put")
	flag.IntVar(&c.size, "size", 1024, "bytes of each record")
	flag.IntVar(&c.workers, "workers", 8, "concurrent PutRecordBatch callers")
	flag.StringVar(&c.syncMode, "sync", "always", "the started server's --sync")
	flag.IntVar(&c.interval, "interval", 60, "BufferingHints IntervalInSeconds")
	flag.IntVar(&c.sizeMB, "size-mb", 64, "BufferingHints SizeInMBs")
	flag.BoolVar(&c.parquet, "parquet", false, "also run a delivery stream converting JSON records to Parquet")
	flag.DurationVar(&c.timeout, "timeout", 10*time.Minute, "longest a run may take")
	flag.StringVar(&c.profile, "eddy-cpuprofile", "", "write a 5-second CPU profile of the server, taken when the first run's puts start, to this file")
	flag.StringVar(&c.client, "client", "lean", "how records are put: lean (a hand-built, signed PutRecordBatch; see lean.go) or sdk (aws-sdk-go-v2)")
	flag.Parse()
	log.SetFlags(0)
	if err := run(context.Background(), c); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, c config) error {
	args := []string{"--s3-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"}
	if c.profile != "" {
		args = append(args, "--pprof")
	}
	if c.parquet {
		// The Glue table bench.records, as Eddy reads it.
		dir, err := os.MkdirTemp("", "firehosebench-glue-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		schema := `{"Columns":[{"Name":"id","Type":"bigint"},{"Name":"ts","Type":"timestamp"},{"Name":"ok","Type":"boolean"},` +
			`{"Name":"score","Type":"double"},{"Name":"msg","Type":"string"}]}`
		if err := os.MkdirAll(filepath.Join(dir, "bench"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "bench", "records.json"), []byte(schema), 0o644); err != nil {
			return err
		}
		args = append(args, "--glue-schema-dir", dir)
	}
	p, err := eddyproc.StartProcess(c.eddyBin, c.syncMode, args)
	if err != nil {
		return err
	}
	defer p.Stop()
	creds := credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")
	fc := firehose.New(firehose.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("http://" + p.Addr)})
	sc := s3.New(s3.Options{Region: "us-east-1", Credentials: creds, BaseEndpoint: aws.String("http://" + p.S3), UsePathStyle: true})
	if _, err := sc.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("firehosebench")}); err != nil {
		return err
	}
	b := &bench{config: c, p: p, fc: fc, sc: sc}
	switch c.client {
	case "lean":
		v, err := creds.Retrieve(ctx)
		if err != nil {
			return err
		}
		b.put = newLeanPutter("http://"+p.Addr, v)
	case "sdk":
		b.put = sdkPutter{fc}
	default:
		return fmt.Errorf("-client %q: lean or sdk", c.client)
	}
	res, err := b.runOne(ctx, "gzip", &ftypes.ExtendedS3DestinationConfiguration{CompressionFormat: ftypes.CompressionFormatGzip}, b.rawRecord, checkGzip)
	if err != nil {
		return err
	}
	fmt.Println(res)
	if c.parquet {
		res, err := b.runOne(ctx, "parquet", parquetConfig(), b.jsonRecord, nil)
		if err != nil {
			return err
		}
		fmt.Println(res)
	}
	return nil
}

type bench struct {
	config
	p   *eddyproc.Process
	fc  *firehose.Client
	sc  *s3.Client
	put putter
}

// rawRecord is record i: size bytes, starting with its number.
func (b *bench) rawRecord(i int) []byte {
	d := bytes.Repeat([]byte{'x'}, b.size)
	copy(d, strconv.Itoa(i)+" ")
	d[len(d)-1] = '\n'
	return d
}

// jsonRecord is record i as a JSON object of about size bytes.
func (b *bench) jsonRecord(i int) []byte {
	pad := strings.Repeat("y", max(b.size-96, 1))
	return fmt.Appendf(nil, `{"id":%d,"ts":"2026-12-04T10:00:00Z","ok":true,"score":%d.5,"msg":"%s"}`+"\n", i, i%1000, pad)
}

func parquetConfig() *ftypes.ExtendedS3DestinationConfiguration {
	return &ftypes.ExtendedS3DestinationConfiguration{
		CompressionFormat: ftypes.CompressionFormatUncompressed,
		DataFormatConversionConfiguration: &ftypes.DataFormatConversionConfiguration{
			Enabled:                   aws.Bool(true),
			InputFormatConfiguration:  &ftypes.InputFormatConfiguration{Deserializer: &ftypes.Deserializer{OpenXJsonSerDe: &ftypes.OpenXJsonSerDe{}}},
			OutputFormatConfiguration: &ftypes.OutputFormatConfiguration{Serializer: &ftypes.Serializer{ParquetSerDe: &ftypes.ParquetSerDe{}}},
			SchemaConfiguration: &ftypes.SchemaConfiguration{
				DatabaseName: aws.String("bench"), TableName: aws.String("records"),
				RoleARN: aws.String("arn:aws:iam::000000000000:role/firehose"),
			},
		},
	}
}

// runOne creates a delivery stream with dest, puts the records and waits
// for their delivery.
func (b *bench) runOne(ctx context.Context, name string, dest *ftypes.ExtendedS3DestinationConfiguration, record func(int) []byte, check func([]byte) (int, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	stream := "bench-" + name
	dest.BucketARN = aws.String("arn:aws:s3:::firehosebench")
	dest.RoleARN = aws.String("arn:aws:iam::000000000000:role/firehose")
	dest.Prefix = aws.String(name + "/")
	dest.ErrorOutputPrefix = aws.String("errors-" + name + "/")
	dest.BufferingHints = &ftypes.BufferingHints{SizeInMBs: aws.Int32(int32(b.sizeMB)), IntervalInSeconds: aws.Int32(int32(b.interval))}
	if _, err := b.fc.CreateDeliveryStream(ctx, &firehose.CreateDeliveryStreamInput{
		DeliveryStreamName: aws.String(stream), DeliveryStreamType: ftypes.DeliveryStreamTypeDirectPut,
		ExtendedS3DestinationConfiguration: dest,
	}); err != nil {
		return "", err
	}
	for {
		out, err := b.fc.DescribeDeliveryStream(ctx, &firehose.DescribeDeliveryStreamInput{DeliveryStreamName: aws.String(stream)})
		if err != nil {
			return "", err
		}
		if out.DeliveryStreamDescription.DeliveryStreamStatus == ftypes.DeliveryStreamStatusActive {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cpu0, err := b.p.CPU()
	if err != nil {
		return "", err
	}
	var profiled chan error
	if b.profile != "" {
		profiled = make(chan error, 1)
		file := b.profile
		go func() { profiled <- eddyproc.FetchProfile("http://"+b.p.Admin+"/debug/pprof/profile?seconds=5", file) }()
		b.profile = "" // the first run only
	}
	t0 := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, b.workers)
	for range b.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				from := int(next.Add(500)) - 500
				if from >= b.records {
					return
				}
				var recs [][]byte
				for i := from; i < min(from+500, b.records); i++ {
					recs = append(recs, record(i))
				}
				for len(recs) > 0 {
					failed, err := b.put.putRecordBatch(ctx, stream, recs)
					if err != nil {
						errs <- err
						return
					}
					var again [][]byte
					for _, i := range failed {
						again = append(again, recs[i])
					}
					recs = again
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return "", err
	}
	putTime := time.Since(t0)
	if profiled != nil {
		if err := <-profiled; err != nil {
			return "", err
		}
	}
	cpuPut, err := b.p.CPU()
	if err != nil {
		return "", err
	}
	// Delivered: the pipeline's own count, then the objects checked.
	if err := b.waitDelivered(ctx, stream); err != nil {
		return "", err
	}
	total := time.Since(t0)
	cpuAll, err := b.p.CPU()
	if err != nil {
		return "", err
	}
	objects, err := b.checkObjects(ctx, name+"/", check)
	if err != nil {
		return "", err
	}
	n := float64(b.records)
	return fmt.Sprintf("%-8s %s client, %d records of %d B: put %.0f records/s (server CPU %.1f µs/record); put+delivered %.0f records/s (server CPU %.1f µs/record); %d objects",
		name, b.client, b.records, b.size, n/putTime.Seconds(), float64((cpuPut-cpu0).Microseconds())/n,
		n/total.Seconds(), float64((cpuAll-cpu0).Microseconds())/n, objects), nil
}

// waitDelivered waits until the admin /metrics count every record of stream
// delivered.
func (b *bench) waitDelivered(ctx context.Context, stream string) error {
	re := regexp.MustCompile(`(?m)^firehose_delivery_records_total\{delivery_stream="` + regexp.QuoteMeta(stream) + `",destination="S3"\} (\S+)$`)
	for {
		resp, err := http.Get("http://" + b.p.Admin + "/metrics")
		if err != nil {
			return err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if m := re.FindSubmatch(body); m != nil {
			if v, _ := strconv.ParseFloat(string(m[1]), 64); int(v) >= b.records {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for delivery: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// checkObjects reads every object under prefix and counts its records with
// check (nil: counts objects only).
func (b *bench) checkObjects(ctx context.Context, prefix string, check func([]byte) (int, error)) (int, error) {
	objects, records := 0, 0
	pg := s3.NewListObjectsV2Paginator(b.sc, &s3.ListObjectsV2Input{Bucket: aws.String("firehosebench"), Prefix: aws.String(prefix)})
	for pg.HasMorePages() {
		page, err := pg.NextPage(ctx)
		if err != nil {
			return 0, err
		}
		for _, o := range page.Contents {
			objects++
			if check == nil {
				continue
			}
			got, err := b.sc.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("firehosebench"), Key: o.Key})
			if err != nil {
				return 0, err
			}
			body, err := io.ReadAll(got.Body)
			got.Body.Close()
			if err != nil {
				return 0, err
			}
			n, err := check(body)
			if err != nil {
				return 0, fmt.Errorf("%s: %w", *o.Key, err)
			}
			records += n
		}
	}
	if check != nil && records != b.records {
		return 0, fmt.Errorf("objects hold %d records, want %d", records, b.records)
	}
	return objects, nil
}

// checkGzip counts the newline-terminated records of a GZIP object.
func checkGzip(body []byte) (int, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return 0, err
	}
	if len(data) == 0 || data[len(data)-1] != '\n' {
		return 0, errors.New("object does not end with a whole record")
	}
	return bytes.Count(data, []byte{'\n'}), nil
}
