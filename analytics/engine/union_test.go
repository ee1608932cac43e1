package engine

import (
	"strings"
	"testing"
)

var (
	phoneSchema = InputSchema{Stream: "PHONE", Columns: []Column{{"SYM", Varchar(4)}, {"N", TypeInteger}}}
	webSchema   = InputSchema{Stream: "WEB", Columns: []Column{{"ITEM", Varchar(8)}, {"QTY", TypeInteger}}}
)

// TestUnionAll: rows of both queries go on in ROWTIME order, each with its own ROWTIME,
// once the other branch's stream has reached that time.
func TestUnionAll(t *testing.T) {
	code := `CREATE STREAM OUT (SYM VARCHAR(8), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, N FROM PHONE
UNION ALL
SELECT STREAM ITEM, QTY * 10 FROM WEB WHERE QTY > 0;`
	h := run(t, code, []InputSchema{phoneSchema, webSchema})
	p := func(sec float64, sym string, n int64) { h.push("PHONE", at(sec), String(sym), Int(n)) }
	w := func(sec float64, item string, q int64) { h.push("WEB", at(sec), String(item), Int(q)) }
	p(1, "A", 1)
	wantRows(t, "WEB has no time yet", h.take("OUT"))
	w(2, "w1", 1)
	wantRows(t, "WEB at 2 s", h.take("OUT"), "1s|A|1")
	w(2, "w2", 0) // WHERE drops it
	p(3, "B", 2)
	wantRows(t, "PHONE at 3 s", h.take("OUT"), "2s|w1|10")
	p(5, "C", 3)
	w(5, "w3", 2)
	wantRows(t, "both at 5 s: rows passed on together go in branch order", h.take("OUT"), "3s|B|2", "5s|C|3", "5s|w3|20")
	h.r.Advance(at(5))
	wantRows(t, "Advance(5 s)", h.take("OUT"))
	w(7, "w4", 1)
	h.r.Advance(at(10))
	wantRows(t, "Advance(10 s)", h.take("OUT"), "7s|w4|10")
}

// TestUnionAllDownstreamWindow: a tumbling window over the union's stream closes only when
// the union has passed on every row of it, not when one branch's stream passes its end.
func TestUnionAllDownstreamWindow(t *testing.T) {
	code := `CREATE STREAM U (SYM VARCHAR(8), N INTEGER);
CREATE STREAM OUT (N BIGINT);
CREATE PUMP P AS INSERT INTO U
SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB;
CREATE PUMP Q AS INSERT INTO OUT
SELECT STREAM COUNT(*) FROM U GROUP BY FLOOR(U.ROWTIME TO MINUTE);`
	h := run(t, code, []InputSchema{phoneSchema, webSchema})
	h.push("WEB", at(10), String("w"), Int(1))
	h.push("PHONE", at(30), String("a"), Int(1))
	h.push("PHONE", at(65), String("b"), Int(1))
	wantRows(t, "WEB is at 10 s: the rows of PHONE wait", h.take("OUT"))
	h.push("WEB", at(61), String("x"), Int(1))
	wantRows(t, "WEB at 61 s: minute 0 closes with both its rows", h.take("OUT"), "1m0s|2")
	h.r.Advance(at(120))
	wantRows(t, "minute 1", h.take("OUT"), "2m0s|2")
}

func TestUnionAllReplaced(t *testing.T) {
	code := `CREATE STREAM OUT (SYM VARCHAR(8), N INTEGER);
CREATE OR REPLACE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB;
CREATE OR REPLACE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, N FROM PHONE;`
	h := run(t, code, []InputSchema{phoneSchema, webSchema})
	h.push("WEB", at(1), String("w"), Int(1))
	h.push("PHONE", at(2), String("a"), Int(1))
	wantRows(t, "the replaced pump reads PHONE only", h.take("OUT"), "2s|a|1")
	// Both queries of the replaced union are gone, not only the first.
	if n, r := len(h.p.pumps), len(h.p.byName["WEB"].readers); n != 1 || r != 0 {
		t.Errorf("%d pumps (want 1), %d readers of WEB (want 0)", n, r)
	}
}

func TestUnionAllCompileErrors(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{"SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM FROM WEB", "line 2, column 76: the query returns 1 columns but stream OUT takes 2"},
		{"SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM QTY, QTY FROM WEB", "column 1 of the query is INTEGER but column SYM of stream OUT is VARCHAR(8)"},
		{"SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB ORDER BY ROWTIME, QTY", "line 2, column 127: unknown column QTY"},
		{"SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB ORDER BY N, ROWTIME", "line 2, column 118: the first ORDER BY expression of a streaming query must be a monotonic function of ROWTIME"},
		{"SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB ORDER BY ROWTIME, SUM(N)", "aggregate function SUM is not allowed here"},
		{"SELECT STREAM * FROM (SELECT STREAM SYM, N FROM PHONE UNION ALL SELECT STREAM ITEM, QTY FROM WEB)", "UNION ALL is supported only as the whole query of a pump"},
	} {
		code := "CREATE STREAM OUT (SYM VARCHAR(8), N INTEGER);\nCREATE PUMP P AS INSERT INTO OUT " + tc.query + ";"
		_, err := Compile(code, []InputSchema{phoneSchema, webSchema}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.query, err, tc.want)
		}
	}
}

// TestUnionAllOrderBy: ORDER BY after the last query sorts the union's rows, by the
// columns as the first query names them (the reference's example: ORDER BY ROWTIME,
// MOD(x, 5)).
func TestUnionAllOrderBy(t *testing.T) {
	code := `CREATE STREAM OUT (SYM VARCHAR(8), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, N FROM PHONE
UNION ALL
SELECT STREAM ITEM, QTY FROM WEB
ORDER BY FLOOR(ROWTIME TO SECOND), MOD(N, 5), SYM DESC;`
	h := run(t, code, []InputSchema{phoneSchema, webSchema})
	h.push("PHONE", at(0.1), String("a"), Int(9))
	h.push("WEB", at(0.2), String("w"), Int(6))
	h.push("PHONE", at(0.3), String("b"), Int(4))
	h.push("PHONE", at(1), String("c"), Int(0))
	wantRows(t, "WEB is at 0.2 s", h.take("OUT"))
	h.push("WEB", at(1.5), String("x"), Int(1))
	wantRows(t, "both past second 0", h.take("OUT"), "200ms|w|6", "300ms|b|4", "300ms|a|9")
	h.r.Advance(at(2))
	wantRows(t, "Advance(2 s)", h.take("OUT"), "1s|c|0", "1.5s|x|1")
}
