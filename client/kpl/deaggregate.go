package kpl

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

var (
	// ErrNotAggregated is returned for data that is not an aggregated
	// record: no longer than the magic number and the MD5, no magic
	// number, or an MD5 trailer that does not match. Such data is one plain user record.
	ErrNotAggregated = errors.New("kpl: not an aggregated record")
	// ErrMalformed is wrapped by the errors for data that has the magic
	// number and a matching MD5 but does not decode as an AggregatedRecord.
	ErrMalformed = errors.New("kpl: malformed aggregated record")
)

// IsAggregated reports whether data is an aggregated record: long enough,
// with the magic number and a matching MD5 trailer. It does not decode the
// message.
func IsAggregated(data []byte) bool {
	_, ok := message(data)
	return ok
}

// message returns the protobuf message of an aggregated record.
func message(data []byte) ([]byte, bool) {
	// An empty message is not an aggregate either, as the awslabs
	// deaggregators decide (kinesis-aggregation, go/v2/deaggregator).
	if len(data) <= Overhead || !bytes.Equal(data[:len(Magic)], Magic[:]) {
		return nil, false
	}
	msg := data[len(Magic) : len(data)-md5.Size]
	sum := md5.Sum(msg)
	if !bytes.Equal(sum[:], data[len(data)-md5.Size:]) {
		return nil, false
	}
	return msg, true
}

// Deaggregate decodes the aggregated record data and returns its user
// records in order; the record at index i has subsequence number i. The
// returned Data slices alias data; the partition keys and explicit hash
// keys are new strings, one per table entry. It returns ErrNotAggregated if
// data is not an aggregate, and an error wrapping ErrMalformed if it is one
// that does not decode (bad wire format, a missing required field, a key
// index outside its table). Unknown fields and tags are skipped.
func Deaggregate(data []byte) ([]UserRecord, error) {
	return AppendDeaggregated(nil, data)
}

// AppendDeaggregated is Deaggregate appending to dst. On error it returns
// dst unchanged.
func AppendDeaggregated(dst []UserRecord, data []byte) ([]UserRecord, error) {
	msg, ok := message(data)
	if !ok {
		return dst, ErrNotAggregated
	}
	// First pass: the key tables (they may come after the records on the
	// wire: protobuf does not fix the order of fields).
	var pks, ehks []string
	var nrec int
	err := eachField(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case fieldPartitionKeyTable:
			pks = append(pks, string(v))
		case fieldExplicitHashKeyTable:
			ehks = append(ehks, string(v))
		case fieldRecords:
			nrec++
		}
		return nil
	})
	if err != nil {
		return dst, err
	}
	out := dst
	if cap(out)-len(out) < nrec {
		out = make([]UserRecord, len(dst), len(dst)+nrec)
		copy(out, dst)
	}
	err = eachField(msg, func(num protowire.Number, typ protowire.Type, v []byte) error {
		if num != fieldRecords || typ != protowire.BytesType {
			return nil
		}
		r, err := decodeRecord(v, pks, ehks, len(out)-len(dst))
		if err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return dst, err
	}
	return out, nil
}

// decodeRecord decodes the Record message v, the i-th of its aggregate.
func decodeRecord(v []byte, pks, ehks []string, i int) (UserRecord, error) {
	var (
		pkIdx, ehkIdx uint64
		hasPK, hasEHK bool
		data          []byte
		hasData       bool
	)
	err := eachField(v, func(num protowire.Number, typ protowire.Type, fv []byte) error {
		switch {
		case num == fieldPartitionKeyIndex && typ == protowire.VarintType:
			pkIdx, _ = protowire.ConsumeVarint(fv)
			hasPK = true
		case num == fieldExplicitHashKeyIndex && typ == protowire.VarintType:
			ehkIdx, _ = protowire.ConsumeVarint(fv)
			hasEHK = true
		case num == fieldData && typ == protowire.BytesType:
			data, hasData = fv, true
		case num == fieldTags && typ == protowire.BytesType:
			// Tags are not part of a user record (the KPL writes none),
			// but a Tag without its required key makes the message
			// invalid for every protobuf decoder.
			return checkTag(fv)
		}
		return nil
	})
	if err != nil {
		return UserRecord{}, fmt.Errorf("record %d: %w", i, err)
	}
	switch {
	case !hasPK:
		return UserRecord{}, fmt.Errorf("%w: record %d has no partition_key_index", ErrMalformed, i)
	case !hasData:
		return UserRecord{}, fmt.Errorf("%w: record %d has no data", ErrMalformed, i)
	case pkIdx >= uint64(len(pks)):
		return UserRecord{}, fmt.Errorf("%w: record %d: partition_key_index %d outside a table of %d", ErrMalformed, i, pkIdx, len(pks))
	case hasEHK && ehkIdx >= uint64(len(ehks)):
		return UserRecord{}, fmt.Errorf("%w: record %d: explicit_hash_key_index %d outside a table of %d", ErrMalformed, i, ehkIdx, len(ehks))
	}
	r := UserRecord{PartitionKey: pks[pkIdx], Data: data[:len(data):len(data)]}
	if hasEHK {
		r.ExplicitHashKey = ehks[ehkIdx]
	}
	return r, nil
}

// checkTag checks that the Tag message v decodes and has its key.
func checkTag(v []byte) error {
	hasKey := false
	err := eachField(v, func(num protowire.Number, typ protowire.Type, _ []byte) error {
		if num == 1 && typ == protowire.BytesType {
			hasKey = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	if !hasKey {
		return fmt.Errorf("%w: tag without a key", ErrMalformed)
	}
	return nil
}

// eachField calls fn for every field of the protobuf message b, with the
// field's number, wire type and value: the varint's bytes for VarintType,
// the payload for BytesType, the raw bytes for the other types. It stops at
// the first error, from fn or from malformed wire data.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %v", ErrMalformed, protowire.ParseError(n))
		}
		if num > protowire.MaxValidNumber { // ConsumeTag checks only the lower bound
			return fmt.Errorf("%w: field number %d out of range", ErrMalformed, num)
		}
		b = b[n:]
		var v []byte
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			_, n = protowire.ConsumeVarint(b)
			if n >= 0 {
				v = b[:n]
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n >= 0 {
				v = b[:n]
			}
		}
		if n < 0 {
			return fmt.Errorf("%w: field %d: %v", ErrMalformed, num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := fn(num, typ, v); err != nil {
			return err
		}
	}
	return nil
}
