package firehose

import (
	"fmt"
	"strconv"
	"time"

	"github.com/eddy-streams/eddy"
	fp "github.com/eddy-streams/eddy/protocol/firehose"
	"github.com/eddy-streams/eddy/storage"
)

// RecordID returns the RecordId of the record at position pos of the log
// of a stream created at created. AWS's RecordId is an opaque string
// ("a unique string assigned to each record", PutRecord's documentation;
// its form is not documented). Eddy's is 32 hexadecimal digits: the
// creation time in nanoseconds, then the log position, so it names one
// record of one incarnation of the stream and sorts in arrival order.
func RecordID(created time.Time, pos uint64) string {
	return string(appendRecordID(make([]byte, 0, 32), created, pos))
}

// appendRecordID appends RecordID(created, pos) to dst.
func appendRecordID(dst []byte, created time.Time, pos uint64) []byte {
	const hex = "0123456789abcdef"
	for _, v := range [2]uint64{uint64(created.UnixNano()), pos} {
		for shift := 60; shift >= 0; shift -= 4 {
			dst = append(dst, hex[v>>uint(shift)&0xf])
		}
	}
	return dst
}

// ParseRecordID returns the log position a RecordID encodes.
func ParseRecordID(id string) (uint64, error) {
	if len(id) != 32 {
		return 0, fmt.Errorf("firehose: bad record id %q", id)
	}
	return strconv.ParseUint(id[16:], 16, 64)
}

// appendable returns the log of an ACTIVE DirectPut stream, or the error
// Firehose answers a Put with.
func (s *Service) appendable(region, name string) (*record, storage.ShardLog, error) {
	r, err := s.load(region, name)
	if err != nil {
		return nil, nil, err
	}
	if r.Type != fp.TypeDirectPut {
		// Recorded from the real service in aws/aws-cli issue 7010.
		return nil, nil, eddy.Errorf(eddy.CodeInvalidArgument, "This operation is not permitted on %s delivery stream type.", r.Type)
	}
	if st := s.status(r, s.cfg.Clock.Now()); st != StatusActive {
		// "Attempts to send data to a delivery stream that is not in the
		// ACTIVE state cause an exception." (CreateDeliveryStream's
		// documentation; which exception is not said). Eddy's words.
		return nil, nil, inUse(name, st, "PutRecord")
	}
	log, err := s.logs.Open(r.LogID)
	if err != nil {
		return nil, nil, fmt.Errorf("firehose: open log of %s: %w", name, err)
	}
	return r, log, nil
}

// PutRecord appends one record and returns once it is durable.
func (s *Service) PutRecord(region string, in *fp.PutRecordInput) (*fp.PutRecordOutput, error) {
	r, log, err := s.appendable(s.region(region), fp.Deref(in.DeliveryStreamName))
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	if n, ok := s.quotaOf(r.Region, r.LogID).admit(now, [][]byte{in.Record.Data}); !ok || n == 0 {
		return nil, eddy.Errorf(eddy.CodeServiceUnavailable, throttledMessage)
	}
	pos, err := log.Append([]storage.Record{{Arrival: now, Data: in.Record.Data}})
	if err != nil {
		return nil, err
	}
	s.appended(r)
	return &fp.PutRecordOutput{RecordId: fp.String(RecordID(r.Created, pos)), Encrypted: fp.Bool(r.encrypted())}, nil
}

// PutRecordBatch appends the records as one batch and returns once they
// are durable. The batch is all or nothing in Eddy's log, so records fail
// together: if the append fails, every entry carries ErrorCode
// InternalFailure (one of the two codes PutRecordBatch's documentation
// lists for an entry) with Eddy's message, and FailedPutCount is the
// batch's size, so the caller resends them.
func (s *Service) PutRecordBatch(region string, in *fp.PutRecordBatchInput) (*fp.PutRecordBatchOutput, error) {
	r, log, err := s.appendable(s.region(region), fp.Deref(in.DeliveryStreamName))
	if err != nil {
		return nil, err
	}
	now := s.cfg.Clock.Now()
	admitted := len(in.Records)
	if q := s.quotaOf(r.Region, r.LogID); q != nil {
		data := make([][]byte, len(in.Records))
		for i := range in.Records {
			data[i] = in.Records[i].Data
		}
		var ok bool
		if admitted, ok = q.admit(now, data); !ok {
			return nil, eddy.Errorf(eddy.CodeServiceUnavailable, throttledMessage)
		}
	}
	recs := make([]storage.Record, admitted)
	for i := range recs {
		recs[i] = storage.Record{Arrival: now, Data: in.Records[i].Data}
	}
	out := &fp.PutRecordBatchOutput{Encrypted: fp.Bool(r.encrypted()), FailedPutCount: fp.Int32(int32(len(in.Records) - admitted)),
		RequestResponses: make([]fp.PutRecordBatchResponseEntry, len(in.Records))}
	for i := admitted; i < len(in.Records); i++ {
		out.RequestResponses[i] = fp.PutRecordBatchResponseEntry{ErrorCode: fp.String(eddy.CodeServiceUnavailable), ErrorMessage: fp.String(throttledMessage)}
	}
	if admitted == 0 {
		return out, nil
	}
	first, err := log.Append(recs)
	if err != nil {
		s.cfg.Logger.Warn("firehose: append failed", "stream", r.Name, "records", len(recs), "err", err)
		for i := range recs {
			out.RequestResponses[i] = fp.PutRecordBatchResponseEntry{ErrorCode: fp.String(eddy.CodeInternalFailure),
				ErrorMessage: fp.String("Internal service failure.")}
		}
		out.FailedPutCount = fp.Int32(int32(len(in.Records)))
		return out, nil
	}
	// The ids: one string holding them all and one array of their
	// headers, two allocations instead of two per record.
	buf := make([]byte, 0, 32*len(recs))
	for i := range recs {
		buf = appendRecordID(buf, r.Created, first+uint64(i))
	}
	all, ids := string(buf), make([]string, len(recs))
	for i := range recs {
		ids[i] = all[32*i : 32*i+32]
		out.RequestResponses[i].RecordId = &ids[i]
	}
	s.appended(r)
	return out, nil
}

func (r *record) encrypted() bool { return r.Encryption != nil && r.Encryption.Enabled }

// appended tells Config.Appended that r's log grew.
func (s *Service) appended(r *record) {
	if s.cfg.Appended != nil {
		s.cfg.Appended(r.LogID)
	}
}

// changed tells Config.Changed that a delivery stream was created,
// updated or deleted.
func (s *Service) changed() {
	if s.cfg.Changed != nil {
		s.cfg.Changed()
	}
}
