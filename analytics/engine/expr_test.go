package engine

import (
	"testing"
)

var exprSchema = InputSchema{Stream: "S", Columns: []Column{
	{"I", TypeInteger}, {"N", TypeInteger}, {"D", DecimalType(10, 2)}, {"F", TypeDouble},
	{"V", Varchar(20)}, {"B", TypeBoolean}, {"T", TypeTimestamp},
}}

// evalOne runs SELECT STREAM expr over one row (I=7, N=NULL, D=12.50, F=2.5, V='Hello World',
// B=NULL, T=2026-01-01 10:11:12.345) and returns the value as text, or the error_stream's
// MESSAGE prefixed with "error: ".
func evalOne(t *testing.T, expr string) string {
	t.Helper()
	code := `CREATE STREAM OUT (X VARCHAR(100));
CREATE PUMP P AS INSERT INTO OUT SELECT STREAM CAST(` + expr + ` AS VARCHAR(100)) FROM S;`
	h := run(t, code, []InputSchema{exprSchema})
	ts, _ := Cast(String("2026-01-01 10:11:12.345"), TypeTimestamp)
	h.push("S", at(0), Int(7), Null, Decimal(1250, 2), Float(2.5), String("Hello World"), Null, ts)
	if errs := h.out; len(errs) == 1 && errs[0].stream == ErrorStream {
		return "error: " + errs[0].row.Values[3].S
	}
	got := h.take("OUT")
	if len(got) != 1 {
		t.Fatalf("%s: %d rows: %v", expr, len(got), h.out)
	}
	return got[0][len("0s|"):]
}

func TestExpressions(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"I + 1", "8"},
		{"I / 2", "3"},
		{"I / 0", "error: division by zero"},
		{"MOD(I, 3)", "1"},
		{"-I * 2", "-14"},
		{"D + 1", "13.50"},
		{"D * D", "156.2500"},
		{"D / 4", "3.125000"},
		{"D + F", "15"},
		{"F * 2", "5"},
		{"I + N", "NULL"},
		{"N IS NULL", "TRUE"},
		{"N IS NOT NULL", "FALSE"},
		{"I = N", "NULL"},
		{"B AND FALSE", "FALSE"},
		{"B AND TRUE", "NULL"},
		{"B OR TRUE", "TRUE"},
		{"B OR FALSE", "NULL"},
		{"NOT B", "NULL"},
		{"B IS UNKNOWN", "TRUE"},
		{"I BETWEEN 1 AND 10", "TRUE"},
		{"I NOT BETWEEN 1 AND 10", "FALSE"},
		{"I BETWEEN N AND 10", "NULL"},
		{"I BETWEEN 8 AND N", "FALSE"},
		{"I IN (1, 7)", "TRUE"},
		{"I IN (1, N)", "NULL"},
		{"I NOT IN (1, 2)", "TRUE"},
		{"V LIKE 'Hello%'", "TRUE"},
		{"V LIKE '_ello W%d'", "TRUE"},
		{"V LIKE 'hello%'", "FALSE"},
		{"'a%b' LIKE 'a!%b' ESCAPE '!'", "TRUE"},
		{"V SIMILAR TO 'H(e|a)llo%'", "TRUE"},
		{"CASE WHEN I > 5 THEN 'big' ELSE 'small' END", "big"},
		{"CASE I WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END", "seven"},
		{"CASE WHEN N > 5 THEN 'big' END", "NULL"},
		{"CAST('12' AS INTEGER) + 1", "13"},
		{"CAST('x' AS INTEGER)", `error: cannot convert "x" to INTEGER`},
		{"CAST(D AS INTEGER)", "12"},
		{"CAST(F AS DECIMAL(5,1))", "2.5"},
		{"CAST(3000000000 AS INTEGER)", "error: value 3000000000 is out of range for INTEGER"},
		{"CHAR_LENGTH(V)", "11"},
		{"SUBSTRING(V FROM 7)", "World"},
		{"SUBSTRING(V FROM 1 FOR 5)", "Hello"},
		{"POSITION('World' IN V)", "7"},
		{"TRIM('  x  ')", "x"},
		{"TRIM(LEADING 'x' FROM 'xxaxx')", "axx"},
		{"UPPER(V) || '!'", "HELLO WORLD!"},
		{"LOWER(V)", "hello world"},
		{"INITCAP('hello wORLD')", "Hello World"},
		{"REGEX_REPLACE(V, 'o', '0', 1, 0)", "Hell0 W0rld"},
		{"REGEX_REPLACE(V, 'o', '0', 1, 2)", "Hello W0rld"},
		{"REGEX_REPLACE(V, '(\\w+) (\\w+)', '$2 $1', 1, 0)", "World Hello"},
		{"REGEX_REPLACE(V, 'o', '0', 0, 0)", "error: REGEX_REPLACE start position 0 is less than 1"},
		{"ABS(-3)", "3"},
		{"ABS(-2.5)", "2.5"},
		{"POWER(2, 10)", "1024"},
		{"SQRT(16)", "4"},
		{"LN(0)", "error: LN of 0 is undefined"},
		{"EXP(0)", "1"},
		{"FLOOR(2.7)", "2"},
		{"CEIL(2.1)", "3"},
		{"FLOOR(F)", "2"},
		{"COALESCE(N, I, 3)", "7"},
		{"COALESCE(N, NULL)", "NULL"},
		{"NULLIF(I, 7)", "NULL"},
		{"NULLIF(I, 8)", "7"},
		{"FLOOR(T TO MINUTE)", "2026-01-01 10:11:00.000"},
		{"FLOOR(T TO HOUR)", "2026-01-01 10:00:00.000"},
		{"CEIL(T TO MINUTE)", "2026-01-01 10:12:00.000"},
		{"FLOOR(T TO MONTH)", "2026-01-01 00:00:00.000"},
		{"STEP(T BY INTERVAL '10' SECOND)", "2026-01-01 10:11:10.000"},
		{"STEP(T BY INTERVAL '15' MINUTE)", "2026-01-01 10:00:00.000"},
		{"STEP(23 BY 5)", "20"},
		{"TSDIFF(T, TIMESTAMP '2026-01-01 10:11:12')", "345"},
		{"TSDIFF(T, NULL)", "NULL"},
		{"EXTRACT(HOUR FROM T)", "10"},
		{"EXTRACT(SECOND FROM T)", "12"},
		{"T + INTERVAL '1' DAY", "2026-01-02 10:11:12.345"},
		{"T - INTERVAL '1:30' MINUTE TO SECOND", "2026-01-01 10:09:42.345"},
		{"T + INTERVAL '1' MONTH", "2026-02-01 10:11:12.345"},
		{"CURRENT_ROW_TIMESTAMP", "2026-01-01 00:00:00.000"},
		{"ROWTIME", "2026-01-01 00:00:00.000"},
		{"UNIX_TIMESTAMP(TO_TIMESTAMP(1000))", "1000"},
		{"2147483647 * 2147483647 * 4", "error: numeric overflow"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			if got := evalOne(t, c.expr); got != c.want {
				t.Errorf("%s = %q, want %q", c.expr, got, c.want)
			}
		})
	}
}

func TestCastAndCompare(t *testing.T) {
	v, err := Cast(String("123.456"), DecimalType(5, 2))
	if err != nil || v.String() != "123.46" {
		t.Errorf("CAST('123.456' AS DECIMAL(5,2)) = %v, %v", v, err)
	}
	if _, err := Cast(String("1234.5"), DecimalType(5, 2)); err == nil {
		t.Error("CAST('1234.5' AS DECIMAL(5,2)) should overflow")
	}
	v, _ = Cast(String("abcdef"), Varchar(3))
	if v.S != "abc" {
		t.Errorf("VARCHAR(3) of abcdef = %q", v.S)
	}
	v, _ = Cast(String("ab"), Char(4))
	if v.S != "ab  " {
		t.Errorf("CHAR(4) of ab = %q", v.S)
	}
	v, _ = Cast(Float(0.1), TypeReal)
	if v.F != float64(float32(0.1)) {
		t.Errorf("REAL of 0.1 = %v", v.F)
	}
	if c, ok := Compare(Decimal(150, 2), Int(1)); !ok || c != 1 {
		t.Errorf("1.50 vs 1 = %d %v", c, ok)
	}
	if c, ok := Compare(Decimal(100, 2), Decimal(1, 0)); !ok || c != 0 {
		t.Errorf("1.00 vs 1 = %d %v", c, ok)
	}
	if _, ok := Compare(String("a"), Int(1)); ok {
		t.Error("a string and a number compared")
	}
	if s := Decimal(-5, 3).String(); s != "-0.005" {
		t.Errorf("Decimal(-5,3) = %s", s)
	}
}
