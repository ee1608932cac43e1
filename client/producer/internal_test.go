package producer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(0, 0)
	l := newShardLimiter(150, t0)
	// A full bucket admits a second's worth at once.
	if w := l.wait(1<<20, t0); w != 0 {
		t.Fatalf("full bucket: wait %v", w)
	}
	l.take(1 << 20)
	// Empty of bytes: 100 KiB more come in 100/1536 s at 150% of 1 MiB/s.
	w := l.wait(100<<10, t0)
	secs := float64(100<<10) / (1.5 * (1 << 20))
	want := time.Duration(secs * float64(time.Second))
	if d := w - want; d < -time.Microsecond || d > time.Microsecond {
		t.Fatalf("wait %v, want %v", w, want)
	}
	if w := l.wait(100<<10, t0.Add(want)); w != 0 {
		t.Fatalf("after the refill time: wait %v", w)
	}
	// Records: 1,000 in the bucket, refilled at 1,500/s.
	r := newShardLimiter(150, t0)
	for range 1000 {
		r.take(1)
	}
	if w := r.wait(1, t0); w < 600*time.Microsecond || w > 700*time.Microsecond {
		t.Fatalf("records: wait %v, want 1/1500 s", w)
	}
	// The refill stops at the capacity.
	r.wait(1, t0.Add(time.Hour))
	if r.records.tokens != 1000 || r.bytes.tokens != 1<<20 {
		t.Fatalf("after an hour: %v records, %v bytes", r.records.tokens, r.bytes.tokens)
	}
	// A record larger than the bucket goes when it is full.
	if w := r.wait(3<<20, t0.Add(time.Hour)); w != 0 {
		t.Fatalf("oversized record on a full bucket: wait %v", w)
	}
	// Throttled: the buckets empty.
	r.throttled(t0.Add(time.Hour))
	if w := r.wait(1, t0.Add(time.Hour)); w == 0 {
		t.Fatal("no wait after a throttle")
	}
	// Off.
	off := newShardLimiter(0, t0)
	off.take(1 << 30)
	if w := off.wait(1<<30, t0); w != 0 {
		t.Fatalf("limiter off: wait %v", w)
	}
}

func TestBudget(t *testing.T) {
	ctx := context.Background()
	done := make(chan struct{})
	b := newBudget(100, false)
	if b.cost(500) != 100 || b.cost(7) != 7 {
		t.Fatal("cost")
	}
	if err := b.acquire(ctx, 60, done, ErrClosed); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- b.acquire(ctx, 50, done, ErrClosed) }()
	// Wait until it sleeps on the budget, then check it has not returned.
	for deadline := time.Now().Add(10 * time.Second); b.waiting.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("acquire never waited")
		}
	}
	select {
	case err := <-got:
		t.Fatalf("acquire over the bound returned %v", err)
	default:
	}
	idle := make(chan error, 1)
	go func() { idle <- b.waitIdle(ctx) }()
	b.release(60)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if b.used.Load() != 50 {
		t.Fatalf("used %d", b.used.Load())
	}
	b.release(50)
	if err := <-idle; err != nil {
		t.Fatal(err)
	}
	// Context and shutdown end a wait.
	b.acquire(ctx, 100, done, ErrClosed)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := b.acquire(cctx, 1, done, ErrClosed); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire with an ending context = %v", err)
	}
	close(done)
	if err := b.acquire(ctx, 1, done, ErrClosed); err != ErrClosed {
		t.Fatalf("acquire after shutdown = %v", err)
	}
	// Fail fast.
	ff := newBudget(10, true)
	if err := ff.acquire(ctx, 10, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := ff.acquire(ctx, 1, nil, nil); err != ErrBufferFull {
		t.Fatalf("fail-fast acquire = %v", err)
	}
}

func TestBackoff(t *testing.T) {
	p := &Producer{cfg: defaultConfig()}
	p.cfg.retryMin, p.cfg.retryMax = 100*time.Millisecond, time.Second
	for n, want := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 50: time.Second} {
		for range 100 {
			if d := p.backoff(n); d < want/2 || d > want {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", n, d, want/2, want)
			}
		}
	}
}
