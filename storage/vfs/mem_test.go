package vfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// Compile-time check.
var _ FS = (*MemFS)(nil)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mustCreate(t *testing.T, fsys FS, name string) File {
	t.Helper()
	f, err := fsys.Create(name)
	must(t, err)
	return f
}

func mustWrite(t *testing.T, f File, s string) {
	t.Helper()
	n, err := f.Write([]byte(s))
	if err != nil || n != len(s) {
		t.Fatalf("Write(%q) = %d, %v", s, n, err)
	}
}

func wantFile(t *testing.T, m *MemFS, name, want string) {
	t.Helper()
	got, err := m.ReadFile(name)
	if err != nil {
		t.Fatalf("ReadFile(%s): %v", name, err)
	}
	if string(got) != want {
		t.Fatalf("ReadFile(%s) = %q, want %q", name, got, want)
	}
}

func wantMissing(t *testing.T, m *MemFS, name string) {
	t.Helper()
	if _, err := m.Stat(name); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Stat(%s) = %v, want ErrNotExist", name, err)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		t.Fatalf("%s: err %T is not a *fs.PathError", what, err)
	}
}

func TestMemCrashKeepsOnlySyncedBytes(t *testing.T) {
	m := NewMem()
	must(t, m.MkdirAll("/d"))
	f := mustCreate(t, m, "/d/seg")
	must(t, SyncDir(m, "/d"))
	mustWrite(t, f, "abc")
	must(t, f.Sync())
	mustWrite(t, f, "def")
	wantFile(t, m, "d/seg", "abcdef")

	m.Crash()
	wantFile(t, m, "/d/seg", "abc")

	// The old handle is dead.
	_, err := f.Write([]byte("x"))
	wantErr(t, "Write after crash", err, ErrCrashed)
	_, err = f.ReadAt(make([]byte, 1), 0)
	wantErr(t, "ReadAt after crash", err, ErrCrashed)
	wantErr(t, "Sync after crash", f.Sync(), ErrCrashed)
	wantErr(t, "Truncate after crash", f.Truncate(0), ErrCrashed)
	_, err = f.Size()
	wantErr(t, "Size after crash", err, ErrCrashed)
	wantErr(t, "Close after crash", f.Close(), ErrCrashed)
	wantFile(t, m, "/d/seg", "abc")

	// The FS works as after a reboot.
	g, err := m.OpenRW("/d/seg")
	must(t, err)
	mustWrite(t, g, "XY")
	must(t, g.Truncate(4))
	wantFile(t, m, "/d/seg", "abcX")
	m.Crash()
	wantFile(t, m, "/d/seg", "abc") // Truncate is not durable without Sync

	// Writing after an unsynced shrink must not disturb the synced bytes.
	g, err = m.OpenRW("/d/seg")
	must(t, err)
	mustWrite(t, g, "def")
	must(t, g.Sync())
	must(t, g.Truncate(1))
	mustWrite(t, g, "ZZ")
	wantFile(t, m, "/d/seg", "aZZ")
	m.Crash()
	wantFile(t, m, "/d/seg", "abcdef")

	g, err = m.OpenRW("/d/seg")
	must(t, err)
	must(t, g.Truncate(1))
	must(t, g.Sync())
	mustWrite(t, g, "zz")
	m.Crash()
	wantFile(t, m, "/d/seg", "a")
}

func TestMemCrashDropsUndurableNames(t *testing.T) {
	m := NewMem()
	must(t, m.MkdirAll("d/sub"))

	a := mustCreate(t, m, "d/a") // dir never synced after this
	mustWrite(t, a, "aaa")
	must(t, a.Sync())

	b := mustCreate(t, m, "d/b")
	mustWrite(t, b, "bbb")
	must(t, b.Sync())
	dir, err := m.OpenDir("d")
	must(t, err)
	must(t, dir.Sync()) // makes a and b durable
	must(t, dir.Close())

	c := mustCreate(t, m, "d/c") // created after the dir sync
	must(t, c.Sync())
	s := mustCreate(t, m, "d/sub/s") // d synced, but not d/sub
	must(t, s.Sync())

	m.Crash()
	wantFile(t, m, "d/a", "aaa")
	wantFile(t, m, "d/b", "bbb")
	wantMissing(t, m, "d/c")
	wantMissing(t, m, "d/sub/s")
	names, err := m.ReadDir("d")
	must(t, err)
	if fmt.Sprint(names) != "[a b sub]" {
		t.Fatalf("ReadDir = %v", names)
	}

	// A file created and synced but whose name was never made durable is
	// gone even if it had data.
	u := mustCreate(t, m, "d/u")
	mustWrite(t, u, "data")
	must(t, u.Sync())
	m.Crash()
	wantMissing(t, m, "d/u")
}

func TestMemRemoveAndRenameDurableAtOnce(t *testing.T) {
	m := NewMem()
	must(t, m.MkdirAll("d"))
	for _, name := range []string{"d/old", "d/gone"} {
		f := mustCreate(t, m, name)
		mustWrite(t, f, name)
		must(t, f.Sync())
	}
	must(t, SyncDir(m, "d"))

	// Write, Sync, Rename: the new name and synced bytes survive, though no
	// directory is synced after creating tmp or renaming it.
	tmp := mustCreate(t, m, "d/tmp")
	mustWrite(t, tmp, "new")
	must(t, tmp.Sync())
	mustWrite(t, tmp, "+unsynced")
	must(t, m.Rename("d/tmp", "d/old"))

	// Renaming an unsynced file leaves the name with empty contents.
	raw := mustCreate(t, m, "d/raw")
	mustWrite(t, raw, "never synced")
	must(t, m.Rename("d/raw", "d/cooked"))

	must(t, m.Remove("d/gone"))

	// The handle follows the file, not the name.
	mustWrite(t, tmp, "!")
	wantFile(t, m, "d/old", "new+unsynced!")

	m.Crash()
	wantFile(t, m, "d/old", "new")
	wantFile(t, m, "d/cooked", "")
	wantMissing(t, m, "d/tmp")
	wantMissing(t, m, "d/raw")
	wantMissing(t, m, "d/gone")

	// Directories from MkdirAll are durable, and renaming a directory moves
	// its durable contents.
	must(t, m.MkdirAll("x/y"))
	f := mustCreate(t, m, "x/y/f")
	must(t, SyncDir(m, "x/y"))
	must(t, f.Close())
	must(t, m.Rename("x/y", "x/z"))
	m.Crash()
	wantFile(t, m, "x/z/f", "")
	wantMissing(t, m, "x/y")
}

func TestMemShortWrite(t *testing.T) {
	m := NewMem()
	seg := mustCreate(t, m, "seg-1")
	other := mustCreate(t, m, "meta")
	m.SetFault(Fault{Op: OpWrite, Path: "seg", After: 1, Count: 1, Partial: 3})

	mustWrite(t, seg, "first")   // After: 1
	mustWrite(t, other, "other") // Path does not match
	n, err := seg.Write([]byte("hello"))
	if n != 3 {
		t.Fatalf("short write n = %d, want 3", n)
	}
	wantErr(t, "short write", err, syscall.EIO)
	mustWrite(t, seg, "!") // Count: 1
	wantFile(t, m, "seg-1", "firsthel!")
	wantFile(t, m, "meta", "other")
	if got := m.FaultsFired(); got != 1 {
		t.Fatalf("FaultsFired = %d, want 1", got)
	}

	// Every write, with a custom error and a predicate; Partial beyond the
	// length writes all of it and still fails.
	custom := errors.New("boom")
	m.SetFault(Fault{Op: OpWrite, Match: func(p string) bool { return p == "meta" }, Err: custom, Partial: 100})
	for range 3 {
		n, err := other.Write([]byte("ab"))
		if n != 2 {
			t.Fatalf("n = %d, want 2", n)
		}
		wantErr(t, "custom fault", err, custom)
	}
	mustWrite(t, seg, "ok")
	if got := m.FaultsFired(); got != 3 {
		t.Fatalf("FaultsFired = %d, want 3", got)
	}
	m.ClearFaults()
	mustWrite(t, other, "ok")
	wantFile(t, m, "meta", "otherababab"+"ok")
	if got := m.FaultsFired(); got != 0 {
		t.Fatalf("FaultsFired after clear = %d", got)
	}
}

func TestMemSyncFault(t *testing.T) {
	for _, keep := range []bool{false, true} {
		t.Run(fmt.Sprintf("KeepUnsynced=%v", keep), func(t *testing.T) {
			m := NewMem()
			f := mustCreate(t, m, "seg")
			must(t, SyncDir(m, "/"))
			mustWrite(t, f, "abc")
			must(t, f.Sync())
			mustWrite(t, f, "def")
			m.SetFault(Fault{Op: OpSync, Path: "seg", Count: 1, KeepUnsynced: keep})

			wantErr(t, "Sync", f.Sync(), syscall.EIO)
			if keep {
				wantFile(t, m, "seg", "abcdef")
				must(t, f.Sync()) // the retry succeeds and saves them
				m.Crash()
				wantFile(t, m, "seg", "abcdef")
			} else {
				wantFile(t, m, "seg", "abc") // dropped at once
				must(t, f.Sync())
				mustWrite(t, f, "g")
				m.Crash()
				wantFile(t, m, "seg", "abc")
			}
		})
	}

	t.Run("After", func(t *testing.T) {
		m := NewMem()
		f := mustCreate(t, m, "seg")
		m.SetFault(Fault{Op: OpSync, Path: "seg", After: 3, Err: syscall.EIO})
		for i := range 3 {
			must(t, f.Sync())
			mustWrite(t, f, fmt.Sprint(i))
		}
		for range 2 {
			wantErr(t, "Sync", f.Sync(), syscall.EIO)
		}
		if got := m.FaultsFired(); got != 2 {
			t.Fatalf("FaultsFired = %d, want 2", got)
		}
	})

	t.Run("Dir", func(t *testing.T) {
		m := NewMem()
		must(t, m.MkdirAll("d"))
		f := mustCreate(t, m, "d/f")
		must(t, f.Sync())
		m.SetFault(Fault{Op: OpSync, Path: "d", Match: func(p string) bool { return p == "d" }})
		wantErr(t, "SyncDir", SyncDir(m, "d"), syscall.EIO)
		m.Crash()
		wantMissing(t, m, "d/f")
	})

	t.Run("BadOp", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("SetFault with Op 0 did not panic")
			}
		}()
		NewMem().SetFault(Fault{})
	})
}

func TestMemDiskLimit(t *testing.T) {
	m := NewMem()
	must(t, m.MkdirAll("d"))
	a := mustCreate(t, m, "d/a")
	b := mustCreate(t, m, "d/b")
	m.SetDiskLimit(10)
	mustWrite(t, a, "123456")
	n, err := b.Write([]byte("abcdef"))
	if n != 4 {
		t.Fatalf("n = %d, want 4", n)
	}
	wantErr(t, "full disk", err, syscall.ENOSPC)
	n, err = a.Write([]byte("x"))
	if n != 0 {
		t.Fatalf("n = %d, want 0", n)
	}
	wantErr(t, "full disk", err, syscall.ENOSPC)
	if got := m.DiskUsage(); got != 10 {
		t.Fatalf("DiskUsage = %d, want 10", got)
	}

	must(t, a.Truncate(4)) // frees 2 bytes
	mustWrite(t, b, "ef")
	must(t, m.Remove("d/a")) // frees 4, although a is still open
	mustWrite(t, b, "gh")
	wantFile(t, m, "d/b", "abcdefgh")

	m.SetDiskLimit(-1)
	mustWrite(t, b, strings.Repeat("z", 1000))
}

func TestMemCorrupt(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "seg")
	must(t, SyncDir(m, "."))
	mustWrite(t, f, "abcdef")
	must(t, f.Sync())
	mustWrite(t, f, "gh")
	must(t, m.Corrupt("seg", 4, []byte("XYZ"))) // spans synced and unsynced
	wantFile(t, m, "seg", "abcdXYZh")
	buf := make([]byte, 8)
	if n, err := f.ReadAt(buf, 0); n != 8 || err != nil || string(buf) != "abcdXYZh" {
		t.Fatalf("ReadAt = %d, %v, %q", n, err, buf)
	}
	m.Crash()
	wantFile(t, m, "seg", "abcdXY")

	wantErr(t, "past end", m.Corrupt("seg", 5, []byte("12")), syscall.EINVAL)
	wantErr(t, "negative", m.Corrupt("seg", -1, []byte("1")), syscall.EINVAL)
	wantErr(t, "missing", m.Corrupt("nope", 0, nil), fs.ErrNotExist)
	wantFile(t, m, "seg", "abcdXY")
}

func TestMemReadAt(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "f")
	mustWrite(t, f, "hello")
	for _, tc := range []struct {
		off     int64
		n       int
		want    string
		wantErr error
	}{
		{0, 5, "hello", nil},
		{1, 3, "ell", nil},
		{3, 5, "lo", io.EOF},
		{5, 1, "", io.EOF},
		{9, 1, "", io.EOF},
		{9, 0, "", nil},
	} {
		buf := make([]byte, tc.n)
		n, err := f.ReadAt(buf, tc.off)
		if string(buf[:n]) != tc.want || err != tc.wantErr {
			t.Errorf("ReadAt(%d bytes, off %d) = %q, %v; want %q, %v", tc.n, tc.off, buf[:n], err, tc.want, tc.wantErr)
		}
	}
	if _, err := f.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt at a negative offset succeeded")
	}
}

func TestMemClosedFile(t *testing.T) {
	m := NewMem()
	f := mustCreate(t, m, "f")
	must(t, f.Close())
	_, err := f.Write([]byte("x"))
	wantErr(t, "Write", err, fs.ErrClosed)
	_, err = f.ReadAt(make([]byte, 1), 0)
	wantErr(t, "ReadAt", err, fs.ErrClosed)
	wantErr(t, "Sync", f.Sync(), fs.ErrClosed)
	wantErr(t, "Truncate", f.Truncate(0), fs.ErrClosed)
	_, err = f.Size()
	wantErr(t, "Size", err, fs.ErrClosed)
	wantErr(t, "Close", f.Close(), fs.ErrClosed)
}

func TestMemConcurrent(t *testing.T) {
	m := NewMem()
	must(t, m.MkdirAll("d"))
	const writers, writes = 4, 200
	files := make([]File, writers)
	for i := range files {
		files[i] = mustCreate(t, m, fmt.Sprintf("d/%d", i))
	}
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() {
			for j := range writes {
				if n, err := f.Write([]byte("abcd")); n != 4 || err != nil {
					t.Errorf("Write = %d, %v", n, err)
					return
				}
				if j%10 == 0 {
					if err := f.Sync(); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
		wg.Go(func() { // reads race with the writes to the same file
			buf := make([]byte, 4)
			for j := range writes {
				n, err := f.ReadAt(buf, int64(j*4))
				if err != nil && err != io.EOF {
					t.Error(err)
					return
				}
				if n > 0 && !bytes.Equal(buf[:n], []byte("abcd")[:n]) {
					t.Errorf("file %d: read %q", i, buf[:n])
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range writes {
			if _, err := m.ReadDir("d"); err != nil {
				t.Error(err)
			}
			if err := SyncDir(m, "d"); err != nil {
				t.Error(err)
			}
			_ = m.DiskUsage()
		}
	})
	wg.Wait()
	for _, f := range files {
		if size, err := f.Size(); err != nil || size != 4*writes {
			t.Fatalf("Size = %d, %v; want %d", size, err, 4*writes)
		}
	}
}

// TestOSAndMemAgree runs the same steps against the real filesystem and a
// MemFS and checks each gives the expected observation.
func TestOSAndMemAgree(t *testing.T) {
	type env struct {
		fsys  FS
		root  string
		files map[string]File
	}
	p := func(e *env, name string) string { return filepath.Join(e.root, name) }
	// res describes err: "ok", "EOF", or the error's type and errno.
	res := func(err error) string {
		if err == nil {
			return "ok"
		}
		if err == io.EOF {
			return "EOF"
		}
		kind := fmt.Sprintf("%T", err)
		var errno syscall.Errno
		switch {
		case errors.Is(err, fs.ErrClosed):
			return kind + " closed"
		case errors.As(err, &errno):
			for _, e := range []syscall.Errno{syscall.ENOENT, syscall.EEXIST, syscall.ENOTDIR, syscall.EISDIR, syscall.ENOTEMPTY, syscall.EINVAL} {
				if errno == e {
					return kind + " " + e.Error()
				}
			}
		}
		return kind + " " + err.Error()
	}
	type step struct {
		do   func(e *env) string
		want string
	}
	create := func(name, h string) step {
		return step{func(e *env) string {
			f, err := e.fsys.Create(p(e, name))
			if err == nil {
				e.files[h] = f
			}
			return res(err)
		}, "ok"}
	}
	openRW := func(name, h string) func(e *env) string {
		return func(e *env) string {
			f, err := e.fsys.OpenRW(p(e, name))
			if err == nil {
				e.files[h] = f
			}
			return res(err)
		}
	}
	openDir := func(name, h string) func(e *env) string {
		return func(e *env) string {
			f, err := e.fsys.OpenDir(p(e, name))
			if err == nil {
				e.files[h] = f
			}
			return res(err)
		}
	}
	write := func(h, s string) func(e *env) string {
		return func(e *env) string {
			n, err := e.files[h].Write([]byte(s))
			return fmt.Sprintf("%d %s", n, res(err))
		}
	}
	readAt := func(h string, off int64, n int) func(e *env) string {
		return func(e *env) string {
			buf := make([]byte, n)
			n, err := e.files[h].ReadAt(buf, off)
			return fmt.Sprintf("%q %s", buf[:n], res(err))
		}
	}
	size := func(h string) func(e *env) string {
		return func(e *env) string {
			n, err := e.files[h].Size()
			return fmt.Sprintf("%d %s", n, res(err))
		}
	}
	onFile := func(h string, op func(File) error) func(e *env) string {
		return func(e *env) string { return res(op(e.files[h])) }
	}
	onFS := func(op func(fsys FS, root string) error) func(e *env) string {
		return func(e *env) string { return res(op(e.fsys, e.root)) }
	}
	readDir := func(name string) func(e *env) string {
		return func(e *env) string {
			names, err := e.fsys.ReadDir(p(e, name))
			return fmt.Sprintf("%q %s", names, res(err))
		}
	}
	stat := func(name string) func(e *env) string {
		return func(e *env) string {
			fi, err := e.fsys.Stat(p(e, name))
			if err != nil {
				return res(err)
			}
			return fmt.Sprintf("%s dir=%v size=%d", fi.Name(), fi.IsDir(), fi.Size())
		}
	}
	j := filepath.Join
	steps := []step{
		{onFS(func(f FS, r string) error { return f.MkdirAll(j(r, "d/e")) }), "ok"},
		{onFS(func(f FS, r string) error { return f.MkdirAll(j(r, "d/e")) }), "ok"},
		create("d/a", "a"),
		{write("a", "hello"), "5 ok"},
		{readAt("a", 0, 5), `"hello" ok`},
		{readAt("a", 3, 5), `"lo" EOF`},
		{readAt("a", 5, 1), `"" EOF`},
		{size("a"), "5 ok"},
		{onFile("a", func(f File) error { return f.Truncate(2) }), "ok"},
		{write("a", "xyz"), "3 ok"}, // appends at the new end
		{readAt("a", 0, 10), `"hexyz" EOF`},
		{onFile("a", func(f File) error { return f.Truncate(7) }), "ok"},
		{readAt("a", 0, 7), `"hexyz\x00\x00" ok`},
		{onFile("a", File.Sync), "ok"},
		{stat("d/a"), "a dir=false size=7"},
		{stat("d/e"), "e dir=true size=-"},
		{stat("d/nope"), "*fs.PathError no such file or directory"},
		{func(e *env) string { _, err := e.fsys.Create(p(e, "d/a")); return res(err) }, "*fs.PathError file exists"},
		{func(e *env) string { _, err := e.fsys.Create(p(e, "d/e")); return res(err) }, "*fs.PathError file exists"},
		{func(e *env) string { _, err := e.fsys.Create(p(e, "nope/x")); return res(err) }, "*fs.PathError no such file or directory"},
		{func(e *env) string { _, err := e.fsys.Create(p(e, "d/a/x")); return res(err) }, "*fs.PathError not a directory"},
		{openRW("d/nope", "x"), "*fs.PathError no such file or directory"},
		{openRW("d/e", "x"), "*fs.PathError is a directory"},
		{openDir("d/a", "x"), "*fs.PathError not a directory"},
		{openDir("d", "dir"), "ok"},
		{write("dir", "x"), "0 *fs.PathError is a directory"},
		{onFile("dir", File.Sync), "ok"},
		{onFile("dir", File.Close), "ok"},
		{readDir("d"), `["a" "e"] ok`},
		{readDir("d/e"), `[] ok`},
		{readDir("d/a"), `[] *fs.PathError not a directory`},
		{readDir("nope"), `[] *fs.PathError no such file or directory`},
		{onFS(func(f FS, r string) error { return f.MkdirAll(j(r, "d/a/b")) }), "*fs.PathError not a directory"},
		create("d/b", "b"),
		{write("b", "bee"), "3 ok"},
		{onFS(func(f FS, r string) error { return f.Rename(j(r, "d/a"), j(r, "d/b")) }), "ok"},
		{readDir("d"), `["b" "e"] ok`},
		{openRW("d/b", "b2"), "ok"},
		{readAt("b2", 0, 3), `"hex" ok`},
		{write("a", "!"), "1 ok"}, // the handle follows the renamed file
		{size("b2"), "8 ok"},
		{write("b", "!"), "1 ok"}, // the replaced file lives on while open
		{size("b"), "4 ok"},
		{onFS(func(f FS, r string) error { return f.Rename(j(r, "d/nope"), j(r, "d/c")) }), "*os.LinkError no such file or directory"},
		{onFS(func(f FS, r string) error { return f.Rename(j(r, "d/b"), j(r, "d/e")) }), "*os.LinkError file exists"},
		{onFS(func(f FS, r string) error { return f.Rename(j(r, "d/e"), j(r, "d/b")) }), "*os.LinkError not a directory"},
		{onFS(func(f FS, r string) error { return f.Rename(j(r, "d"), j(r, "d/e/f")) }), "*os.LinkError invalid argument"},
		{onFS(func(f FS, r string) error { return f.Remove(j(r, "d")) }), "*fs.PathError directory not empty"},
		{onFS(func(f FS, r string) error { return f.Remove(j(r, "d/b")) }), "ok"},
		{onFS(func(f FS, r string) error { return f.Remove(j(r, "d/b")) }), "*fs.PathError no such file or directory"},
		{readAt("b2", 0, 3), `"hex" ok`}, // open after removal
		{onFS(func(f FS, r string) error { return f.RemoveAll(j(r, "nope/x")) }), "ok"},
		{onFS(func(f FS, r string) error { return f.RemoveAll(j(r, "d")) }), "ok"},
		{readDir("."), `[] ok`},
		{onFile("b2", File.Close), "ok"},
		{write("b2", "x"), "0 *fs.PathError closed"},
		{readAt("b2", 0, 1), `"" *fs.PathError closed`},
		{onFile("b2", File.Sync), "*fs.PathError closed"},
		{onFile("b2", File.Close), "*fs.PathError closed"},
	}
	// Stat sizes of directories differ by filesystem: mask them.
	mask := func(s string) string {
		if i := strings.Index(s, "dir=true size="); i >= 0 {
			return s[:i] + "dir=true size=-"
		}
		return s
	}
	for _, impl := range []struct {
		name string
		fsys FS
		root string
	}{
		{"OS", OS, t.TempDir()},
		{"Mem", NewMem(), "/tmp/eddy"},
	} {
		t.Run(impl.name, func(t *testing.T) {
			e := &env{fsys: impl.fsys, root: impl.root, files: map[string]File{}}
			must(t, e.fsys.MkdirAll(e.root))
			for i, s := range steps {
				if got := mask(s.do(e)); got != s.want {
					t.Errorf("step %d: got %s, want %s", i, got, s.want)
				}
			}
			for _, f := range e.files {
				f.Close()
			}
		})
	}
}

// TestSyncFSErrseq: SyncFS syncs every file; a fault fails it and drops the
// faulted file's unsynced bytes, and the next Sync through a handle opened
// before reports the error once, as Linux's errseq does.
func TestSyncFSErrseq(t *testing.T) {
	m := NewMem()
	m.MkdirAll("/d")
	a, _ := m.Create("/d/a")
	b, _ := m.Create("/d/b")
	a.Write([]byte("aaa"))
	b.Write([]byte("bbb"))
	if err := m.SyncFS(a); err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("AAA"))
	b.Write([]byte("BBB"))
	m.SetFault(Fault{Op: OpSync, Path: "/d/b", Count: 1})
	if err := m.SyncFS(a); err == nil {
		t.Fatal("SyncFS with a faulted file succeeded")
	}
	late, _ := m.OpenRW("/d/b")
	if err := b.Sync(); err == nil {
		t.Fatal("Sync through a handle opened before the failure did not report it")
	}
	if err := b.Sync(); err != nil {
		t.Fatalf("the error was reported twice: %v", err)
	}
	if err := late.Sync(); err != nil {
		t.Fatalf("a handle opened after the failure reported it: %v", err)
	}
	m.Crash()
	for name, want := range map[string]string{"/d/a": "aaaAAA", "/d/b": "bbb"} {
		got, err := m.ReadFile(name)
		if err != nil || string(got) != want {
			t.Fatalf("%s after crash: %q, %v; want %q", name, got, err, want)
		}
	}
}
