package engine

import (
	"fmt"
	"strings"
	"testing"
)

var scoreSchema = InputSchema{Stream: "SRC", Columns: []Column{{"SYM", Varchar(4)}, {"SCORE", TypeDouble}}}

// ordStep is a row pushed into SRC at second at (advance false), or Advance to at; want is
// what OUT emits right after it. A sym of "-" is NULL.
type ordStep struct {
	at      float64
	advance bool
	sym     string
	score   float64
	want    []string
}

func row(at float64, sym string, score float64, want ...string) ordStep {
	return ordStep{at: at, sym: sym, score: score, want: want}
}

func adv(at float64, want ...string) ordStep { return ordStep{at: at, advance: true, want: want} }

func TestOrderBy(t *testing.T) {
	const out = `CREATE STREAM OUT (SYM VARCHAR(4), SCORE DOUBLE);
`
	cases := []struct {
		name, code string
		steps      []ordStep
	}{{
		// The end of the developer guide's anomaly detection examples: a pump through a
		// temporary stream, sorted by second and by score, highest first.
		name: "anomaly example: FLOOR TO SECOND, score DESC",
		code: `CREATE OR REPLACE STREAM "TEMP_STREAM" (SYM VARCHAR(4), ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (SYM VARCHAR(4), ANOMALY_SCORE DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM" SELECT STREAM SYM, SCORE FROM SRC;
CREATE OR REPLACE PUMP "OUTPUT_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM * FROM "TEMP_STREAM" ORDER BY FLOOR("TEMP_STREAM".ROWTIME TO SECOND), ANOMALY_SCORE DESC;`,
		steps: []ordStep{
			row(0.1, "A", 1),
			row(0.5, "B", 3),
			row(0.9, "C", 2),
			adv(0.999),
			// A row exactly at the next second completes second 0. A sorted row that comes
			// after a later one takes that one's ROWTIME.
			row(1.0, "D", 5, "500ms|B|3", "900ms|C|2", "900ms|A|1"),
			row(1.5, "E", 6),
			row(1.7, "F", 6), // equal scores keep their order of arrival
			row(1.9, "-", 4),
			// Advance closes the last second.
			adv(2, "1.5s|E|6", "1.7s|F|6", "1.7s|D|5", "1.9s|NULL|4"),
			adv(10),
		},
	}, {
		name: "ROWTIME, NULL first in ASC",
		code: out + `CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, SCORE FROM SRC ORDER BY ROWTIME, SYM;`,
		steps: []ordStep{
			row(1, "B", 1),
			row(1, "-", 2),
			row(1, "A", 3),
			adv(1), // rows at the same ROWTIME may still come
			row(1, "C", 4),
			adv(1.001, "1s|NULL|2", "1s|A|3", "1s|B|1", "1s|C|4"),
		},
	}, {
		name: "ROWTIME, NULL last in DESC",
		code: out + `CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, SCORE FROM SRC ORDER BY ROWTIME ASC, SYM DESC;`,
		steps: []ordStep{
			row(1, "B", 1),
			row(1, "-", 2),
			row(1, "A", 3),
			row(2, "Z", 4, "1s|B|1", "1s|A|3", "1s|NULL|2"),
			adv(3, "2s|Z|4"),
		},
	}, {
		name: "STEP BY 10 seconds, an expression key and an alias",
		code: `CREATE STREAM OUT (SYM VARCHAR(4), NEG DOUBLE);
CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, -SCORE AS NEG FROM SRC
ORDER BY STEP(SRC.ROWTIME BY INTERVAL '10' SECOND), CHAR_LENGTH(SYM) DESC, NEG;`,
		steps: []ordStep{
			row(3, "A", 1),
			row(4, "BB", 1),
			row(9.999, "C", 2),
			row(10, "D", 1, "4s|BB|-1", "9.999s|C|-2", "9.999s|A|-1"),
			row(15, "E", 3),
			adv(19.999),
			adv(20, "15s|E|-3", "15s|D|-1"),
		},
	}, {
		name: "a select-list name before an input column",
		code: out + `CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, -SCORE AS SCORE FROM SRC ORDER BY ROWTIME, SCORE;`,
		steps: []ordStep{
			row(1, "A", 1),
			row(1, "B", 2),
			adv(2, "1s|B|-2", "1s|A|-1"),
		},
	}, {
		name: "CEIL TO SECOND",
		code: out + `CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM, SCORE FROM SRC ORDER BY CEIL(ROWTIME TO SECOND), SCORE;`,
		steps: []ordStep{
			row(0, "A", 2), // CEIL is 0
			row(0.5, "B", 9, "0s|A|2"),
			row(1, "C", 1), // CEIL is 1, as for 0.5
			adv(1.001, "1s|C|1", "1s|B|9"),
		},
	}, {
		name: "tumbling GROUP BY sorted by an aggregate and a key",
		code: `CREATE STREAM OUT (SYM VARCHAR(4), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, COUNT(*) AS N FROM SRC
GROUP BY SYM, FLOOR(SRC.ROWTIME TO MINUTE)
ORDER BY FLOOR(SRC.ROWTIME TO MINUTE), COUNT(*) DESC, SYM;`,
		steps: []ordStep{
			row(1, "A", 0), row(2, "B", 0), row(3, "C", 0), row(4, "C", 0), row(5, "B", 0), row(6, "D", 0),
			adv(59.999),
			row(60, "X", 0, "1m0s|B|2", "1m0s|C|2", "1m0s|A|1", "1m0s|D|1"),
			adv(120, "2m0s|X|1"),
		},
	}, {
		name: "stagger window sorted by its ROWTIME",
		code: `CREATE STREAM OUT (SYM VARCHAR(4), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, COUNT(*) AS N FROM SRC
WINDOWED BY STAGGER (PARTITION BY SYM RANGE INTERVAL '10' SECOND)
ORDER BY FLOOR(ROWTIME TO MINUTE), N, SYM DESC;`,
		steps: []ordStep{
			row(1, "A", 0), row(2, "A", 0), row(3, "B", 0), row(55, "C", 0),
			// The windows close at 11 s, 13 s and 65 s: at 60 s minute 0 is complete.
			adv(60, "13s|B|1", "13s|A|2"),
			adv(119.999),
			adv(120, "1m5s|C|1"),
		},
	}, {
		// The leading key is a PARTITION BY key, computed from a window's first row: minute 0
		// is complete only when no window holding a row of minute 0 is open.
		name: "stagger window sorted by a partition key",
		code: `CREATE STREAM OUT (SYM VARCHAR(4), N INTEGER);
CREATE PUMP P AS INSERT INTO OUT
SELECT STREAM SYM, COUNT(*) AS N FROM SRC
WINDOWED BY STAGGER (PARTITION BY FLOOR(ROWTIME TO MINUTE), SYM RANGE INTERVAL '1' MINUTE)
ORDER BY FLOOR(ROWTIME TO MINUTE), SYM DESC;`,
		steps: []ordStep{
			row(50, "A", 0), row(55, "B", 0), row(70, "C", 0),
			adv(110), // A's window closes; B's, of minute 0 too, is open
			adv(115, "1m55s|B|1", "1m55s|A|1"),
			adv(130, "2m10s|C|1"),
		},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := run(t, tc.code, []InputSchema{scoreSchema})
			outName := "OUT"
			if strings.Contains(tc.code, "DESTINATION_SQL_STREAM") {
				outName = "DESTINATION_SQL_STREAM"
			}
			for i, s := range tc.steps {
				if s.advance {
					h.r.Advance(at(s.at))
				} else {
					sym := String(s.sym)
					if s.sym == "-" {
						sym = Null
					}
					h.push("SRC", at(s.at), sym, Float(s.score))
				}
				h.take("TEMP_STREAM")
				wantRows(t, fmt.Sprint("after step ", i), h.take(outName), s.want...)
			}
		})
	}
}

func TestOrderByCompileErrors(t *testing.T) {
	for _, tc := range []struct{ order, want string }{
		{"SYM", "line 2, column 87: the first ORDER BY expression of a streaming query must be a monotonic function of ROWTIME (ROWTIME, FLOOR(ROWTIME TO unit), CEIL(ROWTIME TO unit) or STEP(ROWTIME BY interval)), but SYM is not"},
		{"FLOOR(ROWTIME TO SECOND) + INTERVAL '1' SECOND", "must be a monotonic function of ROWTIME"},
		{"ROWTIME DESC, SYM", "line 2, column 87: the first ORDER BY expression of a streaming query must be ascending"},
		{"ROWTIME, 2", "line 2, column 96: ORDER BY a column position is not supported"},
		{"ROWTIME, NOPE", "NOPE"},
		{"ROWTIME, X", "line 2, column 96: ORDER BY X is ambiguous: the select list has two columns of that name"},
	} {
		code := `CREATE STREAM OUT (SYM VARCHAR(4), SCORE DOUBLE);
CREATE PUMP P AS INSERT INTO OUT SELECT STREAM SYM AS X, SCORE AS X FROM SRC ORDER BY ` + tc.order + `;`
		_, err := Compile(code, []InputSchema{scoreSchema}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ORDER BY %s: got %v, want %q", tc.order, err, tc.want)
		}
	}
}
