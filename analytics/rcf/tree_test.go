package rcf

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkForest checks every tree's invariants and that its points are its
// sample: the root's mass (leaves counted with multiplicity) equals the
// number of points in the sample, and no point in the sample is older than
// the time-decay window.
func checkForest(t *testing.T, f *Forest) {
	t.Helper()
	for i, tr := range f.trees {
		if _, err := tr.check(); err != nil {
			t.Fatalf("tree %d after %d points: %v", i, f.n, err)
		}
		s := f.samples[i]
		if tr.size() != s.len() {
			t.Fatalf("tree %d holds %d points, its sample %d", i, tr.size(), s.len())
		}
		if s.len() > f.cfg.SampleSize {
			t.Fatalf("tree %d sample has %d points, more than %d", i, s.len(), f.cfg.SampleSize)
		}
		for _, slot := range s.heap {
			e := s.slots[slot]
			if age := f.n - 1 - e.seq; age >= f.cfg.TimeDecay {
				t.Fatalf("tree %d keeps a point of age %d, window %d", i, age, f.cfg.TimeDecay)
			}
			if tr.nodes[e.leaf].left >= 0 || tr.nodes[e.leaf].mass < 1 {
				t.Fatalf("tree %d sample entry points at node %d, not a leaf", i, e.leaf)
			}
		}
	}
}

// TestInvariantsUnderChurn feeds forests streams that make many inserts and
// deletes (a short time-decay window, so points also expire; small integer
// values, so points repeat and leaves carry mass) and checks the trees
// after every record.
func TestInvariantsUnderChurn(t *testing.T) {
	for _, c := range []Config{
		{Trees: 8, SampleSize: 16, TimeDecay: 40, ShingleSize: 1, Dimensions: 2, Seed: 1},
		{Trees: 8, SampleSize: 30, TimeDecay: 31, ShingleSize: 3, Dimensions: 1, Seed: 2},
		{Trees: 4, SampleSize: 50, TimeDecay: 1 << 20, ShingleSize: 1, Dimensions: 3, Seed: 3},
	} {
		f, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(uint64(c.Seed), 0))
		for i := 0; i < 3000; i++ {
			p := make([]float64, c.Dimensions)
			for j := range p {
				if i%3 == 0 {
					p[j] = float64(r.IntN(4)) // repeats
				} else {
					p[j] = r.NormFloat64() * 10
				}
			}
			if _, err := f.Update(p); err != nil {
				t.Fatal(err)
			}
			checkForest(t, f)
		}
		for i, s := range f.samples {
			if s.len() == 0 {
				t.Fatalf("config %+v: tree %d ended empty", c, i)
			}
		}
	}
}

// TestInsertRemoveRestores: inserting a point and removing it again gives
// back exactly the tree there was (the structure, cuts, masses and boxes),
// and removing every point in any order empties the tree.
func TestInsertRemoveRestores(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	tr := newTree(2, 200, rand.New(rand.NewPCG(6, 6)))
	var leaves []int32
	for i := 0; i < 200; i++ {
		leaves = append(leaves, tr.insert([]float64{float64(r.IntN(30)), r.NormFloat64()}))
	}
	if _, err := tr.check(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 500; i++ {
		nodes, box, root := slices.Clone(tr.nodes), slices.Clone(tr.box), tr.root
		leaf := tr.insert([]float64{float64(r.IntN(40)) - 5, r.NormFloat64() * 2})
		if tr.size() != 201 {
			t.Fatalf("size %d after insert", tr.size())
		}
		tr.remove(leaf)
		if tr.root != root {
			t.Fatalf("root %d, was %d", tr.root, root)
		}
		// Freed nodes may differ; compare what is reachable.
		var same func(n int32) bool
		same = func(n int32) bool {
			a, b := tr.nodes[n], nodes[n]
			if a != b || !slices.Equal(tr.minOf(n), box[2*2*int(n):2*2*int(n)+2]) ||
				!slices.Equal(tr.maxOf(n), box[2*2*int(n)+2:2*2*int(n)+4]) {
				return false
			}
			return a.left < 0 || same(a.left) && same(a.right)
		}
		if !same(tr.root) {
			t.Fatalf("insert then remove changed the tree (round %d)", i)
		}
	}
	r.Shuffle(len(leaves), func(i, j int) { leaves[i], leaves[j] = leaves[j], leaves[i] })
	for i, l := range leaves {
		tr.remove(l)
		if n, err := tr.check(); err != nil || tr.size() != len(leaves)-i-1 {
			t.Fatalf("after %d removals: %d leaves, size %d, %v", i+1, n, tr.size(), err)
		}
	}
	if tr.root != -1 {
		t.Fatalf("root %d after removing everything", tr.root)
	}
}

// TestTimeDecayKeepsRecentPoints: with timeDecay 2,000 the samples hold
// mostly recent points (the weights decay as exp(-age/2000) within the
// 2,000-point window, so about 62% of a sample should be younger than
// 1,000), while with the largest timeDecay a sample is close to uniform over
// the stream (about half from each half of it). The bounds are several
// standard deviations wide; the seed is fixed.
func TestTimeDecayKeepsRecentPoints(t *testing.T) {
	share := func(timeDecay int64, young int64) float64 {
		c := Config{Trees: 30, SampleSize: 100, TimeDecay: timeDecay, ShingleSize: 1, Dimensions: 1, Seed: 8}
		f, _ := New(c)
		for i := 0; i < 20000; i++ {
			f.Update([]float64{float64(i % 997)})
		}
		in, all := 0, 0
		for _, s := range f.samples {
			for _, slot := range s.heap {
				all++
				if f.n-1-s.slots[slot].seq < young {
					in++
				}
			}
		}
		return float64(in) / float64(all)
	}
	decayed := share(2000, 1000)
	uniform := share(math.MaxInt32, 10000)
	t.Logf("timeDecay 2000: %.3f of the samples younger than 1000; no decay: %.3f younger than 10000", decayed, uniform)
	if decayed < 0.56 {
		t.Errorf("with decay, %.3f of the samples are in the newer half of the window; want about 0.62", decayed)
	}
	if uniform < 0.44 || uniform > 0.56 {
		t.Errorf("without decay, %.3f of the samples are in the newer half of the stream; want about 0.5", uniform)
	}
}
