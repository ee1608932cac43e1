package engine

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// matcher matches LIKE patterns (% and _, with an optional escape character) and SIMILAR
// TO patterns (translated to an anchored regular expression).
type matcher struct {
	re   *regexp.Regexp
	toks []likeTok
}

type likeTok struct {
	kind byte // 'l' literal rune, '_' any rune, '%' any run
	r    rune
}

func newMatcher(p string, esc rune, similar bool) (*matcher, error) {
	var toks []likeTok
	var re strings.Builder
	re.WriteString(`^(?s:`)
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			toks = append(toks, likeTok{'l', r})
			re.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == esc:
			escaped = true
		case r == '%':
			toks = append(toks, likeTok{'%', 0})
			re.WriteString(".*")
		case r == '_':
			toks = append(toks, likeTok{'_', 0})
			re.WriteString(".")
		default:
			toks = append(toks, likeTok{'l', r})
			if similar {
				re.WriteRune(r)
			} else {
				re.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
	}
	if escaped {
		return nil, fmt.Errorf("pattern %q ends with the escape character", p)
	}
	re.WriteString(`)$`)
	if similar {
		r, err := regexp.Compile(re.String())
		if err != nil {
			return nil, fmt.Errorf("invalid SIMILAR TO pattern %q", p)
		}
		return &matcher{re: r}, nil
	}
	return &matcher{toks: toks}, nil
}

// match runs the LIKE pattern over s with backtracking on the last %, in O(len(s)*len(p)).
func (m *matcher) match(s string) bool {
	if m.re != nil {
		return m.re.MatchString(s)
	}
	toks := m.toks
	si, ti := 0, 0
	star, starSi := -1, 0
	for si < len(s) {
		if ti < len(toks) {
			t := toks[ti]
			r, n := utf8.DecodeRuneInString(s[si:])
			switch {
			case t.kind == '%':
				star, starSi = ti, si
				ti++
				continue
			case t.kind == '_' || t.r == r:
				si += n
				ti++
				continue
			}
		}
		if star < 0 {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starSi:])
		starSi += n
		si = starSi
		ti = star + 1
	}
	for ti < len(toks) && toks[ti].kind == '%' {
		ti++
	}
	return ti == len(toks)
}

// truncTime floors (or, ceil true, ceils) a timestamp in milliseconds to a unit.
func truncTime(ms int64, unit string, ceil bool) int64 {
	var f int64
	switch unit {
	case "YEAR", "MONTH":
		t := time.UnixMilli(ms).UTC()
		m := t.Month()
		if unit == "YEAR" {
			m = 1
		}
		ft := time.Date(t.Year(), m, 1, 0, 0, 0, 0, time.UTC)
		f = ft.UnixMilli()
		if ceil && f != ms {
			if unit == "YEAR" {
				f = ft.AddDate(1, 0, 0).UnixMilli()
			} else {
				f = ft.AddDate(0, 1, 0).UnixMilli()
			}
		}
		return f
	}
	u := unitMillis[unit]
	f = floorDiv(ms, u) * u
	if ceil && f != ms {
		f += u
	}
	return f
}

// unitEnd is the end of the unit-long period starting at ms.
func unitEnd(ms int64, unit string) int64 {
	switch unit {
	case "YEAR":
		return time.UnixMilli(ms).UTC().AddDate(1, 0, 0).UnixMilli()
	case "MONTH":
		return time.UnixMilli(ms).UTC().AddDate(0, 1, 0).UnixMilli()
	}
	return ms + unitMillis[unit]
}

func (c *compiler) floorCeil(e *sql.FloorCeil) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	switch x.typ.Kind {
	case KindTimestamp, KindDate, KindNull:
	default:
		return cexpr{}, errAt(e.Pos, "%s(... TO %s) needs a TIMESTAMP or DATE but found %s", e.Fn, e.Unit, x.typ)
	}
	if x.typ.Kind == KindDate && unitMillis[e.Unit] > 0 && e.Unit != "DAY" {
		return cexpr{}, errAt(e.Pos, "%s of a DATE to %s is not defined", e.Fn, e.Unit)
	}
	f, unit, ceil := x.fn, e.Unit, e.Fn == "CEIL"
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		v, err := f(ctx)
		if err != nil || v.Kind == KindNull {
			return Null, err
		}
		if v.Kind == KindDate {
			return Value{Kind: KindDate, I: floorDiv(truncTime(v.I*msPerDay, unit, ceil), msPerDay)}, nil
		}
		return TimestampMillis(truncTime(v.I, unit, ceil)), nil
	}, typ: x.typ}, x), nil
}

func (c *compiler) step(e *sql.Step) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	by, err := c.expr(e.By)
	if err != nil {
		return cexpr{}, err
	}
	if by.konst == nil {
		return cexpr{}, errAt(e.By.Position(), "STEP needs a constant interval or integer after BY")
	}
	b := *by.konst
	f := x.fn
	switch {
	case x.typ.Kind == KindTimestamp && b.Kind == KindIntervalDS:
		if b.I <= 0 {
			return cexpr{}, errAt(e.By.Position(), "STEP needs a positive interval")
		}
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			v, err := f(ctx)
			if err != nil || v.Kind == KindNull {
				return Null, err
			}
			return TimestampMillis(floorDiv(v.I, b.I) * b.I), nil
		}, typ: TypeTimestamp}, x), nil
	case x.typ.Kind == KindInt && b.Kind == KindInt:
		if b.I <= 0 {
			return cexpr{}, errAt(e.By.Position(), "STEP needs a positive integer")
		}
		return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
			v, err := f(ctx)
			if err != nil || v.Kind == KindNull {
				return Null, err
			}
			return Int(floorDiv(v.I, b.I) * b.I), nil
		}, typ: x.typ}, x), nil
	}
	return cexpr{}, errAt(e.Pos, "STEP needs a TIMESTAMP BY a day-to-second INTERVAL or an integer BY an integer, not %s BY %s", x.typ, by.typ)
}

func (c *compiler) strArg(e sql.Expr, fn string) (cexpr, error) {
	x, err := c.expr(e)
	if err != nil {
		return cexpr{}, err
	}
	if x.typ.Kind != KindString && x.typ.Kind != KindNull {
		return cexpr{}, errAt(e.Position(), "%s needs a character argument but found %s", fn, x.typ)
	}
	return x, nil
}

func (c *compiler) intArg(e sql.Expr, fn string) (cexpr, error) {
	x, err := c.expr(e)
	if err != nil {
		return cexpr{}, err
	}
	if x.typ.Kind != KindInt && x.typ.Kind != KindNull {
		return cexpr{}, errAt(e.Position(), "%s needs an integer argument but found %s", fn, x.typ)
	}
	return x, nil
}

// evalAll evaluates fns; null is true when any result is NULL.
func evalAll(ctx *evalCtx, fns []evalFn, out []Value) (null bool, err error) {
	for i, f := range fns {
		v, err := f(ctx)
		if err != nil {
			return false, err
		}
		if v.Kind == KindNull {
			null = true
		}
		out[i] = v
	}
	return null, nil
}

// strict builds a function of fixed arity that is NULL when any argument is NULL.
func strict(t Type, args []cexpr, f func(a []Value) (Value, error)) cexpr {
	fns := make([]evalFn, len(args))
	for i, a := range args {
		fns[i] = a.fn
	}
	n := len(fns)
	return fold(cexpr{fn: func(ctx *evalCtx) (Value, error) {
		var buf [5]Value
		a := buf[:n]
		if n > len(buf) {
			a = make([]Value, n)
		}
		null, err := evalAll(ctx, fns, a)
		if err != nil || null {
			return Null, err
		}
		return f(a)
	}, typ: t}, args...)
}

func (c *compiler) substring(e *sql.Substring) (cexpr, error) {
	x, err := c.strArg(e.X, "SUBSTRING")
	if err != nil {
		return cexpr{}, err
	}
	from, err := c.intArg(e.From, "SUBSTRING")
	if err != nil {
		return cexpr{}, err
	}
	args := []cexpr{x, from}
	if e.For != nil {
		n, err := c.intArg(e.For, "SUBSTRING")
		if err != nil {
			return cexpr{}, err
		}
		args = append(args, n)
	}
	return strict(Varchar(max(x.typ.Len, 1)), args, func(a []Value) (Value, error) {
		r := []rune(a[0].S)
		start := a[1].I - 1 // SQL positions are 1-based
		end := int64(len(r))
		if len(a) == 3 {
			if a[2].I < 0 {
				return Null, fmt.Errorf("SUBSTRING length %d is negative", a[2].I)
			}
			end = min(start+a[2].I, end)
		}
		start = max(start, 0)
		if start >= end {
			return String(""), nil
		}
		return String(string(r[start:end])), nil
	}), nil
}

func (c *compiler) position(e *sql.Position) (cexpr, error) {
	sub, err := c.strArg(e.Sub, "POSITION")
	if err != nil {
		return cexpr{}, err
	}
	x, err := c.strArg(e.X, "POSITION")
	if err != nil {
		return cexpr{}, err
	}
	return strict(TypeInteger, []cexpr{sub, x}, func(a []Value) (Value, error) {
		i := strings.Index(a[1].S, a[0].S)
		if i < 0 {
			return Int(0), nil
		}
		return Int(int64(utf8.RuneCountInString(a[1].S[:i])) + 1), nil
	}), nil
}

func (c *compiler) trim(e *sql.Trim) (cexpr, error) {
	x, err := c.strArg(e.X, "TRIM")
	if err != nil {
		return cexpr{}, err
	}
	args := []cexpr{x}
	if e.Chars != nil {
		ch, err := c.strArg(e.Chars, "TRIM")
		if err != nil {
			return cexpr{}, err
		}
		args = append(args, ch)
	}
	where := e.Where
	return strict(Varchar(max(x.typ.Len, 1)), args, func(a []Value) (Value, error) {
		cut := " "
		if len(a) == 2 {
			cut = a[1].S
			if utf8.RuneCountInString(cut) != 1 {
				return Null, fmt.Errorf("TRIM character %q must be one character", cut)
			}
		}
		s := a[0].S
		if where != "TRAILING" {
			s = strings.TrimLeft(s, cut)
		}
		if where != "LEADING" {
			s = strings.TrimRight(s, cut)
		}
		return String(s), nil
	}), nil
}

func (c *compiler) extract(e *sql.Extract) (cexpr, error) {
	x, err := c.expr(e.X)
	if err != nil {
		return cexpr{}, err
	}
	switch x.typ.Kind {
	case KindTimestamp, KindDate, KindTime, KindNull:
	default:
		return cexpr{}, errAt(e.Pos, "EXTRACT needs a TIMESTAMP, DATE or TIME but found %s", x.typ)
	}
	unit := e.Unit
	return strict(TypeBigint, []cexpr{x}, func(a []Value) (Value, error) {
		v := a[0]
		ms := v.I
		if v.Kind == KindDate {
			ms *= msPerDay
		}
		t := time.UnixMilli(ms).UTC()
		switch unit {
		case "YEAR":
			return Int(int64(t.Year())), nil
		case "MONTH":
			return Int(int64(t.Month())), nil
		case "DAY":
			return Int(int64(t.Day())), nil
		case "HOUR":
			return Int(int64(t.Hour())), nil
		case "MINUTE":
			return Int(int64(t.Minute())), nil
		}
		return Int(int64(t.Second())), nil
	}), nil
}

// aggregateNames are the aggregate functions (sqlref Aggregate Functions).
var aggregateNames = map[string]bool{
	"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true,
	"FIRST_VALUE": true, "LAST_VALUE": true, "STDDEV_POP": true, "STDDEV_SAMP": true,
	"VAR_POP": true, "VAR_SAMP": true,
}

func (c *compiler) call(e *sql.FuncCall) (cexpr, error) {
	name := e.Name.Name
	if e.Name.Quoted {
		return cexpr{}, errAt(e.Pos, "unknown function %s", quoteIdent(name))
	}
	if aggregateNames[name] {
		return c.aggregate(e)
	}
	if e.Over != nil || e.OverName != nil {
		return cexpr{}, errAt(e.Pos, "%s is not an aggregate function and cannot have OVER", name)
	}
	if e.Distinct || e.All {
		return cexpr{}, errAt(e.Pos, "%s is not an aggregate function and cannot have DISTINCT or ALL", name)
	}
	arity := func(lo, hi int) error {
		if len(e.Args) < lo || len(e.Args) > hi {
			want := fmt.Sprint(lo)
			if hi != lo {
				want = fmt.Sprintf("%d to %d", lo, hi)
			}
			s := "s"
			if want == "1" {
				s = ""
			}
			return errAt(e.Pos, "%s takes %s argument%s but found %d", name, want, s, len(e.Args))
		}
		return nil
	}
	args := make([]cexpr, len(e.Args))
	for i, a := range e.Args {
		x, err := c.expr(a)
		if err != nil {
			return cexpr{}, err
		}
		args[i] = x
	}
	need := func(i int, what string, ok func(Kind) bool) error {
		if k := args[i].typ.Kind; k != KindNull && !ok(k) {
			return errAt(e.Args[i].Position(), "%s needs %s argument but found %s", name, what, args[i].typ)
		}
		return nil
	}
	isStr := func(k Kind) bool { return k == KindString }
	isInt := func(k Kind) bool { return k == KindInt }
	isTS := func(k Kind) bool { return k == KindTimestamp }
	check := func(lo, hi int, what string, ok func(Kind) bool) error {
		if err := arity(lo, hi); err != nil {
			return err
		}
		for i := range args {
			if err := need(i, what, ok); err != nil {
				return err
			}
		}
		return nil
	}
	switch name {
	case "CHAR_LENGTH", "CHARACTER_LENGTH":
		if err := check(1, 1, "a character", isStr); err != nil {
			return cexpr{}, err
		}
		return strict(TypeInteger, args, func(a []Value) (Value, error) {
			return Int(int64(utf8.RuneCountInString(a[0].S))), nil
		}), nil
	case "UPPER", "LOWER", "INITCAP":
		if err := check(1, 1, "a character", isStr); err != nil {
			return cexpr{}, err
		}
		return strict(args[0].typ, args, func(a []Value) (Value, error) {
			switch name {
			case "UPPER":
				return String(strings.ToUpper(a[0].S)), nil
			case "LOWER":
				return String(strings.ToLower(a[0].S)), nil
			}
			return String(initcap(a[0].S)), nil
		}), nil
	case "REGEX_REPLACE":
		if err := arity(5, 5); err != nil {
			return cexpr{}, err
		}
		for i := 0; i < 3; i++ {
			if err := need(i, "a character", isStr); err != nil {
				return cexpr{}, err
			}
		}
		for i := 3; i < 5; i++ {
			if err := need(i, "an integer", isInt); err != nil {
				return cexpr{}, err
			}
		}
		var re *regexp.Regexp
		if k := args[1].konst; k != nil && k.Kind == KindString {
			r, err := regexp.Compile(k.S)
			if err != nil {
				return cexpr{}, errAt(e.Args[1].Position(), "invalid regular expression %q", k.S)
			}
			re = r
		}
		return strict(Varchar(maxVarchar), args, func(a []Value) (Value, error) {
			return regexReplace(re, a)
		}), nil
	case "ABS":
		if err := check(1, 1, "a numeric", isNumeric); err != nil {
			return cexpr{}, err
		}
		return strict(args[0].typ, args, func(a []Value) (Value, error) {
			v := a[0]
			if v.Kind == KindFloat {
				return Float(math.Abs(v.F)), nil
			}
			if v.I < 0 {
				return negate(v)
			}
			return v, nil
		}), nil
	case "MOD":
		if err := check(2, 2, "an integer or DECIMAL", func(k Kind) bool { return k == KindInt || k == KindDecimal }); err != nil {
			return cexpr{}, err
		}
		t := numericResult(args[0].typ, args[1].typ, "+")
		if args[1].typ.Kind == KindInt && args[0].typ.Kind == KindInt {
			t = args[1].typ
		}
		return strict(t, args, func(a []Value) (Value, error) {
			if t.Kind == KindInt {
				if a[1].I == 0 {
					return Null, errDivZero
				}
				if a[1].I == -1 {
					return Int(0), nil
				}
				return Int(a[0].I % a[1].I), nil
			}
			au, as := decParts(a[0])
			bu, bs := decParts(a[1])
			x, ok1 := rescale(au, as, t.Scale)
			y, ok2 := rescale(bu, bs, t.Scale)
			if !ok1 || !ok2 {
				return Null, errOverflow
			}
			if y == 0 {
				return Null, errDivZero
			}
			return Decimal(x%y, t.Scale), nil
		}), nil
	case "POWER", "LN", "LOG10", "EXP", "SQRT":
		n := 1
		if name == "POWER" {
			n = 2
		}
		if err := check(n, n, "a numeric", isNumeric); err != nil {
			return cexpr{}, err
		}
		return strict(TypeDouble, args, func(a []Value) (Value, error) {
			x := a[0].Float64()
			var r float64
			switch name {
			case "POWER":
				r = math.Pow(x, a[1].Float64())
			case "LN", "LOG10":
				if x <= 0 {
					return Null, fmt.Errorf("%s of %s is undefined", name, formatFloat(x))
				}
				if name == "LN" {
					r = math.Log(x)
				} else {
					r = math.Log10(x)
				}
			case "EXP":
				r = math.Exp(x)
			default:
				if x < 0 {
					return Null, fmt.Errorf("SQRT of %s is undefined", formatFloat(x))
				}
				r = math.Sqrt(x)
			}
			if math.IsNaN(r) {
				return Null, fmt.Errorf("%s result is not a number", name)
			}
			return Float(r), nil
		}), nil
	case "FLOOR", "CEIL", "CEILING":
		if err := check(1, 1, "a numeric", isNumeric); err != nil {
			return cexpr{}, err
		}
		t := args[0].typ
		if t.Kind == KindDecimal {
			t = DecimalType(t.Prec, 0)
		}
		ceil := name != "FLOOR"
		return strict(t, args, func(a []Value) (Value, error) {
			v := a[0]
			switch v.Kind {
			case KindFloat:
				if ceil {
					return Float(math.Ceil(v.F)), nil
				}
				return Float(math.Floor(v.F)), nil
			case KindDecimal:
				p := pow10tab[v.Scale]
				q := floorDiv(v.I, p)
				if ceil && q*p != v.I {
					q++
				}
				return Decimal(q, 0), nil
			}
			return v, nil
		}), nil
	case "COALESCE":
		if len(args) == 0 {
			return cexpr{}, errAt(e.Pos, "COALESCE takes at least 1 argument but found 0")
		}
		t := TypeNull
		for i, a := range args {
			nt, ok := commonType(t, a.typ)
			if !ok {
				return cexpr{}, errAt(e.Args[i].Position(), "COALESCE arguments of types %s and %s do not match", t, a.typ)
			}
			t = nt
		}
		fns := make([]evalFn, len(args))
		for i, a := range args {
			fns[i] = a.fn
		}
		return cexpr{fn: func(ctx *evalCtx) (Value, error) {
			for _, f := range fns {
				v, err := f(ctx)
				if err != nil {
					return Null, err
				}
				if v.Kind != KindNull {
					return coerce(v, nil)(t)
				}
			}
			return Null, nil
		}, typ: t}, nil
	case "NULLIF":
		if err := arity(2, 2); err != nil {
			return cexpr{}, err
		}
		if !comparable(args[0].typ, args[1].typ) {
			return cexpr{}, errAt(e.Pos, "cannot compare %s with %s in NULLIF", args[0].typ, args[1].typ)
		}
		a0, a1 := args[0].fn, args[1].fn
		return cexpr{fn: func(ctx *evalCtx) (Value, error) {
			v, err := a0(ctx)
			if err != nil || v.Kind == KindNull {
				return Null, err
			}
			w, err := a1(ctx)
			if err != nil {
				return Null, err
			}
			if w.Kind != KindNull {
				if c, _ := Compare(v, w); c == 0 {
					return Null, nil
				}
			}
			return v, nil
		}, typ: args[0].typ}, nil
	case "TSDIFF":
		// sqlref TSDIFF: the difference ts1 - ts2 in milliseconds, NULL if either is NULL.
		if err := check(2, 2, "a TIMESTAMP", isTS); err != nil {
			return cexpr{}, err
		}
		return strict(TypeBigint, args, func(a []Value) (Value, error) {
			d, ok := subInt(a[0].I, a[1].I)
			if !ok {
				return Null, errOverflow
			}
			return Int(d), nil
		}), nil
	case "TO_TIMESTAMP":
		// sqlref TO_TIMESTAMP: milliseconds since the epoch to a TIMESTAMP.
		if err := check(1, 1, "a BIGINT", isInt); err != nil {
			return cexpr{}, err
		}
		return strict(TypeTimestamp, args, func(a []Value) (Value, error) { return TimestampMillis(a[0].I), nil }), nil
	case "UNIX_TIMESTAMP":
		// sqlref UNIX_TIMESTAMP: a TIMESTAMP to milliseconds since the epoch.
		if err := check(1, 1, "a TIMESTAMP", isTS); err != nil {
			return cexpr{}, err
		}
		return strict(TypeBigint, args, func(a []Value) (Value, error) { return Int(a[0].I), nil }), nil
	}
	return cexpr{}, errAt(e.Pos, "unknown function %s", name)
}

func initcap(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start {
				b.WriteRune(unicode.ToUpper(r))
			} else {
				b.WriteRune(unicode.ToLower(r))
			}
			start = false
		} else {
			b.WriteRune(r)
			start = true
		}
	}
	return b.String()
}

// javaReplacement turns a java.lang.String.replaceAll replacement ($1, \$) into Go's
// regexp expansion syntax (${1}, $$).
func javaReplacement(r string) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		switch c := r[i]; {
		case c == '\\' && i+1 < len(r):
			i++
			if r[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(r[i])
			}
		case c == '$':
			j := i + 1
			for j < len(r) && r[j] >= '0' && r[j] <= '9' {
				j++
			}
			if j == i+1 {
				b.WriteString("$$")
			} else {
				b.WriteString("${" + r[i+1:j] + "}")
				i = j - 1
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// regexReplace implements REGEX_REPLACE(original, regex, replacement, startPosition,
// occurrence) as sqlref describes it: startPosition < 1 or occurrence < 0 is an error;
// occurrence 0 replaces every match, n only the n-th.
func regexReplace(re *regexp.Regexp, a []Value) (Value, error) {
	if re == nil {
		r, err := regexp.Compile(a[1].S)
		if err != nil {
			return Null, fmt.Errorf("invalid regular expression %q", a[1].S)
		}
		re = r
	}
	start, occ := a[3].I, a[4].I
	if start < 1 {
		return Null, fmt.Errorf("REGEX_REPLACE start position %d is less than 1", start)
	}
	if occ < 0 {
		return Null, fmt.Errorf("REGEX_REPLACE occurrence %d is negative", occ)
	}
	s := a[0].S
	runes := []rune(s)
	if start > int64(len(runes)) {
		return String(s), nil
	}
	head := string(runes[:start-1])
	tail := string(runes[start-1:])
	repl := javaReplacement(a[2].S)
	if occ == 0 {
		return String(head + re.ReplaceAllString(tail, repl)), nil
	}
	ms := re.FindAllStringSubmatchIndex(tail, -1)
	if int64(len(ms)) < occ {
		return String(s), nil
	}
	m := ms[occ-1]
	var dst []byte
	dst = re.ExpandString(dst, repl, tail, m)
	return String(head + tail[:m[0]] + string(dst) + tail[m[1]:]), nil
}
