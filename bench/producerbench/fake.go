package main

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"sort"
	"strconv"
	"sync"

	"github.com/eddy-streams/eddy/client/kpl"
)

// fakeKinesis is an HTTP client that answers the producers' calls itself,
// at once, with no server: -fake measures the producers' own CPU without a
// server competing for the cores. It knows a stream of n shards of equal
// hash key ranges; ListShards lists them, PutRecords reads the body (as a
// transport would send it) and writes every entry to the shard its hash
// key falls in. Other operations are refused.
type fakeKinesis struct {
	starts []kpl.HashKey // shard i's range starts at starts[i]
	body   []byte        // ListShards' answer
	bufs   sync.Pool
	seq    sync.Mutex
	next   int64
}

func newFakeKinesis(n int) *fakeKinesis {
	f := &fakeKinesis{bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	space := new(big.Int).Lsh(big.NewInt(1), 128)
	var b bytes.Buffer
	b.WriteString(`{"Shards":[`)
	for i := range n {
		start := new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i))), big.NewInt(int64(n)))
		end := new(big.Int).Sub(new(big.Int).Div(new(big.Int).Mul(space, big.NewInt(int64(i+1))), big.NewInt(int64(n))), big.NewInt(1))
		k, _ := kpl.ParseHashKey(start.String())
		f.starts = append(f.starts, k)
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"ShardId":"shardId-%012d","HashKeyRange":{"StartingHashKey":"%s","EndingHashKey":"%s"},"SequenceNumberRange":{"StartingSequenceNumber":"1"}}`,
			i, start, end)
	}
	b.WriteString(`]}`)
	f.body = b.Bytes()
	return f
}

func (f *fakeKinesis) Do(r *http.Request) (*http.Response, error) {
	buf := f.bufs.Get().(*bytes.Buffer)
	defer f.bufs.Put(buf)
	buf.Reset()
	_, err := buf.ReadFrom(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	switch r.Header.Get("X-Amz-Target") {
	case "Kinesis_20131202.ListShards":
		return f.answer(r, 200, f.body), nil
	case "Kinesis_20131202.PutRecords":
		return f.answer(r, 200, f.putRecords(buf.Bytes())), nil
	}
	return f.answer(r, 400, []byte(`{"__type":"UnknownOperationException"}`)), nil
}

// putRecords answers a PutRecords body: the entries are the objects that
// start with "Data", in order.
func (f *fakeKinesis) putRecords(body []byte) []byte {
	var out bytes.Buffer
	out.WriteString(`{"FailedRecordCount":0,"Records":[`)
	for n := 0; ; n++ {
		i := bytes.Index(body, []byte(`{"Data":`))
		if i < 0 {
			break
		}
		body = body[i+1:]
		entry := body[:bytes.IndexByte(body, '}')]
		k, err := kpl.HashKeyOf(field(entry, "PartitionKey"), field(entry, "ExplicitHashKey"))
		if err != nil {
			k = kpl.HashKey{}
		}
		shard := sort.Search(len(f.starts), func(i int) bool { return f.starts[i].Compare(k) > 0 }) - 1
		f.seq.Lock()
		f.next++
		seq := f.next
		f.seq.Unlock()
		if n > 0 {
			out.WriteByte(',')
		}
		out.WriteString(`{"SequenceNumber":"` + strconv.FormatInt(seq, 10) + `","ShardId":"shardId-` + fmt.Sprintf("%012d", shard) + `"}`)
	}
	out.WriteString(`]}`)
	return out.Bytes()
}

// field returns the string member name of a JSON object's text (no
// escapes: the benchmark's keys have none).
func field(entry []byte, name string) string {
	key := []byte(`"` + name + `":"`)
	i := bytes.Index(entry, key)
	if i < 0 {
		return ""
	}
	v := entry[i+len(key):]
	return string(v[:bytes.IndexByte(v, '"')])
}

func (f *fakeKinesis) answer(r *http.Request, status int, body []byte) *http.Response {
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status) + " " + http.StatusText(status),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: r,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"fake"}},
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body))}
}
