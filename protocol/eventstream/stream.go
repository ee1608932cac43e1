package eventstream

import (
	"errors"
	"fmt"
	"io"
)

// Decoder reads messages from a stream of bytes, such as a SubscribeToShard
// response body. It reads exactly the bytes of each message: nothing past the
// end of the message Next returns.
type Decoder struct {
	r   io.Reader
	err error // sticky: once set, Next returns it
}

// NewDecoder returns a Decoder reading from r. It does not buffer; wrap r in
// a bufio.Reader if r is slow to read small amounts from.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r} }

// Next reads and returns the next message. The message owns its Payload and
// BytesValue headers: each message is read into a fresh buffer.
//
// Next returns io.EOF if the stream ends cleanly before a message,
// io.ErrUnexpectedEOF if it ends inside one, a read error from the underlying
// reader, or an error from Decode (ErrPreludeCRC, ErrLength before reading
// the rest of the message, so a corrupt or absurd prelude never causes a large
// allocation; ErrMessageCRC, ErrHeader). Every error is sticky: the stream
// cannot be resynchronised after a corrupt message, and the specification
// requires it be terminated, so later calls return the same error.
func (d *Decoder) Next() (Message, error) {
	if d.err != nil {
		return Message{}, d.err
	}
	m, err := d.next()
	if err != nil {
		d.err = err
	}
	return m, err
}

func (d *Decoder) next() (Message, error) {
	var pre [preludeLen]byte
	if _, err := io.ReadFull(d.r, pre[:]); err != nil {
		return Message{}, err // io.EOF if no bytes, io.ErrUnexpectedEOF if some
	}
	p, err := decodePrelude(pre[:])
	if err != nil {
		return Message{}, err
	}
	buf := make([]byte, p.total)
	copy(buf, pre[:])
	if _, err := io.ReadFull(d.r, buf[preludeLen:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return Message{}, fmt.Errorf("eventstream: read message of %d bytes: %w", p.total, err)
	}
	m, _, err := Decode(buf)
	return m, err
}

// Encoder writes messages to a stream of bytes.
//
// The Encoder does not flush. A server streaming events over HTTP must flush
// after each Encode (http.ResponseController.Flush, or http.Flusher) or the
// client may not see an event until more arrive.
type Encoder struct {
	w   io.Writer
	buf []byte // reused between messages
}

// NewEncoder returns an Encoder writing to w.
func NewEncoder(w io.Writer) *Encoder { return &Encoder{w: w} }

// Encode writes m to the underlying writer with a single Write call. If m
// cannot be encoded (see Message.AppendTo), nothing is written and the error
// wraps ErrHeader or ErrLength. Otherwise it returns the Write error, if any.
func (e *Encoder) Encode(m Message) error {
	b, err := m.AppendTo(e.buf[:0])
	if err != nil {
		return err
	}
	if cap(b) <= 64<<10 { // keep a small buffer; let a huge one go
		e.buf = b
	}
	n, err := e.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}
