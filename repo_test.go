package eddy_test

import (
	"bufio"
	"errors"
	"fmt"
	"go/build"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// This file holds the repository's structural rules: every package has a
// package doc comment, and packages keep to the dependency direction in
// docs/ARCHITECTURE.md. The rules look at non-test files only, for the
// current GOOS/GOARCH and build tags.

// TestPackageDocs requires a package doc comment in every package of the
// module.
func TestPackageDocs(t *testing.T) {
	pkgs := loadRepo(t)
	for _, p := range checkDocs(pkgs) {
		t.Error(p)
	}
}

// TestDependencyRules keeps each layer to the imports it may have.
func TestDependencyRules(t *testing.T) {
	pkgs := loadRepo(t)
	for _, p := range checkDeps(pkgs, depRules) {
		t.Error(p)
	}
}

func loadRepo(t *testing.T) []*pkgInfo {
	t.Helper()
	pkgs, err := loadModule(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) == 0 {
		t.Fatal("found no packages")
	}
	return pkgs
}

// depRule forbids the packages matching pkg (module-relative; "." is the root
// package, "x/..." is x and everything below it) from importing, directly or
// through other packages of this module, any import path that forbid rejects.
type depRule struct {
	pkg    string
	why    string
	forbid func(modPath, imp string) bool
}

// servicePkgs are the packages holding a service's behaviour, one per AWS
// service Eddy serves (docs/ARCHITECTURE.md, "Many services"). Add a new
// service's package here.
var servicePkgs = []string{"kinesis", "dynamo", "lambda", "kms", "analytics"}

var depRules = func() []depRule {
	rules := []depRule{
		{".", "the domain package imports only the standard library", func(_, imp string) bool { return !isStd(imp) }},
		{"storage/...", "storage does not serve HTTP", func(_, imp string) bool { return under(imp, "net/http") }},
		{"firehose/process/...", "Firehose's record processors are service code: they do not serve HTTP", func(_, imp string) bool { return under(imp, "net/http") }},
		{"firehose/delivery/...", "Firehose's delivery runner is service code (the HTTP endpoint destination is plugged in from firehose/httpendpoint)", func(_, imp string) bool { return under(imp, "net/http") }},
		{"client/...", "client libraries do not import the server", func(mod, imp string) bool {
			if under(imp, mod+"/httpapi") || under(imp, mod+"/storage") || under(imp, mod+"/cmd") {
				return true
			}
			for _, svc := range servicePkgs {
				if under(imp, mod+"/"+svc) {
					return true
				}
			}
			return false
		}},
	}
	for _, svc := range servicePkgs {
		rules = append(rules, depRule{svc + "/...", "a service's behaviour does not serve HTTP (httpapi does)",
			func(_, imp string) bool { return under(imp, "net/http") }})
	}
	// Firehose's service package alone: firehose/httpendpoint, below it, is
	// an HTTP client and may import net/http (the Firehose package layout of
	// issue 16).
	rules = append(rules, depRule{"firehose", "a service's behaviour does not serve HTTP (httpapi does)",
		func(_, imp string) bool { return under(imp, "net/http") }})
	return rules
}()

// pkgInfo is what the checks need to know about one package.
type pkgInfo struct {
	modPath string              // the module's path
	rel     string              // directory relative to the module root, slash-separated; "." for the root
	path    string              // import path
	names   []string            // package names declared (more than one is an error)
	hasDoc  bool                // some file has a package doc comment
	imports map[string][]string // import path -> files importing it
}

// loadModule parses the non-test Go files of every package in the module
// rooted at root (which holds go.mod). It skips what the go command skips
// (testdata, directories starting with "." or "_") and nested modules.
func loadModule(root string) ([]*pkgInfo, error) {
	modPath, err := readModulePath(filepath.Join(root, "go.mod"))
	if err != nil {
		return nil, err
	}
	var pkgs []*pkgInfo
	err = filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if dir != root {
			name := d.Name()
			if name == "testdata" || name == "node_modules" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
		}
		p, err := loadDir(root, dir, modPath)
		if err != nil {
			return err
		}
		if p != nil {
			pkgs = append(pkgs, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return pkgs, nil
}

// loadDir parses dir's non-test Go files; it returns nil if there are none.
func loadDir(root, dir, modPath string) (*pkgInfo, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(root, dir)
	if err != nil {
		return nil, err
	}
	rel = filepath.ToSlash(rel)
	p := &pkgInfo{modPath: modPath, rel: rel, path: path.Join(modPath, rel), imports: map[string][]string{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil {
			return nil, err
		} else if !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly|parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if !contains(p.names, f.Name.Name) {
			p.names = append(p.names, f.Name.Name)
		}
		if f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != "" {
			p.hasDoc = true
		}
		for _, imp := range f.Imports {
			ip, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return nil, fmt.Errorf("%s: bad import %s", filepath.Join(dir, name), imp.Path.Value)
			}
			p.imports[ip] = append(p.imports[ip], path.Join(rel, name))
		}
	}
	if len(p.names) == 0 {
		return nil, nil
	}
	return p, nil
}

// readModulePath returns the module path declared in the go.mod file at name.
func readModulePath(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "module" {
			if p, err := strconv.Unquote(fields[1]); err == nil {
				return p, nil
			}
			return fields[1], nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	return "", errors.New(name + ": no module line")
}

// checkDocs returns a problem for each package without a package doc comment
// or with more than one package name.
func checkDocs(pkgs []*pkgInfo) []string {
	var problems []string
	for _, p := range pkgs {
		if len(p.names) > 1 {
			problems = append(problems, fmt.Sprintf("%s: files declare several packages: %s", p.rel, strings.Join(p.names, ", ")))
		}
		if !p.hasDoc {
			problems = append(problems, fmt.Sprintf("%s: package %s has no package doc comment (add a doc.go starting \"// Package %s ...\")", p.rel, p.names[0], p.names[0]))
		}
	}
	return problems
}

// checkDeps returns a problem for each import a rule forbids, naming the
// chain of module packages through which it comes.
func checkDeps(pkgs []*pkgInfo, rules []depRule) []string {
	byPath := map[string]*pkgInfo{}
	for _, p := range pkgs {
		byPath[p.path] = p
	}
	var problems []string
	for _, p := range pkgs {
		for _, r := range rules {
			if !matchRel(r.pkg, p.rel) {
				continue
			}
			for _, v := range forbiddenImports(p, byPath, r.forbid) {
				problems = append(problems, fmt.Sprintf("%s imports %s (%s)", p.rel, v, r.why))
			}
		}
	}
	return problems
}

// forbiddenImports walks p's imports and those of the module packages it
// imports, and returns each forbidden import as "imp" or "imp via a -> b".
func forbiddenImports(p *pkgInfo, byPath map[string]*pkgInfo, forbid func(mod, imp string) bool) []string {
	var found []string
	seen := map[string]bool{p.path: true}
	type item struct {
		pkg *pkgInfo
		via []string
	}
	queue := []item{{pkg: p}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		imps := make([]string, 0, len(it.pkg.imports))
		for imp := range it.pkg.imports {
			imps = append(imps, imp)
		}
		sort.Strings(imps)
		for _, imp := range imps {
			if forbid(p.modPath, imp) {
				s := imp
				if len(it.via) > 0 {
					s += " via " + strings.Join(it.via, " -> ")
				} else {
					s += " in " + strings.Join(it.pkg.imports[imp], ", ")
				}
				found = append(found, s)
				continue
			}
			if q, ok := byPath[imp]; ok && !seen[imp] {
				seen[imp] = true
				queue = append(queue, item{pkg: q, via: append(append([]string(nil), it.via...), q.rel)})
			}
		}
	}
	return found
}

// matchRel reports whether the module-relative directory rel matches pattern
// ("." for the root, "x" for exactly x, "x/..." for x and below).
func matchRel(pattern, rel string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return under(rel, base)
	}
	return rel == pattern
}

// under reports whether the slash path p is base or below it.
func under(p, base string) bool {
	return p == base || strings.HasPrefix(p, base+"/")
}

// isStd reports whether imp is a standard-library import path: its first
// element has no dot (as the go command decides).
func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// writeFiles creates the files (slash paths -> contents) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCheckersOnFixture runs the checks on a small module that breaks every
// rule once, and on parts that must not count.
func TestCheckersOnFixture(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod": "module example.com/m\n\ngo 1.22\n",
		// Root: documented, but imports a third-party module.
		"doc.go":  "// Package m is the fixture.\npackage m\n",
		"root.go": "package m\n\nimport _ \"example.org/thirdparty\"\n",
		// A documented package; a doc only in a test file does not count
		// for the other one.
		"good/good.go":          "// Package good is fine.\npackage good\n\nimport _ \"fmt\"\n",
		"nodoc/a.go":            "package nodoc\n",
		"nodoc/a_test.go":       "// Package nodoc has its doc only in a test.\npackage nodoc\n",
		"ignored/x.go":          "//go:build ignore\n\n// Package main is a generator.\npackage main\n",
		"ignored/y.go":          "// Package ignored is documented.\npackage ignored\n",
		"storage/s/s.go":        "// Package s is storage.\npackage s\n\nimport _ \"net/http/httptest\"\n",
		"storage/ok/ok.go":      "// Package ok is storage that reaches HTTP through a helper.\npackage ok\n\nimport _ \"example.com/m/helper\"\n",
		"helper/h.go":           "// Package helper serves HTTP.\npackage helper\n\nimport _ \"net/http\"\n",
		"client/c/c.go":         "// Package c is a client.\npackage c\n\nimport _ \"example.com/m/kinesis\"\n",
		"kinesis/k.go":          "// Package kinesis is a service.\npackage kinesis\n",
		"testdata/t/t.go":       "package t\n",
		".hidden/h.go":          "package hidden\n",
		"nested/go.mod":         "module example.com/nested\n",
		"nested/n.go":           "package nested\n",
		"notgo/README.md":       "no Go here\n",
		"client/c/c_test.go":    "package c\n\nimport _ \"example.com/m/httpapi\"\n",
		"storage/s/doc_test.go": "package s_test\n\nimport _ \"net/http\"\n",
	})

	pkgs, err := loadModule(dir)
	if err != nil {
		t.Fatal(err)
	}
	var rels []string
	for _, p := range pkgs {
		rels = append(rels, p.rel)
	}
	sort.Strings(rels)
	wantRels := ".,client/c,good,helper,ignored,kinesis,nodoc,storage/ok,storage/s"
	if got := strings.Join(rels, ","); got != wantRels {
		t.Errorf("packages = %s, want %s", got, wantRels)
	}

	docProblems := checkDocs(pkgs)
	if len(docProblems) != 1 || !strings.HasPrefix(docProblems[0], "nodoc: ") {
		t.Errorf("checkDocs = %q, want one problem, for nodoc", docProblems)
	}

	depProblems := checkDeps(pkgs, depRules)
	sort.Strings(depProblems)
	wantDeps := []string{
		". imports example.org/thirdparty in root.go (the domain package imports only the standard library)",
		"client/c imports example.com/m/kinesis in client/c/c.go (client libraries do not import the server)",
		"storage/ok imports net/http via helper (storage does not serve HTTP)",
		"storage/s imports net/http/httptest in storage/s/s.go (storage does not serve HTTP)",
	}
	if strings.Join(depProblems, "\n") != strings.Join(wantDeps, "\n") {
		t.Errorf("checkDeps =\n%s\nwant\n%s", strings.Join(depProblems, "\n"), strings.Join(wantDeps, "\n"))
	}
}

func TestCheckersPassCleanFixture(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"go.mod":        "module example.com/m\n",
		"doc.go":        "// Package m is the fixture.\npackage m\n\nimport _ \"errors\"\n",
		"storage/s.go":  "// Package storage is storage.\npackage storage\n\nimport _ \"example.com/m\"\n",
		"client/c/c.go": "/*\nPackage c is a client.\n*/\npackage c\n\nimport _ \"example.com/m/protocol\"\n",
		"protocol/p.go": "// Package protocol is a codec.\npackage protocol\n\nimport _ \"encoding/json\"\n",
		"cmd/x/main.go": "// Command x is wiring; it may import anything.\npackage main\n\nimport _ \"example.com/m/storage\"\nimport _ \"net/http\"\n",
	})
	pkgs, err := loadModule(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 5 {
		t.Errorf("found %d packages, want 5", len(pkgs))
	}
	if p := checkDocs(pkgs); len(p) != 0 {
		t.Errorf("checkDocs = %q, want none", p)
	}
	if p := checkDeps(pkgs, depRules); len(p) != 0 {
		t.Errorf("checkDeps = %q, want none", p)
	}
}
