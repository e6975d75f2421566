package article

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// unmarshalYAML reads the front matter src into doc, after a comment
// line that stands for the opening --- line: the lines of doc's nodes are
// the file's.
func unmarshalYAML(src string, doc *yaml.Node) error {
	return yaml.Unmarshal([]byte("#\n"+src), doc)
}

// yamlError is the refusal for the front matter src, which yaml refuses
// with err, naming the line and column in the file where yaml stumbled.
// yaml v3 gives no column, and for an error of structure ("did not find
// expected key") the line the enclosing mapping or list starts on, not
// the one at fault; it gives no line for an unknown alias. So yamlError
// reads prefixes of src again: the first line that, with the lines
// before it, makes yaml fail as src does is the line at fault, and in it
// the first rune that does so marks the column (see column). It parses
// src a few dozen times at most, and only for a refused file.
func yamlError(src string, err error) error {
	msg := err.Error()
	fails := func(prefix string) bool {
		var doc yaml.Node
		e := unmarshalYAML(prefix, &doc)
		return e != nil && e.Error() == msg
	}
	// ends[i] is where line i of src (0-based) ends, after its line feed.
	var ends []int
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '\n')
		if j < 0 {
			j = len(src) - i - 1
		}
		i += j + 1
		ends = append(ends, i)
	}
	// src itself fails: the search ends at its last line at worst.
	n := sort.Search(len(ends), func(n int) bool { return fails(src[:ends[n]]) })
	n = min(n, len(ends)-1)
	start := 0
	if n > 0 {
		start = ends[n-1]
	}
	line := strings.TrimSuffix(src[start:ends[n]], "\n")
	col := column(line, func(c int) bool { return fails(src[:start+c]) })
	text := strings.TrimPrefix(msg, "yaml: ")
	if l, rest, ok := strings.Cut(text, ": "); ok && strings.HasPrefix(l, "line ") {
		text = rest
	}
	// src's line n is the file's n+2: the opening --- is line 1.
	return fmt.Errorf("%w: line %d, column %d: %s", ErrYAML, n+2, col, text)
}

// maxColumnSearch bounds the length of a line in which yamlError looks
// for the column: each step parses the front matter up to it again.
const maxColumnSearch = 4096

// yamlIndicators are the characters that column does not take as part of
// a word: YAML's flow indicators and the colon of a mapping.
const yamlIndicators = "[]{},:"

// column is the column (in runes, from 1) in line of the first rune that
// makes fails(end of that rune) true, or the start of the word it ends:
// the alias *name, not its last letter; the quote that closes a string
// too early ("قال "الوزير" إن"), not the letter after it. An indicator
// (a colon, a bracket) is its own place. Without such a rune, or in a
// line too long to search, it is the line's first rune that is not a
// space.
func column(line string, fails func(end int) bool) int {
	end := len(line) + 1
	if len(line) <= maxColumnSearch {
		end = sort.Search(len(line)+1, func(c int) bool {
			return c > 0 && (c == len(line) || utf8.RuneStart(line[c])) && fails(c)
		})
	}
	if end > len(line) {
		return utf8.RuneCountInString(line[:len(line)-len(strings.TrimLeft(line, " \t"))]) + 1
	}
	r, size := utf8.DecodeLastRuneInString(line[:end])
	at := end - size
	for !strings.ContainsRune(yamlIndicators, r) && at > 0 {
		prev, size := utf8.DecodeLastRuneInString(line[:at])
		if prev == ' ' || prev == '\t' || strings.ContainsRune(yamlIndicators, prev) {
			break
		}
		at -= size
	}
	return utf8.RuneCountInString(line[:at]) + 1
}
