package attr

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/eddy-streams/eddy"
)

// validationMessage returns err's message if it is a ValidationException,
// and fails the test otherwise.
func validationMessage(t *testing.T, err error) string {
	t.Helper()
	var e *eddy.Error
	if !errors.As(err, &e) || e.Code != eddy.CodeValidation {
		t.Fatalf("error %v is not a ValidationException", err)
	}
	return e.Message
}

// TestParseNumberCanonical: numbers come back in the form DynamoDB returns
// them (captures in ExtendDB pull request 7 and nubo-db/dynamodb-conformance
// tests/tier3/limits/numberPrecision and numberByteSize).
func TestParseNumberCanonical(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "-0": "0", "0.000": "0", "0e10": "0", "+0": "0",
		"00042": "42", "1.0": "1", "3.1400": "3.14", "1.5E2": "150", "1e2": "100",
		"01": "1", "1.50": "1.5", "0042.1200": "42.12", "-1.5e-3": "-0.0015",
		".5": "0.5", "5.": "5", "+7": "7", "1E-5": "0.00001", "12.345E1": "123.45",
		"1E125":                                  "1" + strings.Repeat("0", 125),
		"1E-130":                                 "0." + strings.Repeat("0", 129) + "1",
		"12345678901234567890123456789012345678": "12345678901234567890123456789012345678",
		"9.9999999999999999999999999999999999999E+125":  "99999999999999999999999999999999999999" + strings.Repeat("0", 88),
		"-9.9999999999999999999999999999999999999E+125": "-99999999999999999999999999999999999999" + strings.Repeat("0", 88),
		"1234567891234560000000000000000000000000":      "1234567891234560000000000000000000000000",
		"0.00000000000000000000000000000000000001":      "0.00000000000000000000000000000000000001",
	} {
		n, err := ParseNumber(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if got := n.String(); got != want {
			t.Errorf("%q came back as %q, want %q", in, got, want)
		}
	}
}

// TestParseNumberErrors: DynamoDB's messages, as dynalite's tests record
// them (test/updateItem.js "should return ValidationException for
// empty/invalid numbers in Key") and ExtendDB captured them (whitespace and
// a bare dot are not numbers).
func TestParseNumberErrors(t *testing.T) {
	const notNum = "The parameter cannot be converted to a numeric value"
	for in, want := range map[string]string{
		"":              notNum,
		"b":             notNum + ": b",
		" 5":            notNum + ":  5",
		"5 ":            notNum + ": 5 ",
		".":             notNum + ": .",
		"-":             notNum + ": -",
		"1e":            notNum + ": 1e",
		"12e":           notNum + ": 12e",
		"1e+":           notNum + ": 1e+",
		"0x10":          notNum + ": 0x10",
		"Infinity":      notNum + ": Infinity",
		"NaN":           notNum + ": NaN",
		"1..2":          notNum + ": 1..2",
		"--1":           notNum + ": --1",
		"1e99999999999": notNum + ": 1e99999999999",
		"123456789012345678901234567890123456789":   "Attempting to store more than 38 significant digits in a Number",
		"-1.23456789012345678901234567890123456789": "Attempting to store more than 38 significant digits in a Number",
		"1e126":                        "Number overflow. Attempting to store a number with magnitude larger than supported range",
		"-1e126":                       "Number overflow. Attempting to store a number with magnitude larger than supported range",
		"1" + strings.Repeat("0", 200): "Number overflow. Attempting to store a number with magnitude larger than supported range",
		"1e-131":                       "Number underflow. Attempting to store a number with magnitude smaller than supported range",
		"-1e-131":                      "Number underflow. Attempting to store a number with magnitude smaller than supported range",
		"0.99e-130":                    "Number underflow. Attempting to store a number with magnitude smaller than supported range",
	} {
		_, err := ParseNumber(in)
		if err == nil {
			t.Errorf("%q parsed", in)
			continue
		}
		if got := validationMessage(t, err); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestNumberCmp(t *testing.T) {
	ordered := []string{
		"-9.9999999999999999999999999999999999999E+125", "-1e100", "-123", "-12.31", "-12.3",
		"-1", "-0.5", "-1e-130", "0", "1e-130", "0.001", "0.5", "1", "1.2", "1.23", "9",
		"10", "12.3", "100", "1e100", "9.9999999999999999999999999999999999999E+125",
	}
	for i, a := range ordered {
		for j, b := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := MustNumber(a).Cmp(MustNumber(b)); got != want {
				t.Errorf("Cmp(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
	if MustNumber("1.0").Cmp(MustNumber("1")) != 0 || MustNumber("-0").Cmp(MustNumber("0")) != 0 {
		t.Fatal("equal numbers compare unequal")
	}
}

func TestNumberAdd(t *testing.T) {
	for _, c := range []struct{ a, b, sum, diff string }{
		{"1", "2", "3", "-1"},
		{"10", "-10", "0", "20"},
		{"0.1", "0.2", "0.3", "-0.1"},
		{"1e100", "1", "10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001", ""},
		{"99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000", "99999999999999999999999999999999999998"},
		{"-5", "0", "-5", "-5"},
		{"0", "-5", "-5", "5"},
		{"1.5", "2.25", "3.75", "-0.75"},
		{"1e-130", "1e-130", "0." + strings.Repeat("0", 129) + "2", "0"},
	} {
		a, b := MustNumber(c.a), MustNumber(c.b)
		sum, err := a.Add(b)
		if c.sum == "" || len(strings.Trim(c.sum, "-0.")) > MaxDigits {
			if err == nil {
				t.Errorf("%s + %s = %s, want an error", c.a, c.b, sum)
			}
		} else if err != nil || sum.String() != c.sum {
			t.Errorf("%s + %s = %s, %v; want %s", c.a, c.b, sum, err, c.sum)
		}
		if c.diff == "" {
			continue
		}
		diff, err := a.Sub(b)
		if err != nil || diff.String() != c.diff {
			t.Errorf("%s - %s = %s, %v; want %s", c.a, c.b, diff, err, c.diff)
		}
	}
	// Overflow and underflow of a result carry DynamoDB's messages (an
	// overflowing SET n = :a + :b is refused with "Number overflow":
	// nubo-db/dynamodb-conformance numberPrecision, ExtendDB issue 94).
	for _, c := range []struct{ a, b, want string }{
		{"9.9e125", "9.9e125", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"9.9999999999999999999999999999999999999E+125", "1E+125", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"-9.9e125", "-9.9e125", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"1.1e-130", "-1e-130", "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"1e37", "0.1", "Attempting to store more than 38 significant digits in a Number"},
	} {
		_, err := MustNumber(c.a).Add(MustNumber(c.b))
		if err == nil {
			t.Errorf("%s + %s: no error", c.a, c.b)
			continue
		}
		if got := validationMessage(t, err); got != c.want {
			t.Errorf("%s + %s: %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// TestNumberSize: the byte cost of the 23 numbers nubo-db/dynamodb-conformance
// measured against DynamoDB's 400 KB gate (src/item-size.ts,
// CAPTURED_NUMBER_BYTES).
func TestNumberSize(t *testing.T) {
	for in, want := range map[string]int{
		"0": 1, "1": 2, "12": 2, "123": 3, "1234": 3,
		"12345678901234567890123456789012345678": 20,
		"0042":                                   2, "100": 2, "1010": 3, "0.0000001": 2, "1E125": 2, "1E-100": 2,
		"1.5": 3, "15": 2, "1.2": 3, "1.200": 3, "1.234": 4, "3.14159": 5,
		"123456": 4, "100.5": 4, "0.15": 2, "-42": 3, "-0": 1,
	} {
		if got := MustNumber(in).Size(); got != want {
			t.Errorf("size of %s = %d, want %d", in, got, want)
		}
	}
}

func TestNumberFromInt(t *testing.T) {
	for _, i := range []int64{0, 1, -1, 10, 1200, -987654321, 1<<63 - 1, -1 << 63} {
		n := NumberFromInt(i)
		back, err := ParseNumber(n.String())
		if err != nil || back.Cmp(n) != 0 {
			t.Errorf("%d came back as %s", i, n)
		}
	}
	if NumberFromInt(1200).String() != "1200" || NumberFromInt(-5).String() != "-5" {
		t.Fatal("NumberFromInt formats wrongly")
	}
}

// FuzzNumber: whatever parses formats to a canonical string that parses back
// to the same number and formats identically; the key encoding decodes back
// to it; and the key encodings of two numbers order as the numbers do.
func FuzzNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1", "-1.5", "1e125", "-1e-130", "00042", "3.1400", "1.5E2", ".5", "12e", "1e126"} {
		f.Add(s, "7")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		na, errA := ParseNumber(a)
		nb, errB := ParseNumber(b)
		for _, c := range []struct {
			n   Number
			err error
		}{{na, errA}, {nb, errB}} {
			if c.err != nil {
				continue
			}
			s := c.n.String()
			back, err := ParseNumber(s)
			if err != nil {
				t.Fatalf("canonical %q does not parse: %v", s, err)
			}
			if back != c.n || back.String() != s {
				t.Fatalf("%q: canonical %q came back as %+v", a, s, back)
			}
			key, err := AppendKey(nil, NumberValue(c.n))
			if err != nil {
				t.Fatal(err)
			}
			v, rest, err := DecodeKey(append(key, 0xAB), KindN)
			if err != nil || *v.N != s || !bytes.Equal(rest, []byte{0xAB}) {
				t.Fatalf("%q: key %x decoded as %v, %x, %v", s, key, v, rest, err)
			}
		}
		if errA != nil || errB != nil {
			return
		}
		ka, _ := AppendKey(nil, NumberValue(na))
		kb, _ := AppendKey(nil, NumberValue(nb))
		if got, want := bytes.Compare(ka, kb), na.Cmp(nb); got != want {
			t.Fatalf("keys of %s and %s compare %d, numbers %d", na, nb, got, want)
		}
		sum, err := na.Add(nb)
		if err == nil {
			diff, err := sum.Sub(nb)
			if err == nil && diff.Cmp(na) != 0 {
				t.Fatalf("(%s + %s) - %s = %s", na, nb, nb, diff)
			}
		}
	})
}
