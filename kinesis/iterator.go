package kinesis

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// A shard iterator is opaque to clients: base64 of
//
//	version u8 = 1 | shard u32 | position u64 | issued (Unix ms) i64 |
//	stream created (Unix ns) i64 | stream name | HMAC-SHA256[:16]
//
// The MAC, keyed by a secret kept in the metadata store, covers everything
// before it, so a forged or altered iterator is rejected and iterators stay
// valid across restarts. The creation time binds an iterator to one
// incarnation of a stream name. At most 1+4+8+8+8+128+16 = 173 bytes,
// 232 base64 characters (the API allows 512).
type iterator struct {
	shard        int
	pos          uint64
	issued       time.Time
	streamName   string
	streamCreate int64
}

const (
	iterVersion = 1
	iterMACLen  = 16
	iterFixed   = 1 + 4 + 8 + 8 + 8
)

var errBadIterator = errors.New("invalid shard iterator")

func (it iterator) encode(secret []byte) string {
	b := make([]byte, iterFixed, iterFixed+len(it.streamName)+iterMACLen)
	b[0] = iterVersion
	binary.BigEndian.PutUint32(b[1:], uint32(it.shard))
	binary.BigEndian.PutUint64(b[5:], it.pos)
	binary.BigEndian.PutUint64(b[13:], uint64(it.issued.UnixMilli()))
	binary.BigEndian.PutUint64(b[21:], uint64(it.streamCreate))
	b = append(b, it.streamName...)
	mac := hmac.New(sha256.New, secret)
	mac.Write(b)
	b = mac.Sum(b)[:len(b)+iterMACLen]
	return base64.StdEncoding.EncodeToString(b)
}

func decodeIterator(s string, secret []byte) (iterator, error) {
	if len(s) > 512 {
		return iterator{}, errBadIterator
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) < iterFixed+1+iterMACLen || b[0] != iterVersion {
		return iterator{}, errBadIterator
	}
	body, sum := b[:len(b)-iterMACLen], b[len(b)-iterMACLen:]
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil)[:iterMACLen], sum) {
		return iterator{}, errBadIterator
	}
	return iterator{
		shard:        int(binary.BigEndian.Uint32(body[1:])),
		pos:          binary.BigEndian.Uint64(body[5:]),
		issued:       time.UnixMilli(int64(binary.BigEndian.Uint64(body[13:]))),
		streamCreate: int64(binary.BigEndian.Uint64(body[21:])),
		streamName:   string(body[iterFixed:]),
	}, nil
}
