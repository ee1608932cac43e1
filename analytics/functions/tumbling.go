package functions

import (
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/analytics/sketch"
)

// Window sizes in seconds (sqlref/top-k.html: "The size must be greater
// than or equal to one second and must not exceed 3600 seconds").
const (
	minWindowSeconds = 1
	maxWindowSeconds = 3600
	// itemLen is the length of TOP_K_ITEMS_TUMBLING's ITEM (see the package doc).
	itemLen = 1024
)

func windowArg(args []engine.Value, i int) (int64, error) {
	if i >= len(args) {
		return 0, fmt.Errorf("windowSize (seconds) is missing")
	}
	w, err := intArg(args, i, "windowSize", 0)
	if err != nil {
		return 0, err
	}
	if w < minWindowSeconds || w > maxWindowSeconds {
		return 0, fmt.Errorf("windowSize must be between %d and %d seconds (inclusive), got %d", minWindowSeconds, maxWindowSeconds, w)
	}
	return w * 1000, nil
}

// window tracks the tumbling window rows fall in, aligned to the epoch.
type window struct {
	size   int64 // milliseconds
	end    int64 // end of the open window
	isOpen bool
}

// closeBefore reports whether the open window ends at or before t (in
// milliseconds), returning its end, and leaves no window open if so.
func (w *window) closeBefore(t int64) (int64, bool) {
	if !w.isOpen || t < w.end {
		return 0, false
	}
	w.isOpen = false
	return w.end, true
}

// open makes the window of t the open one.
func (w *window) open(t int64) {
	start := t - ((t%w.size)+w.size)%w.size // floor, also before 1970
	w.end, w.isOpen = start+w.size, true
}

func topKDef(in []engine.Column, args []engine.Value) (engine.TableFunctionDef, error) {
	if len(args) != 3 {
		return engine.TableFunctionDef{}, fmt.Errorf("takes a CURSOR, 'columnName', K and windowSize, got %d arguments after the CURSOR", len(args))
	}
	col, err := columnArg(in, args, 0)
	if err != nil {
		return engine.TableFunctionDef{}, err
	}
	k, err := intArg(args, 1, "K", 0)
	if err != nil {
		return engine.TableFunctionDef{}, err
	}
	if k < sketch.MinK || k > sketch.MaxK {
		return engine.TableFunctionDef{}, &sketch.KError{K: int(max(min(k, 1<<31), -1<<31))}
	}
	size, err := windowArg(args, 2)
	if err != nil {
		return engine.TableFunctionDef{}, err
	}
	cols := []engine.Column{{Name: "ITEM", Type: engine.Varchar(itemLen)}, {Name: "ITEM_COUNT", Type: engine.TypeBigint}}
	return engine.TableFunctionDef{Columns: cols, New: func() engine.TableFunction {
		top, err := sketch.NewTopK(int(k))
		if err != nil {
			panic(err) // k was checked above
		}
		return &topKFunc{col: col, top: top, win: window{size: size}, out: make([]engine.Value, 2)}
	}}, nil
}

// topKFunc is a running TOP_K_ITEMS_TUMBLING.
type topKFunc struct {
	col int
	top *sketch.TopK
	win window
	out []engine.Value
}

func (f *topKFunc) Push(row engine.Row, emit func(engine.Row)) error {
	t := row.Rowtime.UnixMilli()
	f.flush(t, emit)
	if !f.win.isOpen {
		f.win.open(t)
	}
	if v := row.Values[f.col]; !v.IsNull() {
		f.top.Add(v.String())
	}
	return nil
}

func (f *topKFunc) Advance(now time.Time, emit func(engine.Row)) { f.flush(now.UnixMilli(), emit) }

func (f *topKFunc) flush(t int64, emit func(engine.Row)) {
	end, ok := f.win.closeBefore(t)
	if !ok {
		return
	}
	rt := time.UnixMilli(end).UTC()
	for _, it := range f.top.Top() {
		f.out[0], f.out[1] = engine.String(it.Key), engine.Int(it.Count)
		emit(engine.Row{Rowtime: rt, Values: f.out})
	}
	f.top.Reset()
}

func countDistinctDef(in []engine.Column, args []engine.Value) (engine.TableFunctionDef, error) {
	if len(args) != 2 {
		return engine.TableFunctionDef{}, fmt.Errorf("takes a CURSOR, 'columnName' and windowSize, got %d arguments after the CURSOR", len(args))
	}
	col, err := columnArg(in, args, 0)
	if err != nil {
		return engine.TableFunctionDef{}, err
	}
	size, err := windowArg(args, 1)
	if err != nil {
		return engine.TableFunctionDef{}, err
	}
	cols := []engine.Column{{Name: "NUMBER_OF_DISTINCT_ITEMS", Type: engine.TypeBigint}}
	return engine.TableFunctionDef{Columns: cols, New: func() engine.TableFunction {
		return &countDistinctFunc{col: col, cd: sketch.NewCountDistinct(), win: window{size: size}, out: make([]engine.Value, 1)}
	}}, nil
}

// countDistinctFunc is a running COUNT_DISTINCT_ITEMS_TUMBLING.
type countDistinctFunc struct {
	col int
	cd  *sketch.CountDistinct
	win window
	out []engine.Value
}

func (f *countDistinctFunc) Push(row engine.Row, emit func(engine.Row)) error {
	t := row.Rowtime.UnixMilli()
	f.flush(t, emit)
	if !f.win.isOpen {
		f.win.open(t)
	}
	if v := row.Values[f.col]; !v.IsNull() {
		f.cd.Add(v.String())
	}
	return nil
}

func (f *countDistinctFunc) Advance(now time.Time, emit func(engine.Row)) {
	f.flush(now.UnixMilli(), emit)
}

func (f *countDistinctFunc) flush(t int64, emit func(engine.Row)) {
	end, ok := f.win.closeBefore(t)
	if !ok {
		return
	}
	f.out[0] = engine.Int(int64(f.cd.Estimate()))
	emit(engine.Row{Rowtime: time.UnixMilli(end).UTC(), Values: f.out})
	f.cd.Reset()
}
