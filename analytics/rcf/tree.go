package rcf

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// tree is one robust random cut tree (Guha et al. 2016, Definition 1): a
// binary tree over a set of points in which every internal node holds a cut
// (a dimension and a value, chosen with probability proportional to the side
// lengths of the node's bounding box) and the bounding box of the points
// below it. Leaves hold one distinct point and its multiplicity (mass), so
// a stream with repeated values does not grow the tree.
//
// Nodes live in flat slices indexed by int32 (no pointers, so the garbage
// collector has nothing to trace); freed indices are reused. A leaf's box is
// its point (min = max), which is also how the leaf stores the point.
type tree struct {
	dims  int
	root  int32
	nodes []node
	box   []float64 // per node: dims minimums, then dims maximums
	free  []int32
	rng   *rand.Rand
}

// node is 32 bytes, so a step down the tree reads one cache line for the
// node and one for its box.
type node struct {
	parent int32
	left   int32 // -1 for a leaf
	right  int32
	cutDim int32
	mass   int32 // points (with multiplicity) at or below the node
	_      int32
	cutVal float64
}

func newTree(dims, capacity int, rng *rand.Rand) *tree {
	n := 2*capacity + 2 // leaves and internal nodes for capacity+1 points
	return &tree{
		dims:  dims,
		root:  -1,
		nodes: make([]node, 0, n),
		box:   make([]float64, 0, n*2*dims),
		rng:   rng,
	}
}

func (t *tree) alloc() int32 {
	if k := len(t.free); k > 0 {
		n := t.free[k-1]
		t.free = t.free[:k-1]
		return n
	}
	n := int32(len(t.nodes))
	t.nodes = append(t.nodes, node{parent: -1, left: -1, right: -1})
	for i := 0; i < 2*t.dims; i++ {
		t.box = append(t.box, 0)
	}
	return n
}

func (t *tree) release(n int32) {
	t.nodes[n] = node{parent: -1, left: -1, right: -1}
	t.free = append(t.free, n)
}

func (t *tree) minOf(n int32) []float64 {
	o := int(n) * 2 * t.dims
	return t.box[o : o+t.dims]
}

func (t *tree) maxOf(n int32) []float64 {
	o := int(n)*2*t.dims + t.dims
	return t.box[o : o+t.dims]
}

func (t *tree) isLeaf(n int32) bool { return t.nodes[n].left < 0 }

// size is the number of points in the tree, with multiplicity.
func (t *tree) size() int {
	if t.root < 0 {
		return 0
	}
	return int(t.nodes[t.root].mass)
}

func (t *tree) newLeaf(p []float64) int32 {
	n := t.alloc()
	copy(t.minOf(n), p)
	copy(t.maxOf(n), p)
	t.nodes[n].mass = 1
	return n
}

// replaceChild makes repl take old's place under old's parent (or as root).
func (t *tree) replaceChild(old, repl int32) {
	p := t.nodes[old].parent
	t.nodes[repl].parent = p
	switch {
	case p < 0:
		t.root = repl
	case t.nodes[p].left == old:
		t.nodes[p].left = repl
	default:
		t.nodes[p].right = repl
	}
}

// insert adds p to the tree and returns its leaf (Guha et al. 2016,
// Algorithm 3 "InsertPoint"): at each node, draw a cut over the bounding
// box of the node's points together with p, with the dimension chosen in
// proportion to the box's side lengths; if the cut separates p from all the
// node's points, p becomes a leaf beside that node under a new internal
// node holding the cut; otherwise the box grows to contain p and p follows
// the node's own cut. The resulting tree is distributed as a tree built on
// the enlarged point set from scratch (the paper's Theorem 7). A point equal
// to a leaf's point adds to that leaf's mass.
//
// A cut separates p exactly when it falls in the part of the enlarged box
// that lies outside the node's box, so insert draws r uniformly over the
// enlarged box's total side length and separates when r falls within the
// total length of that outside part (ext), placing the cut there; otherwise
// (r >= ext, or p inside the box, ext = 0) nothing else about the cut
// matters and no number is drawn at all when ext is 0.
func (t *tree) insert(p []float64) int32 {
	if t.root < 0 {
		n := t.newLeaf(p)
		t.root = n
		return n
	}
	d := t.dims
	node := t.root
	for {
		bmin, bmax := t.minOf(node), t.maxOf(node)
		span, ext := 0.0, 0.0
		for i := 0; i < d; i++ {
			lo, hi := bmin[i], bmax[i]
			span += hi - lo
			if v := p[i]; v < lo {
				ext += lo - v
			} else if v > hi {
				ext += v - hi
			}
		}
		span += ext
		if span == 0 { // p equals the node's only point: a leaf
			// (Its ancestors' masses grew on the way down.)
			t.nodes[node].mass++
			return node
		}
		if ext > 0 {
			if r := t.rng.Float64() * span; r < ext {
				if leaf, ok := t.split(node, p, r); ok {
					return leaf
				}
				if t.isLeaf(node) {
					continue // rounding; draw again
				}
			}
		}
		if t.isLeaf(node) {
			continue // ext == span > 0 at a leaf, so only rounding gets here
		}
		// The cut falls inside the node's box: grow the box, follow the
		// node's cut.
		t.nodes[node].mass++
		for i := 0; i < d; i++ {
			if v := p[i]; v < bmin[i] {
				bmin[i] = v
			} else if v > bmax[i] {
				bmax[i] = v
			}
		}
		if p[t.nodes[node].cutDim] <= t.nodes[node].cutVal {
			node = t.nodes[node].left
		} else {
			node = t.nodes[node].right
		}
	}
}

// split places a cut at offset r (0 <= r < ext) within the parts of the
// enlarged box outside node's box, and puts p in a new leaf beside node
// under a new internal node. It reports false if rounding put the cut on
// a coordinate that does not separate p, changing nothing.
func (t *tree) split(node int32, p []float64, r float64) (int32, bool) {
	d := t.dims
	bmin, bmax := t.minOf(node), t.maxOf(node)
	dim, x, pLeft := -1, 0.0, false
	for i := 0; i < d; i++ {
		v := p[i]
		var w float64
		if v < bmin[i] {
			w = bmin[i] - v
			if r < w {
				dim, x, pLeft = i, v+r, true // p at or below the cut, the box above
				break
			}
		} else if v > bmax[i] {
			w = v - bmax[i]
			if r < w {
				dim, x = i, bmax[i]+r // the box at or below the cut, p above
				break
			}
		}
		r -= w
	}
	if dim < 0 || (pLeft && !(p[dim] <= x && x < bmin[dim])) || (!pLeft && !(bmax[dim] <= x && x < p[dim])) {
		return 0, false
	}
	leaf := t.newLeaf(p)
	n := t.alloc()
	// alloc may have moved t.box: take the slices again.
	bmin, bmax = t.minOf(node), t.maxOf(node)
	nmin, nmax := t.minOf(n), t.maxOf(n)
	for i := 0; i < d; i++ {
		nmin[i], nmax[i] = bmin[i], bmax[i]
		if v := p[i]; v < nmin[i] {
			nmin[i] = v
		} else if v > nmax[i] {
			nmax[i] = v
		}
	}
	t.nodes[n].cutDim, t.nodes[n].cutVal = int32(dim), x
	t.nodes[n].mass = t.nodes[node].mass + 1
	t.replaceChild(node, n)
	if pLeft {
		t.nodes[n].left, t.nodes[n].right = leaf, node
	} else {
		t.nodes[n].left, t.nodes[n].right = node, leaf
	}
	t.nodes[node].parent, t.nodes[leaf].parent = n, n
	// The ancestors' masses and boxes grew on the way down.
	return leaf, true
}

// remove takes one point (one unit of mass) out of leaf (the paper's
// Algorithm 2 "ForgetPoint"): a leaf of mass one is removed together with
// its parent, its sibling taking the parent's place, and the ancestors'
// boxes shrink to their children's.
func (t *tree) remove(leaf int32) {
	if t.nodes[leaf].mass > 1 {
		for n := leaf; n >= 0; n = t.nodes[n].parent {
			t.nodes[n].mass--
		}
		return
	}
	p := t.nodes[leaf].parent
	if p < 0 {
		t.root = -1
		t.release(leaf)
		return
	}
	sib := t.nodes[p].left
	if sib == leaf {
		sib = t.nodes[p].right
	}
	t.replaceChild(p, sib)
	t.release(leaf)
	t.release(p)
	d := t.dims
	for a := t.nodes[sib].parent; a >= 0; a = t.nodes[a].parent {
		t.nodes[a].mass--
		amin, amax := t.minOf(a), t.maxOf(a)
		lmin, lmax := t.minOf(t.nodes[a].left), t.maxOf(t.nodes[a].left)
		rmin, rmax := t.minOf(t.nodes[a].right), t.maxOf(t.nodes[a].right)
		for i := 0; i < d; i++ {
			amin[i], amax[i] = lmin[i], lmax[i]
			if rmin[i] < amin[i] {
				amin[i] = rmin[i]
			}
			if rmax[i] > amax[i] {
				amax[i] = rmax[i]
			}
		}
	}
}

// coDisp is the collusive displacement of the points of leaf (Guha et al.
// 2016, Definition 6, for one tree): the largest, over the subtrees C on the
// path from the leaf to the root, of the number of points in C's sibling
// (the points displaced by removing C) divided by the number of points in C.
func (t *tree) coDisp(leaf int32) float64 {
	v, _ := t.coDispSibling(leaf)
	return v
}

// coDispSibling is coDisp with the sibling of the subtree that gives the
// largest ratio (-1 for a tree of one leaf).
func (t *tree) coDispSibling(leaf int32) (float64, int32) {
	best, bestSib := 0.0, int32(-1)
	for n := leaf; t.nodes[n].parent >= 0; n = t.nodes[n].parent {
		p := t.nodes[n].parent
		sib := t.nodes[p].left
		if sib == n {
			sib = t.nodes[p].right
		}
		if r := float64(t.nodes[sib].mass) / float64(t.nodes[n].mass); r > best {
			best, bestSib = r, sib
		}
	}
	return best, bestSib
}

// scoreWithout returns the collusive displacement p would have if it were
// inserted (one draw of insert's random choices), without changing the
// tree: it follows the path insert would take down to the node n where the
// cut would separate p (p's leaf would then sit beside n, displacing n's
// mass) or to the leaf equal to p, and takes, for each subtree C on the way
// back up, the mass of C's sibling over C's mass with p counted in it.
//
// With attr non-nil it also adds the score's attribution (attribute).
func (t *tree) scoreWithout(p []float64, attr *attribution) float64 {
	if t.root < 0 {
		return 0
	}
	d := t.dims
	node := t.root
	best, bestSib := 0.0, int32(-1)
	for {
		bmin, bmax := t.minOf(node), t.maxOf(node)
		span, ext := 0.0, 0.0
		for i := 0; i < d; i++ {
			lo, hi := bmin[i], bmax[i]
			span += hi - lo
			if v := p[i]; v < lo {
				ext += lo - v
			} else if v > hi {
				ext += v - hi
			}
		}
		span += ext
		if span == 0 { // p would join this leaf
			break
		}
		if ext > 0 {
			if r := t.rng.Float64() * span; r < ext {
				// p's own leaf: node's mass over 1
				best, bestSib = float64(t.nodes[node].mass), node
				break
			}
		}
		if t.isLeaf(node) {
			continue // only rounding gets here; draw again
		}
		if p[t.nodes[node].cutDim] <= t.nodes[node].cutVal {
			node = t.nodes[node].left
		} else {
			node = t.nodes[node].right
		}
	}
	for n := node; t.nodes[n].parent >= 0; n = t.nodes[n].parent {
		a := t.nodes[n].parent
		sib := t.nodes[a].left
		if sib == n {
			sib = t.nodes[a].right
		}
		if r := float64(t.nodes[sib].mass) / float64(t.nodes[n].mass+1); r > best {
			best, bestSib = r, sib
		}
	}
	if attr != nil {
		t.attribute(bestSib, p, best, attr)
	}
	return best
}

// coDispExplained is coDisp for the leaf insert just made for p, adding the
// score's attribution (attribute) to attr.
func (t *tree) coDispExplained(leaf int32, p []float64, attr *attribution) float64 {
	v, sib := t.coDispSibling(leaf)
	t.attribute(sib, p, v, attr)
	return v
}

// attribution accumulates, per coordinate, the part of the trees' scores
// owed to p being above (high) or below (low) the points it was separated
// from.
type attribution struct{ high, low []float64 }

// attribute splits a tree's score v for p over the coordinates. node is
// the sibling of the subtree C that gave the score (C holds p and its
// colluders, node the points they displace): v is split in proportion to
// the length by which p lies outside node's box along each coordinate (the
// chance that a cut drawn over the box enlarged by p falls there and
// separates them), counted as high where p is above the box and low where
// below. p is always outside node's box (a cut separates them), but should
// it not be, or with no node, v is split evenly, half high and half low.
func (t *tree) attribute(node int32, p []float64, v float64, attr *attribution) {
	if v == 0 {
		return
	}
	if node < 0 {
		h := v / float64(2*len(p))
		for i := range p {
			attr.high[i] += h
			attr.low[i] += h
		}
		return
	}
	bmin, bmax := t.minOf(node), t.maxOf(node)
	ext := 0.0
	for i, x := range p {
		if x < bmin[i] {
			ext += bmin[i] - x
		} else if x > bmax[i] {
			ext += x - bmax[i]
		}
	}
	if ext == 0 {
		h := v / float64(2*len(p))
		for i := range p {
			attr.high[i] += h
			attr.low[i] += h
		}
		return
	}
	for i, x := range p {
		if x < bmin[i] {
			attr.low[i] += v * (bmin[i] - x) / ext
		} else if x > bmax[i] {
			attr.high[i] += v * (x - bmax[i]) / ext
		}
	}
}

// check verifies the tree's invariants: parent links agree with child
// links; an internal node's mass is its children's sum and its box is
// exactly the union of its children's boxes; each child lies on its side of
// the parent's cut; no two leaves hold the same point. It returns the
// number of leaves (distinct points).
func (t *tree) check() (leaves int, err error) {
	if t.root < 0 {
		return 0, nil
	}
	if t.nodes[t.root].parent != -1 {
		return 0, fmt.Errorf("root %d has parent %d", t.root, t.nodes[t.root].parent)
	}
	seen := map[string]bool{}
	var walk func(n int32) error
	walk = func(n int32) error {
		nmin, nmax := t.minOf(n), t.maxOf(n)
		if t.isLeaf(n) {
			leaves++
			if t.nodes[n].mass < 1 {
				return fmt.Errorf("leaf %d has mass %d", n, t.nodes[n].mass)
			}
			for i := range nmin {
				if nmin[i] != nmax[i] {
					return fmt.Errorf("leaf %d box is not a point", n)
				}
			}
			k := fmt.Sprint(nmin)
			if seen[k] {
				return fmt.Errorf("point %v in two leaves", nmin)
			}
			seen[k] = true
			return nil
		}
		l, r := t.nodes[n].left, t.nodes[n].right
		if l < 0 || r < 0 {
			return fmt.Errorf("internal node %d has one child", n)
		}
		if t.nodes[l].parent != n || t.nodes[r].parent != n {
			return fmt.Errorf("children of %d do not point back to it", n)
		}
		if t.nodes[n].mass != t.nodes[l].mass+t.nodes[r].mass {
			return fmt.Errorf("node %d mass %d != %d + %d", n, t.nodes[n].mass, t.nodes[l].mass, t.nodes[r].mass)
		}
		lmin, lmax, rmin, rmax := t.minOf(l), t.maxOf(l), t.minOf(r), t.maxOf(r)
		for i := range nmin {
			if nmin[i] != math.Min(lmin[i], rmin[i]) || nmax[i] != math.Max(lmax[i], rmax[i]) {
				return fmt.Errorf("node %d box [%v %v] is not the union of its children's", n, nmin, nmax)
			}
			if lmin[i] < nmin[i] || lmax[i] > nmax[i] || rmin[i] < nmin[i] || rmax[i] > nmax[i] {
				return fmt.Errorf("node %d box does not contain its children's", n)
			}
		}
		c, x := t.nodes[n].cutDim, t.nodes[n].cutVal
		if lmax[c] > x || rmin[c] <= x {
			return fmt.Errorf("node %d cut %d@%v does not separate its children", n, c, x)
		}
		if err := walk(l); err != nil {
			return err
		}
		return walk(r)
	}
	return leaves, walk(t.root)
}
