package article

import (
	"unicode"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// scripts are the scripts whose letters the legacy single-byte charsets
// carry. Text decoded from the right charset has words in one script each;
// decoded from the wrong one, letters of another script turn up inside
// words, as the É of a windows-1252 "Économie" read as windows-1256 gives
// "ةconomie": Arabic letters do not sit inside Latin words.
var scripts = []*unicode.RangeTable{
	unicode.Latin, unicode.Arabic, unicode.Cyrillic, unicode.Greek, unicode.Hebrew, unicode.Thai,
}

// latin is the index of unicode.Latin in scripts.
const latin = 0

// word is one run of letters and marks in a text, and what its letters are.
type word struct {
	text            string
	script          int  // the index in scripts of its first letter's script, or -1
	mixed           bool // it has letters of another script too
	plain, accented int  // ASCII letters, and the other Latin ones
}

// eachWord calls f with each word of text, in order, until f returns false.
// Digits, punctuation and spaces end a word; marks (tashkeel) continue it
// and belong to no script.
func eachWord(text string, f func(word) bool) {
	w := word{script: -1}
	start := -1
	for i, r := range text + " " {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			if start >= 0 {
				w.text = text[start:i]
				if !f(w) {
					return
				}
			}
			w, start = word{script: -1}, -1
			continue
		}
		if start < 0 {
			start = i
		}
		s := scriptOf(r)
		switch {
		case s < 0:
		case w.script < 0:
			w.script = s
		case w.script != s:
			w.mixed = true
		}
		if r < 0x80 {
			w.plain++
		} else if s == latin {
			w.accented++
		}
	}
}

// implausible reports whether no writer would write w: it mixes
// scripts, or it is a Latin word with more accented letters than plain
// ones (three at least), the mark of Arabic or Cyrillic letters read as
// windows-1252.
func (w word) implausible() bool {
	return w.mixed || (w.script == latin && w.accented >= 3 && w.accented > w.plain)
}

// oddWord returns the first implausible word of text, or "".
func oddWord(text string) string {
	found := ""
	eachWord(text, func(w word) bool {
		if w.implausible() {
			found = w.text
		}
		return found == ""
	})
	return found
}

// scriptOf returns the index in scripts of r's script, or -1.
func scriptOf(r rune) int {
	for i, t := range scripts {
		if unicode.Is(t, r) {
			return i
		}
	}
	return -1
}

// candidates are the legacy charsets guessCharset weighs, the commonest
// first: a tie goes to the earlier one.
var candidates = []encoding.Encoding{
	charmap.Windows1252, charmap.Windows1256, charmap.Windows1251, charmap.Windows1250,
	charmap.Windows1253, charmap.Windows1254, charmap.Windows1255, charmap.Windows1257,
	charmap.Windows874, charmap.ISO8859_6,
}

// guessCharset names the legacy charset, other than tried, in which data
// reads most like text (see word.implausible), or says it is none of them.
func guessCharset(data []byte, tried encoding.Encoding) string {
	best, bestScore := "", -1
	for _, e := range candidates {
		if e == tried {
			continue
		}
		out, ok := decode8bit(data, e)
		if !ok {
			continue
		}
		if n := oddWords(string(out)); bestScore < 0 || n < bestScore {
			best, _ = htmlindex.Name(e)
			bestScore = n
		}
	}
	if best == "" || bestScore > 0 {
		return "in no single-byte charset known here (save it as UTF-8)"
	}
	return best + " (save it as UTF-8)"
}

// oddWords counts the implausible words of text.
func oddWords(text string) int {
	n := 0
	eachWord(text, func(w word) bool {
		if w.implausible() {
			n++
		}
		return true
	})
	return n
}
