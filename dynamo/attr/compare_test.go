package attr

import "testing"

func TestEqual(t *testing.T) {
	for _, c := range []struct {
		a, b Value
		want bool
	}{
		{S("a"), S("a"), true},
		{S("a"), S("b"), false},
		{S("6"), N("6"), false},
		{N("1"), N("1.0"), true},
		{N("-0"), N("0"), true},
		{N("6"), NS("6"), false},
		{SS("a", "b"), SS("b", "a"), true},
		{SS("a", "b"), SS("a"), false},
		{NS("1", "2.0"), NS("2", "1"), true},
		{BS([]byte{1}, []byte{2}), BS([]byte{2}, []byte{1}), true},
		{B([]byte{1, 2}), B([]byte{1, 2}), true},
		{B([]byte{}), B(nil), true},
		{Bool(true), Bool(true), true},
		{Bool(true), Bool(false), false},
		{Null(), Null(), true},
		{L(S("a"), N("1")), L(S("a"), N("1.00")), true},
		{L(S("a"), N("1")), L(N("1"), S("a")), false},
		{M(map[string]Value{"x": N("2")}), M(map[string]Value{"x": N("2.0")}), true},
		{M(map[string]Value{"x": N("2")}), M(map[string]Value{"y": N("2")}), false},
		{M(nil), L(), false},
		{Value{}, Value{}, false},
	} {
		if got := Equal(c.a, c.b); got != c.want {
			t.Errorf("Equal(%+v, %+v) = %v", c.a, c.b, got)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, c := range []struct {
		a, b Value
		want int
		ok   bool
	}{
		{S("a"), S("b"), -1, true},
		{S("b"), S("a"), 1, true},
		{S("Z"), S("a"), -1, true}, // UTF-8 bytes: 'Z' (0x5A) before 'a' (0x61)
		{S("é"), S("z"), 1, true},  // 0xC3 after 0x7A
		{N("10"), N("9"), 1, true}, // numerically, not as text
		{N("-10"), N("9"), -1, true},
		{N("1.0"), N("1"), 0, true},
		{B([]byte{0xFF}), B([]byte{0x01}), 1, true}, // unsigned
		{B([]byte{1}), B([]byte{1, 0}), -1, true},
		{S("1"), N("1"), 0, false},
		{Bool(true), Bool(true), 0, false},
		{SS("a"), SS("a"), 0, false},
	} {
		got, ok := Compare(c.a, c.b)
		if got != c.want || ok != c.ok {
			t.Errorf("Compare(%+v, %+v) = %d, %v", c.a, c.b, got, ok)
		}
	}
}

func TestClone(t *testing.T) {
	orig := Item{"m": M(map[string]Value{"l": L(S("a"), BS([]byte{1})), "n": N("1")}), "b": B([]byte{7})}
	c := orig.Clone()
	*c["m"].M["l"].L[0].S = "changed"
	c["m"].M["l"].L[1].BS[0][0] = 9
	c["b"].B[0] = 8
	c["m"].M["new"] = Null()
	if *orig["m"].M["l"].L[0].S != "a" || orig["m"].M["l"].L[1].BS[0][0] != 1 || orig["b"].B[0] != 7 || len(orig["m"].M) != 2 {
		t.Fatal("the clone aliases the original")
	}
}
