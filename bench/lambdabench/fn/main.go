// Command fn is the trivial Kinesis handler bench/lambdabench runs as a
// provided.al2023 bootstrap (aws-lambda-go, events.KinesisEvent). For every
// invocation it sends one UDP datagram to $BENCH_ADDR (127.0.0.1): the
// time the handler was entered (Unix nanoseconds, 8 bytes big-endian),
// then the first 16 bytes of each record's data (zero-padded). The
// benchmark reads put times and shard tags from those bytes.
//
// A datagram is one syscall per batch with no answer awaited, so the side
// channel costs microseconds per invocation; a PutRecord to an output
// stream would add a round trip to Eddy inside every invocation.
package main

import (
	"context"
	"encoding/binary"
	"net"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// maxRecords bounds a datagram under 64 KiB: 8 + 4000*16 bytes.
const maxRecords = 4000

func main() {
	conn, err := net.Dial("udp", os.Getenv("BENCH_ADDR"))
	if err != nil {
		panic(err)
	}
	buf := make([]byte, 8+16*maxRecords)
	lambda.Start(func(_ context.Context, ev events.KinesisEvent) error {
		entered := time.Now().UnixNano()
		n := min(len(ev.Records), maxRecords)
		b := buf[:8+16*n]
		clear(b)
		binary.BigEndian.PutUint64(b, uint64(entered))
		for i, r := range ev.Records[:n] {
			copy(b[8+16*i:8+16*(i+1)], r.Kinesis.Data)
		}
		_, err := conn.Write(b)
		return err
	})
}
