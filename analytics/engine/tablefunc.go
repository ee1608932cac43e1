package engine

import (
	"fmt"
	"sync"
	"time"

	"github.com/eddy-streams/eddy/analytics/sql"
)

// TableFunction is the running state of a table function such as RANDOM_CUT_FOREST: it
// receives the rows of its CURSOR in ROWTIME order and emits rows, synchronously, through
// emit (which may be called any number of times per call). Push returns an error for a
// row it rejects; the row then goes to the error_stream. row.Values is valid only during
// Push: a function that keeps values copies them. The rows it emits are not kept either.
type TableFunction interface {
	Push(row Row, emit func(Row)) error
	// Advance says that time has reached now with no rows: a function with windows of
	// its own (TOP_K_ITEMS_TUMBLING) closes those that are due.
	Advance(now time.Time, emit func(Row))
}

// TableFunctionDef is what a factory returns: the columns of the rows the function emits
// and a constructor of its state (one per Runner).
type TableFunctionDef struct {
	Columns []Column
	New     func() TableFunction
}

// TableFunctionFactory checks a call's input columns (those of the CURSOR's query) and its
// other arguments (constants, in order) and returns the function's definition, or an error
// whose message Compile reports at the call.
type TableFunctionFactory func(input []Column, args []Value) (TableFunctionDef, error)

var tableFuncs struct {
	sync.RWMutex
	m map[string]TableFunctionFactory
}

// RegisterTableFunction makes name (upper case, as unquoted identifiers fold) usable as
// TABLE(name(CURSOR(SELECT STREAM ...), args...)). Registering a name again replaces it.
func RegisterTableFunction(name string, f TableFunctionFactory) {
	tableFuncs.Lock()
	defer tableFuncs.Unlock()
	if tableFuncs.m == nil {
		tableFuncs.m = map[string]TableFunctionFactory{}
	}
	tableFuncs.m[name] = f
}

func lookupTableFunction(name string) TableFunctionFactory {
	tableFuncs.RLock()
	defer tableFuncs.RUnlock()
	return tableFuncs.m[name]
}

type tableFuncPlan struct {
	name string
	def  TableFunctionDef
}

func (c *programCompiler) tableFunc(f *sql.TableFunc, plan *queryPlan) ([]scopeCol, error) {
	call := f.Call
	name := call.Name.Name
	factory := lookupTableFunction(name)
	if factory == nil {
		return nil, errAt(call.Pos, "unknown table function %s", quoteIdent(name))
	}
	if len(call.Args) == 0 {
		return nil, errAt(call.Pos, "%s needs a CURSOR(SELECT STREAM ...) as its first argument", name)
	}
	cur, ok := call.Args[0].(*sql.Cursor)
	if !ok {
		return nil, errAt(call.Args[0].Position(), "%s needs a CURSOR(SELECT STREAM ...) as its first argument", name)
	}
	sub, err := c.query(cur.Query, false)
	if err != nil {
		return nil, err
	}
	var args []Value
	kc := &compiler{}
	for _, a := range call.Args[1:] {
		x, err := kc.expr(a)
		if err != nil {
			return nil, err
		}
		if x.konst == nil {
			return nil, errAt(a.Position(), "the arguments of %s after the CURSOR must be constants", name)
		}
		args = append(args, *x.konst)
	}
	def, err := factory(append([]Column(nil), sub.outCols...), args)
	if err != nil {
		return nil, errAt(call.Pos, "%s: %s", name, err)
	}
	if def.New == nil || len(def.Columns) == 0 {
		return nil, errAt(call.Pos, "%s: %s", name, fmt.Errorf("the table function defines no columns"))
	}
	plan.sub = sub
	plan.tf = &tableFuncPlan{name: name, def: def}
	plan.width = len(def.Columns)
	var quals []string
	if f.Alias != nil {
		quals = []string{f.Alias.Name}
	}
	return streamScope(def.Columns, quals, false), nil
}
