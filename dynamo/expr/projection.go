package expr

import (
	"slices"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Projection is a parsed ProjectionExpression (or the legacy
// AttributesToGet, or an update's Targets): the document paths to keep of an
// item. It is immutable and safe for concurrent use.
type Projection struct {
	paths []Path
	src   []*pathOp // for String; nil when not parsed
	root  *projNode
}

// ParseProjection parses a ProjectionExpression: document paths separated
// by commas. Errors read "Invalid ProjectionExpression: ...": a reserved
// word, an undefined name, or two paths that overlap ("a, a.b") or
// conflict ("a.b, a[0]").
func ParseProjection(s string, p *Params) (*Projection, error) {
	if err := checkSource(kindProjection, s); err != nil {
		return nil, err
	}
	ps := newParser(s)
	paths, ok := ps.projection()
	if !ok {
		return nil, ps.syntaxErr(kindProjection)
	}
	if err := ps.finish(kindProjection); err != nil {
		return nil, err
	}
	if err := checkProjection(paths, p); err != nil {
		return nil, err
	}
	proj := make([]Path, len(paths))
	for i, o := range paths {
		proj[i] = o.path
	}
	pr := newProjection(proj)
	pr.src = paths
	return pr, nil
}

func newProjection(paths []Path) *Projection {
	root := &projNode{}
	for _, p := range paths {
		n := root
		for _, e := range p {
			if e.IsIndex {
				if n.index == nil {
					n.index = map[int]*projNode{}
				}
				if n.index[e.Index] == nil {
					n.index[e.Index] = &projNode{}
				}
				n = n.index[e.Index]
			} else {
				if n.names == nil {
					n.names = map[string]*projNode{}
				}
				if n.names[e.Name] == nil {
					n.names[e.Name] = &projNode{}
				}
				n = n.names[e.Name]
			}
		}
		n.leaf = true
	}
	return &Projection{paths: paths, root: root}
}

// Paths returns the projection's paths, in order.
func (p *Projection) Paths() []Path { return p.paths }

// String returns the projection as an expression.
func (p *Projection) String() string {
	var b strings.Builder
	for i, path := range p.paths {
		if i > 0 {
			b.WriteString(", ")
		}
		if p.src != nil {
			p.src[i].writeTo(&b)
		} else {
			(&pathOp{path: path}).writeTo(&b)
		}
	}
	return b.String()
}

// Apply returns the parts of item the projection names, as DynamoDB
// returns them: the paths that exist, nested as in the item; maps keep only
// the projected members; a list keeps only the projected elements, in their
// original order and without gaps ("l[2], l[0]" of [a, b, c] is [a, c]:
// ExtendDB tests/test_nested_projection.py, captured from DynamoDB). A path
// that does not exist contributes nothing, not even the maps or lists on
// the way to it. The result shares values with item; it is never nil.
func (p *Projection) Apply(item attr.Item) attr.Item {
	out := p.root.fromMap(item)
	if out == nil {
		out = map[string]attr.Value{}
	}
	return out
}

type projNode struct {
	names map[string]*projNode
	index map[int]*projNode
	leaf  bool
}

func (n *projNode) fromMap(m map[string]attr.Value) map[string]attr.Value {
	var out map[string]attr.Value
	for name, child := range n.names {
		v, ok := m[name]
		if !ok {
			continue
		}
		if v, ok = child.project(v); ok {
			if out == nil {
				out = map[string]attr.Value{}
			}
			out[name] = v
		}
	}
	return out
}

func (n *projNode) project(v attr.Value) (attr.Value, bool) {
	switch {
	case n.leaf:
		return v, true
	case n.names != nil:
		if v.M == nil {
			return attr.Value{}, false
		}
		m := n.fromMap(v.M)
		if m == nil {
			return attr.Value{}, false
		}
		return attr.M(m), true
	case n.index != nil:
		if v.L == nil {
			return attr.Value{}, false
		}
		indexes := make([]int, 0, len(n.index))
		for i := range n.index {
			indexes = append(indexes, i)
		}
		slices.Sort(indexes)
		var l []attr.Value
		for _, i := range indexes {
			if i >= len(v.L) {
				break
			}
			if e, ok := n.index[i].project(v.L[i]); ok {
				l = append(l, e)
			}
		}
		if l == nil {
			return attr.Value{}, false
		}
		return attr.L(l...), true
	}
	return attr.Value{}, false
}
