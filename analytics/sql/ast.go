package sql

// Node is any node of the syntax tree. Position is the first token of the node; String prints
// the node back as SQL that parses to the same tree.
type Node interface {
	Position() Pos
	String() string
}

// Statement is a top-level statement of an application's code.
type Statement interface {
	Node
	stmt()
}

// Expr is a value expression.
type Expr interface {
	Node
	expr()
}

// FromItem is an element of a FROM clause.
type FromItem interface {
	Node
	from()
}

// Ident is an identifier. An unquoted identifier is folded to upper case (Quoted false); a
// quoted one keeps its case (Quoted true). Two identifiers name the same object when their
// Names are equal.
type Ident struct {
	Pos
	Name   string
	Quoted bool
}

// Program is an application's code: statements separated by ";".
type Program struct {
	Statements []Statement
}

// CreateStream is CREATE [OR REPLACE] STREAM name (col type, ...) [DESCRIPTION 'text'].
type CreateStream struct {
	Pos
	OrReplace   bool
	Name        Ident
	Columns     []ColumnDef
	Description *string
}

// ColumnDef is a column of CREATE STREAM.
type ColumnDef struct {
	Pos
	Name Ident
	Type Type
}

// Type is a data type: Name is the canonical upper-case name (INT is INTEGER, NUMERIC is
// DECIMAL, CHARACTER VARYING is VARCHAR, DOUBLE PRECISION is DOUBLE), Params its
// length or precision and scale, as written.
type Type struct {
	Pos
	Name   string
	Params []int
}

// CreatePump is CREATE [OR REPLACE] PUMP name AS INSERT INTO ... SELECT STREAM ....
type CreatePump struct {
	Pos
	OrReplace bool
	Name      Ident
	Insert    *Insert
}

// Insert is INSERT INTO stream [(columns)] query.
type Insert struct {
	Pos
	Into    Ident
	Columns []Ident
	Query   *Select
}

// Select is a SELECT [STREAM] query.
type Select struct {
	Pos
	Stream   bool
	Distinct bool
	Items    []SelectItem
	From     FromItem
	Where    Expr
	GroupBy  []Expr
	Having   Expr
	Windows  []WindowDef
	Stagger  *WindowSpec // WINDOWED BY STAGGER (...)
	// UnionAll holds the queries after each UNION ALL (sqlref Query: the only set
	// operator over streams). They have no ORDER BY and no UnionAll of their own: OrderBy
	// applies to the whole union.
	UnionAll []*Select
	OrderBy  []OrderItem
}

// OrderItem is an element of ORDER BY: expr [ASC|DESC]. Dir is "", "ASC" or "DESC".
type OrderItem struct {
	Pos
	Expr Expr
	Dir  string
}

// SelectItem is an element of the select list; Expr may be a *Star.
type SelectItem struct {
	Pos
	Expr  Expr
	Alias *Ident
}

// WindowDef is name AS (spec) of a WINDOW clause.
type WindowDef struct {
	Pos
	Name Ident
	Spec *WindowSpec
}

// WindowSpec is a window specification: [PARTITION BY exprs] [frame]. Frame is "" (none),
// "ROWS" or "RANGE"; Start is its bound, or the first of BETWEEN Start AND End (End nil
// otherwise).
type WindowSpec struct {
	Pos
	PartitionBy []Expr
	Frame       string
	Start       *WindowBound
	End         *WindowBound
}

// WindowBound is one bound of a window frame: CURRENT ROW, UNBOUNDED PRECEDING|FOLLOWING,
// n PRECEDING|FOLLOWING (ROWS: Rows) or interval PRECEDING|FOLLOWING (RANGE: Interval).
// Dir is "PRECEDING", "FOLLOWING", or "" for CURRENT ROW and for a stagger window's RANGE,
// which has no direction word.
type WindowBound struct {
	Pos
	CurrentRow bool
	Unbounded  bool
	Rows       *NumberLit
	Interval   *IntervalLit
	Dir        string
}

// TableRef is a named stream or table in FROM, with an optional window (a stream-to-stream
// join's OVER (spec) or OVER window-name) and alias.
type TableRef struct {
	Pos
	Name     []Ident
	Over     *WindowSpec
	OverName *Ident
	Alias    *Ident
}

// SubqueryRef is (SELECT ...) [AS alias] in FROM.
type SubqueryRef struct {
	Pos
	Query *Select
	Alias *Ident
}

// TableFunc is TABLE(function(args)) [AS alias] in FROM.
type TableFunc struct {
	Pos
	Call  *FuncCall
	Alias *Ident
}

// Join is left [INNER|LEFT [OUTER]|RIGHT [OUTER]|FULL [OUTER]] JOIN right ON cond. Kind is
// the join words as written, upper case, one space apart: "JOIN", "INNER JOIN",
// "LEFT OUTER JOIN", "LEFT JOIN", "CROSS JOIN" (which has no ON: On is nil), ...
type Join struct {
	Pos
	Kind        string
	Left, Right FromItem
	On          Expr
}

// ColumnRef is a possibly qualified column name (s.ROWTIME, "col").
type ColumnRef struct {
	Pos
	Parts []Ident
}

// Star is * or qualifier.* in a select list, or the * of COUNT(*).
type Star struct {
	Pos
	Qualifier []Ident
}

// NumberLit is a numeric literal; Text is as written (exponent letter upper-cased).
type NumberLit struct {
	Pos
	Text string
}

// StringLit is a character string literal (Value unescaped).
type StringLit struct {
	Pos
	Value string
}

// BoolLit is TRUE, FALSE or UNKNOWN.
type BoolLit struct {
	Pos
	Value string
}

// NullLit is NULL.
type NullLit struct {
	Pos
}

// DateTimeLit is TIMESTAMP 'v', DATE 'v' or TIME 'v'.
type DateTimeLit struct {
	Pos
	Kind  string
	Value string
}

// IntervalLit is INTERVAL [-]'value' unit [TO unit].
type IntervalLit struct {
	Pos
	Negative bool
	Value    string
	Unit     string
	ToUnit   string
}

// Unary is -x, +x or NOT x.
type Unary struct {
	Pos
	Op string
	X  Expr
}

// Binary is x op y: OR AND = <> != < <= > >= || + - * /.
type Binary struct {
	Pos
	Op   string
	L, R Expr
}

// Is is x IS [NOT] NULL|TRUE|FALSE|UNKNOWN.
type Is struct {
	Pos
	X    Expr
	Not  bool
	What string
}

// Between is x [NOT] BETWEEN lo AND hi.
type Between struct {
	Pos
	X, Lo, Hi Expr
	Not       bool
}

// In is x [NOT] IN (list).
type In struct {
	Pos
	X    Expr
	Not  bool
	List []Expr
}

// Like is x [NOT] LIKE|SIMILAR TO pattern [ESCAPE e].
type Like struct {
	Pos
	X       Expr
	Not     bool
	Similar bool
	Pattern Expr
	Escape  Expr
}

// Case is CASE [operand] WHEN ... THEN ... [ELSE ...] END.
type Case struct {
	Pos
	Operand Expr
	Whens   []When
	Else    Expr
}

// When is one WHEN cond THEN result of a CASE.
type When struct {
	Pos
	Cond, Result Expr
}

// Cast is CAST(x AS type).
type Cast struct {
	Pos
	X    Expr
	Type Type
}

// FloorCeil is FLOOR(x TO unit) or CEIL(x TO unit) (Fn "FLOOR" or "CEIL"; CEILING is CEIL).
type FloorCeil struct {
	Pos
	Fn   string
	X    Expr
	Unit string
}

// Step is STEP(x BY interval-or-integer).
type Step struct {
	Pos
	X  Expr
	By Expr
}

// Substring is SUBSTRING(x FROM start [FOR length]).
type Substring struct {
	Pos
	X, From, For Expr
}

// Position is POSITION(sub IN x).
type Position struct {
	Pos
	Sub, X Expr
}

// Trim is TRIM([BOTH|LEADING|TRAILING] [chars] FROM x) or TRIM(x). Where is "" when not
// written.
type Trim struct {
	Pos
	Where string
	Chars Expr
	From  bool
	X     Expr
}

// Extract is EXTRACT(unit FROM x).
type Extract struct {
	Pos
	Unit string
	X    Expr
}

// Cursor is CURSOR(query), the stream argument of a table function.
type Cursor struct {
	Pos
	Query *Select
}

// Niladic is a function called without parentheses: CURRENT_ROW_TIMESTAMP,
// CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIME, LOCALTIMESTAMP.
type Niladic struct {
	Pos
	Name string
}

// FuncCall is name([DISTINCT|ALL] args) [OVER window-name | OVER (spec)].
type FuncCall struct {
	Pos
	Name     Ident
	Distinct bool
	All      bool
	Args     []Expr
	OverName *Ident
	Over     *WindowSpec
}

func (*CreateStream) stmt() {}
func (*CreatePump) stmt()   {}
func (*Insert) stmt()       {}
func (*Select) stmt()       {}

func (*TableRef) from()    {}
func (*SubqueryRef) from() {}
func (*TableFunc) from()   {}
func (*Join) from()        {}

func (*ColumnRef) expr()   {}
func (*Star) expr()        {}
func (*NumberLit) expr()   {}
func (*StringLit) expr()   {}
func (*BoolLit) expr()     {}
func (*NullLit) expr()     {}
func (*DateTimeLit) expr() {}
func (*IntervalLit) expr() {}
func (*Unary) expr()       {}
func (*Binary) expr()      {}
func (*Is) expr()          {}
func (*Between) expr()     {}
func (*In) expr()          {}
func (*Like) expr()        {}
func (*Case) expr()        {}
func (*Cast) expr()        {}
func (*FloorCeil) expr()   {}
func (*Step) expr()        {}
func (*Substring) expr()   {}
func (*Position) expr()    {}
func (*Trim) expr()        {}
func (*Extract) expr()     {}
func (*Cursor) expr()      {}
func (*Niladic) expr()     {}
func (*FuncCall) expr()    {}
