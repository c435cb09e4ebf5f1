package testutil

import (
	"fmt"
	"go/ast"
	"go/doc/comment"
	"go/parser"
	"go/scanner"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The snippets of the README and of the package docs teach how to use the
// library; a snippet that is never compiled nor run can teach a bug (the
// README's notify snippet once lost its wake-up). So every snippet must
// appear, token for token, in the body of an Example of the module, which go
// test compiles, runs and checks against its "// Output:". Tokens are Go's,
// comments included (their spacing normalised), semicolons left out: the
// comparison ignores indentation and line breaks, so gofmt may reformat a
// snippet in its Example. A snippet's paragraphs (the parts between blank
// lines) must appear in order in one Example, each one whole, so that the
// Example may put them in different goroutines or closures. The Examples of
// the snippets are in readme_example_test.go of each package.

// moduleRoot is where the module's go.mod is, seen from this package.
const moduleRoot = "../.."

// docPending lists the packages whose package doc still has a snippet that is
// no Example (the reason follows); the test fails as soon as one of them is
// covered, so that the list only shrinks.
var docPending = map[string]string{}

// A snippet is a code block of the README or of a package doc.
type snippet struct {
	where string // where the block is
	text  string
	parts [][]string // the tokens of each paragraph, empty ones left out
}

func newSnippet(where, text string) snippet {
	s := snippet{where: where, text: text}
	for _, para := range regexp.MustCompile(`\n[ \t]*\n`).Split(text, -1) {
		if toks := goTokens(para); len(toks) > 0 {
			s.parts = append(s.parts, toks)
		}
	}
	return s
}

// An example is the body of an Example function of a _test.go file.
type example struct {
	where  string // file:line of the func
	name   string
	tokens []string
}

// goTokens returns the tokens of src as strings, without semicolons (written
// or inserted), comments with their spaces normalised.
func goTokens(src string) []string {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	var s scanner.Scanner
	s.Init(file, []byte(src), nil, scanner.ScanComments)
	var out []string
	for {
		_, tok, lit := s.Scan()
		switch {
		case tok == token.EOF:
			return out
		case tok == token.SEMICOLON:
			continue
		case tok == token.COMMENT:
			lit = strings.Join(strings.Fields(lit), " ")
		case lit == "":
			lit = tok.String()
		}
		out = append(out, lit)
	}
}

// index returns where needle starts in haystack, or -1.
func index(haystack, needle []string) int {
	for i := 0; i+len(needle) <= len(haystack); i++ {
		if slices.Equal(haystack[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// matched returns how many of the paragraphs of s appear in order in e.
func matched(s snippet, e example) int {
	rest := e.tokens
	for k, part := range s.parts {
		i := index(rest, part)
		if i < 0 {
			return k
		}
		rest = rest[i+len(part):]
	}
	return len(s.parts)
}

// found reports whether s is in one of examples.
func found(s snippet, examples []example) bool {
	return slices.ContainsFunc(examples, func(e example) bool { return matched(s, e) == len(s.parts) })
}

// prefix returns the length of the longest prefix of part found in tokens.
func prefix(tokens, part []string) int {
	best := 0
	for i := range tokens {
		n := 0
		for n < len(part) && i+n < len(tokens) && tokens[i+n] == part[n] {
			n++
		}
		best = max(best, n)
	}
	return best
}

// closest tells where a snippet drifted: the example that has the most of
// its paragraphs in order, then the longest start of the next one, and
// where that paragraph stops matching.
func closest(s snippet, examples []example) string {
	var best example
	bestK, bestN := -1, -1
	for _, e := range examples {
		k := matched(s, e)
		n := prefix(e.tokens, s.parts[k])
		if k > bestK || k == bestK && n > bestN {
			best, bestK, bestN = e, k, n
		}
	}
	if bestK < 0 {
		return "no Example in this package"
	}
	part := s.parts[bestK]
	return fmt.Sprintf("closest: %s in %s, which has %d of its %d paragraphs in order, and of the next one %q, but not what follows: %q",
		best.name, best.where, bestK, len(s.parts), strings.Join(part[:bestN], " "), strings.Join(part[bestN:min(len(part), bestN+8)], " "))
}

// checkCovered fails the test for every snippet found in no example.
func checkCovered(t *testing.T, snippets []snippet, examples []example) {
	t.Helper()
	for _, s := range snippets {
		if found(s, examples) {
			continue
		}
		t.Errorf("%s: this snippet is in no Example:\n%s\n%s", s.where, strings.TrimRight(s.text, "\n"), closest(s, examples))
	}
}

// walkGo calls f with the path, and the path relative to the module root,
// of every .go file of the module, other modules nested in it left out.
func walkGo(t *testing.T, f func(path, rel string) error) {
	t.Helper()
	err := filepath.WalkDir(moduleRoot, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != moduleRoot && (strings.HasPrefix(d.Name(), ".") || exists(filepath.Join(path, "go.mod"))) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		rel, err := filepath.Rel(moduleRoot, path)
		if err != nil {
			return err
		}
		return f(path, rel)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleExamples parses every _test.go file of the module and returns its
// Examples by package directory.
func moduleExamples(t *testing.T) map[string][]example {
	t.Helper()
	byDir := map[string][]example{}
	walkGo(t, func(path, rel string) error {
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Body == nil || !strings.HasPrefix(fn.Name.Name, "Example") {
				continue
			}
			body := src[fset.Position(fn.Body.Lbrace).Offset+1 : fset.Position(fn.Body.Rbrace).Offset]
			dir := filepath.Dir(rel)
			byDir[dir] = append(byDir[dir], example{
				where:  fmt.Sprintf("%s:%d", rel, fset.Position(fn.Pos()).Line),
				name:   fn.Name.Name,
				tokens: goTokens(string(body)),
			})
		}
		return nil
	})
	return byDir
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// fence matches the ```go blocks of a Markdown file.
var fence = regexp.MustCompile("(?ms)^```go\n(.*?)^```")

func readmeSnippets(t *testing.T) []snippet {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(moduleRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []snippet
	for _, m := range fence.FindAllSubmatchIndex(src, -1) {
		where := fmt.Sprintf("README.md:%d", 1+strings.Count(string(src[:m[0]]), "\n"))
		out = append(out, newSnippet(where, string(src[m[2]:m[3]])))
	}
	return out
}

// docSnippets returns the code blocks of the package doc of each package of
// the module that has one, by package directory.
func docSnippets(t *testing.T) map[string][]snippet {
	t.Helper()
	byDir := map[string][]snippet{}
	walkGo(t, func(path, rel string) error {
		if strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Doc == nil {
			return nil
		}
		var p comment.Parser
		for _, block := range p.Parse(f.Doc.Text()).Content {
			if code, ok := block.(*comment.Code); ok {
				dir := filepath.Dir(rel)
				byDir[dir] = append(byDir[dir], newSnippet(rel+" (package doc)", code.Text))
			}
		}
		return nil
	})
	return byDir
}

// TestReadmeSnippetsAreExamples: every ```go block of README.md is in an
// Example of the module.
func TestReadmeSnippetsAreExamples(t *testing.T) {
	snippets := readmeSnippets(t)
	if len(snippets) == 0 {
		t.Fatal("README.md has no ```go block: is the fence pattern still right?")
	}
	var all []example
	for _, es := range moduleExamples(t) {
		all = append(all, es...)
	}
	checkCovered(t, snippets, all)
}

// TestDocSnippetsAreExamples: every code block of a package doc is in an
// Example of that package, except in the packages of docPending.
func TestDocSnippetsAreExamples(t *testing.T) {
	examples := moduleExamples(t)
	snippets := docSnippets(t)
	if len(snippets) == 0 {
		t.Fatal("no package doc has a code block: is the parsing still right?")
	}
	dirs := make([]string, 0, len(snippets))
	for dir := range snippets {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			reason, pending := docPending[dir]
			if !pending {
				checkCovered(t, snippets[dir], examples[dir])
				return
			}
			if !slices.ContainsFunc(snippets[dir], func(s snippet) bool { return !found(s, examples[dir]) }) {
				t.Errorf("every snippet of the package doc of %s is now an Example: remove it from docPending (%s)", dir, reason)
			}
		})
	}
	for dir := range docPending {
		if _, ok := snippets[dir]; !ok {
			t.Errorf("docPending lists %s, whose package doc has no snippet", dir)
		}
	}
}
