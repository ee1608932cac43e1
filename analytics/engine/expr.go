package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// evalCtx is what an expression reads: the current row (a source row, or a group's key
// values when a window closes), its ROWTIME in milliseconds, and the aggregate results.
type evalCtx struct {
	row     []Value
	rowtime int64
	aggs    []Value
}

type evalFn func(*evalCtx) (Value, error)

// cexpr is a compiled expression: its evaluator, static type, and constant value if it has
// one (literals and expressions over literals only).
type cexpr struct {
	fn    evalFn
	typ   Type
	konst *Value
}

// scopeCol is a column visible by name in a query: idx is its place in the row, or -1 for
// ROWTIME (read from the context).
type scopeCol struct {
	quals  []string // names that qualify it: the stream or table name and its alias
	name   string
	typ    Type
	idx    int
	hidden bool // not expanded by *: ROWTIME, APPROXIMATE_ARRIVAL_TIME
}

// mode says which aggregates an expression may contain.
type mode int

const (
	modeRow     mode = iota // no aggregates (WHERE, ON, arguments of aggregates)
	modeGroup               // GROUP BY or stagger: aggregates without OVER; columns must be keys
	modeSliding             // aggregates with OVER
)

// compiler compiles the expressions of one SELECT.
type compiler struct {
	cols    []scopeCol
	mode    mode
	keys    []string // group mode: String() of the key expressions
	keyTyps []Type
	aggs    []*aggSpec
	windows map[string]*sql.WindowSpec
	inAgg   bool
}

func errAt(p sql.Pos, format string, args ...any) *sql.Error {
	return &sql.Error{Line: p.Line, Column: p.Column, Msg: fmt.Sprintf(format, args...)}
}

func constant(v Value, t Type) cexpr {
	vv := v
	return cexpr{fn: func(*evalCtx) (Value, error) { return vv, nil }, typ: t, konst: &vv}
}

// fold evaluates an expression whose operands are all constant once, at compile time.
// An error (1/0) is left for run time, where it goes to the error_stream.
func fold(e cexpr, args ...cexpr) cexpr {
	for _, a := range args {
		if a.konst == nil {
			return e
		}
	}
	v, err := e.fn(&evalCtx{})
	if err != nil {
		return e
	}
	return constant(v, e.typ)
}

func (c *compiler) resolve(ref *sql.ColumnRef) (scopeCol, error) {
	parts := make([]string, len(ref.Parts))
	for i, p := range ref.Parts {
		parts[i] = p.Name
	}
	name := parts[len(parts)-1]
	var qual string
	switch len(parts) {
	case 1:
	case 2:
		qual = parts[0]
	default:
		return scopeCol{}, errAt(ref.Pos, "column name %s has too many qualifiers", ref)
	}
	var found []scopeCol
	knownQual := qual == ""
	for _, sc := range c.cols {
		okQual := qual == ""
		for _, q := range sc.quals {
			if q == qual {
				okQual, knownQual = true, true
			}
		}
		if okQual && sc.name == name {
			found = append(found, sc)
		}
	}
	switch {
	case !knownQual:
		return scopeCol{}, errAt(ref.Pos, "unknown stream or table %s", quoteIdent(qual))
	case len(found) == 0:
		return scopeCol{}, errAt(ref.Pos, "unknown column %s", ref)
	case len(found) > 1 && found[0].idx != found[1].idx:
		return scopeCol{}, errAt(ref.Pos, "column %s is ambiguous", ref)
	}
	return found[0], nil
}

func quoteIdent(s string) string {
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return strconv.Quote(s)
		}
	}
	return s
}

func (c *compiler) expr(e sql.Expr) (cexpr, error) {
	if c.mode == modeGroup && !c.inAgg {
		key := e.String()
		for i, k := range c.keys {
			if k == key {
				i := i
				return cexpr{fn: func(x *evalCtx) (Value, error) { return x.row[i], nil }, typ: c.keyTyps[i]}, nil
			}
		}
	}
	switch e := e.(type) {
	case *sql.NumberLit:
		return numberLit(e)
	case *sql.StringLit:
		return constant(String(e.Value), Varchar(max(len([]rune(e.Value)), 1))), nil
	case *sql.BoolLit:
		if e.Value == "UNKNOWN" {
			return constant(Null, TypeBoolean), nil
		}
		return constant(Bool(e.Value == "TRUE"), TypeBoolean), nil
	case *sql.NullLit:
		return constant(Null, TypeNull), nil
	case *sql.DateTimeLit:
		t := map[string]Type{"TIMESTAMP": TypeTimestamp, "DATE": TypeDate, "TIME": TypeTime}[e.Kind]
		v, err := Cast(String(e.Value), t)
		if err != nil {
			return cexpr{}, errAt(e.Pos, "invalid %s literal '%s'", e.Kind, e.Value)
		}
		return constant(v, t), nil
	case *sql.IntervalLit:
		v, err := intervalValue(e)
		if err != nil {
			return cexpr{}, err
		}
		t := typeDS
		if v.Kind == KindIntervalYM {
			t = typeYM
		}
		return constant(v, t), nil
	case *sql.ColumnRef:
		sc, err := c.resolve(e)
		if err != nil {
			return cexpr{}, err
		}
		if c.mode == modeGroup && !c.inAgg && sc.idx >= 0 {
			return cexpr{}, errAt(e.Pos, "column %s must appear in GROUP BY (or the stagger window's PARTITION BY) or in an aggregate", e)
		}
		if sc.idx < 0 {
			return cexpr{fn: func(x *evalCtx) (Value, error) { return TimestampMillis(x.rowtime), nil }, typ: TypeTimestamp}, nil
		}
		i := sc.idx
		return cexpr{fn: func(x *evalCtx) (Value, error) {
			if i < len(x.row) {
				return x.row[i], nil
			}
			return Null, nil
		}, typ: sc.typ}, nil
	case *sql.Star:
		return cexpr{}, errAt(e.Pos, "* is allowed only in the select list and in COUNT(*)")
	case *sql.Unary:
		return c.unary(e)
	case *sql.Binary:
		return c.binary(e)
	case *sql.Is:
		return c.is(e)
	case *sql.Between:
		return c.between(e)
	case *sql.In:
		return c.in(e)
	case *sql.Like:
		return c.like(e)
	case *sql.Case:
		return c.caseExpr(e)
	case *sql.Cast:
		x, err := c.expr(e.X)
		if err != nil {
			return cexpr{}, err
		}
		t, err := TypeOf(e.Type)
		if err != nil {
			return cexpr{}, errAt(e.Type.Pos, "%s", err)
		}
		if !castable(x.typ, t) {
			return cexpr{}, errAt(e.Pos, "cannot cast %s to %s", x.typ, t)
		}
		f := x.fn
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			v, err := f(ctx)
			if err != nil {
				return Null, err
			}
			return Cast(v, t)
		}, typ: t}, x), nil
	case *sql.FloorCeil:
		return c.floorCeil(e)
	case *sql.Step:
		return c.step(e)
	case *sql.Substring:
		return c.substring(e)
	case *sql.Position:
		return c.position(e)
	case *sql.Trim:
		return c.trim(e)
	case *sql.Extract:
		return c.extract(e)
	case *sql.Niladic:
		t := TypeTimestamp
		switch e.Name {
		case "CURRENT_DATE":
			t = TypeDate
		case "CURRENT_TIME", "LOCALTIME":
			t = TypeTime
		}
		// No clock of its own: the current time is the ROWTIME of the row being processed
		// (CURRENT_ROW_TIMESTAMP is documented as the row's processing time).
		return cexpr{fn: func(x *evalCtx) (Value, error) { return Cast(TimestampMillis(x.rowtime), t) }, typ: t}, nil
	case *sql.Cursor:
		return cexpr{}, errAt(e.Pos, "CURSOR is allowed only as an argument of a table function in FROM")
	case *sql.FuncCall:
		return c.call(e)
	}
	return cexpr{}, errAt(e.Position(), "unsupported expression %s", e)
}

func numberLit(e *sql.NumberLit) (cexpr, error) {
	if strings.ContainsAny(e.Text, "E") {
		f, err := strconv.ParseFloat(e.Text, 64)
		if err != nil {
			return cexpr{}, errAt(e.Pos, "invalid number %s", e.Text)
		}
		return constant(Float(f), TypeDouble), nil
	}
	if !strings.Contains(e.Text, ".") {
		i, err := strconv.ParseInt(e.Text, 10, 64)
		if err == nil {
			if i <= math.MaxInt32 {
				return constant(Int(i), TypeInteger), nil
			}
			return constant(Int(i), TypeBigint), nil
		}
	}
	u, s, ok := parseDecimal(e.Text)
	if !ok {
		return cexpr{}, errAt(e.Pos, "number %s is out of range", e.Text)
	}
	return constant(Decimal(u, s), DecimalType(max(digits(u), s), s)), nil
}

var unitMillis = map[string]int64{"DAY": 86400000, "HOUR": 3600000, "MINUTE": 60000, "SECOND": 1000}

// intervalValue evaluates INTERVAL 'v' unit [TO unit]: a single number for one unit
// ('1.5' SECOND allowed), or fields separated by space, ':' or '-' for a range of units
// ('1 02:30:00' DAY TO SECOND, '2-6' YEAR TO MONTH).
func intervalValue(e *sql.IntervalLit) (Value, error) {
	order := []string{"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}
	idx := func(u string) int {
		for i, o := range order {
			if o == u {
				return i
			}
		}
		return -1
	}
	from, to := idx(e.Unit), idx(e.Unit)
	if e.ToUnit != "" {
		to = idx(e.ToUnit)
	}
	bad := errAt(e.Pos, "invalid interval '%s' %s", e.Value, intervalUnits(e))
	if to < from || from < 2 && to >= 2 {
		return Null, bad
	}
	fields := strings.FieldsFunc(strings.TrimSpace(e.Value), func(r rune) bool { return r == ' ' || r == ':' || r == '-' })
	if len(fields) != to-from+1 || strings.HasPrefix(strings.TrimSpace(e.Value), "-") {
		return Null, bad
	}
	sign := int64(1)
	if e.Negative {
		sign = -1
	}
	if from < 2 {
		var months int64
		for i, f := range fields {
			n, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				return Null, bad
			}
			if order[from+i] == "YEAR" {
				months += 12 * n
			} else {
				months += n
			}
		}
		return Value{Kind: KindIntervalYM, I: sign * months}, nil
	}
	var ms int64
	for i, f := range fields {
		u := order[from+i]
		if u == "SECOND" && strings.Contains(f, ".") {
			x, err := strconv.ParseFloat(f, 64)
			if err != nil || x < 0 || x > 1e12 {
				return Null, bad
			}
			ms += int64(math.Round(x * 1000))
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil || n > 1e12/unitMillis[u]*1000 {
			return Null, bad
		}
		ms += n * unitMillis[u]
	}
	return Value{Kind: KindIntervalDS, I: sign * ms}, nil
}

func intervalUnits(e *sql.IntervalLit) string {
	if e.ToUnit != "" {
		return e.Unit + " TO " + e.ToUnit
	}
	return e.Unit
}

func (c *compiler) unary(e *sql.Unary) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	f := x.fn
	switch e.Op {
	case "NOT":
		if x.typ.Kind != KindBool && x.typ.Kind != KindNull {
			return cexpr{}, errAt(e.Pos, "NOT needs a BOOLEAN operand but found %s", x.typ)
		}
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			v, err := f(ctx)
			if err != nil || v.Kind == KindNull {
				return Null, err
			}
			return Bool(v.I == 0), nil
		}, typ: TypeBoolean}, x), nil
	case "+":
		if !isNumeric(x.typ.Kind) && x.typ.Kind != KindIntervalDS && x.typ.Kind != KindIntervalYM {
			return cexpr{}, errAt(e.Pos, "unary + needs a numeric operand but found %s", x.typ)
		}
		return x, nil
	}
	if !isNumeric(x.typ.Kind) && x.typ.Kind != KindIntervalDS && x.typ.Kind != KindIntervalYM && x.typ.Kind != KindNull {
		return cexpr{}, errAt(e.Pos, "unary - needs a numeric operand but found %s", x.typ)
	}
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := f(ctx)
		if err != nil || v.Kind == KindNull {
			return Null, err
		}
		return negate(v)
	}, typ: x.typ}, x), nil
}

func negate(v Value) (Value, error) {
	switch v.Kind {
	case KindFloat:
		return Float(-v.F), nil
	default:
		if v.I == math.MinInt64 {
			return Null, errOverflow
		}
		v.I = -v.I
		return v, nil
	}
}

// commonType is the type of CASE, COALESCE and IN over values of types a and b.
func commonType(a, b Type) (Type, bool) {
	switch {
	case a.Kind == KindNull:
		return b, true
	case b.Kind == KindNull:
		return a, true
	case isNumeric(a.Kind) && isNumeric(b.Kind):
		return numericResult(a, b, "+"), true
	case a.Kind == KindString && b.Kind == KindString:
		return Varchar(max(a.Len, b.Len)), true
	case a.Kind == b.Kind:
		return a, true
	}
	return Type{}, false
}

var intRank = map[string]int{"TINYINT": 1, "SMALLINT": 2, "INTEGER": 3, "BIGINT": 4}

// numericResult is the type of a op b over numbers: DOUBLE if either is floating, DECIMAL
// if either is DECIMAL, else the wider integer type.
func numericResult(a, b Type, op string) Type {
	switch {
	case a.Kind == KindFloat || b.Kind == KindFloat:
		return TypeDouble
	case a.Kind == KindDecimal || b.Kind == KindDecimal:
		as, bs := decScale(a), decScale(b)
		s := max(as, bs)
		switch op {
		case "*":
			s = min(as+bs, maxDecimalDigits)
		case "/":
			s = min(max(as, bs, 6), maxDecimalDigits)
		}
		return DecimalType(maxDecimalDigits, s)
	}
	if intRank[a.Name] >= intRank[b.Name] {
		return a
	}
	return b
}

func decScale(t Type) int {
	if t.Kind == KindDecimal {
		return t.Scale
	}
	return 0
}

func (c *compiler) binary(e *sql.Binary) (cexpr, error) {
	l, err := c.expr(e.L)
	if err != nil {
		return cexpr{}, err
	}
	r, err := c.expr(e.R)
	if err != nil {
		return cexpr{}, err
	}
	lf, rf := l.fn, r.fn
	switch e.Op {
	case "AND", "OR":
		for _, x := range []cexpr{l, r} {
			if x.typ.Kind != KindBool && x.typ.Kind != KindNull {
				return cexpr{}, errAt(e.Pos, "%s needs BOOLEAN operands but found %s", e.Op, x.typ)
			}
		}
		and := e.Op == "AND"
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			a, err := lf(ctx)
			if err != nil {
				return Null, err
			}
			if a.Kind == KindBool && (a.I == 0) == and {
				return a, nil // FALSE AND x, TRUE OR x
			}
			b, err := rf(ctx)
			if err != nil {
				return Null, err
			}
			if b.Kind == KindBool && (b.I == 0) == and {
				return b, nil
			}
			if a.Kind == KindNull || b.Kind == KindNull {
				return Null, nil
			}
			return Bool(and), nil
		}, typ: TypeBoolean}, l, r), nil
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		if !comparable(l.typ, r.typ) {
			return cexpr{}, errAt(e.Pos, "cannot compare %s with %s", l.typ, r.typ)
		}
		test := cmpTest(e.Op)
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			a, err := lf(ctx)
			if err != nil {
				return Null, err
			}
			b, err := rf(ctx)
			if err != nil || a.Kind == KindNull || b.Kind == KindNull {
				return Null, err
			}
			c, _ := Compare(a, b)
			return Bool(test(c)), nil
		}, typ: TypeBoolean}, l, r), nil
	case "||":
		for _, x := range []cexpr{l, r} {
			if x.typ.Kind != KindString && x.typ.Kind != KindNull {
				return cexpr{}, errAt(e.Pos, "|| needs character operands but found %s", x.typ)
			}
		}
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			a, err := lf(ctx)
			if err != nil {
				return Null, err
			}
			b, err := rf(ctx)
			if err != nil || a.Kind == KindNull || b.Kind == KindNull {
				return Null, err
			}
			return String(a.S + b.S), nil
		}, typ: Varchar(min(l.typ.Len+r.typ.Len, maxVarchar))}, l, r), nil
	}
	t, ok := arithType(l.typ, r.typ, e.Op)
	if !ok {
		return cexpr{}, errAt(e.Pos, "operator %s cannot combine %s and %s", e.Op, l.typ, r.typ)
	}
	op := e.Op
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		a, err := lf(ctx)
		if err != nil {
			return Null, err
		}
		b, err := rf(ctx)
		if err != nil || a.Kind == KindNull || b.Kind == KindNull {
			return Null, err
		}
		return arith(op, a, b, t)
	}, typ: t}, l, r), nil
}

func comparable(a, b Type) bool {
	if a.Kind == KindNull || b.Kind == KindNull {
		return true
	}
	if isNumeric(a.Kind) && isNumeric(b.Kind) {
		return true
	}
	return a.Kind == b.Kind
}

func cmpTest(op string) func(int) bool {
	switch op {
	case "=":
		return func(c int) bool { return c == 0 }
	case "<>", "!=":
		return func(c int) bool { return c != 0 }
	case "<":
		return func(c int) bool { return c < 0 }
	case "<=":
		return func(c int) bool { return c <= 0 }
	case ">":
		return func(c int) bool { return c > 0 }
	}
	return func(c int) bool { return c >= 0 }
}

func isInterval(k Kind) bool { return k == KindIntervalDS || k == KindIntervalYM }

// arithType is the result type of a op b for + - * /, or false if the operands do not combine.
func arithType(a, b Type, op string) (Type, bool) {
	if a.Kind == KindNull {
		a = b
	}
	if b.Kind == KindNull {
		b = a
	}
	switch {
	case a.Kind == KindNull:
		return TypeNull, true
	case isNumeric(a.Kind) && isNumeric(b.Kind):
		return numericResult(a, b, op), true
	case (a.Kind == KindTimestamp || a.Kind == KindDate) && isInterval(b.Kind) && (op == "+" || op == "-"):
		return a, true
	case isInterval(a.Kind) && (b.Kind == KindTimestamp || b.Kind == KindDate) && op == "+":
		return b, true
	case isInterval(a.Kind) && a.Kind == b.Kind && (op == "+" || op == "-"):
		return a, true
	case isInterval(a.Kind) && b.Kind == KindInt && (op == "*" || op == "/"):
		return a, true
	case a.Kind == KindInt && isInterval(b.Kind) && op == "*":
		return b, true
	}
	return Type{}, false
}

var errDivZero = fmt.Errorf("division by zero")

// arith computes a op b for non-NULL operands, giving a value of type t.
func arith(op string, a, b Value, t Type) (Value, error) {
	switch t.Kind {
	case KindFloat:
		x, y := a.Float64(), b.Float64()
		switch op {
		case "+":
			return Float(x + y), nil
		case "-":
			return Float(x - y), nil
		case "*":
			return Float(x * y), nil
		}
		if y == 0 {
			return Null, errDivZero
		}
		return Float(x / y), nil
	case KindInt:
		var r int64
		ok := true
		switch op {
		case "+":
			r, ok = addInt(a.I, b.I)
		case "-":
			r, ok = subInt(a.I, b.I)
		case "*":
			r, ok = mulInt(a.I, b.I)
		default:
			if b.I == 0 {
				return Null, errDivZero
			}
			if a.I == math.MinInt64 && b.I == -1 {
				return Null, errOverflow
			}
			r = a.I / b.I
		}
		if !ok {
			return Null, errOverflow
		}
		return Int(r), nil
	case KindDecimal:
		au, as := decParts(a)
		bu, bs := decParts(b)
		var r int64
		ok := true
		switch op {
		case "+", "-":
			s := max(as, bs)
			x, ok1 := rescale(au, as, s)
			y, ok2 := rescale(bu, bs, s)
			if !ok1 || !ok2 {
				return Null, errOverflow
			}
			if op == "+" {
				r, ok = addInt(x, y)
			} else {
				r, ok = subInt(x, y)
			}
			if ok {
				r, ok = rescale(r, s, t.Scale)
			}
		case "*":
			r, ok = mulInt(au, bu)
			if ok {
				r, ok = rescale(r, as+bs, t.Scale)
			}
		default:
			if bu == 0 {
				return Null, errDivZero
			}
			r, ok = decDiv(au, as, bu, bs, t.Scale)
		}
		if !ok || digits(r) > maxDecimalDigits {
			return Null, errOverflow
		}
		return Decimal(r, t.Scale), nil
	case KindTimestamp, KindDate:
		ts, iv := a, b
		if isInterval(a.Kind) {
			ts, iv = b, a
		}
		n := iv.I
		if op == "-" {
			n = -n
		}
		ms := ts.I
		if ts.Kind == KindDate {
			ms *= msPerDay
		}
		if iv.Kind == KindIntervalYM {
			tm := TimestampMillis(ms).Time().AddDate(0, int(n), 0)
			ms = tm.UnixMilli()
		} else {
			var ok bool
			if ms, ok = addInt(ms, n); !ok {
				return Null, errOverflow
			}
		}
		if ts.Kind == KindDate {
			return Value{Kind: KindDate, I: floorDiv(ms, msPerDay)}, nil
		}
		return TimestampMillis(ms), nil
	case KindIntervalDS, KindIntervalYM:
		var r int64
		ok := true
		switch {
		case op == "+":
			r, ok = addInt(a.I, b.I)
		case op == "-":
			r, ok = subInt(a.I, b.I)
		case op == "*":
			r, ok = mulInt(a.I, b.I)
		default:
			if b.I == 0 {
				return Null, errDivZero
			}
			r = a.I / b.I
		}
		if !ok {
			return Null, errOverflow
		}
		return Value{Kind: t.Kind, I: r}, nil
	}
	return Null, nil
}

func (c *compiler) is(e *sql.Is) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	if e.What != "NULL" && x.typ.Kind != KindBool && x.typ.Kind != KindNull {
		return cexpr{}, errAt(e.Pos, "IS %s needs a BOOLEAN operand but found %s", e.What, x.typ)
	}
	f, what, not := x.fn, e.What, e.Not
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := f(ctx)
		if err != nil {
			return Null, err
		}
		var r bool
		switch what {
		case "NULL", "UNKNOWN":
			r = v.Kind == KindNull
		case "TRUE":
			r = v.Kind == KindBool && v.I != 0
		default:
			r = v.Kind == KindBool && v.I == 0
		}
		return Bool(r != not), nil
	}, typ: TypeBoolean}, x), nil
}

func (c *compiler) between(e *sql.Between) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	lo, err := c.expr(e.Lo)
	if err != nil {
		return cexpr{}, err
	}
	hi, err := c.expr(e.Hi)
	if err != nil {
		return cexpr{}, err
	}
	if !comparable(x.typ, lo.typ) || !comparable(x.typ, hi.typ) {
		return cexpr{}, errAt(e.Pos, "cannot compare %s with %s and %s in BETWEEN", x.typ, lo.typ, hi.typ)
	}
	xf, lf, hf, not := x.fn, lo.fn, hi.fn, e.Not
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := xf(ctx)
		if err != nil {
			return Null, err
		}
		a, err := lf(ctx)
		if err != nil {
			return Null, err
		}
		b, err := hf(ctx)
		if err != nil {
			return Null, err
		}
		// three-valued: lo <= x AND x <= hi
		t1, t2 := Null, Null
		if v.Kind != KindNull && a.Kind != KindNull {
			c, _ := Compare(a, v)
			t1 = Bool(c <= 0)
		}
		if v.Kind != KindNull && b.Kind != KindNull {
			c, _ := Compare(v, b)
			t2 = Bool(c <= 0)
		}
		var r Value
		switch {
		case t1.Kind == KindBool && t1.I == 0, t2.Kind == KindBool && t2.I == 0:
			r = Bool(false)
		case t1.Kind == KindNull || t2.Kind == KindNull:
			return Null, nil
		default:
			r = Bool(true)
		}
		if not {
			r.I = 1 - r.I
		}
		return r, nil
	}, typ: TypeBoolean}, x, lo, hi), nil
}

func (c *compiler) in(e *sql.In) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	var fns []evalFn
	for _, it := range e.List {
		y, err := c.expr(it)
		if err != nil {
			return cexpr{}, err
		}
		if !comparable(x.typ, y.typ) {
			return cexpr{}, errAt(it.Position(), "cannot compare %s with %s in IN", x.typ, y.typ)
		}
		fns = append(fns, y.fn)
	}
	xf, not := x.fn, e.Not
	return cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := xf(ctx)
		if err != nil || v.Kind == KindNull {
			return Null, err
		}
		sawNull := false
		for _, f := range fns {
			w, err := f(ctx)
			if err != nil {
				return Null, err
			}
			if w.Kind == KindNull {
				sawNull = true
				continue
			}
			if c, _ := Compare(v, w); c == 0 {
				return Bool(!not), nil
			}
		}
		if sawNull {
			return Null, nil
		}
		return Bool(not), nil
	}, typ: TypeBoolean}, nil
}

func (c *compiler) caseExpr(e *sql.Case) (cexpr, error) {
	var op *cexpr
	if e.Operand != nil {
		o, err := c.expr(e.Operand)
		if err != nil {
			return cexpr{}, err
		}
		op = &o
	}
	type arm struct{ cond, res evalFn }
	var arms []arm
	t := TypeNull
	for _, w := range e.Whens {
		cond, err := c.expr(w.Cond)
		if err != nil {
			return cexpr{}, err
		}
		if op != nil {
			if !comparable(op.typ, cond.typ) {
				return cexpr{}, errAt(w.Cond.Position(), "cannot compare %s with %s in CASE", op.typ, cond.typ)
			}
		} else if cond.typ.Kind != KindBool && cond.typ.Kind != KindNull {
			return cexpr{}, errAt(w.Cond.Position(), "WHEN needs a BOOLEAN condition but found %s", cond.typ)
		}
		res, err := c.expr(w.Result)
		if err != nil {
			return cexpr{}, err
		}
		nt, ok := commonType(t, res.typ)
		if !ok {
			return cexpr{}, errAt(w.Result.Position(), "CASE results of types %s and %s do not match", t, res.typ)
		}
		t = nt
		arms = append(arms, arm{cond.fn, res.fn})
	}
	var elseFn evalFn
	if e.Else != nil {
		el, err := c.expr(e.Else)
		if err != nil {
			return cexpr{}, err
		}
		nt, ok := commonType(t, el.typ)
		if !ok {
			return cexpr{}, errAt(e.Else.Position(), "CASE results of types %s and %s do not match", t, el.typ)
		}
		t = nt
		elseFn = el.fn
	}
	var opFn evalFn
	if op != nil {
		opFn = op.fn
	}
	return cexpr{fn: func(ctx *evalCtx) (Value, error) {
		var ov Value
		if opFn != nil {
			var err error
			if ov, err = opFn(ctx); err != nil {
				return Null, err
			}
		}
		for _, a := range arms {
			cv, err := a.cond(ctx)
			if err != nil {
				return Null, err
			}
			hit := false
			if opFn != nil {
				if ov.Kind != KindNull && cv.Kind != KindNull {
					c, _ := Compare(ov, cv)
					hit = c == 0
				}
			} else {
				hit = cv.Kind == KindBool && cv.I != 0
			}
			if hit {
				return coerce(a.res(ctx))(t)
			}
		}
		if elseFn != nil {
			return coerce(elseFn(ctx))(t)
		}
		return Null, nil
	}, typ: t}, nil
}

// coerce converts a result to the common type of a CASE or COALESCE (numbers only; other
// kinds already match).
func coerce(v Value, err error) func(Type) (Value, error) {
	return func(t Type) (Value, error) {
		if err != nil || v.Kind == KindNull || v.Kind == t.Kind || !isNumeric(t.Kind) {
			return v, err
		}
		return Cast(v, t)
	}
}

func (c *compiler) like(e *sql.Like) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	p, err := c.expr(e.Pattern)
	if err != nil {
		return cexpr{}, err
	}
	var esc cexpr
	if e.Escape != nil {
		if esc, err = c.expr(e.Escape); err != nil {
			return cexpr{}, err
		}
	}
	word := "LIKE"
	if e.Similar {
		word = "SIMILAR TO"
	}
	for _, o := range []cexpr{x, p, esc} {
		if o.fn != nil && o.typ.Kind != KindString && o.typ.Kind != KindNull {
			return cexpr{}, errAt(e.Pos, "%s needs character operands but found %s", word, o.typ)
		}
	}
	escape := rune(-1)
	if esc.fn != nil {
		if esc.konst == nil {
			return cexpr{}, errAt(e.Escape.Position(), "ESCAPE must be a constant")
		}
		r := []rune(esc.konst.S)
		if len(r) != 1 {
			return cexpr{}, errAt(e.Escape.Position(), "ESCAPE must be one character")
		}
		escape = r[0]
	}
	var m *matcher
	if p.konst != nil && p.konst.Kind == KindString {
		if m, err = newMatcher(p.konst.S, escape, e.Similar); err != nil {
			return cexpr{}, errAt(e.Pattern.Position(), "%s", err)
		}
	}
	xf, pf, not, similar := x.fn, p.fn, e.Not, e.Similar
	return cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := xf(ctx)
		if err != nil || v.Kind == KindNull {
			return Null, err
		}
		mm := m
		if mm == nil {
			pv, err := pf(ctx)
			if err != nil || pv.Kind == KindNull {
				return Null, err
			}
			if mm, err = newMatcher(pv.S, escape, similar); err != nil {
				return Null, err
			}
		}
		return Bool(mm.match(v.S) != not), nil
	}, typ: TypeBoolean}, nil
}
