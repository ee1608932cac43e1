package bufpool

import "testing"

func TestListBound(t *testing.T) {
	l := New[[]byte](2)
	if _, ok := l.Get(); ok {
		t.Fatal("Get on an empty list returned a buffer")
	}
	a, b, c := make([]byte, 1), make([]byte, 2), make([]byte, 3)
	l.Put(a)
	l.Put(b)
	l.Put(c) // dropped: the list is full
	got := map[int]bool{}
	for {
		x, ok := l.Get()
		if !ok {
			break
		}
		got[len(x)] = true
	}
	if len(got) != 2 || !got[1] || !got[2] {
		t.Errorf("kept %v, want the first two buffers", got)
	}
}
