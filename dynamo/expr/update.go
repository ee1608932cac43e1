package expr

import (
	"slices"
	"strings"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// Update is a parsed UpdateExpression (or one built from the legacy
// AttributeUpdates parameter) with its names and values bound. It is
// immutable and safe for concurrent use.
type Update struct {
	sections []*section
	actions  []*action // every action, in text order
	legacy   bool      // built from AttributeUpdates: legacy messages and ADD of lists
}

// ActionKind is what an update action does.
type ActionKind string

// The update actions.
const (
	ActionSet    ActionKind = "SET"
	ActionRemove ActionKind = "REMOVE"
	ActionAdd    ActionKind = "ADD"
	ActionDelete ActionKind = "DELETE"
)

// Action describes one action of an update, for the caller's checks
// against the table's keys and indexes.
type Action struct {
	Kind ActionKind
	Path Path
	// ValueType is the type the action writes when it is known before
	// evaluation (the type of a :value, of list_append or of arithmetic;
	// of if_not_exists's default), or "".
	ValueType attr.Kind
}

// DynamoDB's messages for updates that cannot apply to the item (dynalite
// test/updateItem.js, "should return ValidationException if trying to
// update non-existent nested attribute ...", "... reference non-existent
// attribute", "... using expression to delete/add incorrect types", and
// "... trying to delete/add incorrect types" for AttributeUpdates).
const (
	msgInvalidPath      = "The document path provided in the update expression is invalid for update"
	msgNoSuchAttribute  = "The provided expression refers to an attribute that does not exist in the item"
	msgIncorrectType    = "An operand in the update expression has an incorrect data type"
	msgLegacyTypeMismat = "Type mismatch for attribute to update"
)

// ParseUpdate parses an UpdateExpression: sections SET, REMOVE, ADD and
// DELETE (each at most once, in any order, keywords in any case), each a
// comma-separated list of actions. Errors read "Invalid UpdateExpression:
// ...".
func ParseUpdate(s string, p *Params) (*Update, error) {
	if err := checkSource(kindUpdate, s); err != nil {
		return nil, err
	}
	ps := newParser(s)
	sections, ok := ps.update()
	if !ok {
		return nil, ps.syntaxErr(kindUpdate)
	}
	if err := ps.finish(kindUpdate); err != nil {
		return nil, err
	}
	if err := checkUpdate(sections, p); err != nil {
		return nil, err
	}
	u := &Update{sections: sections}
	for _, s := range sections {
		u.actions = append(u.actions, s.actions...)
	}
	return u, nil
}

// String returns the update as an expression that parses back to the same
// update (given the same names and values).
func (u *Update) String() string {
	var b strings.Builder
	for i, s := range u.sections {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(sectionNames[s.kind])
		for j, a := range s.actions {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			a.target.writeTo(&b)
			switch a.kind {
			case tSet:
				b.WriteString(" = ")
				a.value.writeTo(&b)
			case tAdd, tDelete:
				b.WriteByte(' ')
				a.value.writeTo(&b)
			}
		}
	}
	return b.String()
}

// Actions returns the update's actions in order.
func (u *Update) Actions() []Action {
	out := make([]Action, len(u.actions))
	for i, a := range u.actions {
		out[i] = Action{Kind: ActionKind(sectionNames[a.kind]), Path: a.target.path}
		if a.value != nil {
			out[i].ValueType = staticType(a.value)
		}
	}
	return out
}

// Targets returns the paths the update writes or removes, in order. They
// never overlap. UPDATED_OLD and UPDATED_NEW return the item projected on
// them (see Projection).
func (u *Update) Targets() []Path {
	paths := make([]Path, len(u.actions))
	for i, a := range u.actions {
		paths[i] = a.target.path
	}
	return paths
}

// Paths returns every document path the update mentions, written or read,
// in text order: what the caller checks key and index attributes with
// ("Key attributes must be scalars; ...").
func (u *Update) Paths() []Path {
	var paths []Path
	for _, a := range u.actions {
		paths = append(paths, a.target.path)
		if a.kind == tSet {
			walkOperand(a.value, func(o *pathOp) { paths = append(paths, o.path) })
		}
	}
	return paths
}

// Projection returns the projection on Targets, for ReturnValues
// UPDATED_OLD (applied to the old item) and UPDATED_NEW (to the new one).
func (u *Update) Projection() *Projection { return newProjection(u.Targets()) }

// Apply returns the item the update makes of item (nil: the item does not
// exist yet), without modifying item. Every value SET writes is computed
// from item as it was before the update; then the actions apply together:
// removing list elements removes the elements at the indexes given (the
// rest shift down), and SET or ADD past the end of a list appends, in
// index order.
//
// Errors are ValidationExceptions with DynamoDB's messages: a path through
// an attribute that is absent or of the wrong kind ("The document path
// provided in the update expression is invalid for update"), a value read
// from an absent attribute ("The provided expression refers to an attribute
// that does not exist in the item"), an operand of the wrong type ("An
// operand in the update expression has an incorrect data type"; "Type
// mismatch for attribute to update" for AttributeUpdates), and a number out
// of range from arithmetic. The result is not checked against the item size
// or nesting limits; the caller does that (attr.ItemSize, Item.CheckDepth).
func (u *Update) Apply(item attr.Item) (attr.Item, error) {
	root := &updateNode{}
	for _, a := range u.actions {
		p := &pendingAction{kind: a.kind, legacy: u.legacy}
		switch a.kind {
		case tSet:
			v, err := evalSetValue(a.value, item)
			if err != nil {
				return nil, err
			}
			p.val = v
		case tAdd, tDelete:
			if a.value != nil {
				p.val = a.value.(*valueOp).val
				p.hasVal = true
			}
		}
		root.insert(a.target.path, p)
	}
	out := item.Clone()
	if out == nil {
		out = attr.Item{}
	}
	if err := root.applyMap(out); err != nil {
		return nil, err
	}
	return out, nil
}

// evalSetValue computes the value a SET action writes.
func evalSetValue(o operand, item attr.Item) (attr.Value, error) {
	switch o := o.(type) {
	case *pathOp:
		v, ok := o.path.Resolve(item)
		if !ok {
			return attr.Value{}, validation(msgNoSuchAttribute)
		}
		return v.Clone(), nil
	case *valueOp:
		return o.val.Clone(), nil
	case *parenOp:
		return evalSetValue(o.inner, item)
	case *arithOp:
		a, err := numberOperand(o.l, item)
		if err != nil {
			return attr.Value{}, err
		}
		b, err := numberOperand(o.r, item)
		if err != nil {
			return attr.Value{}, err
		}
		var r attr.Number
		if o.op == tPlus {
			r, err = a.Add(b)
		} else {
			r, err = a.Sub(b)
		}
		if err != nil {
			return attr.Value{}, err
		}
		return attr.NumberValue(r), nil
	case *funcOp:
		switch o.name {
		case "if_not_exists":
			if v, ok := unparen(o.args[0]).(*pathOp).path.Resolve(item); ok {
				return v.Clone(), nil
			}
			return evalSetValue(o.args[1], item)
		case "list_append":
			a, err := evalSetValue(o.args[0], item)
			if err != nil {
				return attr.Value{}, err
			}
			if a.L == nil {
				return attr.Value{}, validation(msgIncorrectType)
			}
			b, err := evalSetValue(o.args[1], item)
			if err != nil {
				return attr.Value{}, err
			}
			if b.L == nil {
				return attr.Value{}, validation(msgIncorrectType)
			}
			return attr.L(append(a.L, b.L...)...), nil
		}
	}
	return attr.Value{}, validation(msgIncorrectType)
}

func numberOperand(o operand, item attr.Item) (attr.Number, error) {
	v, err := evalSetValue(o, item)
	if err != nil {
		return attr.Number{}, err
	}
	if v.N == nil {
		return attr.Number{}, validation(msgIncorrectType)
	}
	return v.Number()
}

// pendingAction is an action with its value computed, waiting to apply at
// the end of its path.
type pendingAction struct {
	kind   tokKind
	val    attr.Value
	hasVal bool // ADD and DELETE: a value was given (a legacy DELETE may have none)
	legacy bool
}

// updateNode is a step of the paths an update touches: its children by
// name (in a map) or by index (in a list), or the action that ends there.
// Paths never overlap or conflict, so a node has an action or children,
// and children of one kind.
type updateNode struct {
	names map[string]*updateNode
	index map[int]*updateNode
	act   *pendingAction
}

func (n *updateNode) insert(path Path, a *pendingAction) {
	for _, e := range path {
		var next *updateNode
		if e.IsIndex {
			if n.index == nil {
				n.index = map[int]*updateNode{}
			}
			if next = n.index[e.Index]; next == nil {
				next = &updateNode{}
				n.index[e.Index] = next
			}
		} else {
			if n.names == nil {
				n.names = map[string]*updateNode{}
			}
			if next = n.names[e.Name]; next == nil {
				next = &updateNode{}
				n.names[e.Name] = next
			}
		}
		n = next
	}
	n.act = a
}

// applyMap applies the node's children to the members of a map (the item,
// or an M value it owns).
func (n *updateNode) applyMap(m map[string]attr.Value) error {
	if n.index != nil {
		return validation(msgInvalidPath)
	}
	for _, name := range sortedKeys(n.names) {
		child := n.names[name]
		cur, exists := m[name]
		if child.act != nil {
			v, keep, err := child.act.apply(cur, exists)
			if err != nil {
				return err
			}
			if keep {
				m[name] = v
			} else {
				delete(m, name)
			}
			continue
		}
		if !exists {
			return validation(msgInvalidPath)
		}
		v, err := child.applyInto(cur)
		if err != nil {
			return err
		}
		m[name] = v
	}
	return nil
}

// applyInto applies the node's children inside v, a map or a list.
func (n *updateNode) applyInto(v attr.Value) (attr.Value, error) {
	if n.names != nil {
		if v.M == nil {
			return v, validation(msgInvalidPath)
		}
		return v, n.applyMap(v.M)
	}
	if v.L == nil {
		return v, validation(msgInvalidPath)
	}
	indexes := make([]int, 0, len(n.index))
	for i := range n.index {
		indexes = append(indexes, i)
	}
	slices.Sort(indexes)
	l := v.L
	var removed []bool
	var appended []attr.Value
	for _, i := range indexes {
		child := n.index[i]
		if i < len(l) {
			if child.act == nil {
				e, err := child.applyInto(l[i])
				if err != nil {
					return v, err
				}
				l[i] = e
				continue
			}
			e, keep, err := child.act.apply(l[i], true)
			if err != nil {
				return v, err
			}
			if keep {
				l[i] = e
			} else {
				if removed == nil {
					removed = make([]bool, len(l))
				}
				removed[i] = true
			}
			continue
		}
		// Past the end: SET and ADD append; REMOVE and DELETE do nothing;
		// a path through the missing element is invalid.
		if child.act == nil {
			return v, validation(msgInvalidPath)
		}
		e, keep, err := child.act.apply(attr.Value{}, false)
		if err != nil {
			return v, err
		}
		if keep {
			appended = append(appended, e)
		}
	}
	if removed == nil && appended == nil {
		return v, nil
	}
	out := make([]attr.Value, 0, len(l)+len(appended))
	for i, e := range l {
		if removed == nil || !removed[i] {
			out = append(out, e)
		}
	}
	return attr.L(append(out, appended...)...), nil
}

// apply applies the action to the value at its path (cur, if exists) and
// returns the new value, or keep false to remove it.
func (a *pendingAction) apply(cur attr.Value, exists bool) (v attr.Value, keep bool, err error) {
	mismatch := func() (attr.Value, bool, error) {
		if a.legacy {
			return attr.Value{}, false, validation(msgLegacyTypeMismat)
		}
		return attr.Value{}, false, validation(msgIncorrectType)
	}
	switch a.kind {
	case tSet:
		return a.val, true, nil
	case tRemove:
		return attr.Value{}, false, nil
	case tAdd:
		if !exists {
			return a.val.Clone(), true, nil
		}
		switch {
		case a.val.N != nil:
			if cur.N == nil {
				return mismatch()
			}
			x, err := cur.Number()
			if err != nil {
				return attr.Value{}, false, err
			}
			y, err := a.val.Number()
			if err != nil {
				return attr.Value{}, false, err
			}
			sum, err := x.Add(y)
			if err != nil {
				return attr.Value{}, false, err
			}
			return attr.NumberValue(sum), true, nil
		case a.val.SS != nil:
			if cur.SS == nil {
				return mismatch()
			}
			return attr.SS(union(cur.SS, a.val.SS, func(x, y string) bool { return x == y })...), true, nil
		case a.val.NS != nil:
			if cur.NS == nil {
				return mismatch()
			}
			return attr.NS(union(cur.NS, a.val.NS, numberStringsEqual)...), true, nil
		case a.val.BS != nil:
			if cur.BS == nil {
				return mismatch()
			}
			return attr.BS(union(cur.BS, a.val.BS, bytesEqual)...), true, nil
		case a.val.L != nil && a.legacy:
			if cur.L == nil {
				return mismatch()
			}
			return attr.L(append(append([]attr.Value{}, cur.L...), a.val.Clone().L...)...), true, nil
		}
		return mismatch()
	case tDelete:
		if !a.hasVal {
			return attr.Value{}, false, nil // AttributeUpdates DELETE without a value removes the attribute
		}
		if !exists {
			return attr.Value{}, false, nil
		}
		var rest attr.Value
		switch {
		case a.val.SS != nil && cur.SS != nil:
			rest = attr.SS(difference(cur.SS, a.val.SS, func(x, y string) bool { return x == y })...)
		case a.val.NS != nil && cur.NS != nil:
			rest = attr.NS(difference(cur.NS, a.val.NS, numberStringsEqual)...)
		case a.val.BS != nil && cur.BS != nil:
			rest = attr.BS(difference(cur.BS, a.val.BS, bytesEqual)...)
		default:
			return mismatch()
		}
		if size, _ := size(rest); size == 0 {
			return attr.Value{}, false, nil // an emptied set is removed
		}
		return rest, true, nil
	}
	return attr.Value{}, false, nil
}

func numberStringsEqual(a, b string) bool { return attr.Equal(attr.N(a), attr.N(b)) }
func bytesEqual(a, b []byte) bool         { return string(a) == string(b) }

// union returns a's members followed by b's members not in a.
func union[T any](a, b []T, eq func(x, y T) bool) []T {
	out := append(make([]T, 0, len(a)+len(b)), a...)
	for _, y := range b {
		if !slices.ContainsFunc(out, func(x T) bool { return eq(x, y) }) {
			out = append(out, y)
		}
	}
	return out
}

// difference returns a's members not in b.
func difference[T any](a, b []T, eq func(x, y T) bool) []T {
	out := make([]T, 0, len(a))
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return eq(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}
