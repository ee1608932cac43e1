package functions

import (
	"errors"
	"fmt"
	"time"

	"github.com/eddy-streams/eddy/analytics/engine"
	"github.com/eddy-streams/eddy/analytics/rcf"
)

// explanationLen is the length of ANOMALY_EXPLANATION's VARCHAR (see the
// package doc).
const explanationLen = 20480

// forestDef checks a RANDOM_CUT_FOREST[_WITH_EXPLANATION] call and defines
// its rows: the input's columns, ANOMALY_SCORE and, explained,
// ANOMALY_EXPLANATION.
func forestDef(in []engine.Column, args []engine.Value, explain bool) (engine.TableFunctionDef, error) {
	maxArgs := 4
	if explain {
		maxArgs = 5
	}
	if len(args) > maxArgs {
		return engine.TableFunctionDef{}, fmt.Errorf("takes a CURSOR and at most %d more arguments, got %d", maxArgs, len(args))
	}
	c := rcf.DefaultConfig()
	names := []string{"numberOfTrees", "subSampleSize", "timeDecay", "shingleSize"}
	defs := []int64{int64(c.Trees), int64(c.SampleSize), c.TimeDecay, int64(c.ShingleSize)}
	vals := make([]int64, len(names))
	for i, n := range names {
		v, err := intArg(args, i, n, defs[i])
		if err != nil {
			return engine.TableFunctionDef{}, err
		}
		vals[i] = v
	}
	// Out of int range values become range errors in Validate.
	clampInt := func(v int64) int {
		const lim = 1 << 31
		if v > lim {
			return lim
		}
		if v < -lim {
			return -lim
		}
		return int(v)
	}
	c.Trees, c.SampleSize, c.TimeDecay, c.ShingleSize = clampInt(vals[0]), clampInt(vals[1]), vals[2], clampInt(vals[3])
	directional := false
	if explain && len(args) > 4 {
		if args[4].Kind != engine.KindBool {
			return engine.TableFunctionDef{}, fmt.Errorf("withDirectionality must be TRUE or FALSE, got %s", args[4])
		}
		directional = args[4].I != 0
	}
	var numeric []int
	var numNames []string
	for i, col := range in {
		switch col.Type.Kind {
		case engine.KindInt, engine.KindFloat:
			numeric = append(numeric, i)
			numNames = append(numNames, col.Name)
		case engine.KindDecimal:
			// KDA: "DECIMAL is not a supported type. Use DOUBLE instead."
			return engine.TableFunctionDef{}, fmt.Errorf("column %s is %s: DECIMAL is not a supported type, use DOUBLE", col.Name, col.Type)
		}
	}
	if len(numeric) == 0 {
		return engine.TableFunctionDef{}, errors.New("the CURSOR has no numeric column to score")
	}
	c.Dimensions = len(numeric)
	if err := c.Validate(); err != nil {
		return engine.TableFunctionDef{}, err
	}
	cols := append(append([]engine.Column(nil), in...), engine.Column{Name: "ANOMALY_SCORE", Type: engine.TypeDouble})
	if explain {
		cols = append(cols, engine.Column{Name: "ANOMALY_EXPLANATION", Type: engine.Varchar(explanationLen)})
	}
	return engine.TableFunctionDef{Columns: cols, New: func() engine.TableFunction {
		f, err := rcf.New(c)
		if err != nil {
			panic(err) // c was validated above
		}
		return &forestFunc{
			f: f, numeric: numeric, names: numNames, explain: explain, directional: directional,
			point: make([]float64, len(numeric)), out: make([]engine.Value, len(cols)),
		}
	}}, nil
}

// forestFunc is a running RANDOM_CUT_FOREST: one forest per Runner.
type forestFunc struct {
	f           *rcf.Forest
	numeric     []int    // indices of the numeric input columns
	names       []string // their names, for ANOMALY_EXPLANATION
	explain     bool
	directional bool
	point       []float64
	out         []engine.Value // reused: the engine keeps no emitted row
}

func (ff *forestFunc) Push(row engine.Row, emit func(engine.Row)) error {
	for j, i := range ff.numeric {
		v := row.Values[i]
		if v.IsNull() {
			return fmt.Errorf("column %s is NULL: RANDOM_CUT_FOREST scores numeric values only", ff.names[j])
		}
		ff.point[j] = v.Float64()
	}
	n := len(ff.out) - 1
	if ff.explain {
		n--
	}
	copy(ff.out, row.Values[:n])
	if !ff.explain {
		s, err := ff.f.Update(ff.point)
		if err != nil {
			return err
		}
		ff.out[n] = engine.Float(s)
	} else {
		e, err := ff.f.UpdateExplained(ff.point)
		if err != nil {
			return err
		}
		ff.out[n] = engine.Float(e.Score)
		ff.out[n+1] = engine.String(e.JSON(ff.names, ff.directional))
	}
	emit(engine.Row{Rowtime: row.Rowtime, Values: ff.out})
	return nil
}

// Advance does nothing: the forest has no windows.
func (ff *forestFunc) Advance(time.Time, func(engine.Row)) {}
