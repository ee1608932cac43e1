package expr

import (
	"encoding/base64"
	"strconv"

	"github.com/eddy-streams/eddy/dynamo/attr"
)

// The checks DynamoDB runs on an expression that parses, and the order in
// which it reports them. DynamoDB reports one error, and which one is fixed
// by the kind of error rather than by its position: for a condition, an
// unknown function name beats a misused function, which beats a reserved
// word, which beats the first condition with an error (and within it: an
// undefined name or value, then a wrong number of operands, then a repeated
// operand, then a wrong operand type). The orders are dynalite's
// (db/conditionParser.js, updateParser.js and projectionParser.js, whose
// checkErrors lists them), which its tests fit to DynamoDB's answers.

// Functions of condition expressions and their operand counts.
var conditionFunctions = map[string]int{
	"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2,
	"begins_with": 2, "contains": 2, "size": 1,
}

// Functions of update expressions and their operand counts.
var updateFunctions = map[string]int{"if_not_exists": 2, "list_append": 2}

// The type names attribute_type accepts, listed as DynamoDB lists them in
// its message (dynalite test/scan.js matches them in any order).
const (
	validTypeNames = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}"
	anyTypeNames   = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}"
)

// first sets *slot to msg unless it already holds a message.
func first(slot *string, msg string) {
	if *slot == "" {
		*slot = msg
	}
}

// resolver resolves the names and values of paths and :values, and finds
// reserved words, recording the first error of each kind.
type resolver struct {
	params   *Params
	reserved string // first reserved word, in text order
}

// path resolves o's elements into o.path; it returns the first undefined
// name or too-deep error of this path.
func (r *resolver) path(o *pathOp) string {
	if len(o.src) == 0 { // built from legacy parameters: already resolved
		return ""
	}
	errMsg := ""
	if len(o.src) > maxPathDepth {
		errMsg = detail(msgPathTooDeep, "nesting levels", strconv.Itoa(len(o.src)))
	}
	o.path = make(Path, len(o.src))
	for i, s := range o.src {
		switch s.kind {
		case tIndex:
			o.path[i] = PathElem{Index: indexValue(s.text), IsIndex: true}
		case tIdent:
			if isReserved(s.text) {
				first(&r.reserved, detail(msgReserved, "reserved keyword", s.text))
			}
			o.path[i] = PathElem{Name: s.text}
		case tName:
			name, ok := r.params.name(s.text)
			if !ok {
				first(&errMsg, detail(msgNameUndefined, "attribute name", s.text))
			}
			o.path[i] = PathElem{Name: name}
		}
	}
	return errMsg
}

// value resolves a :value; it returns an error message if it is undefined.
func (r *resolver) value(o *valueOp) string {
	if o.ref == "" {
		return ""
	}
	v, ok := r.params.value(o.ref)
	if !ok {
		return detail(msgValueUndefined, "attribute value", o.ref)
	}
	o.val = v
	return ""
}

// staticType is the type an operand is known to have before evaluation: a
// :value's type or a function's result type; "" for a path.
func staticType(o operand) attr.Kind {
	switch o := unparen(o).(type) {
	case *valueOp:
		k, _ := o.val.Kind()
		return k
	case *funcOp:
		switch o.name {
		case "size":
			return attr.KindN
		case "list_append":
			return attr.KindL
		case "if_not_exists":
			if len(o.args) == 2 {
				return staticType(o.args[1])
			}
			return ""
		}
		return attr.KindBOOL
	case *arithOp:
		return attr.KindN
	}
	return ""
}

// immediateType is the type of an operand that is a :value, else "".
func immediateType(o operand) attr.Kind {
	if v, ok := unparen(o).(*valueOp); ok {
		k, _ := v.val.Kind()
		return k
	}
	return ""
}

func orderable(k attr.Kind) bool {
	return k == "" || k == attr.KindS || k == attr.KindN || k == attr.KindB
}

// Conditions.

// condChecker checks a condition, filter or key condition expression.
type condChecker struct {
	resolver
	unknownFunction string
	misused         string
	leaf            string // the first error of the first condition with one
	operators       int

	// errors of the condition (comparison, BETWEEN, IN or function) being
	// checked, by kind
	nameVal, count, distinct, function string
}

// checkCondition resolves the names and values of a parsed condition and
// returns the error DynamoDB reports for it, if any.
func checkCondition(kind string, root cond, params *Params) error {
	c := &condChecker{resolver: resolver{params: params}}
	c.cond(root)
	for _, msg := range []string{c.unknownFunction, c.misused, c.reserved, c.leaf} {
		if msg != "" {
			return invalidExpr(kind, msg)
		}
	}
	if c.operators > maxOperators {
		return invalidExpr(kind, detail(msgTooManyOperators, "operator count", strconv.Itoa(c.operators)))
	}
	return nil
}

func (c *condChecker) cond(n cond) {
	switch n := n.(type) {
	case *andCond:
		c.cond(n.l)
		c.cond(n.r)
		c.operators++
	case *orCond:
		c.cond(n.l)
		c.cond(n.r)
		c.operators++
	case *notCond:
		c.cond(n.c)
		c.operators++
	case *groupCond:
		c.cond(n.c)
	case *cmpCond:
		c.startLeaf()
		c.operand(n.l)
		c.operand(n.r)
		c.misusedIn(n.l, n.r)
		c.distinctPaths(opText[n.op], n.l, n.r)
		if n.op != tEQ && n.op != tNE {
			c.orderableOperands(opText[n.op], n.l, n.r)
		}
		c.endLeaf()
	case *betweenCond:
		c.startLeaf()
		c.operand(n.x)
		c.operand(n.lo)
		c.operand(n.hi)
		c.misusedIn(n.x, n.lo, n.hi)
		c.orderableOperands("BETWEEN", n.x, n.lo, n.hi)
		c.betweenBounds(n.lo, n.hi)
		c.endLeaf()
	case *inCond:
		c.startLeaf()
		c.operand(n.x)
		for _, o := range n.list {
			c.operand(o)
		}
		c.misusedIn(append([]operand{n.x}, n.list...)...)
		if len(n.list) > maxInOperands {
			first(&c.function, detail(msgTooManyInOperand, "number of operands", strconv.Itoa(len(n.list))))
		}
		c.endLeaf()
	case *funcCond:
		c.startLeaf()
		c.funcCall(n.f)
		if n.f.name == "size" {
			first(&c.misused, detail(msgMisusedFunction, "function", "size"))
		}
		c.endLeaf()
	}
}

func (c *condChecker) startLeaf() {
	c.nameVal, c.count, c.distinct, c.function = "", "", "", ""
	c.operators++
}

func (c *condChecker) endLeaf() {
	for _, msg := range []string{c.nameVal, c.count, c.distinct, c.function} {
		if msg != "" {
			first(&c.leaf, msg)
			return
		}
	}
}

// operand resolves an operand's paths and values and checks its function
// calls, in text order.
func (c *condChecker) operand(o operand) {
	switch o := o.(type) {
	case *pathOp:
		if msg := c.path(o); msg != "" {
			first(&c.nameVal, msg)
		}
	case *valueOp:
		if msg := c.value(o); msg != "" {
			first(&c.nameVal, msg)
		}
	case *parenOp:
		c.operand(o.inner)
	case *funcOp:
		c.funcCall(o)
	}
}

// misusedIn records a function other than size used as an operand.
func (c *condChecker) misusedIn(ops ...operand) {
	for _, o := range ops {
		if f, ok := unparen(o).(*funcOp); ok && f.name != "size" {
			first(&c.misused, detail(msgMisusedFunction, "function", f.name))
			return
		}
	}
}

func (c *condChecker) funcCall(f *funcOp) {
	c.operators++
	for _, a := range f.args {
		c.operand(a)
	}
	c.misusedIn(f.args...)
	want, ok := conditionFunctions[f.name]
	if !ok {
		if _, inUpdate := updateFunctions[f.name]; inUpdate {
			first(&c.unknownFunction, detail(msgNotInCondition, "function", f.name))
		} else {
			first(&c.unknownFunction, detail(msgFunctionName, "function", f.name))
		}
		return
	}
	if len(f.args) != want {
		first(&c.count, detail(msgOperandCount, "operator or function", f.name, "number of operands", strconv.Itoa(len(f.args))))
		return
	}
	if want == 2 {
		c.distinctPaths(f.name, f.args[0], f.args[1])
	}
	typeErr := func(t attr.Kind) {
		first(&c.function, detail(msgOperandType, "operator or function", f.name, "operand type", string(t)))
	}
	switch f.name {
	case "attribute_exists", "attribute_not_exists":
		if _, ok := unparen(f.args[0]).(*pathOp); !ok {
			first(&c.function, detail(msgNeedsPath, "operator or function", f.name))
		}
	case "begins_with":
		for _, a := range f.args {
			if t := staticType(a); t != "" && t != attr.KindS && t != attr.KindB {
				typeErr(t)
				break
			}
		}
	case "attribute_type":
		t := staticType(f.args[1])
		if t != attr.KindS {
			if t == "" {
				t = anyTypeNames
			}
			typeErr(t)
			break
		}
		name := *unparen(f.args[1]).(*valueOp).val.S
		switch attr.Kind(name) {
		case attr.KindS, attr.KindN, attr.KindB, attr.KindNULL, attr.KindSS, attr.KindBOOL,
			attr.KindL, attr.KindBS, attr.KindNS, attr.KindM:
		default:
			first(&c.function, detail(msgAttrTypeName, "type", name, "valid types", validTypeNames))
		}
	case "size":
		if t := staticType(f.args[0]); t == attr.KindN || t == attr.KindBOOL || t == attr.KindNULL {
			typeErr(t)
		}
	}
}

// distinctPaths refuses an operator or function whose two operands are the
// same path ("a = a", "contains(#a, #a)").
func (c *condChecker) distinctPaths(name string, x, y operand) {
	px, ok1 := unparen(x).(*pathOp)
	py, ok2 := unparen(y).(*pathOp)
	if ok1 && ok2 && px.path.equal(py.path) {
		first(&c.distinct, detail(msgDistinct, "operator", name, "first operand", px.path.String()))
	}
}

// orderableOperands refuses a :value (or function result) of a type that
// has no order (BOOL, NULL, sets, lists, maps) as an operand of <, <=, >,
// >= or BETWEEN. DynamoDB checks this before evaluating, whatever the item
// (ExtendDB tests/test_expr_operand_type_and_size.py, captured from
// DynamoDB); a path to such a value just makes the comparison false.
func (c *condChecker) orderableOperands(name string, ops ...operand) {
	for _, o := range ops {
		if t := staticType(o); !orderable(t) {
			first(&c.function, detail(msgOperandType, "operator or function", name, "operand type", string(t)))
			return
		}
	}
}

// betweenBounds refuses :value bounds of different types or in the wrong
// order (dynalite test/query.js: "lower bound operand: AttributeValue:
// {N:1}, upper bound operand: AttributeValue: {S:a}").
func (c *condChecker) betweenBounds(lo, hi operand) {
	lv, ok1 := unparen(lo).(*valueOp)
	hv, ok2 := unparen(hi).(*valueOp)
	if !ok1 || !ok2 {
		return
	}
	lk, _ := lv.val.Kind()
	hk, _ := hv.val.Kind()
	switch {
	case lk != hk:
		first(&c.function, detail(msgBetweenTypes, "lower bound operand", valueString(lv.val), "upper bound operand", valueString(hv.val)))
	case compareValues(lv.val, hv.val) > 0:
		first(&c.function, detail(msgBetweenOrder, "lower bound operand", valueString(lv.val), "upper bound operand", valueString(hv.val)))
	}
}

func compareValues(a, b attr.Value) int {
	c, _ := attr.Compare(a, b)
	return c
}

// valueString renders a scalar value as DynamoDB does in BETWEEN messages:
// "AttributeValue: {S:a}".
func valueString(v attr.Value) string {
	k, _ := v.Kind()
	s := ""
	switch k {
	case attr.KindS:
		s = *v.S
	case attr.KindN:
		s = *v.N
	case attr.KindB:
		s = base64.StdEncoding.EncodeToString(v.B)
	}
	return "AttributeValue: {" + string(k) + ":" + s + "}"
}

// Projections.

// checkProjection resolves the paths of a projection and checks them:
// reserved words, undefined names, then paths that overlap or conflict.
func checkProjection(paths []*pathOp, params *Params) error {
	r := &resolver{params: params}
	nameErr := ""
	for _, o := range paths {
		first(&nameErr, r.path(o))
	}
	overlap, conflict := pathRelations(paths)
	for _, msg := range []string{r.reserved, nameErr, overlap, conflict} {
		if msg != "" {
			return invalidExpr(kindProjection, msg)
		}
	}
	return nil
}

// pathRelations compares each path with the ones before it and returns the
// first overlap (one is a prefix of the other, or they are equal) and the
// first conflict (one steps into a map where the other indexes a list),
// each naming the earlier path first (ExtendDB
// tests/test_projection_overlapping_paths.py, captured from DynamoDB:
// "a.b, a" reports path one [a, b], path two [a]). Checking stops at the
// first overlap, as dynalite's does.
func pathRelations(paths []*pathOp) (overlap, conflict string) {
	for i, p := range paths {
		for _, q := range paths[:i] {
			switch relate(q.path, p.path) {
			case relOverlap:
				return detail(msgPathOverlap, "path one", q.path.String(), "path two", p.path.String()), conflict
			case relConflict:
				first(&conflict, detail(msgPathConflict, "path one", q.path.String(), "path two", p.path.String()))
			}
		}
	}
	return "", conflict
}

type relation int

const (
	relNone relation = iota
	relOverlap
	relConflict
)

func relate(a, b Path) relation {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i].IsIndex != b[i].IsIndex {
			return relConflict
		}
		if a[i] != b[i] {
			return relNone
		}
	}
	return relOverlap
}

// Updates.

// updateChecker checks an update expression.
type updateChecker struct {
	resolver
	unknownFunction, section, name, value, operand, function string
	operators                                                int
}

// DynamoDB's type names in ADD and DELETE messages (dynalite
// test/updateItem.js: "operator: ADD, operand type: STRING").
var actionTypeNames = map[attr.Kind]string{
	attr.KindS: "STRING", attr.KindN: "NUMBER", attr.KindB: "BINARY", attr.KindNULL: "NULL",
	attr.KindBOOL: "BOOLEAN", attr.KindL: "LIST", attr.KindM: "MAP",
}

var sectionNames = map[tokKind]string{tSet: "SET", tRemove: "REMOVE", tAdd: "ADD", tDelete: "DELETE"}

// checkUpdate resolves the names and values of a parsed update expression
// and returns the error DynamoDB reports for it, if any: a reserved word, an
// unknown function, a repeated section, an undefined name, an undefined
// value, overlapping or conflicting paths, a wrong ADD or DELETE operand,
// then a wrong function or operator operand.
func checkUpdate(sections []*section, params *Params) error {
	c := &updateChecker{resolver: resolver{params: params}}
	seen := map[tokKind]bool{}
	var targets []*pathOp
	for _, s := range sections {
		if seen[s.kind] {
			first(&c.section, `The "`+sectionNames[s.kind]+`" section can only be used once in an update expression;`)
		}
		seen[s.kind] = true
		for _, a := range s.actions {
			first(&c.name, c.path(a.target))
			targets = append(targets, a.target)
			switch a.kind {
			case tSet:
				c.setValue(a.value)
			case tAdd, tDelete:
				v := a.value.(*valueOp)
				if msg := c.resolver.value(v); msg != "" {
					first(&c.value, msg)
					continue
				}
				c.actionOperand(a.kind, v.val)
			}
		}
	}
	overlap, conflict := pathRelations(targets)
	for _, msg := range []string{c.reserved, c.unknownFunction, c.section, c.name, c.value, overlap, conflict, c.operand, c.function} {
		if msg != "" {
			return invalidExpr(kindUpdate, msg)
		}
	}
	if c.operators > maxOperators {
		return invalidExpr(kindUpdate, detail(msgTooManyOperators, "operator count", strconv.Itoa(c.operators)))
	}
	return nil
}

func (c *updateChecker) actionOperand(kind tokKind, v attr.Value) {
	k, _ := v.Kind()
	ok := k == attr.KindSS || k == attr.KindNS || k == attr.KindBS || kind == tAdd && k == attr.KindN
	if !ok {
		first(&c.operand, detail(msgOperandType, "operator", sectionNames[kind], "operand type", actionTypeNames[k]))
	}
}

func (c *updateChecker) setValue(o operand) {
	switch o := o.(type) {
	case *pathOp:
		first(&c.name, c.path(o))
	case *valueOp:
		first(&c.value, c.resolver.value(o))
	case *parenOp:
		c.setValue(o.inner)
	case *arithOp:
		c.setValue(o.l)
		c.setValue(o.r)
		c.operators++
		for _, x := range []operand{o.l, o.r} {
			if t := immediateType(x); t != "" && t != attr.KindN {
				first(&c.function, detail(msgOperandType, "operator or function", opText[o.op], "operand type", string(t)))
				break
			}
		}
	case *funcOp:
		c.operators++
		for _, a := range o.args {
			c.setValue(a)
		}
		want, ok := updateFunctions[o.name]
		if !ok {
			if _, inCondition := conditionFunctions[o.name]; inCondition {
				first(&c.unknownFunction, detail(msgNotInUpdate, "function", o.name))
			} else {
				first(&c.unknownFunction, detail(msgFunctionName, "function", o.name))
			}
			return
		}
		if len(o.args) != want {
			first(&c.function, detail(msgOperandCount, "operator or function", o.name, "number of operands", strconv.Itoa(len(o.args))))
			return
		}
		switch o.name {
		case "if_not_exists":
			if _, ok := unparen(o.args[0]).(*pathOp); !ok {
				first(&c.function, detail(msgNeedsPath, "operator or function", o.name))
			}
		case "list_append":
			for _, a := range o.args {
				if t := immediateType(a); t != "" && t != attr.KindL {
					first(&c.function, detail(msgOperandType, "operator or function", o.name, "operand type", string(t)))
					break
				}
			}
		}
	}
}

// Size checks common to every expression.

// checkSource refuses an empty expression and one over 4 KB. The size
// messages are the ones ExtendDB captured from DynamoDB
// (tests/test_expression_size_limit.py): ConditionExpression and
// FilterExpression append the size, the other expressions do not.
func checkSource(kind, src string) error {
	if src == "" {
		return invalidExpr(kind, detail(msgEmptyExpression))
	}
	if len(src) > maxExpressionSize {
		if kind == kindCondition || kind == kindFilter {
			return invalidExpr(kind, detail(msgExpressionSize, "expression size", strconv.Itoa(len(src))))
		}
		return invalidExpr(kind, detail(msgExpressionSize))
	}
	return nil
}
