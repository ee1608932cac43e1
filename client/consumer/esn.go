package consumer

import (
	"fmt"
	"strconv"
)

// Checkpoint values that are not sequence numbers, as the KCL writes them
// into the lease table's checkpoint attribute (SentinelCheckpoint).
const (
	checkpointTrimHorizon = "TRIM_HORIZON"
	checkpointLatest      = "LATEST"
	checkpointAtTimestamp = "AT_TIMESTAMP"
	checkpointShardEnd    = "SHARD_END"
)

// esn is an extended sequence number: a Kinesis record's sequence number
// and, for a user record inside a KPL aggregate, its index (the
// subsequence number; 0 for plain records). A checkpoint is an esn whose
// seq may also be one of the sentinels above.
type esn struct {
	seq string
	sub int64
}

func (e esn) String() string {
	if e.sub == 0 {
		return e.seq
	}
	return e.seq + "." + strconv.FormatInt(e.sub, 10)
}

// isSentinel reports whether e is a position rather than a record.
func (e esn) isSentinel() bool {
	switch e.seq {
	case "", checkpointTrimHorizon, checkpointLatest, checkpointAtTimestamp, checkpointShardEnd:
		return true
	}
	return false
}

// compare orders extended sequence numbers: the start sentinels before
// every record, SHARD_END after; records by sequence number (decimal
// integers of any length), then subsequence number.
func (e esn) compare(o esn) int {
	r1, r2 := e.rank(), o.rank()
	if r1 != r2 {
		return r1 - r2
	}
	if r1 != 1 {
		return 0
	}
	if len(e.seq) != len(o.seq) {
		if len(e.seq) < len(o.seq) {
			return -1
		}
		return 1
	}
	switch {
	case e.seq < o.seq:
		return -1
	case e.seq > o.seq:
		return 1
	case e.sub < o.sub:
		return -1
	case e.sub > o.sub:
		return 1
	}
	return 0
}

// rank is 0 for a start sentinel, 1 for a record, 2 for SHARD_END.
func (e esn) rank() int {
	switch {
	case e.seq == checkpointShardEnd:
		return 2
	case e.isSentinel():
		return 0
	}
	return 1
}

// validSequenceNumber reports whether s looks like a Kinesis sequence
// number: decimal digits, no leading zero, at most 128 of them (the
// Kinesis API's pattern is 0|([1-9]\d{0,128})).
func validSequenceNumber(s string) error {
	if s == "" || len(s) > 129 || (len(s) > 1 && s[0] == '0') {
		return fmt.Errorf("consumer: %q is not a sequence number", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("consumer: %q is not a sequence number", s)
		}
	}
	return nil
}
