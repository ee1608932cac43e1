package functions

import (
	"fmt"
	"strings"

	"github.com/eddy-streams/eddy/analytics/engine"
)

// Names of the table functions Register installs.
const (
	RandomCutForest                = "RANDOM_CUT_FOREST"
	RandomCutForestWithExplanation = "RANDOM_CUT_FOREST_WITH_EXPLANATION"
	TopKItemsTumbling              = "TOP_K_ITEMS_TUMBLING"
	CountDistinctItemsTumbling     = "COUNT_DISTINCT_ITEMS_TUMBLING"
)

// Register makes the four functions known to engine.Compile. Calling it
// again changes nothing.
func Register() {
	engine.RegisterTableFunction(RandomCutForest, func(in []engine.Column, args []engine.Value) (engine.TableFunctionDef, error) {
		return forestDef(in, args, false)
	})
	engine.RegisterTableFunction(RandomCutForestWithExplanation, func(in []engine.Column, args []engine.Value) (engine.TableFunctionDef, error) {
		return forestDef(in, args, true)
	})
	engine.RegisterTableFunction(TopKItemsTumbling, topKDef)
	engine.RegisterTableFunction(CountDistinctItemsTumbling, countDistinctDef)
}

// intArg returns args[i] as an integer, def if the call has fewer arguments.
func intArg(args []engine.Value, i int, name string, def int64) (int64, error) {
	if i >= len(args) {
		return def, nil
	}
	v := args[i]
	switch {
	case v.Kind == engine.KindInt:
		return v.I, nil
	case v.Kind == engine.KindDecimal && v.Scale == 0:
		return v.I, nil
	}
	return 0, fmt.Errorf("%s must be an integer, got %s", name, v)
}

// columnArg finds the column named by args[i], a character constant: by
// exact name, else by the one name equal to it ignoring case.
func columnArg(in []engine.Column, args []engine.Value, i int) (int, error) {
	if i >= len(args) || args[i].Kind != engine.KindString {
		return 0, fmt.Errorf("the argument after the CURSOR must be a column name in single quotes, as 'column1'")
	}
	name := args[i].S
	for j, c := range in {
		if c.Name == name {
			return j, nil
		}
	}
	found := -1
	for j, c := range in {
		if strings.EqualFold(c.Name, name) {
			if found >= 0 {
				return 0, fmt.Errorf("column '%s' is ambiguous in the CURSOR's columns", name)
			}
			found = j
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("the CURSOR has no column '%s'", name)
	}
	return found, nil
}
