package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/eddy-streams/eddy/storage"
)

func testConcurrentCreate(t *testing.T, s storage.Logs) {
	const goroutines = 8
	var wg sync.WaitGroup
	errs := make([]error, goroutines)
	logs := make([]storage.ShardLog, goroutines)
	for g := range goroutines {
		wg.Go(func() { logs[g], errs[g] = s.Create("s/race", uint64(g)) })
	}
	wg.Wait()
	winner := -1
	for g, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("Create of one id succeeded in goroutines %d and %d", winner, g)
		case err == nil:
			winner = g
		case !errors.Is(err, storage.ErrExists):
			t.Fatalf("concurrent Create: err = %v, want nil or %v", err, storage.ErrExists)
		}
	}
	if winner < 0 {
		t.Fatal("no concurrent Create succeeded")
	}
	o, err := s.Open("s/race")
	noErr(t, "Open", err)
	if o != logs[winner] {
		t.Fatal("Open returned a different ShardLog than the Create that succeeded")
	}
	checkBounds(t, o, storage.Bounds{Oldest: uint64(winner), Next: uint64(winner)})
}

// ack is one acknowledged Append: the position it returned and what it sent.
type ack struct {
	first uint64
	recs  []storage.Record
}

func testConcurrent(t *testing.T, s storage.Logs) {
	const (
		sharedWriters  = 4
		privateWriters = 2
		readers        = 3
		batches        = 40
		base           = 1 << 33
	)
	shared := create(t, s, "s/shared", base)
	private := make([]storage.ShardLog, privateWriters)
	for i := range private {
		private[i] = create(t, s, fmt.Sprintf("s/private-%d", i), uint64(i))
	}

	// Writers append batches of 1..5 records whose data names the writer and
	// the record, with arrivals chosen to collide and go backwards, and keep
	// what each Append acknowledged.
	writer := func(l storage.ShardLog, w int) ([]ack, error) {
		var acks []ack
		for b := range batches {
			n := b%5 + 1
			recs := make([]storage.Record, n)
			for i := range recs {
				recs[i] = rec(fmt.Sprintf("w%d", w), fmt.Sprintf("w%d-b%d-r%d-%s", w, b, i, bigData(b*7%100, byte(w))), int64((b*31+i*17)%50))
			}
			first, err := l.Append(recs)
			if err != nil {
				return acks, fmt.Errorf("writer %d: Append: %w", w, err)
			}
			acks = append(acks, ack{first, recs})
		}
		return acks, nil
	}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allErrs []error
		acks    = make([][]ack, sharedWriters+privateWriters)
		seen    = make([]map[uint64]string, readers)
		done    = make(chan struct{})
	)
	fail := func(err error) {
		mu.Lock()
		allErrs = append(allErrs, err)
		mu.Unlock()
	}
	for w := range sharedWriters + privateWriters {
		l := shared
		if w >= sharedWriters {
			l = private[w-sharedWriters]
		}
		wg.Go(func() {
			a, err := writer(l, w)
			acks[w] = a
			if err != nil {
				fail(err)
			}
		})
	}
	// Readers tail the shared log while the writers run: every Read returns
	// dense positions starting where asked, and Bounds never go backwards.
	var readersWG sync.WaitGroup
	for r := range readers {
		seen[r] = make(map[uint64]string)
		readersWG.Go(func() {
			from := uint64(base)
			var last storage.Bounds
			for finished := false; ; {
				select {
				case <-done:
					finished = true
				default:
				}
				b, err := shared.Bounds()
				if err != nil {
					fail(fmt.Errorf("reader %d: Bounds: %w", r, err))
					return
				}
				if b.Next < last.Next || b.Oldest != base {
					fail(fmt.Errorf("reader %d: Bounds went from %+v to %+v", r, last, b))
					return
				}
				last = b
				recs, err := shared.Read(from, r*3+1, 200)
				if err != nil {
					fail(fmt.Errorf("reader %d: Read(%d): %w", r, from, err))
					return
				}
				for i, rc := range recs {
					if rc.Seq != from+uint64(i) {
						fail(fmt.Errorf("reader %d: Read(%d) record %d has seq %d", r, from, i, rc.Seq))
						return
					}
					seen[r][rc.Seq] = string(rc.Data)
				}
				from += uint64(len(recs))
				if finished && len(recs) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readersWG.Wait()
	for _, err := range allErrs {
		t.Error(err)
	}
	if t.Failed() {
		t.FailNow()
	}

	// The shared log holds every acknowledged record exactly once, at the
	// position its Append returned, with dense positions and arrivals that
	// never decrease.
	total := 0
	for w := range sharedWriters {
		for _, a := range acks[w] {
			total += len(a.recs)
		}
	}
	checkBounds(t, shared, storage.Bounds{Oldest: base, Next: base + uint64(total)})
	got := readAll(t, shared, 0)
	if len(got) != total {
		t.Fatalf("shared log has %d records, want %d", len(got), total)
	}
	owner := make([]bool, total)
	for w := range sharedWriters {
		prev := uint64(0)
		for bi, a := range acks[w] {
			if bi > 0 && a.first <= prev {
				t.Fatalf("writer %d: batch %d got position %d, not after its previous batch's %d", w, bi, a.first, prev)
			}
			prev = a.first
			for i, r := range a.recs {
				pos := a.first + uint64(i)
				if pos < base || pos >= base+uint64(total) {
					t.Fatalf("writer %d: record at position %d outside [%d, %d)", w, pos, uint64(base), base+uint64(total))
				}
				if owner[pos-base] {
					t.Fatalf("position %d acknowledged twice", pos)
				}
				owner[pos-base] = true
				g := got[pos-base]
				if g.PartitionKey != r.PartitionKey || string(g.Data) != string(r.Data) {
					t.Fatalf("position %d holds %q/%q, want %q/%q", pos, g.PartitionKey, trunc(string(g.Data)), r.PartitionKey, trunc(string(r.Data)))
				}
			}
		}
	}
	for i := 1; i < len(got); i++ {
		if got[i].Arrival.Before(got[i-1].Arrival) {
			t.Fatalf("arrival of seq %d is before that of seq %d", got[i].Seq, got[i-1].Seq)
		}
	}
	// What the readers saw while the writers ran is what is stored.
	for r := range readers {
		if len(seen[r]) != total {
			t.Fatalf("reader %d saw %d records, want %d", r, len(seen[r]), total)
		}
		for pos, data := range seen[r] {
			if want := string(got[pos-base].Data); data != want {
				t.Fatalf("reader %d saw %q at %d, stored is %q", r, trunc(data), pos, trunc(want))
			}
		}
	}
	// The private logs hold their writer's records in order.
	for i, l := range private {
		w := sharedWriters + i
		var wants []storage.Record
		next := uint64(i)
		arrival := at(0)
		for _, a := range acks[w] {
			if a.first != next {
				t.Fatalf("private log %d: Append returned %d, want %d", i, a.first, next)
			}
			for j, r := range a.recs {
				if r.Arrival.Before(arrival) {
					r.Arrival = arrival
				}
				arrival = r.Arrival
				wants = append(wants, want(a.first+uint64(j), r))
			}
			next += uint64(len(a.recs))
		}
		checkRecords(t, fmt.Sprintf("private log %d", i), readAll(t, l, 0), wants)
	}
}

func testManyLogs(t *testing.T, s storage.Logs) {
	const n = 200
	var ids []string
	for i := range n {
		id := fmt.Sprintf("stream-%03d/shardId-%012d", i%13, i)
		ids = append(ids, id)
		l := create(t, s, id, uint64(i)*1000)
		mustAppend(t, l, rec("k", id+"-0", int64(i)), rec("k", id+"-1", int64(i)))
		mustAppend(t, l, rec("k", id+"-2", int64(i)))
		if i%3 == 0 {
			noErr(t, "Seal", l.Seal())
		}
	}
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	got, err := s.List()
	noErr(t, "List", err)
	if !slices.Equal(got, sorted) {
		t.Fatalf("List returned %d ids, want %d sorted ids", len(got), len(sorted))
	}
	check := func(i int) {
		t.Helper()
		id := ids[i]
		l, err := s.Open(id)
		noErr(t, "Open", err)
		base := uint64(i) * 1000
		checkBounds(t, l, storage.Bounds{Oldest: base, Next: base + 3, Sealed: i%3 == 0})
		checkRecords(t, "Read "+id, readAll(t, l, 0), []storage.Record{
			want(base, rec("k", id+"-0", int64(i))),
			want(base+1, rec("k", id+"-1", int64(i))),
			want(base+2, rec("k", id+"-2", int64(i))),
		})
	}
	for i := range n {
		check(i)
	}
	// Delete every other log; the rest are untouched.
	var kept []string
	for i, id := range ids {
		if i%2 == 1 {
			l, err := s.Open(id)
			noErr(t, "Open", err)
			noErr(t, "Delete", l.Delete())
			continue
		}
		kept = append(kept, id)
	}
	slices.Sort(kept)
	got, err = s.List()
	noErr(t, "List", err)
	if !slices.Equal(got, kept) {
		t.Fatalf("List after deleting half returned %d ids, want %d", len(got), len(kept))
	}
	for i := 0; i < n; i += 2 {
		check(i)
	}
}
