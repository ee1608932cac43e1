// Package bufpool keeps a few large byte buffers for reuse.
//
// sync.Pool suits buffers of typical sizes, but a server that pooled every
// large one (a 10 MB GetRecords answer, a 5 MB PutRecords body) would keep
// one per concurrent request of its busiest moment. A fresh large buffer
// is not free either: the kernel zeroes its pages and the Go runtime
// clears it again, which cost a GetRecords-heavy server half its CPU. A
// List keeps at most a fixed number of large buffers: the steady stream of
// large requests reuses them, and a burst beyond the bound allocates as
// before.
package bufpool

import "bytes"

// List holds at most its capacity of buffers. Its methods are safe for
// concurrent use and never block.
type List[T any] struct{ ch chan T }

// New returns a List that keeps at most n buffers.
func New[T any](n int) *List[T] { return &List[T]{ch: make(chan T, n)} }

// Get returns a kept buffer, or ok false when there is none.
func (l *List[T]) Get() (b T, ok bool) {
	select {
	case b = <-l.ch:
		return b, true
	default:
		return b, false
	}
}

// Put keeps b if there is room, and drops it otherwise.
func (l *List[T]) Put(b T) {
	select {
	case l.ch <- b:
	default:
	}
}

// Large is the size from which a buffer goes to a List rather than a
// sync.Pool, and Largest the size above which a buffer is not kept at all.
const (
	Large   = 2 << 20
	Largest = 16 << 20
)

// Kept is how many large buffers each List of the server keeps: a busy
// consumer reads several shards at once. With the server's two Lists (read
// buffers, encoded answers) that is at most 2 x 8 x 16 MiB = 256 MiB kept
// after a burst of full-size reads; in practice 8 x 16 + 8 x 12 MiB.
const Kept = 8

// Buffers is a List of *bytes.Buffer.
type Buffers = List[*bytes.Buffer]
