package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/eddy-streams/eddy/client/consumer"
	"github.com/eddy-streams/eddy/client/kpl"
)

// tailRecord is one record as `eddy tail` prints it: a Kinesis record, or a
// user record taken out of a KPL aggregate (Sub >= 0).
type tailRecord struct {
	Shard, Seq      string
	Sub             int // subsequence number; -1 for a record not from an aggregate
	PartitionKey    string
	ExplicitHashKey string // only user records of an aggregate may have one
	Arrival         time.Time
	EncryptionType  string
	Data            []byte
}

// tailPrinter writes records in one of the formats to its writer. Shards'
// readers share it: each batch is written and flushed whole, under the lock,
// so lines of different shards never mix.
type tailPrinter struct {
	format string
	stderr io.Writer
	// records, if set, takes each record in place of the writer (eddy
	// sql), under the printer's lock.
	records func(r *tailRecord)

	mu struct {
		sync.Mutex
		w      *bufio.Writer
		line   []byte
		users  []kpl.UserRecord
		warned bool // about an aggregate that does not decode
	}
}

func newTailPrinter(w io.Writer, format string, stderr io.Writer) *tailPrinter {
	p := &tailPrinter{format: format, stderr: stderr}
	p.mu.w = bufio.NewWriterSize(w, 64<<10)
	return p
}

// print writes the records of one GetRecords answer from shard, taking
// aggregates apart when deaggregate is set, and flushes.
func (p *tailPrinter) print(shard string, recs []types.Record, deaggregate bool) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, r := range recs {
		tr := tailRecord{Shard: shard, Seq: aws.ToString(r.SequenceNumber), Sub: -1,
			PartitionKey: aws.ToString(r.PartitionKey), Arrival: aws.ToTime(r.ApproximateArrivalTimestamp),
			EncryptionType: string(r.EncryptionType), Data: r.Data}
		if deaggregate && kpl.IsAggregated(r.Data) {
			users, err := kpl.AppendDeaggregated(p.mu.users[:0], r.Data)
			if err == nil {
				p.mu.users = users
				for i, u := range users {
					tr.Sub, tr.PartitionKey, tr.ExplicitHashKey, tr.Data = i, u.PartitionKey, u.ExplicitHashKey, u.Data
					p.writeLocked(&tr)
				}
				continue
			}
			if !p.mu.warned {
				p.mu.warned = true
				fmt.Fprintf(p.stderr, "eddy tail: record %s of %s: %v; printed as it is (warned once)\n", tr.Seq, shard, err)
			}
		}
		p.writeLocked(&tr)
	}
	return p.mu.w.Flush()
}

// printUser writes user records the consumer library handed over (already
// taken out of their aggregates), and flushes.
func (p *tailPrinter) printUser(shard string, recs []consumer.Record) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := range recs {
		r := &recs[i]
		tr := tailRecord{Shard: shard, Seq: r.SequenceNumber, Sub: -1, PartitionKey: r.PartitionKey,
			ExplicitHashKey: r.ExplicitHashKey, Arrival: r.ApproximateArrivalTimestamp, Data: r.Data}
		if r.Aggregated {
			tr.Sub = int(r.SubSequenceNumber)
		}
		p.writeLocked(&tr)
	}
	return p.mu.w.Flush()
}

// flush writes what is buffered.
func (p *tailPrinter) flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mu.w.Flush()
}

// writeLocked formats r into the buffered writer; a write error stays in
// the writer and comes back from the flush.
func (p *tailPrinter) writeLocked(r *tailRecord) {
	if p.records != nil {
		p.records(r)
		return
	}
	b := p.mu.line[:0]
	switch p.format {
	case "json":
		b = appendTailJSON(b, r)
	case "hex":
		b = appendTailHex(b, r)
	default:
		b = appendTailText(b, r)
	}
	p.mu.line = b
	p.mu.w.Write(b)
}

// appendTailText appends SHARD\tSEQ\tKEY\tDATA\n.
func appendTailText(b []byte, r *tailRecord) []byte {
	b = appendTailHead(b, r)
	b = append(b, '\t')
	b = appendPrintable(b, r.Data)
	return append(b, '\n')
}

// appendTailHead appends SHARD\tSEQ[/SUB]\tKEY, shared by text and hex.
func appendTailHead(b []byte, r *tailRecord) []byte {
	b = append(b, r.Shard...)
	b = append(b, '\t')
	b = append(b, r.Seq...)
	if r.Sub >= 0 {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(r.Sub), 10)
	}
	b = append(b, '\t')
	return appendPrintable(b, []byte(r.PartitionKey))
}

// base64Prefix marks a field written in base64 in the text and hex formats.
const base64Prefix = "base64:"

// appendPrintable appends data as it is when it is printable text that
// cannot be taken for base64 (no "base64:" prefix), else "base64:" and its
// standard base64.
func appendPrintable(b, data []byte) []byte {
	if printable(data) && !bytes.HasPrefix(data, []byte(base64Prefix)) {
		return append(b, data...)
	}
	b = append(b, base64Prefix...)
	return base64.StdEncoding.AppendEncode(b, data)
}

// printable reports whether data is valid UTF-8 without control characters
// (Unicode category Cc: C0, DEL and C1, so tab and newline too).
func printable(data []byte) bool {
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 || unicode.IsControl(r) {
			return false
		}
		data = data[n:]
	}
	return true
}

// tailJSON is a record in the json format; the names are the Kinesis API's
// (Record of GetRecords), plus SubSequenceNumber and ExplicitHashKey of a
// user record from an aggregate (the KCL's names) and Text.
type tailJSON struct {
	ShardId                     string
	SequenceNumber              string
	SubSequenceNumber           *int `json:",omitempty"`
	PartitionKey                string
	ExplicitHashKey             string `json:",omitempty"`
	ApproximateArrivalTimestamp string
	EncryptionType              string `json:",omitempty"`
	Data                        []byte
	Text                        *string `json:",omitempty"`
}

// tailTimeFormat is RFC 3339 with milliseconds, always three digits.
const tailTimeFormat = "2006-01-02T15:04:05.000Z07:00"

func appendTailJSON(b []byte, r *tailRecord) []byte {
	j := tailJSON{ShardId: r.Shard, SequenceNumber: r.Seq, PartitionKey: r.PartitionKey, ExplicitHashKey: r.ExplicitHashKey,
		ApproximateArrivalTimestamp: r.Arrival.UTC().Format(tailTimeFormat), EncryptionType: r.EncryptionType, Data: r.Data}
	if r.Sub >= 0 {
		sub := r.Sub
		j.SubSequenceNumber = &sub
	}
	if utf8.Valid(r.Data) {
		s := string(r.Data)
		j.Text = &s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&j); err != nil {
		// Every field is a string, an int or bytes: Encode cannot fail.
		panic(errors.Join(errors.New("eddy tail: encode record"), err))
	}
	return append(b, buf.Bytes()...) // Encode ends the object with a newline
}

// appendTailHex appends SHARD\tSEQ\tKEY\tN bytes\n and the data as hexdump
// -C shows it.
func appendTailHex(b []byte, r *tailRecord) []byte {
	b = appendTailHead(b, r)
	b = append(b, '\t')
	b = strconv.AppendInt(b, int64(len(r.Data)), 10)
	b = append(b, " bytes\n"...)
	return append(b, hex.Dump(r.Data)...)
}
