package attr

import (
	"fmt"
	"strings"
	"testing"
)

// wcu is the write capacity DynamoDB charges for an item of that size.
func wcu(size int) int { return (size + 1023) / 1024 }

// TestItemSize: item sizes whose consumed write capacity and 400 KB verdicts
// ExtendDB captured from DynamoDB (tests/test_list_map_item_size.py).
func TestItemSize(t *testing.T) {
	aaList := func(n int) Value {
		l := make([]Value, n)
		for i := range l {
			l[i] = S("aa")
		}
		return L(l...)
	}
	for _, c := range []struct {
		name string
		item Item
		wcu  int
	}{
		{"500-element list", Item{"pk": S("l500"), "data": aaList(500)}, 2},
		{"1500-element list", Item{"pk": S("l1500"), "data": aaList(1500)}, 5},
		{"3000-element list", Item{"pk": S("l3000"), "data": aaList(3000)}, 9},
		{"800-entry map", func() Item {
			m := map[string]Value{}
			for i := range 800 {
				m[fmt.Sprintf("k%d", i)] = S("v")
			}
			return Item{"pk": S("m800"), "data": M(m)}
		}(), 5},
		{"list of 500 maps", func() Item {
			l := make([]Value, 500)
			for i := range l {
				l[i] = M(map[string]Value{"a": S("b")})
			}
			return Item{"pk": S("nest"), "data": L(l...)}
		}(), 4},
		{"map of 500 lists", func() Item {
			m := map[string]Value{}
			for i := range 500 {
				m[fmt.Sprintf("k%d", i)] = L(S("b"))
			}
			return Item{"pk": S("mapl"), "data": M(m)}
		}(), 5},
		{"scalars", Item{"pk": S("scalar"), "n": N("1"), "s": S("hello")}, 1},
		{"130000-element list", Item{"pk": S("under"), "data": aaList(130000)}, 381},
	} {
		if got := wcu(ItemSize(c.item)); got != c.wcu {
			t.Errorf("%s: %d bytes, %d WCU, want %d", c.name, ItemSize(c.item), got, c.wcu)
		}
		if ItemSize(c.item) > MaxItemSize {
			t.Errorf("%s: over the limit", c.name)
		}
	}
	if over := (Item{"pk": S("over"), "data": aaList(150000)}); ItemSize(over) <= MaxItemSize {
		t.Errorf("a 150000-element list is %d bytes, within the limit", ItemSize(over))
	}
	// Names and strings count UTF-8 bytes; binaries their raw bytes.
	if got := ItemSize(Item{"é": S("ü€"), "b": B([]byte{1, 2, 3}), "t": Bool(true), "z": Null()}); got != 2+5+1+3+1+1+1+1 {
		t.Fatalf("size %d", got)
	}
	if got := Size(SS("ab", "c")) + Size(NS("12", "-1")) + Size(BS([]byte{1}, []byte{2, 3})); got != 3+(2+3)+3 {
		t.Fatalf("set sizes %d", got)
	}
	// The gate: exactly MaxItemSize bytes is allowed.
	pad := MaxItemSize - len("pk") - 1 - len("p")
	if ItemSize(Item{"pk": S("x"), "p": S(strings.Repeat("x", pad))}) != MaxItemSize {
		t.Fatal("padding arithmetic")
	}
}
