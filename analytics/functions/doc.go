// Package functions registers the analytics table functions of Kinesis Data
// Analytics (KDA) for SQL with the SQL engine (analytics/engine):
//
//	RANDOM_CUT_FOREST(CURSOR(...) [, numberOfTrees, subSampleSize, timeDecay, shingleSize])
//	RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(...) [, numberOfTrees, subSampleSize,
//	    timeDecay, shingleSize, withDirectionality])
//	TOP_K_ITEMS_TUMBLING(CURSOR(...), 'columnName', K, windowSize)
//	COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(...), 'columnName', windowSize)
//
// They are adapters: the algorithms are analytics/rcf (robust random cut
// forest) and analytics/sketch (Space-Saving top-k, HyperLogLog). Call
// Register once before engine.Compile:
//
//	functions.Register()
//	prog, err := engine.Compile(code, inputs, refs)
//
// # RANDOM_CUT_FOREST
//
// The output row is the CURSOR's row with ANOMALY_SCORE (DOUBLE) after its
// columns, as in the developer guide's anomaly example, which selects the
// input's non-numeric "rateType" next to ANOMALY_SCORE. The numeric columns
// (TINYINT, SMALLINT, INTEGER, BIGINT, REAL, FLOAT, DOUBLE), in order, are
// the point; other columns pass through unscored. KDA: "DECIMAL is not a
// supported type. Use DOUBLE instead": a DECIMAL column in the CURSOR is an
// error at Compile. A row with a NULL numeric value is rejected (it goes to
// the error_stream and the forest does not learn it): KDA does not document
// what it does with NULLs, so this is our choice. Scores are 0 for the first
// subSampleSize rows (rcf.Forest.Update).
//
// The arguments after the CURSOR are integer constants with KDA's defaults
// (numberOfTrees 100, subSampleSize 256, timeDecay 100000, shingleSize 1);
// the reference shows the call with none or all of them; we also take a
// leading subset, the rest defaulting. Out of range values are errors at
// Compile naming the parameter and its documented range (KDA's own error
// texts are not documented).
//
// RANDOM_CUT_FOREST_WITH_EXPLANATION adds ANOMALY_EXPLANATION, the JSON of
// rcf.Explanation.JSON keyed by the numeric columns' names. Its type here is
// VARCHAR(20480): the developer guide's example stores it in VARCHAR(512),
// and KDA does not give the function's own type; 20480 holds the members of
// the 30 columns KDA allows. withDirectionality is a BOOLEAN constant;
// without it we write no DIRECTION or STRENGTH (false by default is our
// reading; we found no page stating the default).
//
// # TOP_K_ITEMS_TUMBLING and COUNT_DISTINCT_ITEMS_TUMBLING
//
// Both count the named column's values (their text, Value.String) over
// tumbling windows of windowSize seconds aligned to the epoch, as GROUP BY
// FLOOR(ROWTIME TO ...) windows are, and emit when a window closes (a row of
// a later window arrives, or the engine advances time past its end), with
// ROWTIME the window's end. NULL values are not counted (KDA does not say).
// A window that saw no row emits nothing.
//
// TOP_K_ITEMS_TUMBLING emits up to K rows per window, most frequent first:
// ITEM VARCHAR(1024) and ITEM_COUNT BIGINT. The names and ITEM's type are
// those of the Flink migration guide's KDA example ("SELECT STREAM ITEM,
// ITEM_COUNT ... TOP_K_ITEMS_TUMBLING", into ITEM VARCHAR(1024), ITEM_COUNT
// DOUBLE); the SQL reference's example inserts the function's rows into
// (VARCHAR(4), BIGINT), so we type the count BIGINT; the engine casts it to
// a DOUBLE column where one is declared. K is 1 to 100,000 and windowSize 1
// to 3,600 (sqlref/top-k.html).
//
// COUNT_DISTINCT_ITEMS_TUMBLING emits one row per window,
// NUMBER_OF_DISTINCT_ITEMS BIGINT (the reference's example). The reference
// gives no range for its windowSize that we found; we require 1 to 3,600
// as for TOP_K_ITEMS_TUMBLING.
//
// HOTSPOTS is not implemented.
package functions
