package article

import (
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// simpleYAML reads front matter written in the plain part of YAML that
// nearly every article's is written in, into the tree that yaml.Unmarshal
// makes of it (less comments, which are not read): a mapping of keys to
// plain or double-quoted scalars on their line, flow lists and mappings
// of plain scalars, and block lists of scalars or of mappings of them.
// For anything else (comments, escapes, empty values, anchors, block
// scalars, odd characters or spacing) it reports false, and yaml reads
// the text. yaml's parser spends hundreds of instructions on each byte,
// a fifth of Parse's time on an article of the bench corpus;
// TestSimpleYAMLRandom and FuzzSimpleYAML check that both read the same.
//
// src is the front matter after its opening line, as yaml reads it after
// a comment line (see readFrontMatter): src's first line is line 2.
func simpleYAML(src string) (*yaml.Node, bool) {
	if !strings.HasSuffix(src, "\n") {
		return nil, false
	}
	lines := strings.Split(src[:len(src)-1], "\n")
	root := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: 2, Column: 1}
	for i := 0; i < len(lines); i++ {
		k, rest, ok := simpleKey(lines[i], i, 1)
		if !ok {
			return nil, false
		}
		var v *yaml.Node
		if rest == "" {
			v, i, ok = simpleList(lines, i+1)
		} else {
			v, ok = simpleValue(rest, i, len(k.Value)+3, false)
		}
		if !ok {
			return nil, false
		}
		root.Content = append(root.Content, k, v)
	}
	return root, true
}

// simpleKey reads a key at the start of s, which starts at column col of
// line i: a name, then a colon at the end of s or followed by a space and
// the value, returned as rest.
func simpleKey(s string, i, col int) (k *yaml.Node, rest string, ok bool) {
	j := 0
	for j < len(s) && (isASCIILetter(s[j]) || s[j] == '_' || j > 0 && (s[j] == '-' || '0' <= s[j] && s[j] <= '9')) {
		j++
	}
	switch {
	case j == 0 || j == len(s) || s[j] != ':':
		return nil, "", false
	case j+1 < len(s) && (s[j+1] != ' ' || j+2 == len(s) || s[j+2] == ' '):
		return nil, "", false
	}
	k = plainNode(s[:j], i, col)
	if j+1 < len(s) {
		rest = s[j+2:]
	}
	return k, rest, true
}

// simpleList reads the block list whose first item is on line i: items
// "- value", or "- key: value" followed by lines "key: value" under the
// first key. It returns the list and the index of its last line.
func simpleList(lines []string, i int) (*yaml.Node, int, bool) {
	if i >= len(lines) {
		return nil, 0, false
	}
	ind := indent(lines[i])
	item := lines[i][:ind] + "- "
	seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: i + 2, Column: ind + 1}
	for ; i < len(lines) && strings.HasPrefix(lines[i], item); i++ {
		var v *yaml.Node
		var ok bool
		text, col := lines[i][len(item):], len(item)+1
		if k, rest, isKey := simpleKey(text, i, col); !isKey {
			v, ok = simpleValue(text, i, col, false)
		} else if rest != "" {
			v = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: i + 2, Column: col}
			i, ok = simpleMapping(v, k, rest, lines, i, col)
		}
		if !ok {
			return nil, 0, false
		}
		seq.Content = append(seq.Content, v)
	}
	if len(seq.Content) == 0 {
		return nil, 0, false
	}
	return seq, i - 1, true
}

// simpleMapping fills m, a mapping in a list item whose first key k (at
// column col of line i) has the value text rest, from that line and the
// lines under it indented to col. It returns the index of its last line.
func simpleMapping(m, k *yaml.Node, rest string, lines []string, i, col int) (int, bool) {
	for {
		v, ok := simpleValue(rest, i, col+len(k.Value)+2, false)
		if !ok {
			return 0, false
		}
		m.Content = append(m.Content, k, v)
		if i+1 == len(lines) || indent(lines[i+1]) != col-1 {
			return i, true
		}
		i++
		if k, rest, ok = simpleKey(lines[i][col-1:], i, col); !ok || rest == "" {
			return 0, false
		}
	}
}

// simpleValue reads the value s, at column col of line i: a
// double-quoted scalar, a flow list or mapping (not in flow), or a plain
// scalar.
func simpleValue(s string, i, col int, flow bool) (*yaml.Node, bool) {
	switch {
	case s == "":
		return nil, false
	case s[0] == '"':
		v, ok := strings.CutSuffix(s[1:], `"`)
		if flow || !ok || !quotedOK(v) {
			return nil, false
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Style: yaml.DoubleQuotedStyle, Value: v, Line: i + 2, Column: col}, true
	case s[0] == '[' || s[0] == '{':
		if flow {
			return nil, false
		}
		return simpleFlow(s, i, col)
	case !plainOK(s, flow):
		return nil, false
	}
	return plainNode(s, i, col), true
}

// simpleFlow reads a flow list [a, b] or mapping {k: v, k2: v2} of plain
// scalars, s, at column col of line i.
func simpleFlow(s string, i, col int) (*yaml.Node, bool) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle, Line: i + 2, Column: col}
	end := "]"
	if s[0] == '{' {
		n.Kind, n.Tag, end = yaml.MappingNode, "!!map", "}"
	}
	inner, ok := strings.CutSuffix(s[1:], end)
	if !ok || strings.TrimLeft(inner, " ") == "" {
		return n, ok
	}
	at := col + 1 // the column of inner[0]
	for part := range strings.SplitSeq(inner, ",") {
		text := strings.Trim(part, " ")
		c := at + utf8.RuneCountInString(part[:strings.Index(part, text)])
		at += utf8.RuneCountInString(part) + 1
		if n.Kind == yaml.SequenceNode {
			v, ok := simpleValue(text, i, c, true)
			if !ok {
				return nil, false
			}
			n.Content = append(n.Content, v)
			continue
		}
		k, rest, ok := simpleKey(text, i, c)
		if !ok || rest == "" {
			return nil, false
		}
		v, ok := simpleValue(rest, i, c+len(k.Value)+2, true)
		if !ok {
			return nil, false
		}
		n.Content = append(n.Content, k, v)
	}
	return n, true
}

// plainNode is the node of the plain scalar s at column col of line i,
// with the tag yaml resolves it to (!!str, !!int, !!bool, !!timestamp…).
func plainNode(s string, i, col int) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: s, Line: i + 2, Column: col}
	n.Tag = n.ShortTag()
	return n
}

// plainOK reports whether s is a plain scalar made only of what reads the
// same in any context: letters, digits, spaces between words, and
// -_.:/+@=?%~(); that do not start it; no ": ", no colon at the end. In
// a flow list or mapping (flow), no question mark either: yaml refuses
// one there.
func plainOK(s string, flow bool) bool {
	if s == "" || !(isASCIILetter(s[0]) || '0' <= s[0] && s[0] <= '9' || s[0] >= utf8.RuneSelf) ||
		s[len(s)-1] == ' ' || s[len(s)-1] == ':' || strings.Contains(s, ": ") || flow && strings.Contains(s, "?") {
		return false
	}
	return textOK(s, plainPunct)
}

// quotedOK reports whether v can be the text of a double-quoted scalar
// that reads as it is: no backslash (escapes), no quote, no tab.
func quotedOK(v string) bool { return textOK(v, quotedPunct) }

// The ASCII punctuation plainOK and quotedOK take, beside letters,
// digits and spaces.
const (
	plainPunct  = "-_.:/+@=?%~();"
	quotedPunct = "!#$%&'()*+,-./:;<=>?@[]^_`{|}~"
)

// textOK reports whether s holds only ASCII letters, digits, spaces and
// the punctuation punct, and runes beyond ASCII that YAML reads as they
// are: not a line or paragraph separator (YAML line breaks), not a
// byte-order mark, nothing outside YAML's printable set.
func textOK(s, punct string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !(isASCIILetter(c) || '0' <= c && c <= '9' || c == ' ' || strings.IndexByte(punct, c) >= 0) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r >= 0xa0 && r <= 0xd7ff && r != 0x2028 && r != 0x2029:
		case r >= 0xe000 && r <= 0xfffd && r != 0xfeff && r != utf8.RuneError:
		case r >= 0x10000 && r <= utf8.MaxRune:
		default:
			return false
		}
		i += size
	}
	return true
}

// indent is the number of spaces line starts with.
func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
