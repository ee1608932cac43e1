// Package engine runs the SQL dialect of Amazon Kinesis Data Analytics for SQL
// applications (issue 20) over rows in memory: it compiles an application's code, parsed by
// analytics/sql, against its input streams and reference tables, and runs its pumps. It does
// no I/O and has no clock: time is the ROWTIME of the rows the caller pushes, and what the
// caller says with Advance.
//
//	prog, err := engine.Compile(code, []engine.InputSchema{{Stream: "SOURCE_SQL_STREAM_001", Columns: cols}}, refs)
//	r := prog.Start(func(stream string, row engine.Row) { ... })  // DESTINATION_SQL_STREAM, error_stream, ...
//	err = r.Push("SOURCE_SQL_STREAM_001", engine.Row{Rowtime: t, Values: vals})
//	r.Advance(now)                                                 // close the windows due by now
//
// Records become rows with a Decoder (the API's RecordFormat JSON with JSONPath mappings,
// [0:] flattening an array as dev Working with JSONPath describes, or CSV) and rows become records with EncodeRecord. A record that does not decode goes to the
// error_stream (Runner.ReportRecordError).
//
// Pages named below are those of the Amazon Kinesis Data Analytics SQL Reference (sqlref)
// and the SQL Developer Guide (dev).
//
// # Values
//
// A Value is a small comparable struct (see its doc) holding NULL, BOOLEAN, integers
// (TINYINT to BIGINT, range-checked when stored), floating point (REAL rounded to float32
// when stored), exact DECIMAL(p,s) as a scaled int64 (p at most 18), character strings
// (CHAR(n) padded, VARCHAR(n)), TIMESTAMP (milliseconds, UTC), DATE, TIME and intervals.
//
// # Dialect
//
//   - CREATE [OR REPLACE] STREAM and CREATE [OR REPLACE] PUMP name AS INSERT INTO s [(cols)]
//     SELECT STREAM ...; a stream can feed several pumps and pumps chain; a cycle of pumps
//     is a compile error.
//   - Implicit columns: ROWTIME (TIMESTAMP) on every stream, APPROXIMATE_ARRIVAL_TIME on input
//     streams; neither is expanded by *. The error_stream always exists (dev Error Handling).
//   - SELECT STREAM items, *, s.*, WHERE, FROM a stream, a (SELECT STREAM ...) subquery, or
//     TABLE(fn(CURSOR(SELECT STREAM ...), constants...)) with fn registered by
//     RegisterTableFunction; [INNER] JOIN and LEFT [OUTER] JOIN of reference tables ON a
//     condition (an equality with a table column uses a hash index).
//   - Operators: arithmetic (+ - * / on numbers, timestamp ± interval), comparisons, AND OR NOT
//     with three-valued logic, ||, LIKE [ESCAPE], SIMILAR TO, IN, BETWEEN, IS [NOT]
//     NULL/TRUE/FALSE/UNKNOWN, CASE, CAST.
//   - Functions: CHAR_LENGTH, SUBSTRING, POSITION, TRIM, UPPER, LOWER, INITCAP,
//     REGEX_REPLACE (5 arguments, sqlref), ABS, MOD, POWER, LN, LOG10, EXP, SQRT, FLOOR and
//     CEIL of numbers, COALESCE, NULLIF, FLOOR/CEIL(ts TO unit), STEP(ts BY interval),
//     STEP(int BY int), TSDIFF, EXTRACT, TO_TIMESTAMP, UNIX_TIMESTAMP,
//     CURRENT_ROW_TIMESTAMP (and CURRENT_TIMESTAMP, CURRENT_DATE, ...).
//   - Aggregates COUNT(*), COUNT([DISTINCT] x), SUM, AVG, MIN, MAX, FIRST_VALUE, LAST_VALUE,
//     STDDEV_POP, STDDEV_SAMP, VAR_POP, VAR_SAMP (Welford's algorithm).
//   - Tumbling windows: GROUP BY keys of which at least one is STEP(ROWTIME BY INTERVAL ...)
//     or FLOOR(ROWTIME TO unit); HAVING.
//   - Sliding windows: aggregate OVER (PARTITION BY ... ROWS n PRECEDING | RANGE INTERVAL ...
//     PRECEDING [or BETWEEN ... AND CURRENT ROW]) or OVER a named WINDOW.
//   - Stagger windows: WINDOWED BY STAGGER (PARTITION BY ... RANGE INTERVAL ...); HAVING.
//   - Streaming ORDER BY whose first expression is ROWTIME or FLOOR/CEIL/STEP of ROWTIME.
//   - UNION ALL as a pump's whole query, optionally followed by ORDER BY (union.go).
//
// # Semantics
//
//   - Time: each stream's time is the ROWTIME of its latest row, or the latest Advance. A
//     row pushed with a ROWTIME earlier than its stream's time is rejected by Push. After a
//     row has gone through the pumps, the streams downstream are advanced to its ROWTIME too
//     (past a UNION ALL, to the time every query of the union has reached).
//   - Tumbling: a row belongs to the window its ROWTIME-based keys name; a row exactly at a
//     boundary starts the next window. A window [start, end) closes when its stream's time
//     reaches end (a row at end, or Advance(end)); then one row per group is emitted, in the
//     order the groups first appeared, with ROWTIME = end (dev Tumbling Windows; selecting
//     ROWTIME gives the end too). With several ROWTIME-based keys the earliest end counts.
//     Empty windows emit nothing.
//   - Sliding: one output row per input row, with ROWTIME the input's. RANGE INTERVAL 'n'
//     PRECEDING holds the rows with ROWTIME in [t - n, t]; ROWS n PRECEDING the row and the n
//     before it in its partition. Aggregates are updated as rows enter and leave.
//   - Stagger: a window opens for a partition key with its first row, at that row's ROWTIME
//     t, and closes at t + range (when the stream's time reaches it), emitting one row with
//     ROWTIME t + range. A row of the same key arriving later opens a new window, so a late
//     row (by the event-time column in the key) adds a second row for its key instead of
//     being lost (dev Stagger Windows).
//   - ORDER BY (sqlref ORDER BY clause): output rows are held until the stream's time
//     passes their leading expression's value, then emitted sorted by the other
//     expressions (see orderby.go for NULLs and the ROWTIME of sorted rows).
//   - Selecting ROWTIME in a pump's query sets no column: the output's ROWTIME is the input
//     row's, or the window's end.
//   - Run-time errors (division by zero, a failed CAST, overflow, a value out of a target
//     column's range) drop the row and insert a row into the error_stream: ERROR_TIME and
//     DATA_ROWTIME the row's ROWTIME, ERROR_LEVEL "ERROR", ERROR_NAME "SQL error", MESSAGE the
//     error, DATA_ROW the hex of the row as a JSON array, PUMP_NAME the pump. The level and
//     name are Eddy's: the guide lists the columns, not their values.
//
// # Where the documentation is silent (choices made here)
//
//   - AVG of an integer column is of that integer type (truncated), as SQLstream and Calcite do.
//   - Integer division truncates toward zero; DECIMAL division has scale max(6, scales).
//   - CAST to CHAR(n)/VARCHAR(n) and storing into such a column truncate to n characters.
//   - INSERT converts between numeric types (and TIMESTAMP/DATE); other mismatches are
//     compile errors.
//   - CURRENT_ROW_TIMESTAMP and the CURRENT_* functions read the row's ROWTIME (no clock).
//   - FIRST_VALUE and LAST_VALUE include NULLs.
//
// # Left out
//
//   - Stream-to-stream joins, RIGHT/FULL/CROSS joins, SELECT DISTINCT, ORDER BY a column
//     position, UNION ALL in a subquery.
//   - UNBOUNDED and FOLLOWING windows, RANGE over a YEAR/MONTH interval.
//   - GROUP BY without a ROWTIME-based key (KDA requires one too), CEIL(ROWTIME TO ...) as the key.
//   - CHAR_TO_TIMESTAMP, TIMESTAMP_TO_CHAR, and other functions not listed above.
//   - DECIMAL precision above 18, BINARY/VARBINARY.
//   - State of sliding-window partitions is kept until the Runner is dropped (never expired).
package engine
