package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Every record the load generator writes carries a 24-byte header, then a
// filler that depends on the record's id, so that a reader can tell which
// record it holds and whether its bytes arrived intact:
//
//	0        8        16       24                          size
//	+--------+--------+--------+---------------------------+
//	| run    | id     | sent   | filler: byte i = id + i   |
//	+--------+--------+--------+---------------------------+
//
// run is a random number per load generator run (records of another run
// are not counted), id numbers the record within its workload, sent is the
// time the producer called the put in nanoseconds since the run started
// (the same process's monotonic clock reads it back). Little-endian.
const headerSize = 24

var errForeign = errors.New("record from another run")

// codec writes and checks the records of one workload: one run, one size.
type codec struct {
	run  uint64
	size int
	// pattern[j] = byte(j), size+256 long: record id's filler is
	// pattern[id%256+headerSize : id%256+size], compared with one memcmp.
	pattern []byte
}

func newCodec(run uint64, size int) (*codec, error) {
	if size < headerSize {
		return nil, fmt.Errorf("record size %d is below the %d-byte header", size, headerSize)
	}
	p := make([]byte, size+256)
	for j := range p {
		p[j] = byte(j)
	}
	return &codec{run: run, size: size, pattern: p}, nil
}

func (c *codec) filler(id uint64) []byte {
	o := int(id % 256)
	return c.pattern[o+headerSize : o+c.size]
}

// fill writes record id into b, which must be c.size long.
func (c *codec) fill(b []byte, id uint64, sent int64) {
	binary.LittleEndian.PutUint64(b[0:], c.run)
	binary.LittleEndian.PutUint64(b[8:], id)
	binary.LittleEndian.PutUint64(b[16:], uint64(sent))
	copy(b[headerSize:], c.filler(id))
}

// stamp rewrites the send time of a record written by fill.
func stamp(b []byte, sent int64) {
	binary.LittleEndian.PutUint64(b[16:], uint64(sent))
}

// parse returns a record's id and send time. A record of another run gives
// errForeign; one of the wrong length or with a changed byte another error.
func (c *codec) parse(b []byte) (id uint64, sent int64, err error) {
	if len(b) < headerSize {
		return 0, 0, errors.New("record shorter than its header")
	}
	if binary.LittleEndian.Uint64(b[0:]) != c.run {
		return 0, 0, errForeign
	}
	id = binary.LittleEndian.Uint64(b[8:])
	sent = int64(binary.LittleEndian.Uint64(b[16:]))
	if len(b) != c.size {
		return id, sent, fmt.Errorf("record %d: %d bytes, wrote %d", id, len(b), c.size)
	}
	if !bytes.Equal(b[headerSize:], c.filler(id)) {
		return id, sent, fmt.Errorf("record %d: data changed", id)
	}
	return id, sent, nil
}
