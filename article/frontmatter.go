package article

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// splitFrontMatter finds the front matter at the start of text (after
// any byte-order marks): a first line ---, then YAML up to the next line
// --- or ... (Jekyll takes either; white space after the dashes or dots
// is allowed, as an editor may leave it). found reports a first line ---;
// closed, a closing line after it. Without both, body is text.
func splitFrontMatter(text string) (fm, body string, found, closed bool) {
	line, rest, _ := cutLine(text)
	if !delimiter(line, false) {
		return "", text, false, false
	}
	start := rest
	for rest != "" {
		line, next, _ := cutLine(rest)
		if delimiter(line, true) {
			return start[:len(start)-len(rest)], next, true, true
		}
		rest = next
	}
	return "", text, true, false
}

// delimiter reports whether line opens front matter (---) or, if
// closing, ends it (--- or ...).
func delimiter(line string, closing bool) bool {
	line = strings.TrimRight(line, " \t")
	return line == "---" || closing && line == "..."
}

// fmReader reads the keys of one front matter into an Article.
type fmReader struct {
	dir  string // the article's folder, slash-separated, under the seeds folder
	opts Options
	a    *Article
	alt  string               // image_alt, set on the image once all keys are read
	keys map[string]keyReader // the keys it knows: keys, or sectionKeys
}

// keyReader reads the value v of key into the Article of r.
type keyReader func(r *fmReader, key string, v *yaml.Node) error

// keys are the front-matter keys Parse knows, and how each is read.
var keys = map[string]keyReader{
	"title":      (*fmReader).title,
	"date":       (*fmReader).date,
	"author":     (*fmReader).authors,
	"authors":    (*fmReader).authors,
	"summary":    (*fmReader).summary,
	"categories": (*fmReader).categories,
	"tags":       (*fmReader).tags,
	"image":      (*fmReader).image,
	"image_alt":  (*fmReader).imageAlt,
	"lang":       (*fmReader).lang,
	"draft":      (*fmReader).draft,
	"link":       (*fmReader).link,
}

// readFrontMatter reads the YAML front matter src of the article file
// name into a.
func readFrontMatter(src, name string, opts Options, a *Article) error {
	return readKeys(src, name, opts, a, keys)
}

// readKeys reads the YAML front matter src of the file name into a,
// knowing the keys known.
func readKeys(src, name string, opts Options, a *Article, known map[string]keyReader) error {
	src, err := cleanText(src)
	if err != nil {
		return err
	}
	root, err := yamlRoot(src)
	if err != nil || root == nil {
		return err
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: it is %s (line %d)", ErrNotMapping, kindName(root), root.Line)
	}
	r := fmReader{dir: path.Dir(name), opts: opts, a: a, keys: known}
	if err := r.read(root); err != nil {
		return err
	}
	if a.Image != nil {
		a.Image.Alt = r.alt
	}
	slices.Sort(a.Unknown)
	a.Unknown = slices.Compact(a.Unknown)
	return nil
}

// yamlRoot is the root node of the front matter src, or nil if it is
// empty or null. Most front matter is simple enough for simpleYAML, much
// faster than yaml; yaml reads the rest.
func yamlRoot(src string) (*yaml.Node, error) {
	if root, ok := simpleYAML(src); ok {
		return root, nil
	}
	// Into a yaml.Node, not a map: a date stays the text it was written
	// as (yaml would make an unquoted one a time in UTC, losing whether it
	// named a zone), every value keeps its line, and aliases stay
	// pointers (see aliasBound).
	// yaml reads the opening --- as a comment line, so that its lines are
	// the file's.
	var doc yaml.Node
	if err := unmarshalYAML(src, &doc); err != nil {
		return nil, yamlError(src, err)
	}
	if len(doc.Content) == 0 { // empty, or comments only
		return nil, nil
	}
	if err := aliasBound(doc.Content[0]); err != nil {
		return nil, err
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return nil, nil
	}
	return root, nil
}

// read reads each key of the mapping m.
func (r *fmReader) read(m *yaml.Node) error {
	seen := make(map[string]int, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), deref(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			return badValue(ErrBadKey, "a key", k, "want a name, not %s", kindName(k))
		}
		if k.Tag == "!!merge" {
			return badValue(ErrBadKey, k.Value, k, "merge keys are not supported: write the keys out")
		}
		if line, ok := seen[k.Value]; ok {
			return badValue(ErrBadKey, k.Value, k, "the key is given twice (first on line %d)", line)
		}
		seen[k.Value] = k.Line
		set, ok := r.keys[k.Value]
		if !ok {
			r.a.Unknown = append(r.a.Unknown, k.Value)
			continue
		}
		if isNull(v) { // "key:" with no value: as if it were not there
			continue
		}
		if err := set(r, k.Value, v); err != nil {
			return err
		}
	}
	return nil
}

// maxAliasNodes bounds how many nodes aliases may add to a front matter
// once expanded. Front matter has no use for more, and a "billion laughs"
// document (aliases of aliases, each doubling what it stands for) needs
// far more to do harm.
const maxAliasNodes = 10_000

// aliasBound refuses a document whose aliases, expanded, would add more
// than maxAliasNodes nodes to it. yaml v3 bounds expansion only when it
// decodes into Go values; into a yaml.Node aliases stay pointers, and the
// readers here follow them: this bounds what they can be made to walk.
// It counts each node once, so it runs in time linear in the document.
func aliasBound(root *yaml.Node) error {
	if !hasAlias(root) { // most front matter: nothing to expand
		return nil
	}
	own := 0
	expanded := map[*yaml.Node]int{}
	const busy = -1 // an alias inside the node it names: endless
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		} else {
			own++
		}
		if s, ok := expanded[n]; ok {
			if s == busy {
				return maxAliasNodes + 1
			}
			return s
		}
		expanded[n] = busy
		s := 1
		for _, c := range n.Content {
			s = min(s+size(c), maxInt)
		}
		expanded[n] = s
		return s
	}
	if total := size(root); total-own > maxAliasNodes {
		return fmt.Errorf("%w: its aliases stand for more than %d nodes", ErrAliasBomb, maxAliasNodes)
	}
	return nil
}

// hasAlias reports whether an alias is in the tree under n.
func hasAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		return true
	}
	for _, c := range n.Content {
		if hasAlias(c) {
			return true
		}
	}
	return false
}

// maxInt caps the sizes aliasBound adds, which a chain of aliases can
// double at each step.
const maxInt = 1 << 40

// deref is the node an alias stands for, or n if it is not one.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// isNull reports whether n is YAML's null (nothing, ~ or null).
func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// kindName names the kind of n for an error.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "empty"
}

// badValue is the refusal err for the value n of key, with where it is in
// the file and why.
func badValue(err error, key string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%w: %s (line %d, column %d): %s", err, key, n.Line, n.Column, fmt.Sprintf(format, args...))
}
