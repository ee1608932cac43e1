// Package sql parses the SQL dialect of Amazon Kinesis Data Analytics for SQL applications
// (issue 20, first part): a lexer, an AST and a recursive-descent parser. It executes nothing;
// a later planner walks the tree.
//
//	prog, err := sql.Parse(code)        // an application's code: statements separated by ";"
//	q, err := sql.ParseQuery(query)     // one SELECT, e.g. an ad-hoc query
//
// Every node records the position (line and column, 1-based) of its first token (a binary
// operator: of its left operand), and prints back as SQL with String, parenthesized only where
// precedence needs it: Parse(prog.String()) gives the same tree (the tests check it). An
// error is always an *Error with the Line and Column of the offending token and a message
// naming what was expected and what was found:
//
//	line 3, column 12: expected ")" but found "FROM"
//
// No input makes the parser panic; nesting is limited to 200 levels.
//
// # Grammar
//
// Pages are those of the Amazon Kinesis Data Analytics SQL Reference (sqlref) and the SQL
// Developer Guide (dev), under https://docs.aws.amazon.com/kinesisanalytics/latest/.
//
//	program      = [ statement ] { ";" [ statement ] } .
//	statement    = create-stream | create-pump | insert | query .
//	create-stream = "CREATE" [ "OR" "REPLACE" ] "STREAM" ident
//	               "(" ident type { "," ident type } ")" [ "DESCRIPTION" string ] .   // sqlref CREATE STREAM
//	create-pump  = "CREATE" [ "OR" "REPLACE" ] "PUMP" ident "AS" insert .          // sqlref CREATE PUMP
//	insert       = "INSERT" "INTO" ident [ "(" ident { "," ident } ")" ] query .   // sqlref INSERT
//	type         = "VARCHAR" "(" n ")" | "CHARACTER VARYING" "(" n ")" | "CHAR" [ "(" n ")" ]
//	             | "INTEGER" | "INT" | "BIGINT" | "SMALLINT" | "TINYINT" | "DOUBLE" [ "PRECISION" ]
//	             | "REAL" | "FLOAT" | ( "DECIMAL" | "NUMERIC" | "DEC" ) [ "(" p [ "," s ] ")" ]
//	             | "BOOLEAN" | "TIMESTAMP" | "DATE" | "TIME" | "BINARY" [ "(" n ")" ]
//	             | "VARBINARY" "(" n ")" .                                        // sqlref Data Types
//	query        = select { "UNION" "ALL" select }
//	               [ "ORDER" "BY" expr [ "ASC" | "DESC" ] { "," ... } ] .           // sqlref Query, ORDER BY clause
//	select       = "SELECT" [ "STREAM" ] [ "DISTINCT" | "ALL" ] item { "," item }
//	               "FROM" from [ "WHERE" expr ] [ "GROUP" "BY" exprs ] [ "HAVING" expr ]
//	               [ "WINDOW" ident "AS" "(" spec ")" { "," ident "AS" "(" spec ")" } ]
//	               [ "WINDOWED" "BY" "STAGGER" "(" "PARTITION" "BY" exprs "RANGE" interval ")"
//	                 [ "HAVING" expr ] ] .                                          // sqlref SELECT, WINDOW clause, WINDOWED BY; dev Stagger Windows (HAVING there, once)
//	item         = "*" | ident { "." ident } "." "*" | expr [ [ "AS" ] ident ] .
//	from         = primary { join-op primary [ "ON" expr ] } .                     // sqlref JOIN clause; dev Stream Joins
//	join-op      = "JOIN" | "INNER" "JOIN" | ( "LEFT" | "RIGHT" | "FULL" ) [ "OUTER" ] "JOIN"
//	             | "CROSS" "JOIN" (no ON) .
//	primary      = ident { "." ident } [ "OVER" ( "(" spec ")" | ident ) ] [ [ "AS" ] ident ]
//	             | "(" query ")" [ [ "AS" ] ident ]
//	             | "TABLE" "(" call ")" [ [ "AS" ] ident ] .                      // RANDOM_CUT_FOREST, TOP_K_ITEMS_TUMBLING, ...
//	spec         = [ "PARTITION" "BY" exprs ]
//	               [ ( "ROWS" | "RANGE" ) ( bound | "BETWEEN" bound "AND" bound ) ] . // sqlref WINDOW Clause, Window examples,
//	bound        = "CURRENT" "ROW" | ( "UNBOUNDED" | n | interval ) ( "PRECEDING" | "FOLLOWING" ) . //   Allowed and Disallowed Window Specifications
//	                                                                               // (n with ROWS, interval with RANGE)
//	interval     = "INTERVAL" [ "-" ] string unit [ "TO" unit ] .                  // unit: YEAR MONTH DAY HOUR MINUTE SECOND
//	expr         = or .  Precedence, loosest first:
//	               OR; AND; NOT; = <> != < <= > >= IS [NOT] NULL|TRUE|FALSE|UNKNOWN,
//	               [NOT] BETWEEN a AND b, [NOT] IN (list), [NOT] LIKE p [ESCAPE e],
//	               [NOT] SIMILAR TO p [ESCAPE e]; ||; + -; * /; unary + - .
//	primary-expr = number | string | NULL | TRUE | FALSE | UNKNOWN
//	             | ( "TIMESTAMP" | "DATE" | "TIME" ) string | interval
//	             | "CASE" [ expr ] "WHEN" expr "THEN" expr { ... } [ "ELSE" expr ] "END"
//	             | "CAST" "(" expr "AS" type ")" | "CURSOR" "(" query ")"
//	             | ( "FLOOR" | "CEIL" | "CEILING" ) "(" expr "TO" unit ")"          // sqlref FLOOR, CEIL
//	             | "STEP" "(" expr "BY" expr ")"                                    // sqlref STEP
//	             | "SUBSTRING" "(" expr "FROM" expr [ "FOR" expr ] ")"
//	             | "POSITION" "(" expr "IN" expr ")" | "EXTRACT" "(" unit "FROM" expr ")"
//	             | "TRIM" "(" [ "BOTH" | "LEADING" | "TRAILING" ] [ expr ] "FROM" expr ")" | "TRIM" "(" expr ")"
//	             | name "(" [ "DISTINCT" | "ALL" ] [ expr { "," expr } | "*" ] ")"
//	               [ "OVER" ( ident | "(" spec ")" ) ]                              // sqlref Aggregate and Analytic Functions
//	             | CURRENT_ROW_TIMESTAMP | CURRENT_TIMESTAMP | CURRENT_DATE | CURRENT_TIME
//	             | LOCALTIME | LOCALTIMESTAMP
//	             | ident { "." ident }                                              // columns, ROWTIME, s.ROWTIME
//	             | "(" expr ")" .
//
// Lexical rules: unquoted identifiers ([A-Za-z_][A-Za-z0-9_]*) are folded to upper case and
// quoted ones ("...", "" for a quote, no control characters) keep their case; either is at
// most 128 characters (sqlref Identifiers); strings are '...'
// with ” for a quote; numbers are 12, 1.5, .5, 1e3; comments are -- to the end of the line
// and /* ... */ (not nested). Keywords are reserved only where the grammar needs them to
// separate clauses (the list is reserved in parser.go); other words, such as ROWS, RANGE,
// STAGGER or CHANGE, remain usable as unquoted identifiers.
//
// # Left out
//
//   - CREATE FUNCTION (sqlref CREATE statements lists it), CREATE VIEW (not in the
//     reference's CREATE statements), UNION without ALL, scalar subqueries,
//     JOIN ... USING and NATURAL JOIN (sqlref JOIN clause), GROUP BY ROLLUP/CUBE/GROUPING
//     SETS, ORDER BY inside a window, RANGE n over a numeric column,
//     INSERT EXPEDITED, character set and collation clauses, national (N'...') and binary
//     (X'...') literals, Unicode literals U&'...' [UESCAPE '!'] (sqlref Expressions and
//     Literals), interval precision (HOUR(2)), TIMESTAMP(p), EXCEPT, INTERSECT, VALUES
//     (sqlref Query), IN (subquery), EXISTS.
//   - No semantic checks: names are not resolved, types and arities are not checked, the
//     windows the reference disallows (infinite, negative, offset) parse,
//     STEP/FLOOR units, interval strings and a stagger window's partition columns are not
//     validated: all of that is the planner's.
//
// # Where the reference is silent
//
//   - Whether WINDOWED BY may follow WHERE or precede GROUP BY/WINDOW: accepted after
//     HAVING and WINDOW, before ORDER BY (the examples have it right after FROM).
//   - Whether != is an operator: accepted; <> is the one the examples use.
//   - Precedence: sqlref Streaming SQL Operators lists only parentheses, then unary + - NOT,
//     then * /, then + - AND OR. This parser follows standard SQL instead (NOT looser than
//     comparisons, AND tighter than OR); || is placed between
//     comparison and + -, which the reference does not place. % is not an operator (the
//     arithmetic operators listed are + - * /).
//   - Which words are reserved: the reference has a page of reserved words and keywords
//     (sqlref Reserved Words and Keywords) that this parser does not follow; its set is the
//     smallest that keeps the grammar unambiguous, so it accepts some unquoted names AWS
//     would reject.
//   - The CREATE PUMP page's example has "//note" lines; // is not a comment in the
//     documented lexical rules, so they are a syntax error here.
package sql
