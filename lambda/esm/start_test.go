package esm

import (
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	lp "github.com/eddy-streams/eddy/protocol/lambda"
)

// A mapping at LATEST that has handled nothing yet must not skip, after a
// restart, the records put once its pollers started.
func TestLatestSurvivesRestart(t *testing.T) {
	for _, fanout := range []bool{false, true} {
		t.Run("fanout="+strconv.FormatBool(fanout), func(t *testing.T) {
			var failing atomic.Bool
			failing.Store(true)
			fn := &fakeFunction{respond: func(call int, ev event) ([]byte, string) {
				if failing.Load() {
					return []byte(`{"errorMessage":"not yet"}`), "Unhandled"
				}
				return []byte("null"), ""
			}}
			e := setup(t, fn)
			source := streamARN
			if fanout {
				source = e.fanStream(t, "src", 1)
			}
			e.mapping(t, func(in *lp.CreateEventSourceMappingInput) {
				in.EventSourceArn = source
				in.StartingPosition = lp.StartingPositionLatest
			})
			e.start()
			// Records are put until the (failing) function has seen one:
			// the poller started at LATEST before that one.
			n := 0
			waitFor(t, func() bool {
				e.put(t, "src", "r"+strconv.Itoa(n))
				n++
				return len(fn.snapshot()) > 0
			})
			first, _ := strconv.Atoi(string(fn.snapshot()[0].Records[0].Kinesis.Data)[1:])
			e.stop()
			failing.Store(false)
			before := len(fn.snapshot())
			e.start()
			// After the restart every record from the first one seen on
			// is delivered, in order (a few put just before the first
			// LATEST read may come too: it resumes AT_TIMESTAMP).
			var got []string
			waitFor(t, func() bool {
				got = nil
				for _, b := range datas(fn.snapshot()[before:]) {
					got = append(got, b...)
				}
				return len(got) >= n-first
			})
			from, err := strconv.Atoi(got[0][1:])
			if err != nil || from > first || !slices.Equal(got, numbered(from, n-from)) {
				t.Fatalf("after restart delivered %v, want r%d..r%d", got, first, n-1)
			}
		})
	}
}
