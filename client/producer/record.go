package producer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/client/kpl"
)

// Record is one user record to put. PartitionKey is required (1 to 256
// Unicode characters); ExplicitHashKey, if set, is a decimal in [0,
// 2^128-1] and chooses the shard instead of the key's MD5. The producer
// keeps Data until the record completes: do not modify it after Put.
type Record struct {
	PartitionKey    string
	ExplicitHashKey string
	Data            []byte
}

// Result is the outcome of one user record. On success ShardID and
// SequenceNumber are those of the Kinesis record that carried it and
// SubSequenceNumber its index in the aggregate (0 when it went alone, with
// Aggregated false); Err is nil. On failure Err says why: an error wrapping
// ErrExpired, ErrClosed, a *PutError with the Kinesis error code of the
// last attempt, or the error of the PutRecords call. Attempts counts the
// PutRecords calls that carried the record.
type Result struct {
	ShardID           string
	SequenceNumber    string
	SubSequenceNumber int64
	Aggregated        bool
	Attempts          int
	Err               error
}

// PutError is a record's failure as Kinesis reported it in a PutRecords
// entry: ErrorCode is the exception name (ProvisionedThroughputExceededException,
// InternalFailure, KMS...Exception) and ErrorMessage its text.
type PutError struct {
	ErrorCode    string
	ErrorMessage string
}

func (e *PutError) Error() string { return e.ErrorCode + ": " + e.ErrorMessage }

var (
	// ErrClosed is returned by Put after Close, and completes records
	// that were still buffered when Close gave up.
	ErrClosed = errors.New("producer: closed")
	// ErrBufferFull is returned by Put with FailWhenFull when
	// MaxOutstandingBytes are outstanding.
	ErrBufferFull = errors.New("producer: MaxOutstandingBytes reached")
	// ErrExpired is wrapped by the error of a record not put within
	// RecordTtl.
	ErrExpired = errors.New("producer: record expired")
	// ErrInvalidRecord is wrapped by Put's errors for a record Kinesis
	// would refuse. The wording of these errors is this library's own.
	ErrInvalidRecord = errors.New("producer: invalid record")
)

// Future is the pending result of a Put.
type Future struct {
	mu   sync.Mutex
	done bool
	ch   chan struct{} // made by the first waiter
	res  Result
}

func (f *Future) complete(r Result) {
	f.mu.Lock()
	f.res, f.done = r, true
	if f.ch != nil {
		close(f.ch)
	}
	f.mu.Unlock()
}

// Done returns a channel closed when the result is known.
func (f *Future) Done() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ch == nil {
		f.ch = make(chan struct{})
		if f.done {
			close(f.ch)
		}
	}
	return f.ch
}

// Wait waits for the result and returns it with its Err; if ctx ends
// first it returns ctx's error (the record goes on).
func (f *Future) Wait(ctx context.Context) (Result, error) {
	if r, ok := f.Result(); ok {
		return r, r.Err
	}
	select {
	case <-f.Done():
		r, _ := f.Result()
		return r, r.Err
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
}

// Result returns the result and true once it is known.
func (f *Future) Result() (Result, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.res, f.done
}

// validate checks r as Kinesis would (aws-sdk-go-v2 service/kinesis:
// partition keys are "Unicode strings with a maximum length limit of 256
// characters"; "the record size limit applies to the total size of the
// partition key and data blob"; hash keys match 0|([1-9]\d{0,38}) within
// [0, 2^128-1]) and returns the hash key it routes by.
func validate(r *Record, maxRecordSize int) (kpl.HashKey, error) {
	n := len(r.PartitionKey)
	if n == 0 {
		return kpl.HashKey{}, errorf("partition key is empty")
	}
	if n > 256 && utf16Len(r.PartitionKey) > 256 {
		return kpl.HashKey{}, errorf("partition key has %d characters, more than 256", utf16Len(r.PartitionKey))
	}
	if size := len(r.Data) + n; size > maxRecordSize {
		return kpl.HashKey{}, errorf("data and partition key are %d bytes, more than MaxRecordSize %d", size, maxRecordSize)
	}
	if r.ExplicitHashKey == "" {
		return kpl.PartitionHashKey(r.PartitionKey), nil
	}
	k, err := kpl.ParseHashKey(r.ExplicitHashKey)
	if err != nil {
		return kpl.HashKey{}, errorf("explicit hash key %q is not a decimal integer in [0, 2^128-1]", r.ExplicitHashKey)
	}
	return k, nil
}

type invalidRecordError struct{ msg string }

func (e *invalidRecordError) Error() string { return "producer: invalid record: " + e.msg }
func (e *invalidRecordError) Unwrap() error { return ErrInvalidRecord }

func errorf(msg string, args ...any) error {
	return &invalidRecordError{msg: fmt.Sprintf(msg, args...)}
}

// utf16Len counts s in UTF-16 code units, as the service (Java) counts
// string lengths.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 && r <= utf8.MaxRune {
			n += 2
		} else {
			n++
		}
	}
	return n
}
