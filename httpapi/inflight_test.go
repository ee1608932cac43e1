package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestInflightFIFO(t *testing.T) {
	b := newInflight(10)
	ctx := context.Background()
	if n, err := b.acquire(ctx, 6); n != 6 || err != nil {
		t.Fatalf("acquire(6) = %d, %v", n, err)
	}
	// 8 does not fit; 1 would, but must not overtake it.
	got := make(chan int64, 2)
	go func() { n, _ := b.acquire(ctx, 8); got <- n }()
	waitFor(t, "the 8 to wait", func() bool { _, _, w := b.stats(); return w == 1 })
	go func() { n, _ := b.acquire(ctx, 1); got <- n }()
	waitFor(t, "the 1 to wait", func() bool { _, _, w := b.stats(); return w == 2 })
	if used, _, _ := b.stats(); used != 6 {
		t.Fatalf("the 1 overtook the 8: %d bytes reserved", used)
	}
	b.release(6)
	if n := recvWithin(t, got, "the first grant") + recvWithin(t, got, "the second grant"); n != 9 {
		t.Fatalf("granted %d bytes, want 8 and 1", n)
	}
	if used, peak, _ := b.stats(); used != 9 || peak != 9 {
		t.Fatalf("used %d peak %d, want 9 and 9", used, peak)
	}
	// Two 6s behind a full budget: the first to come is the first served.
	b.release(9)
	b.acquire(ctx, 10)
	first, second := make(chan int64), make(chan int64)
	go func() { n, _ := b.acquire(ctx, 6); first <- n }()
	waitFor(t, "the first 6 to wait", func() bool { _, _, w := b.stats(); return w == 1 })
	go func() { n, _ := b.acquire(ctx, 6); second <- n }()
	waitFor(t, "the second 6 to wait", func() bool { _, _, w := b.stats(); return w == 2 })
	b.release(10)
	recvWithin(t, first, "the first 6")
	if used, _, waiting := b.stats(); used != 6 || waiting != 1 {
		t.Fatalf("used %d waiting %d after the first 6, want 6 and 1", used, waiting)
	}
	b.release(6)
	recvWithin(t, second, "the second 6")
	b.release(6)
	// Larger than the budget: capped, and granted once everything is free.
	if n, err := b.acquire(ctx, 1<<40); n != 10 || err != nil {
		t.Fatalf("acquire(2^40) = %d, %v, want 10", n, err)
	}
	b.release(10)
	if used, peak, waiting := b.stats(); used != 0 || peak != 10 || waiting != 0 {
		t.Fatalf("used %d peak %d waiting %d", used, peak, waiting)
	}
}

func TestInflightCancelledWaiter(t *testing.T) {
	b := newInflight(10)
	bg := context.Background()
	b.acquire(bg, 7)
	ctx, cancel := context.WithCancel(bg)
	errc := make(chan error)
	go func() {
		n, err := b.acquire(ctx, 5) // at the head of the queue
		if n != 0 {
			err = fmt.Errorf("cancelled acquire returned %d bytes", n)
		}
		errc <- err
	}()
	waitFor(t, "the 5 to wait", func() bool { _, _, w := b.stats(); return w == 1 })
	granted := make(chan int64)
	go func() { n, _ := b.acquire(bg, 3); granted <- n }() // fits, but queued behind the 5
	waitFor(t, "the 3 to wait", func() bool { _, _, w := b.stats(); return w == 2 })
	cancel()
	if err := recvWithin(t, errc, "the cancelled acquire"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled acquire: %v", err)
	}
	// The 5 leaving the head lets the 3 in.
	if n := recvWithin(t, granted, "the 3"); n != 3 {
		t.Fatalf("granted %d, want 3", n)
	}
	if used, _, waiting := b.stats(); used != 10 || waiting != 0 {
		t.Fatalf("used %d waiting %d, want 10 and 0", used, waiting)
	}
	b.release(7)
	b.release(3)
	if used, _, _ := b.stats(); used != 0 {
		t.Fatalf("used %d after releasing everything", used)
	}
	// An already-ended context that need not wait still gets its bytes: it
	// is the body read that notices the client has gone.
	if n, err := b.acquire(ctx, 4); n != 4 || err != nil {
		t.Fatalf("acquire with a free budget = %d, %v", n, err)
	}
	b.release(4)
}

func TestInflightUnbounded(t *testing.T) {
	var b *inflight = newInflight(NoInflightLimit)
	if b != nil {
		t.Fatal("NoInflightLimit made a bound")
	}
	if n, err := b.acquire(context.Background(), 1<<40); n != 0 || err != nil {
		t.Fatalf("nil acquire = %d, %v", n, err)
	}
	b.release(0)
}

// TestInflightRace has many goroutines take and give back random amounts,
// some with contexts that end, and checks the bound and the books.
func TestInflightRace(t *testing.T) {
	const limit = 100
	b := newInflight(limit)
	var held atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 200 {
				ctx, cancel := context.WithCancel(context.Background())
				if (g+i)%5 == 0 {
					go cancel()
				}
				n, err := b.acquire(ctx, int64(1+(g*31+i*17)%150))
				if err == nil {
					if h := held.Add(n); h > limit {
						t.Errorf("%d bytes held, limit %d", h, limit)
					}
					held.Add(-n)
					b.release(n)
				}
				cancel()
			}
		})
	}
	wg.Wait()
	if used, peak, waiting := b.stats(); used != 0 || peak > limit || waiting != 0 {
		t.Fatalf("used %d peak %d waiting %d", used, peak, waiting)
	}
}

// blockingServer is a Server whose operation Block waits until release
// gets a value (or the request's context ends), counting the calls inside.
type blockingServer struct {
	*Server
	release chan struct{}
	inside  atomic.Int64
	most    atomic.Int64 // the most calls inside at once
	done    atomic.Int64
}

type blockInput struct {
	Data []byte `json:"Data"`
}

func newBlockingServer(t *testing.T, cfg Config) *blockingServer {
	t.Helper()
	bs := &blockingServer{release: make(chan struct{})}
	srv, err := New(cfg, Service{
		TargetPrefix: kinesisAPI,
		SigningName:  "kinesis",
		Operations: []Operation{{
			Name:     "Block",
			NewInput: func() any { return new(blockInput) },
			Call: func(ctx context.Context, in any) (any, error) {
				n := bs.inside.Add(1)
				for m := bs.most.Load(); n > m && !bs.most.CompareAndSwap(m, n); m = bs.most.Load() {
				}
				defer bs.inside.Add(-1)
				defer bs.done.Add(1)
				select {
				case <-bs.release:
				case <-ctx.Done():
				}
				return &struct{ Size int }{len(in.(*blockInput).Data)}, nil
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	bs.Server = srv
	return bs
}

// blockBody returns a JSON Block request body of exactly size bytes.
func blockBody(t *testing.T, size int) []byte {
	t.Helper()
	const prefix, suffix = `{"Data":"`, `"}`
	n := (size - len(prefix) - len(suffix)) / 4 * 4
	b := []byte(prefix + strings.Repeat("QUJD", n/4) + suffix)
	if pad := size - len(b); pad > 0 {
		b = append(bytes.Repeat([]byte(" "), pad), b...) // leading whitespace is valid JSON
	}
	if len(b) != size {
		t.Fatalf("body is %d bytes, want %d", len(b), size)
	}
	return b
}

// blockRequest is a Block call with a well-formed Authorization, which the
// credential-less server accepts.
func blockRequest(ctx context.Context, url string, body io.Reader) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/", body)
	req.Header.Set("Content-Type", contentTypeJSON)
	req.Header.Set("X-Amz-Target", kinesisAPI+".Block")
	req.Header.Set("X-Amz-Date", "20240101T000000Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	return req
}

// TestInflightBound sends 20 concurrent 1 MiB requests to a server with a
// 4 MiB budget whose operation blocks: 4 get in, 16 wait, the bound holds
// throughout, and as requests finish the waiting ones proceed until all 20
// have been answered.
func TestInflightBound(t *testing.T) {
	const (
		size   = 1 << 20
		budget = 4 << 20
		n      = 20
	)
	bs := newBlockingServer(t, Config{MaxInflightBytes: budget})
	hs := httptest.NewServer(bs.Handler())
	defer hs.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: n}}
	defer client.CloseIdleConnections()

	body := blockBody(t, size)
	var in blockInput
	if err := json.Unmarshal(body, &in); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for range n {
		wg.Go(func() {
			resp, err := client.Do(blockRequest(context.Background(), hs.URL, bytes.NewReader(body)))
			if err != nil {
				errc <- err
				return
			}
			defer resp.Body.Close()
			var out struct{ Size int }
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out.Size != len(in.Data) {
				errc <- fmt.Errorf("status %d, %+v, %v", resp.StatusCode, out, err)
			}
		})
	}
	waitFor(t, "4 calls in and 16 waiting", func() bool {
		_, _, waiting := bs.inflight.stats()
		return bs.inside.Load() == 4 && waiting == n-4
	})
	if used, _, _ := bs.inflight.stats(); used != budget {
		t.Errorf("%d bytes reserved with 4 calls in, want %d", used, budget)
	}
	// Let them through one at a time; each departure admits one waiter.
	for i := range n {
		bs.release <- struct{}{}
		waitFor(t, "a call to finish", func() bool { return bs.done.Load() == int64(i+1) })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	used, peak, waiting := bs.inflight.stats()
	if used != 0 || waiting != 0 {
		t.Errorf("after all requests: %d bytes reserved, %d waiting", used, waiting)
	}
	if peak > budget {
		t.Errorf("peak reservation %d, budget %d", peak, budget)
	}
	if m := bs.most.Load(); m != 4 {
		t.Errorf("%d calls inside at once, want 4", m)
	}
}

// TestInflightOversized: a request larger than the budget runs alone, and
// a small one waits for it.
func TestInflightOversized(t *testing.T) {
	bs := newBlockingServer(t, Config{MaxInflightBytes: 1 << 20, MaxBodyBytes: 4 << 20})
	h := bs.Handler()
	big := httptest.NewRecorder()
	bigDone := make(chan struct{})
	go func() {
		h.ServeHTTP(big, blockRequest(context.Background(), "http://x", bytes.NewReader(blockBody(t, 3<<20))))
		close(bigDone)
	}()
	waitFor(t, "the big call", func() bool { return bs.inside.Load() == 1 })
	if used, _, _ := bs.inflight.stats(); used != 1<<20 {
		t.Errorf("big request reserved %d, want the budget", used)
	}
	small := httptest.NewRecorder()
	smallDone := make(chan struct{})
	go func() {
		h.ServeHTTP(small, blockRequest(context.Background(), "http://x", bytes.NewReader(blockBody(t, 100))))
		close(smallDone)
	}()
	waitFor(t, "the small request to wait", func() bool { _, _, w := bs.inflight.stats(); return w == 1 })
	bs.release <- struct{}{}
	recvWithin(t, bigDone, "the big call")
	waitFor(t, "the small call", func() bool { return bs.inside.Load() == 1 })
	bs.release <- struct{}{}
	recvWithin(t, smallDone, "the small call")
	if big.Code != 200 || small.Code != 200 {
		t.Errorf("status %d and %d, want 200", big.Code, small.Code)
	}
	if used, _, _ := bs.inflight.stats(); used != 0 {
		t.Errorf("%d bytes reserved at the end", used)
	}
}

// TestInflightCancelledRequest: a request waiting for the budget whose
// client goes away answers without reading its body and takes nothing;
// the request behind it then gets in.
func TestInflightCancelledRequest(t *testing.T) {
	bs := newBlockingServer(t, Config{MaxInflightBytes: 1000})
	h := bs.Handler()
	var wg sync.WaitGroup
	serve := func(ctx context.Context, size int, body io.Reader) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := blockRequest(ctx, "http://x", body)
		req.ContentLength = int64(size)
		wg.Go(func() { h.ServeHTTP(rec, req) })
		return rec
	}
	first := serve(context.Background(), 600, bytes.NewReader(blockBody(t, 600)))
	waitFor(t, "the first call", func() bool { return bs.inside.Load() == 1 })

	ctx, cancel := context.WithCancel(context.Background())
	unread := &countingReader{r: bytes.NewReader(blockBody(t, 600))}
	gone := serve(ctx, 600, unread)
	waitFor(t, "the second request to wait", func() bool { _, _, w := bs.inflight.stats(); return w == 1 })
	third := serve(context.Background(), 300, bytes.NewReader(blockBody(t, 300)))
	waitFor(t, "the third request to wait", func() bool { _, _, w := bs.inflight.stats(); return w == 2 })

	cancel()
	// The 300 fits beside the 600 once the waiter ahead of it has left.
	waitFor(t, "the third call", func() bool { return bs.inside.Load() == 2 })
	if used, _, waiting := bs.inflight.stats(); used != 900 || waiting != 0 {
		t.Errorf("%d bytes reserved, %d waiting; want 900 and 0", used, waiting)
	}
	if unread.n.Load() != 0 {
		t.Errorf("the cancelled request read %d body bytes", unread.n.Load())
	}
	close(bs.release)
	wg.Wait()
	if first.Code != 200 || third.Code != 200 {
		t.Errorf("status %d and %d, want 200", first.Code, third.Code)
	}
	if gone.Code != 400 {
		t.Errorf("cancelled request: status %d, want 400", gone.Code)
	}
	if used, _, _ := bs.inflight.stats(); used != 0 {
		t.Errorf("%d bytes reserved at the end", used)
	}
	if n := bs.done.Load(); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
}

// TestInflightUnknownLength: a body without a length reserves
// MaxBodyBytes while it is read, then only its size.
func TestInflightUnknownLength(t *testing.T) {
	bs := newBlockingServer(t, Config{MaxInflightBytes: 1 << 20, MaxBodyBytes: 64 << 10})
	pr, pw := io.Pipe()
	req := blockRequest(context.Background(), "http://x", pr)
	req.ContentLength = -1
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		bs.Handler().ServeHTTP(rec, req)
		close(done)
	}()
	body := blockBody(t, 5000)
	pw.Write(body[:100])
	if used, _, _ := bs.inflight.stats(); used != 64<<10 {
		t.Errorf("%d bytes reserved while reading, want MaxBodyBytes", used)
	}
	pw.Write(body[100:])
	pw.Close()
	waitFor(t, "the call", func() bool { return bs.inside.Load() == 1 })
	if used, _, _ := bs.inflight.stats(); used != 5000 {
		t.Errorf("%d bytes reserved once read, want 5000", used)
	}
	close(bs.release)
	recvWithin(t, done, "the call")
	if used, _, _ := bs.inflight.stats(); used != 0 || rec.Code != 200 {
		t.Errorf("status %d, %d bytes reserved at the end", rec.Code, used)
	}
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func TestInflightConfig(t *testing.T) {
	if got := DefaultConfig().MaxInflightBytes; got != 64<<20 {
		t.Errorf("default MaxInflightBytes %d", got)
	}
	for _, tt := range []struct {
		limit int64
		want  int64 // the server's bound; -1 none; 0 invalid
	}{{0, 64 << 20}, {1, 1}, {10 << 30, 10 << 30}, {NoInflightLimit, -1}, {-2, 0}, {-1 << 40, 0}} {
		cfg := Config{MaxInflightBytes: tt.limit}
		err := cfg.Validate()
		if (err != nil) != (tt.want == 0) {
			t.Errorf("MaxInflightBytes %d: Validate() = %v", tt.limit, err)
		}
		if err != nil && !strings.Contains(err.Error(), "MaxInflightBytes") {
			t.Errorf("MaxInflightBytes %d: error %q does not name the field", tt.limit, err)
		}
		srv, err := New(cfg)
		switch {
		case tt.want == 0:
			if err == nil {
				t.Errorf("New accepted MaxInflightBytes %d", tt.limit)
			}
		case err != nil:
			t.Errorf("MaxInflightBytes %d: %v", tt.limit, err)
		case tt.want == -1 && srv.inflight != nil, tt.want > 0 && (srv.inflight == nil || srv.inflight.limit != tt.want):
			t.Errorf("MaxInflightBytes %d: bound %+v, want %d", tt.limit, srv.inflight, tt.want)
		}
	}
}
