package producer

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/eddy-streams/eddy/client/kpl"
)

// stoppedClock is a Clock that moves only when set and whose timers never
// fire: the test wakes the dispatcher itself.
type stoppedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *stoppedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stoppedClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

func (c *stoppedClock) AfterFunc(time.Duration, func()) Timer { return stoppedTimer{} }

type stoppedTimer struct{}

func (stoppedTimer) Stop() bool { return true }

// recordingClient is acceptAll keeping the data of the user records it
// was sent, in the order they were sent.
type recordingClient struct {
	acceptAll
	mu  sync.Mutex
	got []string
}

func (c *recordingClient) PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error) {
	c.mu.Lock()
	for _, e := range in.Records {
		recs, err := kpl.Deaggregate(e.Data)
		if errors.Is(err, kpl.ErrNotAggregated) {
			recs, err = []kpl.UserRecord{{Data: e.Data}}, nil
		}
		if err != nil {
			panic(err)
		}
		for _, r := range recs {
			c.got = append(c.got, string(r.Data))
		}
	}
	c.mu.Unlock()
	return c.acceptAll.PutRecords(ctx, in, opts...)
}

// TestExpiryKeepsOrder expires the first user record of an aggregate while
// the others of that aggregate are still within RecordTtl and records of
// the same key put later wait behind it: the expired record fails, and the
// others are sent before the later ones, not routed again behind them.
func TestExpiryKeepsOrder(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	clk := &stoppedClock{now: t0}
	c := &recordingClient{}
	ctx := context.Background()
	p, err := New(ctx, c, "s", WithClock(clk), RateLimit(0), RecordTtl(time.Second),
		RecordMaxBufferedTime(time.Hour), AggregationMaxCount(3))
	if err != nil {
		t.Fatal(err)
	}
	put := func(at time.Duration, data string) *Future {
		t.Helper()
		clk.set(t0.Add(at))
		f, err := p.Put(ctx, Record{PartitionKey: "k", Data: []byte(data)})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	// r0, r1, r2 fill an aggregate, sealed by r3's Put; r3 and r4 fill
	// the next. Nothing is due before an hour: nothing is sent.
	f0 := put(0, "r0")
	put(50*time.Millisecond, "r1")
	put(50*time.Millisecond, "r2")
	put(60*time.Millisecond, "r3")
	put(70*time.Millisecond, "r4")
	// r0 has outlived RecordTtl, r1 to r4 have not.
	clk.set(t0.Add(time.Second + 10*time.Millisecond))
	p.kick()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := f0.Wait(wctx); !errors.Is(err, ErrExpired) {
		t.Fatalf("r0: %v, want ErrExpired", err)
	}
	if err := p.Close(wctx); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	want := []string{"r1", "r2", "r3", "r4"}
	if len(c.got) != len(want) {
		t.Fatalf("sent %q, want %q", c.got, want)
	}
	for i := range want {
		if c.got[i] != want[i] {
			t.Fatalf("sent %q, want %q", c.got, want)
		}
	}
}
