package search

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// snippetBefore and snippetLen bound a snippet, in characters: the text
// before its first match, and the whole.
const (
	snippetBefore = 60
	snippetLen    = 220
	// snippetScan is how far into an article a snippet looks for its
	// first match, in bytes.
	snippetScan = 64 << 10
)

// span is a matching word's byte offsets in a text.
type span struct{ start, end int }

// snippet returns a passage of text around its first matching word,
// spans, in fragments: the words of spans marked, the rest as written,
// lines joined by " · ", and "…" where the text is cut. A word is never
// cut in two.
func snippet(text string, spans []span) []Fragment {
	spans = slices.DeleteFunc(spans, func(s span) bool {
		return s.start < 0 || s.end > len(text) || s.start >= s.end || !utf8.RuneStart(text[s.start]) || (s.end < len(text) && !utf8.RuneStart(text[s.end]))
	})
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	from := 0
	if len(spans) > 0 {
		from = back(text, spans[0].start, snippetBefore)
	}
	to := forward(text, from, snippetLen)
	var out []Fragment
	add := func(s string, mark bool) {
		if s == "" {
			return
		}
		s = strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", " · ")
		if n := len(out); n > 0 && out[n-1].Mark == mark {
			out[n-1].Text += s
			return
		}
		out = append(out, Fragment{Text: s, Mark: mark})
	}
	if from > 0 {
		add("… ", false)
	}
	at := from
	for _, s := range spans {
		if s.start < at || s.end > to {
			continue // overlaps the previous one, or past the end
		}
		add(text[at:s.start], false)
		add(text[s.start:s.end], true)
		at = s.end
	}
	add(text[at:to], false)
	if to < len(strings.TrimRight(text, "\n")) {
		add(" …", false)
	}
	return out
}

// back returns the offset of the start of the word n characters or
// fewer before offset i of text, or of the line i is on if that is
// nearer.
func back(text string, i, n int) int {
	j := i
	for k := 0; k < n && j > 0; k++ {
		r, size := utf8.DecodeLastRuneInString(text[:j])
		if r == '\n' {
			return j
		}
		j -= size
	}
	// Not in the middle of a word: on to its end.
	for j > 0 && j < i {
		r, _ := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(r) {
			break
		}
		_, size := utf8.DecodeRuneInString(text[j:])
		j += size
	}
	return j
}

// forward returns the offset of the end of the last whole word within n
// characters from offset i of text.
func forward(text string, i, n int) int {
	j := i
	for k := 0; k < n && j < len(text); k++ {
		_, size := utf8.DecodeRuneInString(text[j:])
		j += size
	}
	if j >= len(text) {
		return len(text)
	}
	end := j
	for end > i {
		r, size := utf8.DecodeLastRuneInString(text[:end])
		if unicode.IsSpace(r) {
			return end - size
		}
		end -= size
	}
	return j // one word longer than n: cut it
}
